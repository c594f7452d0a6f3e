"""The fixed_pt ``"engine"`` optimizer (momentum, per-layer step exponents, step schedule):
hand-computed integer updates, and SGD as its special case."""

from __future__ import annotations

import math

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
    with pytest.raises(ValueError, match="weight_headroom_shift"):
        DeltaMGDConfig(weight_headroom_shift=7)
    with pytest.raises(ValueError, match="need optimizer='engine'"):
        DeltaMGDConfig(decay_shift=10)
    with pytest.raises(ValueError, match="decay_shift"):
        DeltaMGDConfig(optimizer="engine", decay_shift=25)


def test_decay_layer_by_hand():
    """``w ← w − round(w·2**-d)`` with ties up: d = 2 on 10, −10, 2, −2, 1, 0, 2**15 − 1."""
    layer = fx.FixedLayer(np.array([[10, -10, 2, -2, 1, 0, 2 ** 15 - 1]]), -9, np.array([5]))
    decayed = fx.decay_layer(layer, 2)
    # round(10/4) = 3 (2.5 up), round(−10/4) = −2 (−2.5 up), round(±2/4) = 1, 0, round(1/4) = 0
    assert decayed.wq.tolist() == [[7, -8, 1, -2, 1, 0, 2 ** 15 - 1 - 8192]]
    assert decayed.exp == -9 and decayed.bq.tolist() == [5]


@pytest.mark.parametrize("shift", [0, 1, 3])
def test_weight_headroom_by_hand(shift):
    """Largest initial |w| = 0.3: with headroom 2**s the shared exponent is the one of
    0.3·2**s on Loihi's grid (even 8-bit values up to 254·2**e, halved into the mantissa), so
    the largest mantissa is round(0.3 / 2**exp) and the weights can grow to 127·2**exp."""
    w = np.array([[0.3, -0.1], [0.05, 0.0]])
    layer = fx.quantize_layer(w, np.zeros(2), shift)
    # 0.3·2**s ≤ 254·2**e  ⇔  e = ceil(log2(0.3·2**s / 254)); the mantissa exponent is e + 1
    expected = int(np.ceil(np.log2(0.3 * 2 ** shift / 254))) + 1
    assert layer.exp == expected
    assert fx.mantissa(layer.wq)[0, 0] == round(0.3 / 2.0 ** expected)
    assert 127 * 2.0 ** layer.exp >= 0.3 * 2 ** shift


def test_isqrt_is_exact():
    x = np.array([0, 1, 2, 3, 4, 15, 16, 17, 2 ** 52 - 1, 2 ** 52, (2 ** 31 - 1) ** 2,
                  (2 ** 31 - 1) ** 2 - 1, 2 ** 62 - 1])
    assert fx.isqrt(x).tolist() == [math.isqrt(int(v)) for v in x]


def test_normalized_factors_by_hand():
    # g = k·2**s u on G_FRAC bits: 3·2**(G_FRAC − D_FRAC) = 48; first update (b = 0): r = g²,
    # ĝ = ⌊48·2**D_FRAC / (√2304 + 1)⌋ = ⌊3145728 / 49⌋; c = a² = 4,
    # â = ⌊2·2**A_FRAC / (√4 + round(10⁻³·2**A_FRAC))⌋ = ⌊131072 / 68⌋
    assert fx.G_FRAC - fx.D_FRAC == 4 and fx.A_FRAC == 16
    zeros = (np.zeros(1, np.int64), np.zeros(1, np.int64))
    (post, pre, s), (r, c) = fx.normalized_factors(PERT, (1, 0), zeros, 0, 1e-3, True)
    assert r.tolist() == [2304] and c.tolist() == [4] and s == 0
    assert post.tolist() == [3145728 // 49] and pre.tolist() == [131072 // 68]
    # the next update with b = 1 averages: r ← r + round((g² − r)/2) with g = −48
    (post, pre, _), (r, _) = fx.normalized_factors(((-PERT[0]), PERT[1], 0), (1, 0), (r, c),
                                                    1, 1e-3, False)
    assert r.tolist() == [2304] and post.tolist() == [-(3145728 // 49)] and pre.tolist() == [2]
