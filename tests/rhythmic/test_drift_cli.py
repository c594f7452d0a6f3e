"""``astrolava drift`` on generated series and on a user CSV."""

import json
from pathlib import Path

import numpy as np
import pytest

from astrolava.cli import main
from astrolava.cli.drift import load_csv_series
from astrolava.data import thomas_switching


def test_drift_thomas_prints_changes_and_writes_plot(tmp_path: Path, capsys) -> None:
    png = tmp_path / "drift.png"
    assert main(["drift", "--dataset", "thomas", "--steps", "1800", "--plot", str(png)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert png.stat().st_size > 10_000
    assert report["true_changes"] == thomas_switching(n_steps=1800).switch_times.tolist()
    assert len(report["change_points"]) == len(report["alarm_times"])
    assert 0.0 <= report["metrics"]["f1"] <= 1.0


def test_drift_csv_path(tmp_path: Path, capsys) -> None:
    s = thomas_switching(n_steps=900, segment_range=(450, 450), seed=1)
    csv = tmp_path / "series.csv"
    rows = [f"2020-01-{k % 28 + 1:02d},{a},{b},{c}" for k, (a, b, c) in enumerate(s.x)]
    csv.write_text("date,x,y,z\n" + "\n".join(rows) + "\n")
    np.testing.assert_allclose(load_csv_series(csv), s.x)
    assert main(["drift", "--dataset", str(csv), "--plot", str(tmp_path / "p.png")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"] is None and report["true_changes"] == []


def test_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_csv_series(tmp_path / "missing.csv")
    bad = tmp_path / "text.csv"
    bad.write_text("a,b\nx,y\nz,w\n")
    with pytest.raises(ValueError, match="numeric"):
        load_csv_series(bad)
    const = tmp_path / "const.csv"
    const.write_text("a\n" + "1.0\n" * 300)
    with pytest.raises(ValueError, match="constant"):
        load_csv_series(const)


def test_drift_cli_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    const = tmp_path / "const.csv"
    const.write_text("a,b\n" + "1.0,2.0\n" * 300)
    with pytest.raises(SystemExit, match="astrolava drift: error: .*constant"):
        main(["drift", "--dataset", str(const)])
    with pytest.raises(SystemExit, match="astrolava drift: error: .*no such file"):
        main(["drift", "--dataset", str(tmp_path / "missing.csv")])
    with pytest.raises(SystemExit, match="astrolava drift: error: window=1"):
        main(["drift", "--window", "1", "--steps", "900"])
