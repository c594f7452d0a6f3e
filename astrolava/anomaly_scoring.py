"""Scores of anomaly and change-point detectors as the Skoltech Anomaly Benchmark defines them.

SKAB (Katser & Kozitsin, "Skoltech Anomaly Benchmark (SKAB)", Kaggle, 2020,
doi:10.34740/KAGGLE/DSV/1693952) ranks detectors by two scores on the test parts of its
experiments:

- outlier detection, :func:`binary_scores`: TP, FP, FN, TN of 0/1 predictions pooled over all
  experiments, F1 = 2TP / (2TP + FP + FN), FAR = FP / (FP + TN), MAR = FN / (FN + TP);
- change-point detection, :func:`nab_scores`: the Numenta Anomaly Benchmark score (Lavin &
  Ahmad, "Evaluating real-time anomaly detection algorithms — the Numenta Anomaly Benchmark",
  ICMLA 2015) in SKAB's variant, with windows that open at each true change point.

The details (closed windows, how overlapping windows are cut, the 1000-point score curve) follow
the scorer SKAB's leaderboard was computed with (``tsad.utils.evaluating``, tsad 0.19.4, called
with a 60 s window to the right of each change point); from SKAB's published predictions they
reproduce its leaderboard (``tests/data/test_skab_scoring.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

NAB_PROFILES: dict[str, tuple[float, float, float]] = {
    "standard": (1.0, -0.11, -1.0),
    "lowfp": (1.0, -0.22, -1.0),
    "lowfn": (1.0, -0.11, -2.0),
}
"""NAB application profiles: name -> (A_tp, A_fp, A_fn)."""
NAB_WINDOW = pd.Timedelta(seconds=60)
"""Length of SKAB's NAB window after each true change point."""


def _binary(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name} must be 1-D arrays of 0/1 labels")
    return values.astype(bool)


def binary_scores(true: Sequence[np.ndarray], predicted: Sequence[np.ndarray]
                  ) -> dict[str, float]:
    """Pooled F1, false-alarm rate and missed-alarm rate of 0/1 outlier predictions.

    TP, FP, FN and TN are summed over all pairs (one pair per experiment), then::

        F1 = 2TP / (2TP + FP + FN),  FAR = FP / (FP + TN),  MAR = FN / (FN + TP)

    (each 0 when its denominator is 0). FAR and MAR are fractions, not percent.

    Parameters
    ----------
    true, predicted : sequences of 1-D arrays of 0/1
        Labels and predictions of each experiment's test rows, pairwise of equal length.
    """
    if len(true) != len(predicted):
        raise ValueError(f"true has {len(true)} experiments, predicted {len(predicted)}")
    tp = fp = fn = tn = 0
    for k, (t, p) in enumerate(zip(true, predicted, strict=True)):
        t, p = _binary(t, "true"), _binary(p, "predicted")
        if t.shape != p.shape:
            raise ValueError(f"experiment {k}: true has {len(t)} rows, predicted {len(p)}")
        tp += int(np.sum(t & p))
        fp += int(np.sum(~t & p))
        fn += int(np.sum(t & ~p))
        tn += int(np.sum(~t & ~p))

    def ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    return {"f1": ratio(2 * tp, 2 * tp + fp + fn), "far": ratio(fp, fp + tn),
            "mar": ratio(fn, fn + tp)}


def alarms_from_predictions(predicted: np.ndarray, rolling_max: int = 1) -> np.ndarray:
    """Change-point alarms of an outlier detector, SKAB's way: ``|Δ prediction|``.

    a(0) = p(0) and a(t) = |p(t) − p(t−1)|, after an optional trailing maximum of p over
    ``rolling_max`` rows (SKAB's Isolation Forest uses 30).
    """
    p = _binary(predicted, "predicted").astype(np.int64)
    if rolling_max < 1:
        raise ValueError(f"rolling_max={rolling_max} must be >= 1")
    if rolling_max > 1:
        p = pd.Series(p).rolling(rolling_max, min_periods=1).max().to_numpy(np.int64)
    return np.abs(np.diff(p, prepend=0))


