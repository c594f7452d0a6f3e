"""SKAB's scorers on hand-computed cases (``test_skab.py`` reproduces the leaderboard with them)."""

import numpy as np
import pandas as pd
import pytest

from astrolava.anomaly_scoring import (
    NAB_PROFILES,
    alarms_from_predictions,
    binary_scores,
    nab_position_score,
    nab_raw_score,
    nab_scores,
    nab_windows,
)


def test_binary_scores_hand_computed() -> None:
    true = [np.array([0, 1, 1, 0]), np.array([1, 0, 0])]
    pred = [np.array([0, 1, 0, 1]), np.array([1, 1, 0])]
    # TP 2, FP 2, FN 1, TN 2
    s = binary_scores(true, pred)
    assert s == pytest.approx({"f1": 4 / 7, "far": 2 / 4, "mar": 1 / 3})


def test_alarms_are_prediction_edges() -> None:
    p = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(alarms_from_predictions(p), [1, 0, 1, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(alarms_from_predictions(p, rolling_max=2),
                                  [1, 0, 0, 1, 1, 0, 1, 0])


def test_nab_windows_and_score_hand_computed() -> None:
    time = pd.date_range("2020-01-01", periods=200, freq="s")
    cp = np.zeros(200, int)
    cp[[10, 40, 150]] = 1
    windows = nab_windows(time, cp)
    # [10, 70]; [40, 100] overlaps it and starts at 70 instead; [150, 210]
    assert [(w[0] - time[0]).seconds for w in windows] == [10, 70, 150]
    assert [(w[1] - time[0]).seconds for w in windows] == [70, 100, 210]
    alarms = np.zeros(200, int)
    alarms[[10, 12, 70, 120]] = 1
    standard = NAB_PROFILES["standard"]
    # window 1: first alarm at its start -> A_tp; window 2: its shared start (70) -> A_tp;
    # window 3: no alarm -> A_fn; alarm 120 outside every window -> A_fp
    score, n = nab_raw_score(time, cp, alarms, standard)
    assert n == 3
    assert score == pytest.approx(1 + 1 - 1 - 0.11)
    # an alarm at the end of a window scores A_fp, in the middle (A_tp + A_fp)/2
    assert nab_position_score(1.0, standard) == pytest.approx(-0.11)
    assert nab_position_score(0.5, standard) == pytest.approx((1 - 0.11) / 2, abs=3e-3)
    assert nab_scores([time], [cp], [alarms])["standard"] == pytest.approx(
        100 * (score + 3) / 6)
    assert nab_scores([time], [cp], [np.zeros(200, int)])["lowfn"] == pytest.approx(0.0)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="predicted"):
        binary_scores([np.array([0, 1])], [np.array([0, 2])])
    with pytest.raises(ValueError, match="rows"):
        binary_scores([np.array([0, 1])], [np.array([0, 1, 1])])
    with pytest.raises(ValueError, match="rolling_max"):
        alarms_from_predictions(np.array([0, 1]), rolling_max=0)
    time = pd.date_range("2020-01-01", periods=3, freq="s")
    with pytest.raises(ValueError, match="one entry per row"):
        nab_raw_score(time, np.array([0, 1, 0]), np.array([0, 1]), NAB_PROFILES["standard"])
