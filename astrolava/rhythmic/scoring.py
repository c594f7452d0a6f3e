"""Change-point scores: F1 with a tolerance margin, precision, recall, detection delay."""

from __future__ import annotations

import numpy as np


def match_changes(true: np.ndarray, detected: np.ndarray, margin: int) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of detections to true changes within ``margin`` samples.

    Each true change takes the nearest unused detection with ``|detected − true| <= margin``
    (true changes in increasing order). Returns (true index, detection index) pairs.
    """
    if margin < 0:
        raise ValueError(f"margin={margin} must be >= 0")
    used: set[int] = set()
    pairs = []
    for i, t in enumerate(np.asarray(true)):
        dist = [(abs(int(d) - int(t)), j) for j, d in enumerate(detected)
                if j not in used and abs(int(d) - int(t)) <= margin]
        if dist:
            j = min(dist)[1]
            used.add(j)
            pairs.append((i, j))
    return pairs


def detection_scores(true: np.ndarray, detected: np.ndarray, margin: int,
                     alarm_times: np.ndarray | None = None) -> dict[str, float]:
    """Precision, recall, F1 (harmonic mean) and mean delay of matched detections.

    precision = TP / (number detected), recall = TP / (number of true changes) (each 1 when its
    denominator is 0 and the other set is empty too). The delay of a match is
    ``alarm_time − true`` (``alarm_times`` default to the detected locations); ``mean_delay``
    is NaN without matches.
    """
    true, detected = np.asarray(true, int), np.asarray(detected, int)
    alarms = detected if alarm_times is None else np.asarray(alarm_times, int)
    pairs = match_changes(true, detected, margin)
    tp = len(pairs)
    precision = tp / len(detected) if len(detected) else float(len(true) == 0)
    recall = tp / len(true) if len(true) else float(len(detected) == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    delays = [alarms[j] - true[i] for i, j in pairs]
    return {"f1": f1, "precision": precision, "recall": recall,
            "mean_delay": float(np.mean(delays)) if delays else float("nan")}
