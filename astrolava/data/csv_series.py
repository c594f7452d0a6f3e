"""A user's time series from a CSV file: delimiter and header found, inputs chosen by name.

:func:`read_csv_series` reads the file with pandas, sniffing the delimiter (``csv.Sniffer``)
and whether the first row names the columns (it does when one of its fields is not a number
while the rows below hold numbers in that column). The numeric columns are the inputs, except a
column named as the time column or, when none is named, a first column whose values strictly
increase (a time stamp or row counter, which as an input would only ramp); the series says so
in ``notes``. Non-numeric columns (dates, labels) are dropped and named in ``notes``.
:func:`read_change_times` reads true change times from a file or a comma-separated list.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SNIFF_BYTES = 65536
"""Bytes read from the start of the file to find the delimiter and the header."""
DELIMITERS = ",;\t| "
"""Delimiters the sniffer may choose from."""


@dataclass(frozen=True)
class CsvSeries:
    """The input series read from a CSV file.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    x : numpy.ndarray
        Input columns, shape ``(n_steps, n_inputs)``, float64.
    columns : tuple of str
        Names of the columns of ``x`` (``"0"``, ``"1"``, … by position when the file has no
        header row).
    time : numpy.ndarray or None
        Values of the time column, shape ``(n_steps,)``, or None without one.
    time_column : str or None
        Name of the time column.
    notes : list of str
        What was decided about the file that the user did not ask for (the header, a monotone
        first column taken as the time column, dropped non-numeric columns).
    """

    path: Path
    x: np.ndarray
    columns: tuple[str, ...]
    time: np.ndarray | None = None
    time_column: str | None = None
    notes: list[str] = field(default_factory=list)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sniff(path: Path) -> tuple[str, bool]:
    """Delimiter of ``path`` and whether its first row is a header; ValueError for a file that
    is not text or has no rows."""
    try:
        sample = path.read_bytes()[:SNIFF_BYTES].decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not a text CSV file (it is not UTF-8: {err.reason} at "
                         f"byte {err.start})") from err
    if "\x00" in sample:
        raise ValueError(f"{path} is not a text CSV file (it holds NUL bytes)")
    lines = [line for line in sample.splitlines()[:-1 if len(sample) == SNIFF_BYTES else None]
             if line.strip()]
    if not lines:
        raise ValueError(f"{path} holds no rows")
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","  # one column, or a delimiter the sniffer cannot settle on
    rows = list(csv.reader(lines[:6], delimiter=delimiter, skipinitialspace=True))
    header = any(not _is_number(value) and any(
        len(row) > k and _is_number(row[k]) for row in rows[1:])
        for k, value in enumerate(rows[0]))
    return delimiter, header


def _pick(names: list[str], wanted: str, path: Path) -> str:
    """The column ``wanted`` given by name or 0-based position."""
    if wanted in names:
        return wanted
    if wanted.lstrip("-").isdigit() and -len(names) <= int(wanted) < len(names):
        return names[int(wanted)]
    raise ValueError(f"{path} has no column {wanted!r}; its columns are {names}")


def read_csv_series(path: str | Path, columns: list[str] | None = None,
                    time_column: str | None = None) -> CsvSeries:
    """Read the input series of a CSV file.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; any delimiter of ``DELIMITERS``, with or without a header row.
    columns : list of str or None
        Input columns by name or 0-based position; None takes every numeric column except the
        time column.
    time_column : str or None
        A column (name or position) that is not an input. None: the first column is taken as
        the time column when its values strictly increase, other numeric columns exist and
        ``columns`` is None (said in ``notes``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a readable CSV (binary data, no rows), names no such column, a
        chosen column is not numeric or has missing values, or no input column is left.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    delimiter, header = _sniff(path)
    try:
        table = pd.read_csv(path, sep=delimiter, header=0 if header else None,
                            skipinitialspace=True, encoding="utf-8",
                            float_precision="round_trip")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise ValueError(f"{path} is not a readable CSV file: {err}") from err
    table.columns = [str(c) for c in table.columns]
    names = list(table.columns)
    notes = [f"delimiter {delimiter!r}, " + ("first row read as the header" if header
                                             else "no header row: columns named by position")]
    numeric = {c: pd.to_numeric(table[c], errors="coerce") for c in names}
    is_numeric = [c for c in names if numeric[c].notna().sum() == table[c].notna().sum() > 0]
    time_name = _pick(names, time_column, path) if time_column is not None else None
    if columns is not None:
        inputs = [_pick(names, c, path) for c in columns]
        for c in inputs:
            if c not in is_numeric:
                raise ValueError(f"{path}: column {c!r} is not numeric")
        if time_name in inputs:
            raise ValueError(f"{path}: column {time_name!r} is both an input and the time "
                             "column")
    else:
        inputs = [c for c in is_numeric if c != time_name]
        first = names[0]
        if (time_name is None and first in is_numeric and len(inputs) > 1
                and np.all(np.diff(numeric[first].to_numpy(float)) > 0)):
            time_name = first
            inputs.remove(first)
            notes.append(f"first column {first!r} increases strictly: read as the time column, "
                         "not as an input (name it in --columns to feed it)")
        dropped = [c for c in names if c not in is_numeric and c != time_name]
        if dropped:
            notes.append(f"non-numeric columns dropped: {dropped}")
    if not inputs:
        raise ValueError(f"{path} has no numeric input column (columns: {names})")
    x = np.column_stack([numeric[c].to_numpy(float) for c in inputs])
    missing = {c: int(np.isnan(x[:, k]).sum()) for k, c in enumerate(inputs)
               if np.isnan(x[:, k]).any()}
    if missing:
        raise ValueError(f"{path}: missing or non-numeric values in input columns "
                         f"(column: count) {missing}")
    time = None
    if time_name is not None:
        time = (numeric[time_name].to_numpy(float) if time_name in is_numeric
                else table[time_name].to_numpy())
    return CsvSeries(path=path, x=x, columns=tuple(inputs), time=time, time_column=time_name,
                     notes=notes)


def read_change_times(spec: str) -> np.ndarray:
    """True change times from a file (numbers separated by commas, spaces or new lines; a
    first line that is not numeric is skipped as a header) or a comma-separated list.

    Raises
    ------
    ValueError
        If a value is not a number or none is given.
    """
    path = Path(spec)
    lines = path.read_text().splitlines() if path.is_file() else [spec]
    if path.is_file() and lines and not all(map(_is_number, lines[0].replace(",", " ").split())):
        lines = lines[1:]
    values = " ".join(lines).replace(",", " ").split()
    bad = [v for v in values if not _is_number(v)]
    if bad or not values:
        raise ValueError(f"--truth {spec!r}: expected change times as numbers (a file or a "
                         f"list like 500,1200){'; not numbers: ' + str(bad[:3]) if bad else ''}")
    return np.sort(np.asarray([float(v) for v in values]))
