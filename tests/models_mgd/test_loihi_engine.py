"""The learning-engine reference's pieces by hand: schedule positions, the hidden layer's
chain factor, the chain-row refresh and the η schedule."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.models.mgd.loihi_engine import (
    EngineParams,
    EngineReference,
    engine_params,
    initial_weights,
)

from astrolava.data import load_dataset
from astrolava.mgd.engine import (
    CHAIN_FRAC,
    EngineNeurons,
    EngineSchedule,
    chain_factor,
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


@pytest.mark.parametrize("kwargs", [{"eta": 0.0}, {"epsilon": -1.0}, {"tau_delta": 0},
                                    {"delta_mix": 0.0}, {"delta_mix": 1.5},
                                    {"eta": float("nan")}])
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
