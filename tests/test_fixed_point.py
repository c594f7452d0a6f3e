"""Loihi fixed-point formats: saturation, quantization, lookup tables, shifts and the two integer
LIF conventions, by hand-computed values; the formats registry."""

import numpy as np
import pytest

import astrolava.fixed_point as fixed_point
from astrolava.fixed_point import (
    FORMATS,
    from_fixed,
    int_range,
    lif_decay,
    lif_step_reset_next,
    lif_step_reset_now,
    quantize_weights,
    saturate,
    scale_pow2,
    shift_right_round,
    sine_table,
    tanh_table,
    to_fixed,
    weight_exponent,
)


def test_int_range_and_saturation() -> None:
    assert int_range(8) == (-128, 127)
    assert int_range(24) == (-8_388_608, 8_388_607)
    np.testing.assert_array_equal(saturate([300, -300, 5], bits=8), [127, -128, 5])


def test_to_fixed_rounds_and_saturates() -> None:
    np.testing.assert_array_equal(to_fixed([0.5, -0.25, 1e9], frac_bits=4), [8, -4, 8_388_607])
    np.testing.assert_allclose(from_fixed(to_fixed(0.3, 12), 12), 1229 / 4096)


def test_weight_exponent_fills_the_mantissa() -> None:
    # 0.3 / 2**-9 = 153.6 fits [-256, 254]; 2**-10 would give 307.2, which does not.
    assert weight_exponent(0.3) == -9
    assert weight_exponent(0.0) == 0


def test_quantize_weights_error_is_half_a_mantissa_step() -> None:
    w = np.random.default_rng(0).normal(0.0, 0.1, size=(30, 20))
    q = quantize_weights(w)
    assert q.mantissa.dtype == np.int32
    assert q.mantissa.min() >= -256 and q.mantissa.max() <= 254
    assert np.all(q.mantissa % 2 == 0)  # mixed sign: the lowest mantissa bit is unused
    step = 2.0 * 2.0 ** q.weight_exp
    assert np.abs(q.dequantize() - w).max() <= step / 2 + 1e-15  # round to nearest
    assert abs(np.mean(q.dequantize() - w)) < step / 20  # and unbiased


def test_quantize_weights_rejects_nonfinite_and_bad_bits() -> None:
    with pytest.raises(ValueError, match="finite"):
        quantize_weights(np.array([0.1, np.nan]))
    with pytest.raises(ValueError, match="bits=9"):
        quantize_weights(np.ones(3), bits=9)


def test_tanh_table_matches_tanh_and_clamps() -> None:
    table = tanh_table(in_frac_bits=8, out_frac_bits=12)
    x = np.linspace(-4, 4, 101)
    err = from_fixed(table(to_fixed(x, 8)), 12) - np.tanh(np.round(x * 256) / 256)
    assert np.abs(err).max() <= 0.5 / 4096 + 1e-12
    np.testing.assert_array_equal(table(to_fixed([-100.0, 100.0], 8)), [-4096, 4096])


def test_sine_table_is_periodic() -> None:
    table = sine_table(period_bits=10, out_frac_bits=14)
    quarter = 1 << 8
    np.testing.assert_array_equal(table(np.array([0, quarter, 2 * quarter, 3 * quarter])),
                                  [0, 1 << 14, 0, -(1 << 14)])
    wrapped = table(np.array([5 + (1 << 10), 5 - (1 << 10)]))
    np.testing.assert_array_equal(wrapped, table(np.array([5, 5])))


def test_shift_right_round_rounds_half_up_on_both_signs() -> None:
    # x / 4: 1.25, 1.5, 1.75, -1.25, -1.5, -1.75, 0.5, -0.5, 0 -> ties go toward +inf
    x = np.array([5, 6, 7, -5, -6, -7, 2, -2, 0])
    np.testing.assert_array_equal(shift_right_round(x, 2), [1, 2, 2, -1, -1, -2, 1, 0, 0])
    np.testing.assert_array_equal(shift_right_round(x, 0), x)
    assert shift_right_round(-(1 << 40) - 1, 40) == -1  # -1.0000...: rounds to -1
    with pytest.raises(ValueError, match="n=-1"):
        shift_right_round(x, -1)


