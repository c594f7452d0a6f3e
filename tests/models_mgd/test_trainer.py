"""Trainer: resume equals an uninterrupted run, checkpoints are atomic, CLI errors are clear."""

import json

import numpy as np
import pytest
import torch
from astrolava.models import build_model
from astrolava.models.mgd.trainer import (
    CHECKPOINT,
    METRICS,
    Dataset,
    make_config,
    make_learner,
    train,
)

from astrolava.cli import main


def _data():
    gen = np.random.default_rng(0)
    X = gen.random((96, 8)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(np.int64) + 2 * (X[:, 2] > 0.5)
    return Dataset.from_arrays(X[:64], y[:64], X[64:], y[64:])


def _run(method, network, out, epochs, resume=False, **hyper):
    model = build_model(network, 8, 4, seed=3, hidden=(6,), num_steps=4)
    learner = make_learner(method, model, make_config(method, **hyper), seed=3, n_classes=4)
    history = train(learner, _data(), epochs, batch_size=8, seed=3, out=out, resume=resume,
                    meta={"method": method}, diagnostics_size=16, progress=False)
    return model, history


@pytest.mark.parametrize(("method", "network", "hyper"), [
    ("delta-mgd", "rate", {"tau_delta": 5, "optimizer": "adam"}),
    ("delta-mgd", "spiking", {"tau_delta": 5, "deltavecs": "chain", "fd_step": 0.2}),
    ("mgd", "rate", {"tau_theta": 2, "tau_p": 3, "tau_x": 2}),
    ("bp", "spiking", {}),
])
def test_resume_equals_uninterrupted_run(tmp_path, method, network, hyper):
    full, full_history = _run(method, network, tmp_path / "full", 3, **hyper)
    _run(method, network, tmp_path / "split", 2, **hyper)
    split, split_history = _run(method, network, tmp_path / "split", 3, resume=True, **hyper)
    for a, b in zip(full.state_dict().values(), split.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert [r["test_acc"] for r in full_history] == [r["test_acc"] for r in split_history]
    assert [r["update_ops"] for r in full_history] == [r["update_ops"] for r in split_history]
    lines = (tmp_path / "split" / METRICS).read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]
    assert not list((tmp_path / "split").glob("*.tmp"))


def test_resume_refuses_a_different_run(tmp_path):
    _run("delta-mgd", "rate", tmp_path, 1)
    with pytest.raises(ValueError, match="checkpoint"):
        _run("spsa", "rate", tmp_path, 2, resume=True)
    with pytest.raises(ValueError, match="resume needs a checkpoint"):
        _run("spsa", "rate", tmp_path / "empty", 2, resume=True)


def test_cli_trains_resumes_and_reports_bad_input(tmp_path, capsys):
    args = ["train", "--method", "delta-mgd", "--dataset", "digits", "--train-size", "100",
            "--out", str(tmp_path), "--quiet"]
    assert main([*args, "--epochs", "1"]) == 0
    assert (tmp_path / CHECKPOINT).is_file()
    capsys.readouterr()
    assert main([*args, "--epochs", "2", "--resume"]) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] == 2
    with pytest.raises(SystemExit, match="epsilon"):
        main(["train", "--method", "spsa", "--set", "epsilon=0", "--quiet"])
    with pytest.raises(SystemExit, match="tau_delta"):
        main(["train", "--set", "tau_delta=0", "--quiet"])
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "cifar-100"])
