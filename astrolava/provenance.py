"""Where a benchmark result came from: code, packages, command, machine, load and time.

Every results JSON in ``benchmarks/results/`` holds a ``provenance`` record of the run that
last wrote it, and every row that a partial run can merge into an existing file holds the
record of the run that produced that row.
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("astrolava", "lava-nc", "numpy", "torch", "snntorch")
"""Distributions whose installed versions a record lists (with ``python``)."""
REQUIRED_KEYS = ("commit", "dirty", "versions", "command", "machine", "loadavg_before",
                 "loadavg_after", "timestamp", "reconstructed")
"""Keys of every provenance record; an unknown value is ``None``."""
SOURCE_ROOT = Path(__file__).resolve().parents[1]
"""The checkout this package runs from (a git work tree for an editable install)."""


def package_version(name: str) -> str | None:
    """Installed version of the distribution ``name``, or ``None`` if it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(SOURCE_ROOT), *args], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def run_started(argv: Sequence[str] | None = None) -> dict:
    """The part of a provenance record that is fixed when a run starts.

    Call it before the measurement and pass the result to :func:`provenance` when the run
    writes its results, so a record names the code the run executed even when commits land
    while it runs.

    Parameters
    ----------
    argv : sequence of str, optional
        The command line (default ``sys.argv``).

    Returns
    -------
    dict
        ``commit`` (``git rev-parse HEAD`` of the source tree, ``None`` outside a git
        checkout), ``dirty`` (whether tracked files differed from that commit),
        ``versions`` (``python`` and :data:`PACKAGES`), ``command`` (the shell-quoted
        command line), ``machine`` (``platform``, ``cpu_count``) and ``loadavg_before``
        (1, 5 and 15 minute load averages).
    """
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "commit": commit,
        "dirty": None if status is None else bool(status),
        "versions": {"python": platform.python_version(),
                     **{name: package_version(name) for name in PACKAGES}},
        "command": shlex.join(sys.argv if argv is None else argv),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "loadavg_before": list(os.getloadavg()),
    }


def provenance(started: dict | None = None) -> dict:
    """The provenance record of a run: :func:`run_started`'s part and the end of the run.

    Parameters
    ----------
    started : dict, optional
        What :func:`run_started` returned when the run began (default: taken now).

    Returns
    -------
    dict
        ``started``'s keys, with ``loadavg_after`` (load averages now), ``timestamp`` (UTC,
        ISO 8601, now) and ``reconstructed`` (``False``: measured, not rebuilt afterwards
        from git); the keys of :data:`REQUIRED_KEYS`.
    """
    return {**(run_started() if started is None else started),
            "loadavg_after": list(os.getloadavg()),
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "reconstructed": False}


def require_provenance(rows: Iterable[dict], source: str) -> None:
    """Raise ``ValueError`` if a row that is about to be kept from ``source`` has no
    ``provenance`` record, instead of merging rows of unknown origin silently."""
    missing = [row for row in rows if not isinstance(row.get("provenance"), dict)]
    if missing:
        raise ValueError(f"{len(missing)} row(s) of {source} have no 'provenance' record "
                         f"(first: {_describe(missing[0])}); re-run them instead of merging")


def _describe(row: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in row.items()
                     if isinstance(value, str | int | float))[:200]