def test_scale_pow2_multiplies_by_a_power_of_two() -> None:
    np.testing.assert_array_equal(scale_pow2(np.array([3, -3, 0]), 2), [12, -12, 0])
    np.testing.assert_array_equal(scale_pow2(np.array([6, -6, 7]), -2), [2, -1, 2])
    assert scale_pow2(5, 0) == 5
    assert scale_pow2(np.array([5]), 0).dtype == np.int64


def test_lif_decay_truncates_toward_zero() -> None:
    # β = 2048/4096 = 0.5: 3.5, -3.5, 2.5, -2.5, 1.5 are truncated toward zero (Lava's
    # PyLifModelBitAcc), where rounding half up would give 4, -3, 3, -2, 2
    np.testing.assert_array_equal(lif_decay(np.array([7, -7, 5, -5, 3]), 2048),
                                  [3, -3, 2, -2, 1])
    np.testing.assert_array_equal(lif_decay(np.array([7, -7]), 4096), [7, -7])


def run_lif(step, currents: list[int]) -> tuple[list[int], list[int]]:
    """Potentials and spikes of one neuron (β = 0.5, threshold 100) over the given currents."""
    v, fired, vs, spikes = np.zeros(1, np.int64), np.zeros(1, np.int64), [], []
    for current in currents:
        if step is lif_step_reset_next:
            v, fired = step(v, fired, np.array([current]), 2048, 100)
        else:
            v, fired = step(v, np.array([current]), 2048, 100)
        vs.append(int(v[0]))
        spikes.append(int(fired[0]))
    return vs, spikes


def test_lif_reset_next_keeps_v_at_the_spike_and_zeroes_it_after() -> None:
    # t0: 80; t1: 80/2 + 150 = 190 > 100 spikes and stays; t2: reset, 0 + 30; t3: 15 + 10
    assert run_lif(lif_step_reset_next, [80, 150, 30, 10]) == ([80, 190, 30, 25], [0, 1, 0, 0])


def test_lif_reset_now_zeroes_v_in_the_spike_step() -> None:
    # t1: 190 > 100 spikes and v = 0 at once; t2: 0/2 + 30: the same v from t+1 on
    assert run_lif(lif_step_reset_now, [80, 150, 30, 10]) == ([80, 0, 30, 25], [0, 1, 0, 0])


def test_lif_conventions_give_the_same_spikes() -> None:
    """Random currents: equal spike trains, and equal v wherever no spike fired."""
    currents = np.random.default_rng(0).integers(-50, 120, (200, 30))
    v_next, fired, v_now = np.zeros(30, np.int64), np.zeros(30, np.int64), np.zeros(30, np.int64)
    total = 0
    for current in currents:
        v_next, fired = lif_step_reset_next(v_next, fired, current, 3686, 100)
        v_now, spikes = lif_step_reset_now(v_now, current, 3686, 100)
        np.testing.assert_array_equal(spikes, fired)
        np.testing.assert_array_equal(np.where(fired == 1, 0, v_next), v_now)
        total += int(fired.sum())
    assert 0.1 < total / currents.size < 0.9  # both spiking and silent steps are exercised


def test_lif_steps_saturate_at_24_bits() -> None:
    top = (1 << 23) - 1
    v, s = lif_step_reset_next(np.array([top]), np.array([0]), np.array([top]), 4096, 1 << 30)
    assert v[0] == top and s[0] == 0
    v, s = lif_step_reset_now(np.array([-top]), np.array([-top]), 4096, 0)
    assert v[0] == -(1 << 23) and s[0] == 0


