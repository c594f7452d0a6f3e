"""The documentation site builds with warnings as errors, tutorials executed.

``sphinx-build -W --keep-going -b html docs <tmp>`` with the test run's interpreter (the
project's ``.venv``). myst-nb executes the four notebooks of ``tutorials/`` during the build
(``nb_execution_raise_on_error``), so this test also fails when a tutorial cell raises, and its
message names the notebook and the cell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _problems(output: str) -> str:
    """The build's warnings and errors, the failing tutorial cell if one raised (with ``-T``
    Sphinx prints nbclient's message: the notebook, the cell's source and its error), then the
    end of the build's output."""
    flagged = [line for line in output.splitlines()
               if any(word in line for word in ("WARNING", "ERROR", "CRITICAL", "Error"))]
    cell = output.find("CellExecutionError: An error occurred")
    failed = f"\n\n--- failing tutorial cell ---\n{output[cell:cell + 6000]}" if cell >= 0 else ""
    return ("\n".join(flagged[:200]) + failed + "\n\n--- end of the build's output ---\n"
            + output[-6000:])


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ASTROLAVA_DOCS_EXECUTE"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-T", "-b", "html", "-q",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1400, check=False)
    assert result.returncode == 0, _problems(result.stdout + result.stderr)
    html = tmp_path / "html"
    for page in ("index", "theory/lava-mapping", "processes/tripartite-synapse",
                 "fixed-point", "benchmarks/dmgd", "tutorials/rhythmic_sharing", "api"):
        assert (html / f"{page}.html").is_file(), page

