"""Accuracy and speed of one trained network in torch and as Lava graphs (float, fixed_pt)."""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from astrolava.deploy.fixed import FixedPointFormat
from astrolava.deploy.graph import run_lava
from astrolava.deploy.network import network_spec
from astrolava.models import SpikingMLP
from astrolava.processes.dataset_source import encode_spikes

BACKENDS = ("torch", "lava-float", "lava-fixed")
"""Row order of :func:`compare_backends`."""


def torch_outputs(model: nn.Module, X: np.ndarray, seed: int = 0) -> np.ndarray:
    """Outputs of the torch reference on exactly what the Lava graph is fed.

    Rate nets: ``model(X)``. Spiking nets: ``SpikingMLP.forward_spikes`` on the spikes
    ``encode_spikes(X[k], T, seed, k)`` that :class:`DatasetSource` sends for sample ``k``,
    as spike counts / ``T``.
    """
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        if not isinstance(model, SpikingMLP):
            return model(torch.as_tensor(X, dtype=dtype)).double().numpy()
        spikes = np.stack([encode_spikes(x, model.num_steps, seed, k) for k, x in enumerate(X)],
                          axis=1)
        counts = model.forward_spikes(torch.from_numpy(spikes).to(dtype))[-1].sum(dim=0)
        return counts.double().numpy() / model.num_steps


def compare_backends(model: nn.Module, X: np.ndarray, y: np.ndarray, seed: int = 0,
                     fmt: FixedPointFormat | None = None,
                     progress: bool = True) -> list[dict]:
    """Test accuracy and samples/s of ``model`` in torch, as a Lava float and a fixed_pt graph.

    Returns
    -------
    list of dict
        One row per backend (:data:`BACKENDS`): ``{"model": "rate"|"spiking", "backend",
        "test_acc", "n_test", "samples_per_s"}``. Lava samples/s counts the simulation and
        the readout, not the compilation.
    """
    spec = network_spec(model)
    X, y = spec.check_inputs(X, y)
    start = time.perf_counter()
    outputs = torch_outputs(model, X, seed)
    torch_s = time.perf_counter() - start
    rows = [_row(spec.kind, "torch", float(np.mean(outputs.argmax(axis=1) == y)), len(y),
                 len(y) / torch_s)]
    for backend, tag in (("lava-float", "floating_pt"), ("lava-fixed", "fixed_pt")):
        result = run_lava(spec, X, y, tag=tag, fmt=fmt, seed=seed, progress=progress)
        rows.append(_row(spec.kind, backend, result.accuracy, len(y), result.samples_per_s))
    return rows


def _row(kind: str, backend: str, acc: float, n: int, speed: float) -> dict:
    return {"model": kind, "backend": backend, "test_acc": acc, "n_test": n,
            "samples_per_s": speed}


def format_table(rows: list[dict]) -> str:
    """Rows of :func:`compare_backends` as a Markdown table."""
    lines = ["| model | backend | test acc | n test | samples/s |", "|---|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['backend']} | {100 * r['test_acc']:.1f} % | {r['n_test']} | "
              f"{r['samples_per_s']:.0f} |" for r in rows]
    return "\n".join(lines)
