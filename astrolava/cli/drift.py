"""``astrolava drift``: unsupervised change detection from rhythmic-sharing synchrony."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from astrolava.data import lorenz_switching, thomas_switching
from astrolava.rhythmic.detector import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    SynchronyChangeDetector,
)
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.plots import plot_synchrony
from astrolava.rhythmic.scoring import detection_scores
from astrolava.rhythmic.series import validate_series

GENERATED = {"thomas": thomas_switching, "lorenz": lorenz_switching}
"""Built-in regime-switching series with known change times."""
DEFAULT_MARGIN = 100
"""Tolerance (steps) when scoring detections against known changes."""


@dataclass
class DriftReport:
    """What :func:`detect_drift` found."""

    change_points: list[int]
    alarm_times: list[int]
    scores: list[float]
    true_changes: list[int] = field(default_factory=list)
    metrics: dict[str, float] | None = None
    plot: str | None = None


def load_csv_series(path: str | Path) -> np.ndarray:
    """Numeric columns of a CSV file with a header row (other columns, e.g. dates, are dropped).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If no column is numeric or a numeric column has missing values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--dataset {path}: no such file (use thomas, lorenz or a CSV)")
    table = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=float, ndmin=2)
    numeric = ~np.all(np.isnan(table), axis=0)
    if not numeric.any():
        raise ValueError(f"{path} has no numeric column")
    return validate_series(table[:, numeric], 2, str(path))


def detect_drift(x: np.ndarray, true_changes: np.ndarray | None = None,
                 window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD,
                 seed: int = 0, warmup: int = 200,
                 plot_path: str | Path | None = None, title: str = "") -> DriftReport:
    """Run :class:`SynchronyChangeDetector` on ``x``, score it if the truth is known, plot it."""
    detector = SynchronyChangeDetector(window=window, threshold=threshold, seed=seed,
                                       params=RhythmicParams(warmup=warmup)).fit(x)
    truth = [] if true_changes is None else [int(t) for t in true_changes]
    report = DriftReport(change_points=list(detector.change_points_),
                         alarm_times=list(detector.alarm_times_),
                         scores=[round(s, 4) for s in detector.change_scores_],
                         true_changes=truth)
    if true_changes is not None:
        report.metrics = detection_scores(truth, detector.change_points_, DEFAULT_MARGIN,
                                          detector.alarm_times_)
    if plot_path is not None:
        report.plot = str(plot_synchrony(x, np.asarray(detector.R_),
                                         np.asarray(detector.mean_phase_), plot_path, truth,
                                         detector.change_points_, title))
    return report


def run(args: argparse.Namespace) -> int:
    if args.dataset in GENERATED:
        series = GENERATED[args.dataset](n_steps=args.steps, seed=args.seed)
        x, truth = series.x, series.switch_times
    else:
        x, truth = load_csv_series(args.dataset), None
    report = detect_drift(x, truth, args.window, args.threshold, args.seed, args.warmup,
                          args.plot, title=f"rhythmic sharing on {Path(args.dataset).name}")
    print(json.dumps(report.__dict__, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drift", help="detect changes of dynamics from reservoir link synchrony")
    parser.add_argument("--dataset", default="thomas",
                        help="thomas, lorenz (generated, with known switches) or a CSV path")
    parser.add_argument("--steps", type=int, default=6000, help="length of generated series")
    parser.add_argument("--seed", type=int, default=0, help="series and reservoir seed")
    parser.add_argument("--window", type=int, default=DEFAULT_WINDOW,
                        help="detector window (steps)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="alarm level of the detector's score (R level and roughness "
                             "two-window scores, units of their spreads)")
    parser.add_argument("--warmup", type=int, default=200, help="reservoir warm-up steps")
    parser.add_argument("--plot", default="drift.png", help="where to write the PNG")
    parser.set_defaults(func=run)
