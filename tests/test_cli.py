"""The command line: ``astrolava info`` reports the patched Lava and the datasets."""

import json
import subprocess
import sys


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
