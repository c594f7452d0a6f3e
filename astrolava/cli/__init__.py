"""The ``astrolava`` command line: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

SUBCOMMANDS = ("info", "demo", "train", "drift", "loihi_report")
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
    """Entry point of the ``astrolava`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
