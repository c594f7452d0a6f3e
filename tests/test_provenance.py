"""Benchmark provenance: the live record, the committed results and the merge guard."""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shlex
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from astrolava.provenance import (
    PACKAGES,
    REQUIRED_KEYS,
    provenance,
    require_provenance,
    run_started,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
ROW_SECTIONS = ("rows", "detection", "speed", "lava")
"""Lists of rows that a partial benchmark run merges into an existing results file."""
COMMIT = re.compile(r"[0-9a-f]{40}")


def _check_record(record: dict) -> None:
    assert set(REQUIRED_KEYS) <= set(record), set(REQUIRED_KEYS) - set(record)
    assert isinstance(record["reconstructed"], bool)
    if record["reconstructed"]:  # rebuilt from git: the commit is known, nothing measured
        assert COMMIT.fullmatch(record["commit"])
        assert record["loadavg_before"] is None and record["loadavg_after"] is None
    else:
        assert set(record["versions"]) == {"python", *PACKAGES}
        assert len(record["loadavg_after"]) == 3 and record["timestamp"]


def test_live_record_describes_this_process():
    record = provenance(run_started(argv=["bench.py", "--only", "a b"]))
    _check_record(record)
    assert record["reconstructed"] is False
    assert record["versions"]["numpy"] == np.__version__
    assert record["command"] == "bench.py --only 'a b'"
    assert shlex.split(record["command"]) == ["bench.py", "--only", "a b"]
    assert len(record["loadavg_before"]) == 3
    assert record["machine"]["cpu_count"] >= 1
    age = datetime.now().astimezone() - datetime.fromisoformat(record["timestamp"])
    assert timedelta(0) <= age < timedelta(minutes=5)
    if record["commit"] is not None:  # a git checkout (not an installed copy)
        assert COMMIT.fullmatch(record["commit"]) and isinstance(record["dirty"], bool)


@pytest.mark.parametrize("path", RESULTS, ids=[path.name for path in RESULTS])
def test_every_result_and_row_has_provenance(path):
    result = json.loads(path.read_text())
    _check_record(result["provenance"])
    sections = [name for name in ROW_SECTIONS if name in result]
    for name in sections:
        for row in result[name]:
            _check_record(row["provenance"])
    if "throughput" in result:
        _check_record(result["throughput"]["provenance"])


def test_rows_without_provenance_are_not_merged():
    require_provenance([{"a": 1, "provenance": provenance()}], "kept.json")
    with pytest.raises(ValueError, match=r"1 row\(s\) of kept.json .*method=bp"):
        require_provenance([{"a": 1, "provenance": provenance()}, {"method": "bp"}],
                           "kept.json")


def test_partial_benchmark_run_refuses_rows_without_provenance(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("dmgd_benchmark",
                                                  ROOT / "benchmarks" / "dmgd.py")
    dmgd = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, dmgd)  # dataclasses look their module up
    spec.loader.exec_module(dmgd)
    monkeypatch.setattr(dmgd, "RESULTS", tmp_path)
    (tmp_path / "dmgd.json").write_text(json.dumps({"rows": [{"method": "bp"}]}))
    with pytest.raises(SystemExit):
        dmgd.read_result(argparse.ArgumentParser(), "dmgd")
    (tmp_path / "dmgd.json").write_text(json.dumps(
        {"rows": [{"method": "bp", "provenance": provenance()}]}))
    assert dmgd.read_result(argparse.ArgumentParser(), "dmgd")["rows"][0]["method"] == "bp"


def test_record_names_the_code_of_the_run_start(monkeypatch):
    """Commits that land while a run measures do not change the commit its record names."""
    import astrolava.provenance as prov

    monkeypatch.setattr(prov, "_git", lambda *args: "a" * 40 if args[0] == "rev-parse" else "")
    started = run_started(argv=["bench.py"])
    monkeypatch.setattr(prov, "_git", lambda *args: "b" * 40 if args[0] == "rev-parse" else " M x")
    record = provenance(started)
    assert record["commit"] == "a" * 40 and record["dirty"] is False
