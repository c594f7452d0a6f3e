"""Training loop of every method: progress bar, per-epoch metrics log, atomic checkpoints
and bit-for-bit resume.

Layout of an output folder ``out``:

- ``out/checkpoint.pt``: model, learner state (optimizer, generator, DeltaVecs, ...), the
  data-order generator and the history, written after every epoch by
  :func:`astrolava.checkpoint.write_checkpoint` (unique temporary file, ``fsync``,
  ``os.replace``; SHA-256 checked on load, so a truncated or corrupt file is refused with
  its name instead of being loaded);
- ``out/metrics.jsonl``: one JSON record per epoch, replaced atomically after the
  checkpoint. The checkpoint is the record of the run: ``metrics.jsonl`` is its history
  written out, and resuming rewrites it from the checkpoint, so a crash between the two
  replacements leaves no disagreement behind;
- ``out/.lock``: held while a run writes to ``out`` (:func:`astrolava.checkpoint.lock_output`);
  a second run on the same folder stops at once with an error naming the pid of the first.

Resuming loads the checkpoint and continues with the next epoch; since every source of
randomness is in the checkpoint, the result equals an uninterrupted run.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from astrolava.models.mgd.backprop import BackpropConfig, BackpropLearner
from astrolava.models.mgd.diagnostics import gradient_diagnostics
from astrolava.models.mgd.perturbation import LEARNERS
from astrolava.models.training import evaluate
from torch import nn

from astrolava.checkpoint import (
    CheckpointError,
    lock_output,
    read_checkpoint,
    write_checkpoint,
    write_text_atomic,
)
from astrolava.mgd.config import METHOD_CONFIGS
from astrolava.progress import progress as progress_bar
from astrolava.validation import require_array, require_count, require_labels, require_seed

METHODS = ("bp", *METHOD_CONFIGS)
"""Method names accepted by :func:`make_learner`."""

CHECKPOINT = "checkpoint.pt"
METRICS = "metrics.jsonl"


def make_config(method: str, **hyper):
    """The config object of ``method`` built from keyword hyper-parameters (validated).

    ``"spsa"`` is MGD with ``tau_theta = tau_p = 1`` and refuses other values.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; use one of {METHODS}")
    cls = BackpropConfig if method == "bp" else METHOD_CONFIGS[method]
    unknown = set(hyper) - set(cls.__dataclass_fields__)
    if unknown:
        raise ValueError(f"method={method!r} takes no hyper-parameter(s) {sorted(unknown)}; "
                         f"allowed: {sorted(cls.__dataclass_fields__)}")
    config = cls(**hyper)
    if method == "spsa" and (config.tau_theta != 1 or config.tau_p != 1):
        raise ValueError("method='spsa' is MGD with tau_theta=1 and tau_p=1; use method='mgd'")
    return config


def make_learner(method: str, model: nn.Module, config, seed: int = 0, n_classes: int = 10):
    """Learner of ``method`` for ``model`` (trained in place) with its ``config``."""
    if method == "bp":
        return BackpropLearner(model, config, seed)
    if method == "delta-mgd":
        return LEARNERS[method](model, config, seed, n_classes=n_classes)
    return LEARNERS[method](model, config, seed)


@dataclass
class Dataset:
    """Training and test arrays as tensors (``X`` float, ``y`` int64)."""

    X: torch.Tensor
    y: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @classmethod
    def from_arrays(cls, X, y, X_test, y_test, dtype: torch.dtype = torch.float32) -> Dataset:
        """Tensors of the arrays, after :func:`check_dataset` (any class count)."""
        X, y, X_test, y_test = check_dataset(X, y, X_test, y_test)
        return cls(torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=torch.int64),
                   torch.as_tensor(X_test, dtype=dtype), torch.as_tensor(y_test, dtype=torch.int64))


def check_dataset(X, y, X_test, y_test, n_features: int | None = None,
                  n_classes: int | None = None) -> tuple[np.ndarray, ...]:
    """The four arrays of a dataset as NumPy arrays, checked once at the API boundary.

    ``X``/``X_test``: 2-D, finite, at least one row, ``n_features`` columns (if given, else
    as many as each other); ``y``/``y_test``: one integer label per row, each in
    ``[0, n_classes - 1]`` (if given, else ``>= 0``).

    Raises
    ------
    astrolava.validation.ParameterError, astrolava.validation.ParameterTypeError
        Naming the array and what is wrong with it.
    """
    X = require_array("X", np.asarray(X), ndim=2, shape=(None, n_features), min_length=1)
    X_test = require_array("X_test", np.asarray(X_test), ndim=2, shape=(None, X.shape[1]),
                           min_length=1)
    return (X, require_labels("y", np.asarray(y), len(X), n_classes), X_test,
            require_labels("y_test", np.asarray(y_test), len(X_test), n_classes))


STATE_KEYS = ("meta", "model", "learner", "rng", "history")
"""What a checkpoint holds."""


def save_checkpoint(out: Path, state: dict) -> None:
    """Write ``checkpoint.pt`` (``torch.save`` of ``state``, checksummed) and then
    ``metrics.jsonl`` (``state["history"]``), each replaced atomically."""
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_checkpoint(out / CHECKPOINT, buffer.getvalue())
    write_metrics(out, state["history"])


def write_metrics(out: Path, history: list[dict]) -> None:
    """Replace ``out/metrics.jsonl`` with one JSON line per record of ``history``."""
    write_text_atomic(out / METRICS, "".join(json.dumps(r) + "\n" for r in history))


