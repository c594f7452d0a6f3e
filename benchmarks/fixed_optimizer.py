"""Sweep of fixed-point δ-MGD optimizers outside Lava (issue 11 §2).

Each variant trains :class:`astrolava.mgd.fixed.FixedNetwork` — the integer arithmetic the
fused fixed_pt Lava model runs, through the same :class:`astrolava.mgd.learner.SampleLearner`
(batch 1, samples in order) — from ``build_model("rate", ..., seed)`` with the fixed_pt rate
preset of ``astrolava.lava_training.lava_preset`` at plain SGD (η = 0.01) plus the variant's
overrides (``optimizer``, ``eta``, ``momentum_shift``, ``rms_shift``, ``rms_pre``,
``activity_eps``, ``eta_halving`` in epochs, ``layer_eta_shifts``), and records the test
accuracy after every epoch. The variant ``{"optimizer": "adam"}`` trains the float64
:class:`~astrolava.mgd.equations.FloatNetwork` with the floating_pt preset instead: the
yardstick (what the fused floating_pt model computes). Rows are keyed by (dataset, train
size, epochs, seed, variant) and merged into ``benchmarks/results/fixed_optimizer.json`` (each
with its provenance; a plot of the curves beside it), so the sweep can be run in pieces.
The chosen variant and the table: ``docs/experiments/fixed-optimizer.md``. Usage::

    nice -n 10 .venv/bin/python benchmarks/fixed_optimizer.py --dataset digits --epochs 10 \\
        --variants '{"name": "sgd", "optimizer": "sgd"}' ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from astrolava.models import build_model  # noqa: E402

from astrolava.checkpoint import write_json_atomic  # noqa: E402
from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.fixed_point import X_FRAC, to_fixed  # noqa: E402
from astrolava.lava_training import initial_parameters, lava_preset  # noqa: E402
from astrolava.mgd import DeltaMGDConfig  # noqa: E402
from astrolava.mgd.equations import FloatNetwork, NetworkSpec  # noqa: E402
from astrolava.mgd.fixed import FixedNetwork  # noqa: E402
from astrolava.mgd.learner import SampleLearner, accuracy, train_epoch  # noqa: E402
from astrolava.mgd.presets import HIDDEN  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402

OUT = Path(__file__).parent / "results" / "fixed_optimizer.json"
SGD = {"optimizer": "sgd", "eta": 0.01, "momentum_shift": 0, "rms_shift": 0}
"""The optimizer every fixed-point variant starts from: plain SGD at η = 0.01."""


def variant_config(variant: dict, n_train: int) -> DeltaMGDConfig:
    """The fixed_pt rate preset with a variant's overrides (``eta_halving`` in epochs); the
    variant ``{"optimizer": "adam"}`` is the floating_pt preset (the yardstick)."""
    overrides = {key: value for key, value in variant.items() if key != "name"}
    if "eta_halving" in overrides:
        overrides["eta_halving"] = int(round(overrides["eta_halving"] * n_train))
    if overrides.get("optimizer") == "adam":
        return DeltaMGDConfig(**{**lava_preset("rate", "floating_pt"), **overrides})
    return DeltaMGDConfig(**{**lava_preset("rate", "fixed_pt"), **SGD, **overrides})


def run_variant(config: DeltaMGDConfig, X, y, X_test, y_test, epochs: int, seed: int
                ) -> dict:
    """Train a FixedNetwork (a FloatNetwork for Adam) for ``epochs`` and return its
    per-epoch test accuracy."""
    model = build_model("rate", X.shape[1], 10, seed, HIDDEN)
    weights, biases = initial_parameters(model.layers)
    layers = list(zip(weights, biases, strict=True))
    sizes = [X.shape[1], *HIDDEN, 10]
    if config.optimizer == "adam":
        net, Xq, Xq_test = FloatNetwork(layers, NetworkSpec(), config), X, X_test
    else:
        net = FixedNetwork(layers, NetworkSpec(), config)
        Xq, Xq_test = to_fixed(X, X_FRAC), to_fixed(X_test, X_FRAC)
    dtype = np.float64 if config.optimizer == "adam" else np.int64
    learner = SampleLearner(net, sizes, np.zeros((10, sum(HIDDEN)), dtype=dtype))
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
    X, X_test = X.astype(np.float64), X_test.astype(np.float64)  # as Lava's DatasetSource
    for variant in args.variants:
        config = variant_config(variant, len(y))
        result = run_variant(config, X, y, X_test, y_test, args.epochs, args.seed)
        row = {"dataset": args.dataset, "n_train": len(y), "epochs": args.epochs,
               "seed": args.seed, "variant": variant["name"], "config": config.to_dict(),
               **result, "provenance": provenance(started)}
        rows = json.loads(OUT.read_text())["rows"] if OUT.exists() else []
        key = ("dataset", "n_train", "epochs", "seed", "variant")
        rows = [r for r in rows if any(r[k] != row[k] for k in key)] + [row]
        write_json_atomic(OUT, {"rows": rows, "provenance": row["provenance"]})
        plot(rows, OUT.with_suffix(".png"))
        print(f"{args.dataset} n={len(y)} {variant['name']:28s} "
              + " ".join(f"{a:.4f}" for a in result["test_acc_per_epoch"])
              + f"  ({result['seconds']:.0f} s)", flush=True)


def plot(rows: list[dict], path: Path) -> None:
    """Test accuracy per epoch of every variant, one panel per (dataset, training size)."""
    panels: dict[tuple, list[dict]] = {}
    for row in rows:
        panels.setdefault((row["dataset"], row["n_train"]), []).append(row)
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.5), squeeze=False)
    for ax, ((dataset, n_train), runs) in zip(axes[0], panels.items(), strict=True):
        for row in runs:
            accs = row["test_acc_per_epoch"]
            ax.plot(np.arange(1, len(accs) + 1), accs, marker="o", ms=3, label=row["variant"],
                    ls="--" if row["config"]["optimizer"] == "adam" else "-")
        ax.set_title(f"{dataset}, {n_train:,} training samples")
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("fixed-point δ-MGD optimizers (FixedNetwork, seed 0); dashed: float64 Adam")
    save_figure(fig, path, dpi=120)


if __name__ == "__main__":
    main()
