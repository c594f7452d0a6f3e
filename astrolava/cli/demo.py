"""``astrolava demo``: the main job on embedded defaults (digits, a generated Thomas series)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from astrolava.deploy.demo import run_demo

    print("== torch -> Lava deployment (digits): rate and spiking MLPs, floating_pt and fixed_pt")
    run_demo(seed=args.seed, progress=not args.quiet)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="train, deploy to Lava and compare on embedded defaults (a few minutes)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)
