"""``astrolava info``: versions, the Lava build in use and the datasets found, as JSON."""

from __future__ import annotations

import argparse
import json
import platform

from astrolava.provenance import package_version

PATCHED_LAVA_VERSION = "0.10.0+py311"
"""Local version of the lava-nc wheel that ``scripts/setup.sh`` builds (third_party/lava/)."""


def collect_info() -> dict:
    """Python and package versions, whether Lava is the patched build, datasets available."""
    from astrolava.data import available_datasets

    lava = package_version("lava-nc")
    return {
        "python": platform.python_version(),
        "lava-nc": lava,
        "lava_patched_py311": lava == PATCHED_LAVA_VERSION,
        "torch": package_version("torch"),
        "snntorch": package_version("snntorch"),
        "numpy": package_version("numpy"),
        "datasets": available_datasets(),
    }


def run(args: argparse.Namespace) -> int:
    print(json.dumps(collect_info(), indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="print versions and datasets as JSON")
    parser.set_defaults(func=run)
