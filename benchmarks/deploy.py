"""Deployment benchmark: torch-trained 784-128-128-10 nets on Fashion-MNIST, run as Lava graphs.

Trains a rate (tanh, backprop, MSE to one-hot) and a spiking (LIF, BPTT, rate code over T
steps) network in torch, then evaluates both on the first ``--n-test`` Fashion-MNIST test
images in torch, as a Lava floating_pt graph and as a Lava fixed_pt graph (8-bit weights,
24-bit states) on Lava's CPU simulator. The torch spiking row sees exactly the spikes the Lava
graphs are fed (``encode_spikes`` with the same seed). Lava samples/s counts simulation and
readout, not compilation.

Writes ``benchmarks/results/deploy.json`` ({"rows": [{"model", "backend", "test_acc",
"n_test", "samples_per_s", "provenance"}], "provenance": {...}}, records of
:func:`astrolava.provenance.provenance`) and ``benchmarks/results/deploy.png``.

Usage::

    nice -n 10 .venv/bin/python benchmarks/deploy.py    # about 6 min here (spiking BPTT: 4)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from astrolava.models import RateMLP, SpikingMLP
from astrolava.models.training import train_backprop

from astrolava.data import load_fashion_mnist
from astrolava.deploy import compare_backends, format_table
from astrolava.figures import save_figure
from astrolava.provenance import provenance, run_started

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (784, 128, 128, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="rate net epochs")
    parser.add_argument("--spiking-epochs", type=int, default=3, help="spiking net epochs")
    parser.add_argument("--num-steps", type=int, default=25, help="rate-code length T")
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "deploy.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = run_started()

    X_train, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    X_test, y_test = X_test[:args.n_test], y_test[:args.n_test]
    torch.manual_seed(args.seed)
    rate = RateMLP(SIZES)
    train_backprop(rate, X_train, y_train, epochs=args.epochs, batch_size=32, lr=1e-3,
                   seed=args.seed)
    spiking = SpikingMLP(SIZES, beta=0.9, threshold=1.0, num_steps=args.num_steps)
    train_backprop(spiking, X_train, y_train, epochs=args.spiking_epochs, batch_size=64,
                   lr=1e-3, seed=args.seed)

    rows = []
    for model in (rate, spiking):
        rows += compare_backends(model, X_test, y_test, seed=args.seed)
        print(format_table(rows), flush=True)
    record = provenance(started)
    for row in rows:
        row["provenance"] = record
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "provenance": record}, indent=2) + "\n")
    plot(rows, args.out.with_suffix(".png"))
    print(f"wrote {args.out}")


def plot(rows: list[dict], path: Path) -> None:
    """Accuracy and throughput per model and backend, side by side."""
    fig, (acc_ax, speed_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    labels = [f"{r['model']}\n{r['backend']}" for r in rows]
    colors = [{"torch": "tab:gray", "lava-float": "tab:blue", "lava-fixed": "tab:orange"}[
        r["backend"]] for r in rows]
    acc_ax.bar(labels, [100 * r["test_acc"] for r in rows], color=colors)
    low = min(100 * r["test_acc"] for r in rows)
    acc_ax.set_ylim(max(0.0, low - 5), 100 * max(r["test_acc"] for r in rows) + 2)
    acc_ax.set_ylabel(f"test accuracy (%), n = {rows[0]['n_test']}")
    for i, r in enumerate(rows):
        acc_ax.text(i, 100 * r["test_acc"], f"{100 * r['test_acc']:.1f}", ha="center",
                    va="bottom", fontsize=8)
    speed_ax.bar(labels, [r["samples_per_s"] for r in rows], color=colors)
    speed_ax.set_yscale("log")
    speed_ax.set_ylabel("samples / s (log)")
    for ax in (acc_ax, speed_ax):
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("784-128-128-10 on Fashion-MNIST: torch vs Lava CPU simulator")
    save_figure(fig, path, dpi=120)


if __name__ == "__main__":
    main()