def nab_windows(time: pd.DatetimeIndex, changepoints: np.ndarray,
                width: pd.Timedelta = NAB_WINDOW) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Scoring windows of the true change points, as closed time intervals ``(start, end)``.

    The window of a change point at time t is [t, t + width]; where a window reaches the next
    one's start (end ≥ next start), the next one starts at its end instead, so the two share
    that instant (the intersection mode "cut right window" of SKAB's scorer, ``tsad``).
    """
    time = pd.DatetimeIndex(time)
    windows = [[t, t + width] for t in time[_binary(changepoints, "changepoints")]]
    for left, right in pairwise(windows):
        if left[1] >= right[0]:
            right[0] = left[1]
    return [(start, end) for start, end in windows]


def nab_position_score(position: float, profile: tuple[float, float, float],
                       resolution: int = 1000) -> float:
    """Score of a window's first alarm at a fraction ``position`` ∈ [0, 1] of the window.

    With j = min(⌊position·resolution⌋, resolution − 1) and x = −π/2 + π·j/(resolution − 1)
    (SKAB's scorer evaluates the curve on ``resolution`` = 1000 points)::

        A_fp + (A_tp − A_fp)/2 · (1 − tanh(x)/tanh(π/2))

    ≈ A_tp for an alarm at the window's start, A_fp at its end.
    """
    a_tp, a_fp, _ = profile
    j = min(int(position * resolution), resolution - 1)
    x = -np.pi / 2 + np.pi * j / (resolution - 1)
    return a_fp + (a_tp - a_fp) / 2 * (1 - np.tanh(x) / np.tanh(np.pi / 2))


def nab_raw_score(time: pd.DatetimeIndex, changepoints: np.ndarray, alarms: np.ndarray,
                  profile: tuple[float, float, float]) -> tuple[float, int]:
    """Raw NAB score S of one experiment and its number of windows.

    For each window of :func:`nab_windows` (closed intervals), the first alarm inside scores
    :func:`nab_position_score` of its time offset from the window's start over the window's
    length, later alarms inside score nothing, and a window without an alarm adds A_fn. An
    alarm outside every window adds A_fp.
    """
    _, a_fp, a_fn = profile
    time = pd.DatetimeIndex(time)
    alarms = _binary(alarms, "alarms")
    if not len(time) == len(changepoints) == len(alarms):
        raise ValueError("time, changepoints and alarms must have one entry per row")
    fired = time[alarms]
    outside = np.ones(len(fired), bool)
    score = 0.0
    windows = nab_windows(time, changepoints)
    for start, end in windows:
        inside = (fired >= start) & (fired <= end)
        outside &= ~inside
        if not inside.any():
            score += a_fn
            continue
        length = (end - start) / pd.Timedelta(seconds=1)
        offset = (fired[inside][0] - start) / pd.Timedelta(seconds=1)
        score += nab_position_score(offset / length if length > 0 else 0.0, profile)
    return score + a_fp * int(outside.sum()), len(windows)


def nab_scores(time: Sequence[pd.DatetimeIndex], changepoints: Sequence[np.ndarray],
               alarms: Sequence[np.ndarray]) -> dict[str, float]:
    """Normalised NAB scores of change-point alarms over several experiments, per profile.

    With S the raw score (:func:`nab_raw_score`) summed over the experiments, W their number
    of windows, S_perfect = W·A_tp and S_null = W·A_fn::

        NAB = 100 · (S − S_null) / (S_perfect − S_null)

    for each profile of :data:`NAB_PROFILES` ("standard", "lowfp", "lowfn"). 100 is perfect,
    0 is no alarm at all.

    Parameters
    ----------
    time : sequence of pandas.DatetimeIndex
        Time stamps of each experiment's test rows.
    changepoints, alarms : sequences of 1-D arrays of 0/1
        True change points and alarms of the same rows.
    """
    if not len(time) == len(changepoints) == len(alarms):
        raise ValueError("time, changepoints and alarms must hold the same experiments")
    out = {}
    for name, profile in NAB_PROFILES.items():
        raw = [nab_raw_score(t, c, a, profile)
               for t, c, a in zip(time, changepoints, alarms, strict=True)]
        total, n_windows = sum(s for s, _ in raw), sum(n for _, n in raw)
        perfect, null = n_windows * profile[0], n_windows * profile[2]
        out[name] = 100 * (total - null) / (perfect - null) if n_windows else float("nan")
    return out
