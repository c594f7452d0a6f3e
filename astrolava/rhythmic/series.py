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


SCALINGS = ("none", "standard", "range", "robust")
"""How :func:`column_scale` centres and spreads each column (see there)."""
SCALE_FROM = ("warmup", "series")
"""Rows a detector estimates the scaling on: its warm-up (online) or the whole series."""
IQR_PER_STD = 1.3489795003921634
"""Interquartile range of a normal distribution in units of its standard deviation."""


def column_scale(x: np.ndarray, how: str = "standard") -> tuple[np.ndarray, np.ndarray]:
    """Centre c and spread s of every column of ``x``, so that (x − c)/s is scaled ``how``.

    ``"standard"``: mean and standard deviation. ``"range"``: midrange and half-range, so the
    rows fitted lie in [−1, 1]. ``"robust"``: median and interquartile range / 1.349 (the
    standard deviation for normal data, unmoved by outliers and by a minority of samples in
    another regime). ``"none"``: 0 and 1. A spread of 0 (a constant column) is set to 1, so
    that column is only centred.
    """
    if how not in SCALINGS:
        raise ValueError(f"scaling={how!r} is not allowed; use one of {SCALINGS}")
    x = np.asarray(x, dtype=np.float64)
    if how == "none":
        return np.zeros(x.shape[1:]), np.ones(x.shape[1:])
    if how == "standard":
        centre, spread = x.mean(axis=0), x.std(axis=0)
    elif how == "range":
        low, high = x.min(axis=0), x.max(axis=0)
        centre, spread = (high + low) / 2.0, (high - low) / 2.0
    else:
        q1, centre, q3 = np.percentile(x, [25.0, 50.0, 75.0], axis=0)
        spread = (q3 - q1) / IQR_PER_STD
    return centre, np.where(spread > 0, spread, 1.0)


def standardize(x: np.ndarray, n_fit: int | None = None) -> np.ndarray:
    """Scale each column to zero mean and unit variance using its first ``n_fit`` rows.

    x̂ = (x − mean) / std with :func:`column_scale`; constant columns are only centred.
    ``n_fit=None`` uses all rows; an online user passes the warm-up length so no future sample
    leaks into the scaling.
    """
    mean, std = column_scale(x if n_fit is None else x[:n_fit])
    return (x - mean) / std
