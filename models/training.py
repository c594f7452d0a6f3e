"""Backprop (rate nets) and BPTT (spiking nets) training of the reference MLPs.

The per-sample cost :func:`sample_cost` defined here is the one every learning rule of
astrolava minimises, so backprop baselines and perturbative rules (``astrolava.models.mgd``) are
compared on the same objective.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from astrolava.models.mlp import RateMLP, SpikingMLP
from torch import nn

from astrolava.mgd.config import LOSSES, OPTIMIZERS, require_one_of, require_positive
from astrolava.progress import progress as progress_bar


def one_hot_targets(y: torch.Tensor, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """One-hot targets ``t`` (batch, n_classes) with ``t[b, y_b] = 1``.

    Same values as ``nn.functional.one_hot(y).to(dtype)`` in one scatter, without its extra
    passes over ``y`` (a large share of a small training step); a label outside
    ``[0, n_classes)`` raises torch's out-of-bounds ``RuntimeError``.
    """
    return torch.zeros(len(y), n_classes, dtype=dtype).scatter_(1, y[:, None], 1.0)


def sample_cost(output: torch.Tensor, y: torch.Tensor, loss: str = "mse",
                target: torch.Tensor | None = None) -> torch.Tensor:
    """Cost of each sample, shape (batch,).

    ``"mse"``: ``C = 1/2 * sum_k (o_k - t_k)^2`` with one-hot targets ``t`` (the quadratic cost
    the δ-MGD paper's dense tanh networks minimise, §VI); ``"ce"``:
    ``C = -log softmax(o)_y``.

    Parameters
    ----------
    output : Tensor (batch, n_classes)
        Network outputs (tanh activations, logits or firing rates).
    y : Tensor (batch,) of int64
        Class labels in ``[0, n_classes)``.
    loss : {"mse", "ce"}
    target : Tensor (batch, n_classes), optional
        The one-hot targets of ``y`` for ``"mse"``, when the caller already holds them.
    """
    require_one_of("loss", loss, LOSSES)
    if loss == "ce":
        return nn.functional.cross_entropy(output, y, reduction="none")
    if target is None:
        target = one_hot_targets(y, output.shape[-1], output.dtype)
    error = output - target
    return 0.5 * (error * error).sum(dim=-1)


def network_output(model: nn.Module, x: torch.Tensor,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Output of a :class:`RateMLP` (activations) or :class:`SpikingMLP` (firing rates)."""
    if isinstance(model, SpikingMLP):
        return model(x, generator=generator)
    if isinstance(model, RateMLP):
        return model(x)
    raise ValueError(f"model must be a RateMLP or a SpikingMLP, got {type(model).__name__}")


def _as_tensors(X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor,
                dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.as_tensor(X, dtype=dtype)
    y = torch.as_tensor(y, dtype=torch.int64)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) and y (n,), got {tuple(X.shape)} and {tuple(y.shape)}")
    return X, y


def _model_dtype(model: nn.Module) -> torch.dtype:
    return next(model.parameters()).dtype


@torch.no_grad()
def evaluate(model: nn.Module, X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor,
             batch_size: int = 1000, seed: int = 0) -> float:
    """Classification accuracy ``mean(argmax_k o_k == y)`` in [0, 1].

    ``seed`` fixes the rate code of a spiking network (ignored for rate networks).
    """
    X, y = _as_tensors(X, y, _model_dtype(model))
    generator = torch.Generator().manual_seed(seed)
    correct = 0
    for start in range(0, len(X), batch_size):
        out = network_output(model, X[start:start + batch_size], generator)
        correct += int((out.argmax(dim=-1) == y[start:start + batch_size]).sum())
    return correct / max(len(X), 1)


def make_optimizer(params, name: str, lr: float) -> torch.optim.Optimizer:
    """``torch.optim.Adam`` or plain ``SGD`` at learning rate ``lr`` (> 0)."""
    require_one_of("optimizer", name, OPTIMIZERS)
    require_positive("lr", lr)
    return torch.optim.Adam(params, lr=lr) if name == "adam" else torch.optim.SGD(params, lr=lr)


def train_backprop(model: nn.Module, X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor,
                   epochs: int, batch_size: int = 32, lr: float = 1e-3, seed: int = 0,
                   optimizer: str = "adam", loss: str = "mse",
                   X_test: np.ndarray | torch.Tensor | None = None,
                   y_test: np.ndarray | torch.Tensor | None = None,
                   progress: bool = True,
                   on_epoch: Callable[[int, dict], None] | None = None) -> dict:
    """Train ``model`` by backprop (RateMLP) or BPTT with snntorch's surrogate (SpikingMLP).

    Minimises the batch mean of :func:`sample_cost`; ``Θ ← Θ − lr·∇Θ`` (SGD) or Adam's update.

    Parameters
    ----------
    model : RateMLP or SpikingMLP
        Trained in place.
    X, y : arrays (n, d) and (n,)
        Training data; a fresh permutation from ``numpy.random.default_rng(seed)`` each epoch.
    epochs, batch_size : int >= 1
    lr : float > 0
    seed : int
        Seeds the data order and the spiking rate code.
    optimizer : {"adam", "sgd"}
    loss : {"mse", "ce"}
    X_test, y_test : arrays, optional
        Evaluated after every epoch when given.
    progress : bool
        Show a progress bar over samples (on a terminal only).
    on_epoch : callable(epoch, record), optional
        Called after each epoch with that epoch's record.

    Returns
    -------
    dict
        ``{"epochs": [{"epoch", "train_cost", "test_acc", "seconds", "samples_per_s"}, ...],
        "samples_per_s": mean training throughput, "test_acc": last test accuracy or None}``.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs={epochs} and batch_size={batch_size} must be >= 1")
    require_one_of("loss", loss, LOSSES)
    X, y = _as_tensors(X, y, _model_dtype(model))
    opt = make_optimizer(model.parameters(), optimizer, lr)
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    history: dict = {"epochs": []}
    seconds = 0.0
    for epoch in range(1, epochs + 1):
        order = torch.from_numpy(rng.permutation(len(X)))
        total, start = 0.0, time.perf_counter()
        bar = progress_bar(total=len(X), desc=f"bp epoch {epoch}/{epochs}", enabled=progress,
                           leave=False)
        for first in range(0, len(X), batch_size):
            idx = order[first:first + batch_size]
            cost = sample_cost(network_output(model, X[idx], generator), y[idx], loss)
            opt.zero_grad()
            cost.mean().backward()
            opt.step()
            total += float(cost.detach().sum())
            bar.update(len(idx))
        bar.close()
        elapsed = time.perf_counter() - start
        seconds += elapsed
        record = {"epoch": epoch, "train_cost": total / len(X), "seconds": elapsed,
                  "samples_per_s": len(X) / elapsed,
                  "test_acc": None if X_test is None else evaluate(model, X_test, y_test,
                                                                   seed=seed)}
        history["epochs"].append(record)
        if on_epoch is not None:
            on_epoch(epoch, record)
    history["samples_per_s"] = epochs * len(X) / seconds
    history["test_acc"] = history["epochs"][-1]["test_acc"]
    return history
