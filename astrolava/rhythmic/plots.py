"""Figures of synchrony: the series, R(t) and ⟨Φ⟩(t) with true and detected changes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from astrolava.figures import save_figure


def plot_synchrony(x: np.ndarray, R: np.ndarray, mean_phase: np.ndarray, path: str | Path,
                   true_changes: Sequence[int] = (), detected: Sequence[int] = (),
                   title: str = "") -> Path:
    """Three stacked panels (first input column, R, ⟨Φ⟩); true changes red, detected dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(11, 6.5), sharex=True)
    axes[0].plot(np.asarray(x)[:, 0], lw=0.6, color="0.3")
    axes[0].set_ylabel("x₁(t)")
    axes[1].plot(R, lw=0.9)
    axes[1].set_ylabel("R(t)")
    axes[1].set_ylim(0, 1.05)
    axes[2].plot(mean_phase, lw=0.6)
    axes[2].set_ylabel("⟨Φ⟩(t)")
    axes[2].set_xlabel("step")
    for ax in axes:
        for k, t in enumerate(true_changes):
            ax.axvline(t, color="tab:red", lw=1.2, label="true change" if k == 0 else None)
        for k, t in enumerate(detected):
            ax.axvline(t, color="tab:green", ls="--", lw=1.2,
                       label="detected" if k == 0 else None)
    if len(true_changes) or len(detected):
        axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, path)