def test_formats_registry_lists_every_constant() -> None:
    """Every upper-case integer constant of the module appears in a FORMATS row, and every
    name a row gives is such a constant."""
    exported = {name for name, value in vars(fixed_point).items()
                if name.isupper() and isinstance(value, int) and not name.startswith("_")}
    named = {name for row in FORMATS for name in row.constants}
    assert named == exported
    assert len({row.name for row in FORMATS}) == len(FORMATS)
    for row in FORMATS:
        assert 1 <= row.bits <= fixed_point.STATE_BITS
        assert row.frac_bits is None or 0 <= row.frac_bits <= row.bits
        assert row.used_in and row.meaning


# Overflow: no fixed-point helper wraps around or changes sign (hypothesis, extreme values).
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

INT64 = st.integers(-2 ** 63, 2 ** 63 - 1)
FLOATS = st.floats(allow_nan=False)  # ±inf and the extremes included


@settings(max_examples=300, deadline=None)
@given(x=st.one_of(FLOATS, st.integers(-2 ** 80, 2 ** 80)), bits=st.integers(1, 64))
def test_saturate_never_wraps(x, bits):
    lo, hi = int_range(bits)
    q = int(saturate(x, bits))
    assert lo <= q <= hi
    if isinstance(x, int):
        assert q == min(max(x, lo), hi)
    elif lo <= x <= hi:
        assert abs(q - x) < 1 or q == hi  # truncated; float(hi) may round above hi
    else:
        assert q == (hi if x > hi else lo)
    assert np.sign(q) in (np.sign(x), 0)


@settings(max_examples=300, deadline=None)
@given(x=FLOATS, frac=st.integers(0, 30))
def test_to_fixed_keeps_the_sign(x, frac):
    q = int(to_fixed(x, frac))
    assert np.sign(q) in (np.sign(x), 0)
    if abs(x) * 2.0 ** frac < 2 ** 22:
        assert q == round(x * 2 ** frac) or abs(q - x * 2 ** frac) <= 0.5


@settings(max_examples=300, deadline=None)
@given(x=INT64, n=st.integers(0, 70))
def test_shift_right_round_is_exact_near_the_int64_limits(x, n):
    expected = (x + (1 << (n - 1))) >> n if n else x  # Python ints: exact
    assert int(shift_right_round(x, n)) == expected


@settings(max_examples=300, deadline=None)
@given(x=INT64, e=st.integers(-70, 70))
def test_scale_pow2_saturates_without_sign_change(x, e):
    q = int(scale_pow2(x, e))
    if e >= 0:
        assert q == min(max(x << e, -2 ** 63), 2 ** 63 - 1)
    assert np.sign(q) in (np.sign(x), 0)


@settings(max_examples=200, deadline=None)
@given(w=st.floats(-1e30, 1e30), exp=st.integers(-60, 60))
def test_quantize_weights_saturates_without_sign_change(w, exp):
    q = quantize_weights(np.array([w, -w]), weight_exp=exp)
    assert -256 <= q.mantissa.min() and q.mantissa.max() <= 255
    assert np.all(np.sign(q.mantissa) * np.sign([w, -w]) >= 0)


@pytest.mark.parametrize("value", [1e19, 1e30, np.inf])
def test_issue_examples_saturate_to_the_top(value):
    assert saturate(value) == 8_388_607
    assert saturate(-value) == -8_388_608
    assert to_fixed(value / 1e5, 10) == 8_388_607
    assert to_fixed(1.5e14, 0, bits=64) > 0  # sign kept where a cast to int64 flipped it


def test_nan_has_no_fixed_point_value():
    with pytest.raises(ValueError, match="NaN"):
        saturate(np.nan)
    with pytest.raises(ValueError, match="NaN"):
        to_fixed([0.5, np.nan], 8)
    assert quantize_weights(np.array([0.5]), weight_exp=-40).mantissa[0] == 254
