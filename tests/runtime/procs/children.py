"""Processes read from /proc (no ``ps`` child of its own): this interpreter's children, and
the table the fault tests search for survivors."""

import os
from collections.abc import Iterator
from pathlib import Path


def process_table() -> Iterator[tuple[int, str, int, int, str]]:
    """``(pid, state, ppid, session id, cmdline)`` of every process, zombies included."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # exited meanwhile
            continue
        state, ppid, _, session = text[text.rindex(")") + 2:].split()[:4]
        yield int(stat.parent.name), state, int(ppid), int(session), cmdline.strip()


def children() -> list[str]:
    """``"pid state cmdline"`` for every process whose parent is this one (zombies included:
    a child that exited but was never reaped is left behind too)."""
    return [f"{pid} {state} {cmdline}" for pid, state, ppid, _, cmdline in process_table()
            if ppid == os.getpid() and "resource_tracker" not in cmdline]
