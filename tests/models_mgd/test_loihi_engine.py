"""The learning-engine reference's pieces by hand: schedule positions, the hidden layer's
chain factor, the chain-row refresh, the η schedule, Lava's LIF and learning-engine details
(current decay, 24-bit wrap, trace decay, random numbers, update shift)."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.models.mgd.loihi_engine import (
    EngineParams,
    EngineReference,
    LavaDraws,
    engine_params,
    initial_weights,
    lif_pass,
)

from astrolava.data import load_dataset
from astrolava.mgd.engine import (
    CHAIN_FRAC,
    EngineNeurons,
    EngineSchedule,
    apply_update,
    chain_factor,
    decay_trace,
    dw_rule,
    global_factor,
    rate_constant,
    refresh_rows,
)


def test_schedule_positions():
    one, two = EngineSchedule(20), EngineSchedule(20, n_learned=2)
    assert (one.perturbed_start, one.event(0), one.update(0), one.window) == (22, 20, 43, 45)
    assert (two.perturbed_start, two.event(0), two.event(1), two.update(1), two.window) == (
        23, 20, 21, 45, 47)
    assert [two.offset(d) for d in (0, 1, 2)] == [3, 2, 1]
    assert two.total_steps(2) == 3 + 2 * 47


def test_chain_factor_by_hand():
    rows = np.array([[2, 0], [0, 4]])  # K[k, j]
    # counts (3, 1), label 1, T = 4: e = (3, −3); u = −eK = (−6, 12); q = round(63·u / 12)
    np.testing.assert_array_equal(chain_factor(rows, np.array([3, 1]), 1, 4), [-31, 63])
    np.testing.assert_array_equal(chain_factor(rows, np.array([0, 4]), 1, 4), [0, 0])


def test_refresh_rows_by_hand():
    np.testing.assert_array_equal(refresh_rows(np.zeros((1, 2), int), np.array([[1, -2]]), 1.0),
                                  [[1 << CHAIN_FRAC, -2 << CHAIN_FRAC]])
    np.testing.assert_array_equal(refresh_rows(np.array([[256, -512]]), np.array([[3, 0]]), 0.5),
                                  [[512, -256]])


def test_reference_refreshes_its_rows_every_tau_delta_samples():
    X, y = load_dataset("digits", "train")
    params = EngineParams(pass_steps=8, eta=8000.0, hidden=(16,), tau_delta=2,
                          neurons=EngineNeurons(hidden_vth=512, output_vth=512))
    w0 = initial_weights(params.sizes(64, 10), 1, scale=40)
    ref = EngineReference(w0, params)
    ref.learn(X[0], int(y[0]))  # sample 0 refreshes from the initial output weights (ρ = 1)
    np.testing.assert_array_equal(ref.rows, w0[1] << CHAIN_FRAC)
    ref.learn(X[1], int(y[1]))  # no refresh
    np.testing.assert_array_equal(ref.rows, w0[1] << CHAIN_FRAC)
    after_one = ref.weights[1].copy()
    assert np.abs(after_one - w0[1]).sum() > 0  # the output synapse has learned
    ref.learn(X[2], int(y[2]))  # sample 2 refreshes from the weights its predecessors left
    np.testing.assert_array_equal(ref.rows, after_one << CHAIN_FRAC)


def test_more_than_one_hidden_layer_is_refused():
    with pytest.raises(ValueError, match="n_learned"):
        EngineReference(initial_weights([8, 4, 4, 3], 0), EngineParams())


def test_eta_schedule_by_hand():
    params = EngineParams(eta=1000.0, hidden=(4,), eta_halvings=(1, 3), hidden_eta_shift=-1)
    assert [params.layer_etas(e) for e in range(5)] == [
        [500.0, 1000.0], [250.0, 500.0], [250.0, 500.0], [125.0, 250.0], [125.0, 250.0]]
    assert EngineParams(eta=1000.0, eta_halvings=(0,)).layer_etas(0) == [500.0]


def test_a_halved_eta_lowers_the_rate_exponent_only():
    params = EngineParams(eta=1000.0, epsilon=200.0, hidden=(4,), eta_halvings=(2,),
                          hidden_eta_shift=1)
    ref = EngineReference(initial_weights(params.sizes(8, 3), 0), params)
    (m_h, f_h), (m_o, f_o) = ref.epoch_rates(0)
    assert (m_h, f_h) == rate_constant(2000.0, 200.0)
    assert (m_o, f_o) == rate_constant(1000.0, 200.0)
    assert ref.epoch_rates(2) == [(m_h, f_h + 1), (m_o, f_o + 1)]


def test_reference_refuses_weights_that_do_not_match_the_hidden_widths():
    with pytest.raises(ValueError, match="params.hidden"):
        EngineReference(initial_weights([8, 3], 0), EngineParams(hidden=(4,)))
    with pytest.raises(ValueError, match="dataset"):
        engine_params((100,), "cifar10")


def test_lif_current_decay_clears_the_current():
    """Lava adds ds_offset = 1 to du: with du = 4095 nothing of a step's current is left for
    the next, so 64 units (v = 64·2**6, at the threshold 64, not above) never fire; a
    remainder of ``trunc(u/2**12) = 1`` would fire at the second step."""
    np.testing.assert_array_equal(lif_pass(np.array([[64], [0], [0]]), 4095, 0, 64),
                                  [[0], [0], [0]])
    np.testing.assert_array_equal(lif_pass(np.array([[65], [0]]), 4095, 0, 64), [[1], [0]])


def test_lif_current_wraps_and_voltage_saturates_at_24_bits():
    # 140000 << 6 = 8,960,000 > 2**23 wraps to 8,960,000 − 2**24 < 0: no spike
    np.testing.assert_array_equal(lif_pass(np.array([[140000]]), 4095, 0, 1), [[0]])
    np.testing.assert_array_equal(lif_pass(np.array([[100000]]), 4095, 0, 1), [[1]])
    # v saturates at −(2**23 − 1) after 10 steps of −100000 << 6 (−6.4e7 unsaturated), so two
    # steps of +100000 << 6 = 6.4e6 bring it to 4,411,393 > 62500 << 6 = 4,000,000
    current = np.array([[-100000]] * 10 + [[100000]] * 2)
    np.testing.assert_array_equal(lif_pass(current, 4095, 0, 62500).ravel()[-2:], [0, 1])


def test_decay_trace_by_hand():
    """``floor(x1·e^(−1/255)) + [r < frac]``: 120 → 119.53, 60 → 59.77, 6 → 5.98."""
    x1 = np.array([120, 60, 6, 0])
    np.testing.assert_array_equal(decay_trace(x1, 0.6), [119, 60, 6, 0])
    np.testing.assert_array_equal(decay_trace(x1, 0.5), [120, 60, 6, 0])
    np.testing.assert_array_equal(decay_trace(x1, 0.99), [119, 59, 5, 0])
    np.testing.assert_array_equal(decay_trace(x1, 0.9, 65535), x1)


def test_third_factors_decay_one_step_by_hand():
    """y = 64 + q after one step of decay with τ = 65535: 94 → 93.99857, lowered by one only
    when the number exceeds the fraction; y = 0 (q = −64) stays."""
    q = np.array([30, 0, -64])
    np.testing.assert_array_equal(EngineReference.third_factor(q, 0.5), [30, 0, -64])
    np.testing.assert_array_equal(EngineReference.third_factor(q, 0.9999), [29, -1, -64])


def test_lava_draws_by_hand():
    """The number of step s is draw ``per_step·s`` after the first of the seed's generator."""
    np.testing.assert_equal(LavaDraws(5).at(3), np.random.default_rng(5).random(4)[-1])
    draws = LavaDraws(9, per_step=2)
    np.testing.assert_equal(draws.at(2), np.random.default_rng(9).random(5)[-1])
    np.testing.assert_equal(draws.at(2), np.random.default_rng(9).random(5)[-1])
    np.testing.assert_equal(draws.at(3), np.random.default_rng(9).random(7)[-1])
    with pytest.raises(ValueError, match="step=1"):
        draws.at(1)
    with pytest.raises(ValueError, match="draws"):
        EngineReference(initial_weights([8, 3], 0), EngineParams(), draws="lava-ish")


