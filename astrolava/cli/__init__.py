"""The ``astrolava`` command line: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
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

    Bad input (a ``ValueError``, a missing file) or an output folder in use by another run
    ends the command with ``astrolava <command>: error: <message>`` on stderr and exit
    status 1, not a traceback.
    """
    from astrolava.checkpoint import OutputLockedError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, OutputLockedError) as err:
        raise SystemExit(f"astrolava {args.command}: error: {err}") from err
