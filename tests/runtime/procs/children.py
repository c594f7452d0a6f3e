"""The live child processes of this interpreter, read from /proc (no ``ps`` child of its own)."""

import os
from pathlib import Path


def children() -> list[str]:
    """``"pid state cmdline"`` for every process whose parent is this one (zombies included:
    a child that exited but was never reaped is left behind too)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # exited meanwhile
            continue
        state, ppid = text[text.rindex(")") + 2:].split()[:2]
        if int(ppid) == os.getpid() and "resource_tracker" not in cmdline:
            found.append(f"{stat.parent.name} {state} {cmdline.strip()}")
    return found
