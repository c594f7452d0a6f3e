"""Progress bars that appear only on a terminal.

Every progress bar of the package goes through :func:`progress`: when standard error is not a
terminal (output piped to a file or a CI log), the bar is disabled, so a log holds no
carriage-return fragments.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from tqdm.auto import tqdm


def progress(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs) -> tqdm:
    """A :class:`tqdm.tqdm` bar over ``iterable``, shown only if ``enabled`` and standard
    error is a terminal.

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over; leave it out for a bar advanced with ``update``.
    enabled : bool
        ``False`` hides the bar whatever the output is (e.g. a ``--quiet`` flag).
    **kwargs
        Passed to :class:`tqdm.tqdm` (``total``, ``desc``, ``leave``, ...).

    Returns
    -------
    tqdm.tqdm
        A bar that passes ``iterable`` through unchanged, disabled or not.
    """
    return tqdm(iterable, disable=not (enabled and sys.stderr.isatty()), **kwargs)


def write(message: str) -> None:
    """Print ``message`` on its own line without breaking a progress bar on screen."""
    tqdm.write(message)
