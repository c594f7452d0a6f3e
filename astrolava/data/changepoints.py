"""River's annotated change-point datasets (Turing change-point benchmark), read offline.

``river.drift.datasets`` ships seven real series as CSV files inside the installed package,
each with the change points marked by several human annotators. Two of them are annotated
on a subsampled series (the benchmark's convention, stated in river's docstrings): Apple every
3rd row, Brent crude oil every 10th row from 2000-01-01 on. :func:`load_changepoints` applies
that subsampling so the annotations index the returned rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

import numpy as np
from river.drift import datasets as river_cp

CHANGEPOINT_DATASETS: dict[str, type] = {
    "airline_passengers": river_cp.AirlinePassengers,
    "apple": river_cp.Apple,
    "bitcoin": river_cp.Bitcoin,
    "brent_spot": river_cp.BrentSpotPrice,
    "occupancy": river_cp.Occupancy,
    "run_log": river_cp.RunLog,
    "uk_coal_employ": river_cp.UKCoalEmploy,
}
"""Name -> river dataset class."""

_SUBSAMPLING: dict[str, tuple[datetime.datetime | None, int]] = {
    "apple": (None, 3),
    "brent_spot": (datetime.datetime(2000, 1, 1), 10),
}
"""(first date kept, keep every k-th row) of the series annotated after subsampling."""

AGGREGATIONS = ("union", "majority", "intersection")


@dataclass(frozen=True)
class ChangePointSeries:
    """A real series with human change-point annotations.

    Attributes
    ----------
    name : str
        Key of :data:`CHANGEPOINT_DATASETS`.
    x : numpy.ndarray
        Values, shape ``(n_steps, n_dims)``, float64, columns in ``columns`` order.
    columns : tuple of str
        Names of the columns of ``x``.
    change_points : numpy.ndarray
        Sorted indices of changes after aggregating the annotators.
    annotations : dict of str to list of int
        Every annotator's change points, as river ships them.
    """

    name: str
    x: np.ndarray
    columns: tuple[str, ...]
    change_points: np.ndarray
    annotations: dict[str, list[int]]


def aggregate_annotations(annotations: dict[str, list[int]], how: str = "majority") -> np.ndarray:
    """Combine annotators' change points.

    ``union`` keeps every marked index, ``majority`` those marked by more than half of the
    annotators, ``intersection`` those marked by all of them.
    """
    if how not in AGGREGATIONS:
        raise ValueError(f"how={how!r} is not allowed; use one of {AGGREGATIONS}")
    counts = Counter(t for points in annotations.values() for t in set(points))
    need = {"union": 1, "majority": len(annotations) // 2 + 1,
            "intersection": len(annotations)}[how]
    return np.array(sorted(t for t, c in counts.items() if c >= need), dtype=np.int64)


def load_changepoints(name: str, how: str = "majority") -> ChangePointSeries:
    """Load one of river's annotated change-point series from the installed package.

    Parameters
    ----------
    name : str
        One of :data:`CHANGEPOINT_DATASETS`.
    how : str
        Annotator aggregation, see :func:`aggregate_annotations`.

    Raises
    ------
    ValueError
        For an unknown ``name`` or ``how``.
    FileNotFoundError
        If river's CSV file is missing from the installation.
    """
    if name not in CHANGEPOINT_DATASETS:
        raise ValueError(f"name={name!r} is not a river change-point dataset; "
                         f"use one of {sorted(CHANGEPOINT_DATASETS)}")
    dataset = CHANGEPOINT_DATASETS[name]()
    if not dataset.path.exists():
        raise FileNotFoundError(f"river's file {dataset.path} is missing; reinstall river")
    first_date, every = _SUBSAMPLING.get(name, (None, 1))
    rows, columns = [], None
    for features, target in dataset:
        if first_date is not None and min(features.values()) < first_date:
            continue
        values = target if isinstance(target, dict) else {"value": target}
        columns = columns or tuple(values)
        rows.append([float(values[c]) for c in columns])
    x = np.asarray(rows[::every], dtype=np.float64)
    annotations = {k: list(v) for k, v in dataset.annotations.items()}
    return ChangePointSeries(name=name, x=x, columns=columns,
                             change_points=aggregate_annotations(annotations, how),
                             annotations=annotations)
