"""The command line: ``astrolava info`` reports the patched Lava and the datasets; piped
output holds no progress bars; the demo's summary table."""

import io
import json
import subprocess
import sys

import pytest

from astrolava.cli.demo import _deployment_row, summary_table
from astrolava.progress import progress


def test_info_reports_versions_and_patched_lava() -> None:
    result = subprocess.run([sys.executable, "-m", "astrolava.cli", "info"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["python"].startswith("3.")
    assert info["lava-nc"] == "0.10.0+py311" and info["lava_patched_py311"] is True
    assert info["numpy"].startswith("1.")
    assert info["torch"].startswith("2.13.0")
    assert info["datasets"]["digits"] is True


def test_unknown_subcommand_fails() -> None:
    result = subprocess.run([sys.executable, "-m", "astrolava.cli", "frobnicate"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def _cli(*argv: str) -> subprocess.CompletedProcess:
    """Run ``astrolava ARGV`` with stdout and stderr piped (not a terminal)."""
    return subprocess.run([sys.executable, "-m", "astrolava.cli", *argv], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("backend", ["torch", "lava"])
def test_piped_train_prints_no_progress_bar(backend: str) -> None:
    """Progress bars are on by default but stay off when the output is not a terminal."""
    result = _cli("train", "--backend", backend, "--train-size", "40", "--epochs", "1")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["train_size"] == 40 and 0.0 <= summary["test_acc"] <= 1.0
    assert summary.get("backend", "torch") == backend


def test_lava_backend_rejects_what_it_cannot_do() -> None:
    result = _cli("train", "--backend", "lava", "--method", "bp")
    assert result.returncode == 1
    assert "astrolava train: error: method='bp': the lava backend trains 'delta-mgd' only" \
        in result.stderr


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress(range(3)).disable
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert not progress(range(3)).disable
    assert progress(range(3), enabled=False).disable
    assert list(progress(range(3), enabled=False)) == [0, 1, 2]


def test_demo_summary_table() -> None:
    deployed = [{"model": model, "backend": backend, "test_acc": acc}
                for model, accs in (("rate", (0.97, 0.97, 0.96)), ("spiking", (0.95, 0.95, 0.94)))
                for backend, acc in zip(("torch", "lava-float", "lava-fixed"), accs, strict=True)]
    table = summary_table([_deployment_row(deployed, 52.6),
                           ("3. drift", "synchrony detector", "F1 0.80", 3.0)])
    assert table.splitlines() == [
        "| step | what ran | result | time |", "|---|---|---|---|",
        "| 1. deploy | rate and spiking MLPs: torch / lava-float / lava-fixed | test acc. rate "
        "97.0 / 97.0 / 96.0 %, spiking 95.0 / 95.0 / 94.0 % | 53 s |",
        "| 3. drift | synchrony detector | F1 0.80 | 3 s |"]
    assert "\r" not in table
