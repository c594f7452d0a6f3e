"""A user's CSV file: delimiter, header, time column, chosen inputs, change times, bad files."""

import os
from pathlib import Path

import numpy as np
import pytest

from astrolava.data.csv_series import read_change_times, read_csv_series

VALUES = np.array([[0.5, 1.25, -2.0], [0.75, 1.5, -1.0], [0.25, 1.0, 0.0], [1.0, 2.0, 1.5]])


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", " "])
def test_header_and_delimiter_are_found(tmp_path: Path, delimiter: str) -> None:
    rows = [delimiter.join(f"{v}" for v in row) for row in VALUES]
    named = read_csv_series(write(tmp_path / "h.csv", [delimiter.join("abc"), *rows]))
    np.testing.assert_array_equal(named.x, VALUES)
    assert named.columns == ("a", "b", "c") and named.time_column is None
    bare = read_csv_series(write(tmp_path / "n.csv", rows))
    np.testing.assert_array_equal(bare.x, VALUES)  # no first row lost as a header
    assert bare.columns == ("0", "1", "2")


def test_a_monotone_first_column_is_the_time_and_is_reported(tmp_path: Path) -> None:
    rows = [f"{t},{a},{b},{c}" for t, (a, b, c) in zip(range(10, 14), VALUES, strict=True)]
    data = read_csv_series(write(tmp_path / "t.csv", rows))
    np.testing.assert_array_equal(data.x, VALUES)
    np.testing.assert_array_equal(data.time, [10, 11, 12, 13])
    assert data.time_column == "0"
    assert any("time column" in note for note in data.notes)
    fed = read_csv_series(tmp_path / "t.csv", columns=["0", "1"])  # asked for: fed
    np.testing.assert_array_equal(fed.x, np.column_stack([[10, 11, 12, 13], VALUES[:, 0]]))
    assert fed.time_column is None


def test_columns_and_time_column_by_name_or_position(tmp_path: Path) -> None:
    rows = ["date,x,y,z,label"] + [f"2020-01-0{k + 1},{a},{b},{c},on"
                                   for k, (a, b, c) in enumerate(VALUES)]
    path = write(tmp_path / "d.csv", rows)
    data = read_csv_series(path, time_column="date")
    np.testing.assert_array_equal(data.x, VALUES)
    assert list(data.time) == ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"]
    assert any("'label'" in note for note in data.notes)
    picked = read_csv_series(path, columns=["z", "1"])
    np.testing.assert_array_equal(picked.x, VALUES[:, [2, 0]])
    assert picked.columns == ("z", "x")
    with pytest.raises(ValueError, match="no column 'w'"):
        read_csv_series(path, columns=["w"])
    with pytest.raises(ValueError, match="'label' is not numeric"):
        read_csv_series(path, columns=["label"])
    with pytest.raises(ValueError, match="both an input and the time column"):
        read_csv_series(path, columns=["x"], time_column="x")


def test_bad_files_give_errors_naming_the_file(tmp_path: Path) -> None:
    noise = tmp_path / "noise.csv"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match="noise.csv is not a text CSV file"):
        read_csv_series(noise)
    with pytest.raises(FileNotFoundError, match="missing.csv: no such file"):
        read_csv_series(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="holds no rows"):
        read_csv_series(write(tmp_path / "empty.csv", [""]))
    with pytest.raises(ValueError, match="no numeric input column"):
        read_csv_series(write(tmp_path / "text.csv", ["a,b", "x,y", "z,w"]))
    with pytest.raises(ValueError, match=r"missing .* \{'b': 1\}"):
        read_csv_series(write(tmp_path / "gap.csv", ["a,b", "1,2", "2,", "3,4"]))
    printable = tmp_path / "printable.csv"
    printable.write_bytes(bytes(np.random.default_rng(1).integers(32, 127, 3000,
                                                                  dtype=np.uint8)))
    with pytest.raises(ValueError, match="printable.csv"):
        read_csv_series(printable)


def test_change_times_from_a_list_or_a_file(tmp_path: Path) -> None:
    np.testing.assert_array_equal(read_change_times("1200,500"), [500, 1200])
    path = write(tmp_path / "truth.csv", ["change time", "500", "1200", "2100"])
    np.testing.assert_array_equal(read_change_times(str(path)), [500, 1200, 2100])
    with pytest.raises(ValueError, match="not numbers"):
        read_change_times("500,soon")
    with pytest.raises(ValueError, match="--truth"):
        read_change_times(os.devnull)
