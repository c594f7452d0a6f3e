"""A fused Lava training run checkpointed after every epoch resumes exactly where it stopped."""

import numpy as np
import pytest

from astrolava.checkpoint import CheckpointError
from astrolava.data import load_dataset
from astrolava.lava_training import build_network, lava_preset, train_in_lava
from astrolava.mgd import DeltaMGDConfig


def digits(n_train: int = 120, n_test: int = 60):
    (X, y), (Xt, yt) = (load_dataset("digits", s) for s in ("train", "test"))
    return X[:n_train].astype(np.float64), y[:n_train], Xt[:n_test].astype(np.float64), yt[:n_test]


def fresh(tag: str, **overrides):
    config = DeltaMGDConfig(**{**lava_preset("rate", tag), "tau_delta": 50, **overrides})
    return build_network("rate", 64, 10, 0, config, hidden=(16,))


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_resumed_run_equals_uninterrupted(tmp_path, tag):
    X, y, Xt, yt = digits()
    whole = train_in_lava(fresh(tag), X, y, Xt, yt, epochs=2, tag=tag)
    path = tmp_path / "run.ckpt"
    first = train_in_lava(fresh(tag), X, y, Xt, yt, epochs=1, tag=tag, checkpoint=path)
    resumed = train_in_lava(fresh(tag), X, y, Xt, yt, epochs=2, tag=tag, checkpoint=path)
    assert first.test_acc == whole.test_acc[:1]
    assert resumed.test_acc == whole.test_acc
    for a, b in zip(resumed.weights + resumed.biases, whole.weights + whole.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    done = train_in_lava(fresh(tag), X, y, Xt, yt, epochs=2, tag=tag, checkpoint=path)
    assert done.test_acc == whole.test_acc  # nothing left to train: read from the checkpoint


def test_checkpoint_of_another_run_is_refused(tmp_path):
    X, y, Xt, yt = digits(20, 10)
    path = tmp_path / "run.ckpt"
    train_in_lava(fresh("floating_pt"), X, y, Xt, yt, epochs=1, checkpoint=path)
    with pytest.raises(ValueError, match="another run"):
        train_in_lava(fresh("floating_pt", eta=0.5), X, y, Xt, yt, epochs=2, checkpoint=path)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(CheckpointError, match="run.ckpt"):
        train_in_lava(fresh("floating_pt"), X, y, Xt, yt, epochs=2, checkpoint=path)
