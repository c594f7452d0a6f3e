"""``astrolava train``: train a reference MLP with backprop or a method of the MGD family.

Prints one JSON summary; with ``--out`` writes ``metrics.jsonl`` and a checksummed, atomic
checkpoint every epoch under a lock on the folder (a second run on it stops with an error),
and ``--resume`` continues a run bit-for-bit. ``--out`` naming an existing file is refused
before anything is loaded.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import torch

from astrolava.checkpoint import check_output_folder
from astrolava.data import load_dataset
from astrolava.mgd.presets import HIDDEN
from astrolava.validation import require_count, require_int, require_seed

DATASETS = ("digits", "fashion-mnist")


def _parse_value(text: str):
    """JSON value of ``text`` (``true``/``false`` in any case; ``nan``, ``inf``, ``1e400``
    as the floats they name, for the validators to refuse), else the text itself."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_hyper(items: list[str]) -> dict:
    """``["eta=0.01", "refresh=node"]`` -> ``{"eta": 0.01, "refresh": "node"}``."""
    hyper = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r} must look like NAME=VALUE")
        hyper[key.replace("-", "_")] = _parse_value(value)
    return hyper


def run_torch(args: argparse.Namespace, on_epoch: Callable[[dict], None] | None = None) -> dict:
    """Train with the vectorised torch reference (``astrolava.models.mgd``); ``on_epoch``
    receives each new epoch's record (see :func:`astrolava.models.mgd.trainer.train`)."""
    from astrolava.mgd.presets import preset
    from astrolava.models import build_model
    from astrolava.models.mgd.trainer import Dataset, make_config, make_learner, train

    torch.set_num_threads(1)
    hyper = {**preset(args.method, args.network), **parse_hyper(args.set)}
    config = make_config(args.method, **hyper)
    X, y = load_dataset(args.dataset, "train")
    X_test, y_test = load_dataset(args.dataset, "test")
    n_classes = int(max(y.max(), y_test.max())) + 1  # of the dataset, not of a subset
    if args.train_size:
        X, y = X[:args.train_size], y[:args.train_size]
    model = build_model(args.network, X.shape[1], n_classes, args.seed, hidden=args.hidden)
    learner = make_learner(args.method, model, config, args.seed, n_classes)
    meta = {"method": args.method, "dataset": args.dataset, "network": args.network,
            "hidden": list(args.hidden), "config": config.to_dict(), "train_size": len(X)}
    history = train(learner, Dataset.from_arrays(X, y, X_test, y_test), args.epochs,
                    args.batch_size, args.seed, out=args.out, resume=args.resume, meta=meta,
                    progress=not args.quiet, on_epoch=on_epoch)
    return {**meta, "epochs": len(history), "test_acc": history[-1]["test_acc"],
            "samples_per_s": history[-1]["samples_per_s"],
            "grad_components": history[-1]["grad_components"],
            "update_ops": history[-1]["update_ops"], "out": args.out}


def run_lava(args: argparse.Namespace) -> dict:
    """Train δ-MGD inside Lava (``--tag`` selects float or Loihi fixed-point models);
    ``--set`` overrides :func:`astrolava.lava_training.lava_preset`. Checkpoints
    (``--out`` / ``--resume``) are the torch backend's."""
    from astrolava.lava_training import train_dataset_in_lava

    if args.method != "delta-mgd":
        raise ValueError(f"method={args.method!r}: the lava backend trains 'delta-mgd' only")
    if args.out or args.resume:
        raise ValueError("--out/--resume are not supported by the lava backend")
    return train_dataset_in_lava(args.dataset, args.network, args.epochs, args.tag, args.seed,
                                 args.train_size, parse_hyper(args.set), progress=not args.quiet)


BACKENDS = {"torch": run_torch, "lava": run_lava}
"""Implementations a run can use; each takes the parsed arguments and returns a summary."""


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad numbers before anything is loaded, naming the option and its range."""
    require_count("--epochs", args.epochs)
    require_count("--batch-size", args.batch_size)
    require_seed("--seed", args.seed)
    require_int("--train-size", args.train_size, low=0)
    for width in args.hidden:
        require_count("--hidden", width)
    if args.backend == "lava" and list(args.hidden) != list(HIDDEN):
        raise ValueError(f"--hidden {' '.join(map(str, args.hidden))}: the lava backend trains "
                         f"the preset widths {' '.join(map(str, HIDDEN))} only; drop --hidden "
                         "or use --backend torch")


def run(args: argparse.Namespace) -> int:
    check_arguments(args)
    if args.resume and not args.out:
        raise ValueError("--resume needs --out (the folder holding the checkpoint)")
    if args.out:
        check_output_folder(args.out)
    print(json.dumps(BACKENDS[args.backend](args), indent=2))
    return 0


def add_run_arguments(parser: argparse.ArgumentParser, hidden_help: str) -> None:
    """The options that name one training run's method, data and net (``train``, ``sweep``)."""
    from astrolava.models.mgd.trainer import METHODS

    parser.add_argument("--method", choices=METHODS, default="delta-mgd")
    parser.add_argument("--dataset", choices=DATASETS, default="digits")
    parser.add_argument("--network", choices=("rate", "spiking"), default="rate")
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN), metavar="WIDTH",
                        help=f"{hidden_help} (default: %(default)s)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train an MLP with backprop or an MGD-family method",
        description="Train a reference MLP; hyper-parameters start from the method's preset "
                    "(astrolava.mgd.presets) and can be overridden with --set NAME=VALUE.")
    add_run_arguments(parser, "hidden layer widths (torch backend)")
    parser.add_argument("--backend", choices=tuple(BACKENDS), default="torch")
    parser.add_argument("--tag", choices=("floating_pt", "fixed_pt"), default="floating_pt",
                        help="lava backend: float or Loihi fixed-point process models")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=0,
                        help="use only the first N training samples (0: all)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a hyper-parameter, e.g. --set eta=0.01 --set tau_delta=50")
    parser.add_argument("--out", default=None, help="folder for metrics.jsonl and checkpoint.pt")
    parser.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
