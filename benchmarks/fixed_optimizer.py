"""Sweep of fixed-point δ-MGD optimizers outside Lava (issue 11 §2).

Each variant trains :class:`astrolava.mgd.fixed.FixedNetwork` — the integer arithmetic the
fused fixed_pt Lava model runs, through the same :class:`astrolava.mgd.learner.SampleLearner`
(batch 1, samples in order) — from ``build_model("rate", ..., seed)`` with the fixed_pt preset
of ``astrolava.lava_training.lava_preset`` and the variant's overrides (``optimizer``, ``eta``,
``momentum_shift``, ``eta_halving`` in epochs, ``layer_eta_shifts``), and records the test
accuracy after every epoch. Rows are keyed by (dataset, train size, epochs, seed, variant) and
merged into ``benchmarks/results/fixed_optimizer.json`` (each with its provenance), so the
sweep can be run in pieces. The chosen variant and the table: ``docs/experiments/
fixed-optimizer.md``. Usage::

    nice -n 10 .venv/bin/python benchmarks/fixed_optimizer.py --dataset digits --epochs 10 \\
        --variants '{"name": "sgd", "optimizer": "sgd"}' ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from astrolava.models import build_model

from astrolava.checkpoint import write_json_atomic
from astrolava.data import load_dataset
from astrolava.fixed_point import X_FRAC, to_fixed
from astrolava.lava_training import initial_parameters, lava_preset
from astrolava.mgd import DeltaMGDConfig
from astrolava.mgd.equations import NetworkSpec
from astrolava.mgd.fixed import FixedNetwork
from astrolava.mgd.learner import SampleLearner, accuracy, train_epoch
from astrolava.mgd.presets import HIDDEN
from astrolava.provenance import provenance, run_started

OUT = Path(__file__).parent / "results" / "fixed_optimizer.json"


def variant_config(variant: dict, n_train: int) -> DeltaMGDConfig:
    """The fixed_pt rate preset with a variant's overrides (``eta_halving`` in epochs)."""
    overrides = {key: value for key, value in variant.items() if key != "name"}
    if "eta_halving" in overrides:
        overrides["eta_halving"] = int(round(overrides["eta_halving"] * n_train))
    return DeltaMGDConfig(**{**lava_preset("rate", "fixed_pt"), **overrides})


def run_variant(config: DeltaMGDConfig, X, y, X_test, y_test, epochs: int, seed: int
                ) -> dict:
    """Train a FixedNetwork for ``epochs`` and return its per-epoch test accuracy."""
    model = build_model("rate", X.shape[1], 10, seed, HIDDEN)
    weights, biases = initial_parameters(model.layers)
    net = FixedNetwork(list(zip(weights, biases, strict=True)), NetworkSpec(), config)
    sizes = [X.shape[1], *HIDDEN, 10]
    learner = SampleLearner(net, sizes, np.zeros((10, sum(HIDDEN)), dtype=np.int64))
    Xq, Xq_test = to_fixed(X, X_FRAC), to_fixed(X_test, X_FRAC)
    accs, start = [], time.perf_counter()
    for _ in range(epochs):
        train_epoch(learner, Xq, y)
        accs.append(accuracy(learner, Xq_test, y_test))
    return {"test_acc_per_epoch": accs, "test_acc": accs[-1], "best_test_acc": max(accs),
            "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-size", type=int, default=0, help="0: all training samples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", nargs="+", required=True, type=json.loads,
                        help='JSON objects: {"name": ..., DeltaMGDConfig overrides}')
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = run_started()
    (X, y), (X_test, y_test) = (load_dataset(args.dataset, s) for s in ("train", "test"))
    if args.train_size:
        X, y = X[:args.train_size], y[:args.train_size]
    for variant in args.variants:
        config = variant_config(variant, len(y))
        result = run_variant(config, X, y, X_test, y_test, args.epochs, args.seed)
        row = {"dataset": args.dataset, "n_train": len(y), "epochs": args.epochs,
               "seed": args.seed, "variant": variant["name"], "config": config.to_dict(),
               **result, "provenance": provenance(started)}
        rows = json.loads(OUT.read_text())["rows"] if OUT.exists() else []
        key = ("dataset", "n_train", "epochs", "seed", "variant")
        rows = [r for r in rows if any(r[k] != row[k] for k in key)] + [row]
        write_json_atomic(OUT, {"rows": rows})
        print(f"{args.dataset} n={len(y)} {variant['name']:28s} "
              + " ".join(f"{a:.4f}" for a in result["test_acc_per_epoch"])
              + f"  ({result['seconds']:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
