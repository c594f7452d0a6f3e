"""Input checks and scaling shared by the reservoir, the detector and the CLI."""

from __future__ import annotations

import numpy as np


def validate_series(x: np.ndarray, min_steps: int = 2, name: str = "x",
                    allow_constant: bool = False) -> np.ndarray:
    """Return ``x`` as a float64 ``(T, d)`` array after checking it can drive a reservoir.

    ``allow_constant=True`` accepts a series whose every column is constant: a reservoir runs
    on it (:meth:`~astrolava.rhythmic.reservoir.RhythmicReservoir.run`), while a detector or a
    user's series needs some variation to scale and model.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or 2-D, holds NaN/inf, has fewer than ``min_steps`` rows, or (unless
        ``allow_constant``) every column is constant.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n_steps, n_dims); got {x.shape}")
    if len(x) < min_steps:
        raise ValueError(f"{name} has {len(x)} steps; at least {min_steps} are needed "
                         "(warm-up plus detection windows)")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf values")
    if not allow_constant and np.all(np.ptp(x, axis=0) == 0):
        raise ValueError(f"{name} is constant: every column has a single value, nothing to model")
    return x


def column_scale(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of ``x``, the deviation 1 where a column is constant
    (so that dividing by it only centres that column)."""
    std = x.std(axis=0)
    return x.mean(axis=0), np.where(std > 0, std, 1.0)


def standardize(x: np.ndarray, n_fit: int | None = None) -> np.ndarray:
    """Scale each column to zero mean and unit variance using its first ``n_fit`` rows.

    x̂ = (x − mean) / std with :func:`column_scale`; constant columns are only centred.
    ``n_fit=None`` uses all rows; an online user passes the warm-up length so no future sample
    leaks into the scaling.
    """
    mean, std = column_scale(x if n_fit is None else x[:n_fit])
    return (x - mean) / std
