"""The ``astrolava`` command line: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

SUBCOMMANDS = ("info", "demo", "train", "sweep", "drift", "loihi_report")
"""Modules of ``astrolava.cli`` that each add one subcommand."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="astrolava",
        description="Astrocyte-inspired learning (delta-MGD, rhythmic sharing) on Lava.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"astrolava.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``astrolava`` console script.

    Bad input (a ``ValueError``, a parameter of the wrong type, a missing or unreadable
    file), an output folder in use by another run, or an error raised inside a Lava process
    model ends the command with ``astrolava <command>: error: <message>`` on stderr and exit
    status 1, not a traceback. SIGTERM and SIGHUP unwind the command like ``Ctrl-C``
    (``astrolava.stopping.exit_on_signals``): Lava runtimes are shut down, temporary files
    removed and the output folder unlocked before the process exits with status
    128 + the signal's number.
    """
    from astrolava.stopping import exit_on_signals

    with exit_on_signals():
        args = build_parser().parse_args(argv)
        try:
            return int(args.func(args) or 0)
        except Exception as err:
            if isinstance(err, _clear_errors()):
                raise SystemExit(f"astrolava {args.command}: error: {err}") from err
            raise


def _clear_errors() -> tuple[type[BaseException], ...]:
    """Errors that end a command with a one-line message: bad input, unusable files, a busy
    output folder and, once Lava has run (its module imported), an error inside a model."""
    from astrolava.checkpoint import OutputLockedError
    from astrolava.validation import ParameterTypeError

    runtime = sys.modules.get("astrolava.runtime")
    return (ValueError, ParameterTypeError, OSError, OutputLockedError,
            *((runtime.ProcessModelError,) if runtime else ()))
