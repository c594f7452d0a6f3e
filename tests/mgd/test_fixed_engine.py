"""The fixed_pt ``"engine"`` optimizer (momentum, per-layer step exponents, step schedule):
hand-computed integer updates, and SGD as its special case."""

from __future__ import annotations

import numpy as np
import pytest

from astrolava.data import load_dataset
from astrolava.mgd import DeltaMGDConfig
from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx
from astrolava.mgd.learner import SampleLearner, accuracy, train_epoch

# exponent e = TAG_BITS − A_FRAC − Z_FRAC and θ̃ shift s = 0 with k = 1·2**0: the weight step is
# k·u_i·v_j and the bias step k·u_i in integer units, with no rounding
EXP = fx.TAG_BITS - fx.A_FRAC - fx.Z_FRAC
PERT = (np.array([3]), np.array([2]), 0)


def tiny_layer() -> fx.FixedLayer:
    return fx.FixedLayer(np.array([[100]]), EXP, np.array([50]))


def test_layer_steps_are_k_theta():
    dw, db = fx.layer_steps(tiny_layer(), PERT, (1, 0))
    assert dw.tolist() == [[6]] and db.tolist() == [3]
    dw, db = fx.layer_steps(tiny_layer(), PERT, (1, 0), extra_bits=2)
    assert dw.tolist() == [[24]] and db.tolist() == [12]


def test_momentum_update_by_hand():
    # b = 2: t ← t + round((4·k·θ̃ − t)/4), Θ ← Θ − round(t/4), rounding half up
    layer, velocity = fx.momentum_update(tiny_layer(), PERT, (1, 0),
                                         (np.zeros((1, 1), np.int64), np.zeros(1, np.int64)), 2)
    # t_W = round(24/4) = 6, step round(6/4) = 2; t_b = round(12/4) = 3, step round(3/4) = 1
    assert velocity[0].tolist() == [[6]] and velocity[1].tolist() == [3]
    assert layer.wq.tolist() == [[98]] and layer.bq.tolist() == [49]
    layer, velocity = fx.momentum_update(layer, PERT, (1, 0), velocity, 2)
    # t_W = 6 + round(18/4) = 11, step round(11/4) = 3; t_b = 3 + round(9/4) = 5, step 1
    assert velocity[0].tolist() == [[11]] and velocity[1].tolist() == [5]
    assert layer.wq.tolist() == [[95]] and layer.bq.tolist() == [48]


def test_momentum_settles_on_the_sgd_step():
    layer = fx.FixedLayer(np.array([[0]]), EXP, np.array([0]))
    velocity = (np.zeros((1, 1), np.int64), np.zeros(1, np.int64))
    for _ in range(60):
        before = layer.wq.copy()
        layer, velocity = fx.momentum_update(layer, PERT, (1, 0), velocity, 3)
    assert (before - layer.wq).tolist() == [[6]]  # k·u·v per sample, as SGD


def net(config: DeltaMGDConfig) -> fx.FixedNetwork:
    rng = np.random.default_rng(0)
    layers = [(rng.normal(0, 1 / np.sqrt(a), (b, a)), rng.normal(0, 0.1, b))
              for a, b in ((64, 12), (12, 10))]
    return fx.FixedNetwork(layers, eq.NetworkSpec(), config)


def test_engine_coefficients_by_hand():
    config = DeltaMGDConfig(optimizer="engine", eta_halving=2, layer_eta_shifts=(1, -2))
    network = net(config)
    assert network.engine_coefficients((5, 20)) == [(5, 19), (5, 22)]
    network.n_updates = 5  # two halvings
    assert network.engine_coefficients((5, 20)) == [(5, 21), (5, 24)]
    network.n_updates = 0
    with pytest.raises(ValueError, match="layer_eta_shifts"):
        net(DeltaMGDConfig(optimizer="engine", layer_eta_shifts=(1,))).engine_coefficients((5, 20))


def learned(config: DeltaMGDConfig, n: int = 80) -> tuple[fx.FixedNetwork, float]:
    (X, y), _ = (load_dataset("digits", s) for s in ("train", "test"))
    network = net(config)
    learner = SampleLearner(network, [64, 12, 10], np.zeros((10, 12), dtype=np.int64))
    Xq = fx.to_fixed(X[:n], fx.X_FRAC)
    train_epoch(learner, Xq, y[:n])
    return network, accuracy(learner, Xq, y[:n])


def test_engine_without_its_options_is_sgd():
    base = {"eta": 0.02, "epsilon": 1e-2, "deltavecs": "chain", "tau_delta": 20}
    sgd, acc_sgd = learned(DeltaMGDConfig(**base))
    engine, acc_engine = learned(DeltaMGDConfig(**base, optimizer="engine"))
    assert acc_sgd == acc_engine
    for a, b in zip(sgd.layers, engine.layers, strict=True):
        np.testing.assert_array_equal(a.wq, b.wq)
        np.testing.assert_array_equal(a.bq, b.bq)


def test_engine_options_need_the_engine():
    with pytest.raises(ValueError, match="need optimizer='engine'"):
        DeltaMGDConfig(momentum_shift=3)
    with pytest.raises(ValueError, match="momentum_shift"):
        DeltaMGDConfig(optimizer="engine", momentum_shift=13)
    with pytest.raises(ValueError, match="layer_eta_shifts"):
        DeltaMGDConfig(optimizer="engine", layer_eta_shifts=(9,))
    with pytest.raises(ValueError, match="optimizer"):
        fx.check_fixed_config(DeltaMGDConfig(optimizer="adam"))
