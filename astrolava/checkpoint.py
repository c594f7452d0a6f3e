"""Files a long run writes and reads back: atomic replacement, checksummed checkpoints and a
lock on the output folder.

- :func:`write_atomic` (and :func:`write_text_atomic`, :func:`write_json_atomic`) replace a
  file so that a reader, a crash or a power loss sees either the old or the new content:
  a unique temporary file in the same folder is written and ``fsync``-ed, moved over the
  target with ``os.replace`` and the folder is ``fsync``-ed so the rename itself is durable.
- :func:`write_checkpoint` / :func:`read_checkpoint` store an opaque byte payload behind a
  header holding its length and SHA-256; a truncated, corrupt or foreign file raises
  :class:`CheckpointError` naming the file, never a raw unpickling error, and a flipped
  byte is never loaded silently.
- :func:`lock_output` holds an exclusive ``fcntl.flock`` lock on ``<folder>/.lock`` while a
  run writes there; a second run on the same folder fails at once with
  :class:`OutputLockedError` naming the folder and the pid that holds it. The kernel
  releases the lock when its holder exits, ``kill -9`` included.

The module is torch-free: callers serialise their state to bytes themselves (``torch.save``
to a ``BytesIO``, ``pickle``, ``numpy.savez``).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MAGIC = b"ASTROLAVA-CHECKPOINT 1\n"
"""First line of every checkpoint file (format name and version)."""
_DIGEST_BYTES = 32
_LENGTH_BYTES = 8
HEADER_BYTES = len(MAGIC) + _LENGTH_BYTES + _DIGEST_BYTES
"""Magic line, payload length (8 bytes, big-endian) and the payload's SHA-256 (32 bytes)."""
LOCK_NAME = ".lock"
"""File in an output folder that :func:`lock_output` locks."""


class CheckpointError(ValueError):
    """A checkpoint file cannot be used (missing, truncated, corrupt, or not a checkpoint)."""


class OutputLockedError(RuntimeError):
    """Another live process holds the lock on an output folder."""


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    A unique temporary file (``tempfile.mkstemp``) in the folder of ``path`` receives the
    data and is ``fsync``-ed, ``os.replace`` moves it over ``path`` and the folder is
    ``fsync``-ed. Concurrent writers never share a temporary file; on any error the
    temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "cannot replace a folder with a file", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def write_text_atomic(path: str | Path, text: str) -> None:
    """:func:`write_atomic` of ``text`` encoded as UTF-8."""
    write_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, obj: Any) -> None:
    """:func:`write_atomic` of ``obj`` as indented JSON (strict: NaN and inf are refused)."""
    write_text_atomic(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(path: str | Path, data: bytes) -> None:
    """Write ``data`` to the checkpoint file ``path`` with its length and SHA-256
    (:data:`HEADER_BYTES` of header), atomically (:func:`write_atomic`)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    header = MAGIC + len(data).to_bytes(_LENGTH_BYTES, "big") + hashlib.sha256(data).digest()
    write_atomic(path, header + data)


def read_checkpoint(path: str | Path) -> bytes:
    """The payload of the checkpoint file ``path``, after checking its length and SHA-256.

    Raises
    ------
    CheckpointError
        When the file is missing, unreadable, not a checkpoint written by
        :func:`write_checkpoint`, truncated, or its payload does not match its checksum.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CheckpointError(f"checkpoint {path} cannot be read: {err.strerror or err}") from err
    if not raw.startswith(MAGIC):
        raise CheckpointError(f"checkpoint {path} is not an astrolava checkpoint (its header is "
                              f"missing: a file from another program or an older version)")
    if len(raw) < HEADER_BYTES:
        raise CheckpointError(f"checkpoint {path} is truncated ({len(raw)} bytes, the header "
                              f"alone has {HEADER_BYTES})")
    length = int.from_bytes(raw[len(MAGIC):len(MAGIC) + _LENGTH_BYTES], "big")
    digest = raw[len(MAGIC) + _LENGTH_BYTES:HEADER_BYTES]
    payload = raw[HEADER_BYTES:]
    if len(payload) != length:
        raise CheckpointError(f"checkpoint {path} is truncated or padded: its header announces "
                              f"{length} bytes of data, the file holds {len(payload)}")
    if hashlib.sha256(payload).digest() != digest:
        raise CheckpointError(f"checkpoint {path} is corrupt: its SHA-256 does not match the "
                              f"one recorded when it was written")
    return payload


def check_output_folder(folder: str | Path) -> Path:
    """``folder`` as a path, after checking that it is a folder or does not exist yet.

    Raises
    ------
    ValueError
        When ``folder`` is an existing file (or anything else that is not a folder).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"out={str(folder)!r} is an existing file; it must be a folder "
                         f"(new or from an earlier run)")
    return folder


_held: dict[Path, int] = {}
"""Output folders this process holds, with the descriptor of their lock file."""


def _close_held_in_child() -> None:
    """In a forked child (a Lava worker), drop the inherited lock descriptors: the lock
    stays with the parent and dies with it, even if the child outlives it."""
    for fd in _held.values():
        os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


@contextmanager
def lock_output(folder: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on the output folder ``folder`` (created if missing).

    The lock is ``fcntl.flock`` on ``folder/.lock``, which holds the pid of its owner. It is
    released when the block ends or the process dies, however it dies; forked children
    (Lava's workers) close their copy of the descriptor, so an orphaned worker cannot keep
    a folder locked. The lock file stays (removing it would let a third run lock a
    different file).

    Raises
    ------
    ValueError
        When ``folder`` exists and is not a folder.
    OutputLockedError
        When another run holds the lock; the message names the folder and its pid.
    """
    folder = check_output_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = folder.resolve()
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise OutputLockedError(
                f"out={str(folder)!r} is in use by another run (pid {owner}); wait for it to "
                f"end or choose another --out") from err
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _held[key] = fd
        try:
            yield folder
        finally:
            del _held[key]
    finally:
        os.close(fd)
