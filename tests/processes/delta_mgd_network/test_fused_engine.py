"""The fused fixed_pt model with the ``"engine"`` optimizer computes exactly what
``FixedNetwork`` computes outside Lava, across a checkpoint and resume."""

import numpy as np
import pytest
from astrolava.models import build_model

from astrolava.data import load_dataset
from astrolava.lava_training import build_network, initial_parameters, train_in_lava
from astrolava.mgd import DeltaMGDConfig
from astrolava.mgd import fixed as fx
from astrolava.mgd.equations import NetworkSpec
from astrolava.mgd.learner import SampleLearner, accuracy, train_epoch

HIDDEN = (16,)
CONFIG = DeltaMGDConfig(eta=1e-3, epsilon=1e-2, deltavecs="chain", tau_delta=30,
                        delta_mix=0.1, optimizer="engine", momentum_shift=3, rms_shift=10,
                        eta_halving=100, layer_eta_shifts=(1, 0), weight_headroom_shift=3,
                        decay_shift=12)


@pytest.mark.slow
def test_fused_engine_equals_fixed_network(tmp_path):
    (X, y), (Xt, yt) = (load_dataset("digits", s) for s in ("train", "test"))
    X, y, Xt, yt = X[:90].astype(np.float64), y[:90], Xt[:50].astype(np.float64), yt[:50]
    path = tmp_path / "engine.ckpt"
    train_in_lava(build_network("rate", 64, 10, 0, CONFIG, hidden=HIDDEN), X, y, Xt, yt,
                  epochs=1, tag="fixed_pt", checkpoint=path)
    run = train_in_lava(build_network("rate", 64, 10, 0, CONFIG, hidden=HIDDEN), X, y, Xt, yt,
                        epochs=2, tag="fixed_pt", checkpoint=path)  # resumed after epoch 1

    weights, biases = initial_parameters(build_model("rate", 64, 10, 0, HIDDEN).layers)
    net = fx.FixedNetwork(list(zip(weights, biases, strict=True)), NetworkSpec(), CONFIG)
    learner = SampleLearner(net, [64, *HIDDEN, 10], np.zeros((10, 16), dtype=np.int64))
    accs = []
    for _ in range(2):
        train_epoch(learner, fx.to_fixed(X, fx.X_FRAC), y)
        accs.append(accuracy(learner, fx.to_fixed(Xt, fx.X_FRAC), yt))
    assert run.test_acc == accs
    for layer, w, b in zip(net.layers, run.weights, run.biases, strict=True):
        real_w, real_b = fx.dequantize_layer(layer)
        np.testing.assert_array_equal(w, real_w)
        np.testing.assert_array_equal(b, real_b)


def test_floating_pt_refuses_the_engine():
    (X, y), _ = (load_dataset("digits", s) for s in ("train", "test"))
    with pytest.raises(Exception, match="fixed_pt model only"):
        train_in_lava(build_network("rate", 64, 10, 0, CONFIG, hidden=HIDDEN),
                      X[:4].astype(np.float64), y[:4], X[:2].astype(np.float64), y[:2])
