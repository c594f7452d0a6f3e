"""The README stays short, and every number in it comes from a results JSON.

Its results table is the block between the ``results:begin`` / ``results:end`` markers, which
``docs/_ext/results_tables.py`` generates from ``benchmarks/results/*.json``
(``python docs/_ext/results_tables.py`` rewrites it after a benchmark run). The same module
renders each results file's provenance on the benchmark pages.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_LINES = 150


def _results_tables():
    spec = importlib.util.spec_from_file_location(
        "results_tables", ROOT / "docs" / "_ext" / "results_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_short() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines (at most {MAX_LINES})"


def test_readme_results_block_is_generated() -> None:
    tables = _results_tables()
    text = README.read_text()
    assert text.count(tables.README_BEGIN) == 1 and text.count(tables.README_END) == 1
    block = text[text.index(tables.README_BEGIN):text.index(tables.README_END)
                 + len(tables.README_END)]
    assert block == tables.readme_block(), (
        "README.md's results block differs from benchmarks/results/*.json; regenerate it with "
        "`.venv/bin/python docs/_ext/results_tables.py`")


def test_readme_has_no_numbers_outside_the_generated_block() -> None:
    """Outside the generated block and code, only versions, counts of things and the
    citation's years may appear (no measured result typed by hand)."""
    tables = _results_tables()
    text = README.read_text()
    outside = text[:text.index(tables.README_BEGIN)] + text[text.index(tables.README_END):]
    outside = re.sub(r"```.*?```", "", outside, flags=re.S)  # code blocks
    results = re.findall(r"\d+(?:\.\d+)?\s*(?:%|×|samples/s|steps/s)|\b0\.\d{3,}\b", outside)
    assert not results, f"README.md has typed results outside the generated block: {results}"


def test_provenance_is_rendered_per_file_and_per_merged_run() -> None:
    tables = _results_tables()
    assert "records no provenance" in tables.provenance({"rows": [{"a": 1}]}, "old")
    run = {"commit": "0123456789abcdef", "command": ["benchmarks/x.py", "--only", "a"],
           "loadavg_before": None}
    text = tables.provenance({"provenance": run, "rows": [{"provenance": run}] * 2
                              + [{"provenance": {**run, "commit": "fedcba9876543210"}}]}, "x")
    assert "| the file | `0123456789` | `benchmarks/x.py --only a` |" in text
    assert "| 2 rows | `0123456789` |" in text and "| 1 row | `fedcba9876` |" in text
    assert "Not recorded: loadavg_before." in text


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_readme_examples_run(tmp_path: Path) -> None:
    """Each ``python`` block of the README runs as it is written (in a fresh interpreter)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README should show one example per algorithm"
    for index, code in enumerate(blocks):
        result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                                text=True, timeout=500, check=False)
        assert result.returncode == 0, f"README example {index + 1} failed:\n{code}\n" \
            f"{result.stderr[-4000:]}"
