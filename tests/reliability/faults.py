"""Helpers of the fault tests: start a command in its own session, find what it left behind.

Every process a command starts (Lava workers, the resource tracker, manager servers) stays in
the session of the command, so ``/proc/<pid>/stat``'s session id finds survivors even after
their parent died. Shared-memory segments are attributed by what the session's processes
map, since other programs on the machine may use ``/dev/shm`` at the same time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "runtime" / "procs"))
from children import process_table  # noqa: E402


def start(args: list[str], **kwargs) -> subprocess.Popen:
    """Start ``args`` as the leader of a new session, stdout and stderr captured in temporary
    files (not pipes: a surviving child would hold a pipe open and block its reader)."""
    files = (tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+"))
    process = subprocess.Popen(args, stdout=files[0], stderr=files[1], text=True,
                               start_new_session=True, cwd=ROOT, **kwargs)
    process.output_files = files
    return process


def output(process: subprocess.Popen) -> tuple[str, str]:
    """Stdout and stderr a process started by :func:`start` has written so far."""
    texts = []
    for file in process.output_files:
        file.seek(0)
        texts.append(file.read())
    return texts[0], texts[1]


def cli(*args: str, **kwargs) -> subprocess.Popen:
    """Start ``python -m astrolava.cli ARGS`` in its own session."""
    return start([sys.executable, "-m", "astrolava.cli", *args], **kwargs)


def session_processes(sid: int) -> list[str]:
    """``"pid state cmdline"`` of every live or zombie process of session ``sid``."""
    return [f"{pid} {state} {cmdline[:120]}"
            for pid, state, _, session, cmdline in process_table() if session == sid]


def shared_memory(sid: int) -> set[str]:
    """Names of the ``/dev/shm`` segments that the processes of session ``sid`` map."""
    names = set()
    for line in session_processes(sid):
        try:
            maps = Path(f"/proc/{line.split()[0]}/maps").read_text()
        except OSError:
            continue
        names |= {entry.split("/dev/shm/")[1].split()[0] for entry in maps.splitlines()
                  if "/dev/shm/psm_" in entry}
    return names


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition()`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def leftovers(sid: int, segments: set[str], timeout: float = 30.0) -> tuple[list[str], set[str]]:
    """Processes of session ``sid`` and ``segments`` of ``/dev/shm`` still there after up to
    ``timeout`` seconds (a process may take a moment to exit after its parent)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = session_processes(sid)
        kept = {name for name in segments if (Path("/dev/shm") / name).exists()}
        if (not alive and not kept) or time.monotonic() > deadline:
            return alive, kept
        time.sleep(0.2)


def kill_session(sid: int) -> None:
    """SIGKILL every process still in session ``sid`` (clean-up after a failed test)."""
    for line in session_processes(sid):
        try:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        except ProcessLookupError:
            pass