def load_checkpoint(path: Path) -> dict:
    """The state saved by :func:`save_checkpoint` in ``path``.

    Raises
    ------
    astrolava.checkpoint.CheckpointError
        When the file is missing, truncated, corrupt or not a trainer checkpoint.
    """
    payload = read_checkpoint(path)
    try:
        state = torch.load(io.BytesIO(payload), weights_only=False)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means an unusable file
        raise CheckpointError(f"checkpoint {path} cannot be loaded: {err}") from err
    if not isinstance(state, dict) or set(STATE_KEYS) - set(state):
        raise CheckpointError(f"checkpoint {path} is not a training checkpoint "
                              f"(it lacks {sorted(set(STATE_KEYS) - set(state or {}))})")
    return state


def train(learner, data: Dataset, epochs: int, batch_size: int = 32, seed: int = 0,
          out: str | Path | None = None, resume: bool = False, meta: dict | None = None,
          diagnostics_size: int = 256, progress: bool = True,
          on_epoch: Callable[[dict], None] | None = None) -> list[dict]:
    """Train ``learner.model`` for ``epochs`` epochs of minibatches; return the history.

    Parameters
    ----------
    learner : BackpropLearner or PerturbativeLearner
    data : Dataset
    epochs, batch_size : int >= 1
    seed : int
        Seeds the data order (``numpy.random.default_rng(seed)``, one permutation per epoch)
        and the evaluation rate code.
    out : path, optional
        Folder for the checkpoint and the metrics log (nothing is written without it).
    resume : bool
        Continue from ``out/checkpoint.pt``; its ``meta`` must equal ``meta``.
    meta : dict, optional
        What defines the run (method, config, seed, ...); stored and checked on resume.
    diagnostics_size : int >= 0
        Samples of the fixed batch on which Λ, cosine, saturation and norms are logged each
        epoch (0 disables them).
    progress : bool
        Show a progress bar over the training samples (on a terminal only).
    on_epoch : callable, optional
        Called with each new epoch's record once its checkpoint is written (a sweep reports
        it to Ray Tune); not called for the epochs a resumed run loads.

    Returns
    -------
    list of dict
        Per epoch: ``epoch, train_cost, test_acc, seconds, samples_per_s, samples,
        grad_components, update_ops`` and ``diagnostics``.
    """
    epochs, batch_size = require_count("epochs", epochs), require_count("batch_size", batch_size)
    seed = require_seed("seed", seed)
    layers = learner.model.layers
    check_dataset(data.X.numpy(), data.y.numpy(), data.X_test.numpy(), data.y_test.numpy(),
                  layers[0].in_features, layers[-1].out_features)
    meta = {**(meta or {}), "seed": seed, "batch_size": batch_size}
    out = None if out is None else Path(out)
    if resume and out is None:
        raise ValueError("resume needs a checkpoint: give out, the folder that holds it")
    with nullcontext() if out is None else lock_output(out):
        return _train(learner, data, epochs, batch_size, seed, out, resume, meta,
                      diagnostics_size, progress, on_epoch)


def _train(learner, data: Dataset, epochs: int, batch_size: int, seed: int, out: Path | None,
           resume: bool, meta: dict, diagnostics_size: int, progress: bool,
           on_epoch: Callable[[dict], None] | None) -> list[dict]:
    """:func:`train` once ``out`` (if any) is locked."""
    rng = np.random.default_rng(seed)
    history: list[dict] = []
    if resume:
        if not (out / CHECKPOINT).exists():
            raise ValueError(f"resume needs a checkpoint; none found in out={out}")
        state = load_checkpoint(out / CHECKPOINT)
        if state["meta"] != meta:
            raise ValueError(f"checkpoint in {out} is for {state['meta']}, not {meta}")
        learner.model.load_state_dict(state["model"])
        learner.load_state_dict(state["learner"])
        rng.bit_generator.state = state["rng"]
        history = state["history"]
        write_metrics(out, history)
    diag_idx = torch.from_numpy(
        np.random.default_rng(seed + 1).permutation(len(data.X))[:diagnostics_size])
    for epoch in range(len(history) + 1, epochs + 1):
        order = torch.from_numpy(rng.permutation(len(data.X)))
        total, start = 0.0, time.perf_counter()
        with progress_bar(total=len(order), desc=f"epoch {epoch}/{epochs}", enabled=progress,
                          leave=False) as bar:
            for first in range(0, len(order), batch_size):
                idx = order[first:first + batch_size]
                total += learner.train_batch(data.X[idx], data.y[idx])["cost"] * len(idx)
                bar.update(len(idx))
        seconds = time.perf_counter() - start
        record = {"epoch": epoch, "train_cost": total / len(order),
                  "test_acc": evaluate(learner.model, data.X_test, data.y_test, seed=seed),
                  "seconds": seconds, "samples_per_s": len(order) / seconds,
                  **learner.counts.to_dict()}
        if diagnostics_size:
            record["diagnostics"] = gradient_diagnostics(learner, data.X[diag_idx],
                                                         data.y[diag_idx])
        history.append(record)
        if out is not None:
            save_checkpoint(out, {"meta": meta, "model": learner.model.state_dict(),
                                  "learner": learner.state_dict(),
                                  "rng": rng.bit_generator.state, "history": history})
        if on_epoch is not None:
            on_epoch(record)
    return history
