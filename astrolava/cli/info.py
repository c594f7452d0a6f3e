"""``astrolava info``: versions, the Lava build in use and the datasets found, as JSON."""

from __future__ import annotations

import argparse
import json
import platform
from importlib.metadata import PackageNotFoundError, version

PATCHED_LAVA_VERSION = "0.10.0+py311"
"""Local version of the lava-nc wheel that ``scripts/setup.sh`` builds (third_party/lava/)."""


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def collect_info() -> dict:
    """Python and package versions, whether Lava is the patched build, datasets available."""
    from astrolava.data import available_datasets

    lava = _version("lava-nc")
    return {
        "python": platform.python_version(),
        "lava-nc": lava,
        "lava_patched_py311": lava == PATCHED_LAVA_VERSION,
        "torch": _version("torch"),
        "snntorch": _version("snntorch"),
        "numpy": _version("numpy"),
        "datasets": available_datasets(),
    }


def run(args: argparse.Namespace) -> int:
    print(json.dumps(collect_info(), indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="print versions and datasets as JSON")
    parser.set_defaults(func=run)
