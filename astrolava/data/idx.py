"""Reader for the IDX format of (Fashion-)MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

# Third byte of the IDX magic number -> element type (big-endian on disk).
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into a NumPy array.

    The header is two zero bytes, a type byte, a byte giving the number of dimensions ``d``,
    then ``d`` big-endian uint32 sizes; the data follows in C order.

    Parameters
    ----------
    path : str or Path
        File to read; a name ending in ``.gz`` is decompressed on the fly.

    Returns
    -------
    numpy.ndarray
        Array of the stored shape, in native byte order.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        Naming the file, if it is a truncated or corrupt gzip stream, its header is not a
        complete IDX header, or the payload's size differs from the header's shape.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: path={str(path)!r}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (EOFError, OSError, zlib.error) as err:  # truncated or corrupt gzip stream
        raise ValueError(f"{path}: cannot be read as {'gzip' if opener is gzip.open else 'a file'}"
                         f" ({err}); the file is truncated or corrupt") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic bytes {raw[:4]!r})")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes; a header of {ndim} "
                         f"dimensions takes {header_end})")
    shape = tuple(int(s) for s in np.frombuffer(raw[4:header_end], dtype=">u4"))
    payload = len(raw) - header_end
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if payload != expected:
        raise ValueError(f"{path}: header shape {shape} of {dtype.itemsize}-byte elements needs "
                         f"{expected} bytes of data; the file holds {payload}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_end)
    return data.reshape(shape).astype(dtype.newbyteorder("="))
