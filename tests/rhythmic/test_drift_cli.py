"""``astrolava drift`` on generated series and on a user's CSV file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from astrolava.cli import main
from astrolava.cli.drift import truth_rows
from astrolava.data import thomas_switching

SHORT = ["--window", "50", "--warmup", "100"]
"""A short detector, so a series of a few hundred rows is enough."""


def run_drift(args: list[str], capsys) -> dict:
    assert main(["drift", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_drift_thomas_prints_changes_and_writes_a_plot_only_when_asked(
        tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = run_drift(["--dataset", "thomas", "--steps", "1800"], capsys)
    assert report["true_changes"] == thomas_switching(n_steps=1800).switch_times.tolist()
    assert len(report["change_points"]) == len(report["alarm_times"])
    assert 0.0 <= report["metrics"]["f1"] <= 1.0
    assert report["plot"] is None and list(tmp_path.iterdir()) == []
    png = tmp_path / "out" / "drift.png"
    report = run_drift(["--dataset", "thomas", "--steps", "1800", "--plot", str(png)], capsys)
    assert report["plot"] == str(png) and png.stat().st_size > 10_000


def thomas_csv(tmp_path: Path, header: bool, time: bool, delimiter: str = ",") -> Path:
    s = thomas_switching(n_steps=900, segment_range=(450, 450), seed=1)
    rows = [delimiter.join(map(str, ([k * 0.5] if time else []) + list(v)))
            for k, v in enumerate(s.x)]
    names = (["t"] if time else []) + ["x", "y", "z"]
    path = tmp_path / f"series_{header}_{time}.csv"
    path.write_text("\n".join(([delimiter.join(names)] if header else []) + rows) + "\n")
    return path


@pytest.mark.parametrize(("header", "delimiter"), [(True, ","), (False, ";")])
def test_csv_time_column_is_reported_not_fed(tmp_path: Path, capsys, header: bool,
                                             delimiter: str) -> None:
    """A header-less t,x,y,z file: the monotone t is the time column, x, y, z the inputs."""
    path = thomas_csv(tmp_path, header, time=True, delimiter=delimiter)
    report = run_drift(["--dataset", str(path), *SHORT], capsys)
    assert report["inputs"] == (["x", "y", "z"] if header else ["1", "2", "3"])
    assert report["time_column"] == ("t" if header else "0")
    assert any("time column" in note for note in report["notes"])
    assert report["metrics"] is None and report["true_changes"] == []
    fed = run_drift(["--dataset", str(path), *SHORT, "--columns", "1", "2"], capsys)
    assert len(fed["inputs"]) == 2 and fed["time_column"] is None


def test_csv_truth_scores_the_run_in_rows_or_time(tmp_path: Path, capsys) -> None:
    path = thomas_csv(tmp_path, header=True, time=True)
    rows = run_drift(["--dataset", str(path), *SHORT, "--truth", "450"], capsys)
    assert rows["true_changes"] == [450] and 0.0 <= rows["metrics"]["f1"] <= 1.0
    truth = tmp_path / "truth.txt"
    truth.write_text("t\n225.0\n")
    timed = run_drift(["--dataset", str(path), *SHORT, "--truth", str(truth),
                       "--truth-unit", "time", "--plot", str(tmp_path / "p.png")], capsys)
    assert timed["true_changes"] == [450] and timed["metrics"] == rows["metrics"]
    assert (tmp_path / "p.png").is_file()
    np.testing.assert_array_equal(truth_rows(np.array([0.2, 1.0]), np.array([0.0, 0.5, 1.0]),
                                             "time"), [1, 2])


def test_csv_same_changes_whatever_the_series_scale(tmp_path: Path, capsys) -> None:
    """The detector scales its input itself: a series in other units gives the same run (a
    power of two, so the scaled inputs are equal to the last bit)."""
    s = thomas_switching(n_steps=900, segment_range=(450, 450), seed=1)
    for name, x in (("unit.csv", s.x), ("scaled.csv", 1024.0 * s.x)):
        (tmp_path / name).write_text("\n".join(",".join(map(repr, r)) for r in x) + "\n")
    unit = run_drift(["--dataset", str(tmp_path / "unit.csv"), *SHORT], capsys)
    scaled = run_drift(["--dataset", str(tmp_path / "scaled.csv"), *SHORT], capsys)
    assert unit["change_points"] == scaled["change_points"]


def test_drift_cli_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    const = tmp_path / "const.csv"
    const.write_text("a,b\n" + "1.0,2.0\n" * 500)
    with pytest.raises(SystemExit, match="astrolava drift: error: .*constant"):
        main(["drift", "--dataset", str(const)])
    with pytest.raises(SystemExit, match="astrolava drift: error: .*no such file"):
        main(["drift", "--dataset", str(tmp_path / "missing.csv")])
    with pytest.raises(SystemExit, match="astrolava drift: error: window=1"):
        main(["drift", "--window", "1", "--steps", "900"])
    with pytest.raises(SystemExit, match="error: --truth, --columns"):
        main(["drift", "--truth", "100"])
    path = thomas_csv(tmp_path, header=True, time=False)
    with pytest.raises(SystemExit, match="error: --truth-unit time needs a numeric time"):
        main(["drift", "--dataset", str(path), "--truth", "3", "--truth-unit", "time"])


def test_random_bytes_give_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    """Through the installed command, as a user runs it: exit status 1, one line naming the
    file, no traceback."""
    noise = tmp_path / "noise.csv"
    noise.write_bytes(os.urandom(8192))
    done = subprocess.run([sys.executable, "-m", "astrolava.cli", "drift", "--dataset",
                           str(noise)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert "astrolava drift: error:" in done.stderr and str(noise) in done.stderr
    assert "Traceback" not in done.stderr
