"""``astrolava drift``: unsupervised change detection from rhythmic-sharing synchrony."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from astrolava.data import lorenz_switching, thomas_switching
from astrolava.data.csv_series import read_change_times, read_csv_series
from astrolava.data.dynamics import THOMAS_PROTOCOL
from astrolava.rhythmic.detector import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    SynchronyChangeDetector,
)
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.plots import plot_synchrony
from astrolava.rhythmic.scoring import detection_scores
from astrolava.rhythmic.series import SCALE_FROM, SCALINGS

GENERATED = {"thomas": thomas_switching, "thomas-dt1": partial(thomas_switching,
                                                              **THOMAS_PROTOCOL),
             "lorenz": lorenz_switching}
"""Built-in regime-switching series with known change times (``thomas-dt1``: the protocol of
Kang & Losert, dt = 1, b 0.18 ↔ 0.29, segments of 200–800 steps)."""
DEFAULT_MARGIN = 100
"""Tolerance (steps) when scoring detections against known changes."""


@dataclass
class DriftReport:
    """What :func:`detect_drift` found (change points and true changes as row indices)."""

    change_points: list[int]
    alarm_times: list[int]
    scores: list[float]
    true_changes: list[int] = field(default_factory=list)
    metrics: dict[str, float] | None = None
    plot: str | None = None


def detect_drift(x: np.ndarray, true_changes: np.ndarray | None = None,
                 window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD,
                 seed: int = 0, warmup: int = 200, plot_path: str | Path | None = None,
                 title: str = "", margin: int = DEFAULT_MARGIN, **scaling: str) -> DriftReport:
    """Run :class:`SynchronyChangeDetector` on ``x`` (``scaling``: its ``scaling`` and
    ``scale_from``, its defaults if not given); score it against ``true_changes`` (row indices)
    within ``margin`` rows if given; plot it if ``plot_path`` is given."""
    detector = SynchronyChangeDetector(window=window, threshold=threshold, seed=seed,
                                       params=RhythmicParams(warmup=warmup), **scaling).fit(x)
    truth = [] if true_changes is None else [int(t) for t in true_changes]
    report = DriftReport(change_points=list(detector.change_points_),
                         alarm_times=list(detector.alarm_times_),
                         scores=[round(s, 4) for s in detector.change_scores_],
                         true_changes=truth)
    if true_changes is not None:
        report.metrics = detection_scores(truth, detector.change_points_, margin,
                                          detector.alarm_times_)
    if plot_path is not None:
        report.plot = str(plot_synchrony(x, np.asarray(detector.R_),
                                         np.asarray(detector.mean_phase_), plot_path, truth,
                                         detector.change_points_, title))
    return report


def truth_rows(times: np.ndarray, time: np.ndarray | None, unit: str) -> np.ndarray:
    """Row indices of true change times given in ``unit``: ``"row"`` (0-based data rows) or
    ``"time"`` (values of the time column; each change at the first row at or after it)."""
    if unit == "row":
        return times.astype(np.int64)
    if time is None or not np.issubdtype(np.asarray(time).dtype, np.number):
        raise ValueError("--truth-unit time needs a numeric time column (--time-column)")
    return np.searchsorted(np.asarray(time, float), times, side="left").astype(np.int64)


def run(args: argparse.Namespace) -> int:
    extra: dict[str, object] = {}
    if args.dataset in GENERATED:
        if args.truth is not None or args.columns or args.time_column:
            raise ValueError("--truth, --columns and --time-column are for CSV files; the "
                             "generated series know their changes")
        steps = {} if args.steps is None else {"n_steps": args.steps}
        series = GENERATED[args.dataset](seed=args.seed, **steps)
        x, truth = series.x, series.switch_times
    else:
        data = read_csv_series(args.dataset, args.columns, args.time_column)
        x, truth = data.x, None
        if args.truth is not None:
            truth = truth_rows(read_change_times(args.truth), data.time, args.truth_unit)
        extra = {"file": str(data.path), "inputs": list(data.columns),
                 "time_column": data.time_column, "notes": data.notes}
    scaling = {k: v for k, v in (("scaling", args.scaling), ("scale_from", args.scale_from))
               if v is not None}
    report = detect_drift(x, truth, args.window, args.threshold, args.seed, args.warmup,
                          args.plot, f"rhythmic sharing on {Path(args.dataset).name}",
                          args.margin, **scaling)
    print(json.dumps({**extra, **report.__dict__}, indent=2, default=str))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drift", help="detect changes of dynamics from reservoir link synchrony",
        description="Detect changes of dynamics in a series from the synchrony of a "
                    "rhythmic-sharing reservoir driven by it. Prints the changes as JSON; "
                    "writes a figure only with --plot.")
    parser.add_argument("--dataset", default="thomas",
                        help=f"{', '.join(GENERATED)} (generated, with known switches) or a "
                             "CSV path (any delimiter, header row or not)")
    parser.add_argument("--columns", nargs="+", metavar="COLUMN",
                        help="input columns of the CSV, by name or 0-based position "
                             "(default: every numeric column but the time column)")
    parser.add_argument("--time-column", metavar="COLUMN",
                        help="a CSV column that is not an input (default: the first column if "
                             "its values strictly increase, reported in the output)")
    parser.add_argument("--truth", metavar="FILE_OR_LIST",
                        help="true change times of the CSV: a file or a list like 500,1200; "
                             "scores the run and draws them")
    parser.add_argument("--truth-unit", choices=("row", "time"), default="row",
                        help="--truth as 0-based data rows or in the time column's units")
    parser.add_argument("--margin", type=int, default=DEFAULT_MARGIN,
                        help="tolerance (rows) when scoring against the truth")
    parser.add_argument("--steps", type=int, default=None,
                        help="length of a generated series (default: the generator's)")
    parser.add_argument("--seed", type=int, default=0, help="series and reservoir seed")
    parser.add_argument("--window", type=int, default=DEFAULT_WINDOW,
                        help="detector window (steps)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="alarm level of the detector's score (two-window scores of R's "
                             "envelope, R's roughness and the inputs' roughness, units of "
                             "their spreads)")
    parser.add_argument("--scaling", choices=SCALINGS, default=None,
                        help="input scaling before the reservoir (default: the detector's)")
    parser.add_argument("--scale-from", choices=SCALE_FROM, default=None,
                        help="estimate the scaling on the warm-up rows or the whole series "
                             "(default: the detector's)")
    parser.add_argument("--warmup", type=int, default=200, help="reservoir warm-up steps")
    parser.add_argument("--plot", metavar="PNG", default=None,
                        help="write a figure of the series, R(t), ⟨Φ⟩(t) and the changes")
    parser.set_defaults(func=run)
