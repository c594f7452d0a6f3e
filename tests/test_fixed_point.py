"""Loihi fixed-point formats: saturation, quantization, lookup tables, by hand-computed values."""

import numpy as np
import pytest

from astrolava.fixed_point import (
    from_fixed,
    int_range,
    quantize_weights,
    saturate,
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