def test_update_shift_by_hand():
    """``ΔW = −((t·q_k) >> 5)·2^(12 − s) / 2**7``: t = 32, q_k = −64 gives +2 LSB with s = 10
    and +1 with s = 11; q_k doubles with s (until it clips)."""
    tag, q_k, w = np.array([[32]]), np.array([-64]), np.array([[10]])
    assert apply_update(w, tag, q_k, 0.5, 10)[0, 0] == 12
    assert apply_update(w, tag, q_k, 0.5, 11)[0, 0] == 11
    scale, rate = (1, 11), rate_constant(2000.0, 200.0)
    small = global_factor(20, scale, rate, 10)
    assert global_factor(20, scale, rate, 11) == 2 * small
    assert global_factor(10 ** 6, scale, rate, 11) == 63
    assert dw_rule(11) == "-2^-6 * y0 * t * (y3 - 64)"
    with pytest.raises(ValueError, match="update_shift"):
        dw_rule(13)


def test_update_shift_schedule_by_hand():
    """s 9 raised from epochs 1 and 3: 9, 10, 10, 11, 11; the reference learns an epoch with a
    raise at epoch 0 as with s + 1."""
    params = EngineParams(update_shift=9, shift_raises=(3, 1))
    assert [params.update_shift_of(e) for e in range(5)] == [9, 10, 10, 11, 11]
    assert EngineParams(update_shift=7, shift_raises=(0, 0, 2, 2, 4)).update_shift_of(4) == 12
    X, y = load_dataset("digits", "train")
    runs = []
    for raised in (EngineParams(update_shift=10, shift_raises=(0,)),
                   EngineParams(update_shift=11)):
        ref = EngineReference(initial_weights(raised.sizes(64, 10), 0), raised, seed=3)
        ref.train(X, y, np.arange(6))
        assert ref.update_shift == 11
        runs.append(ref.weights[0])
    np.testing.assert_array_equal(*runs)


@pytest.mark.parametrize("kwargs", [{"eta": 0.0}, {"epsilon": -1.0}, {"tau_delta": 0},
                                    {"delta_mix": 0.0}, {"delta_mix": 1.5},
                                    {"eta": float("nan")}, {"update_shift": 6},
                                    {"shift_raises": (-1,)}, {"shift_raises": (1.5,)},
                                    {"shift_raises": (1, 2), "update_shift": 11}])
def test_engine_params_refuse_bad_values(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        EngineParams(**kwargs)


@pytest.mark.parametrize(("cls", "kwargs"), [
    (EngineNeurons, {"hidden_vth": 0}), (EngineNeurons, {"output_vth": 2 ** 17}),
    (EngineNeurons, {"input_vth": 2.5}), (EngineNeurons, {"dv": 4096}),
    (EngineSchedule, {"pass_steps": 20.7}), (EngineSchedule, {"pass_steps": 64}),
])
def test_engine_registers_refuse_bad_values(cls, kwargs):
    """Thresholds in Loihi's 17-bit vth register, the decay in 12 bits, T an integer 2..63."""
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        cls(**kwargs)
