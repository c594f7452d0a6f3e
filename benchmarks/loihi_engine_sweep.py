"""Parameter sweep of the learning-engine hidden net in its reference (Loihi formats), scored on
a validation split carved from the training data, never on the test split.

Splits (:func:`validation_split`):

* ``digits``: the training split (1,347 images) divided 80 / 20, stratified
  (scikit-learn ``train_test_split``, ``random_state=0``): 1,077 images to learn, 270 to score;
* ``fashion-mnist``: the benchmark's first 10,000 training images to learn, the training
  images 50,000-59,999 to score.

Every configuration is the benchmark's parameters (``engine_params``) with the grid's values
replaced; it is trained for ``--epochs`` epochs per seed with the benchmark's initial weights
and sample orders, and scored after every epoch. Its record (parameters, validation accuracy
per seed and epoch) is appended to ``benchmarks/results/loihi_engine_sweep.json`` as soon as
it is done, so a re-started command skips what the file holds. Grid values: numbers; for
``eta_halvings`` and ``shift_raises`` the epochs joined by ``+`` (``-`` for none). Usage::

    nice -n 10 .venv/bin/python benchmarks/loihi_engine_sweep.py --dataset digits \\
        --seeds 0 1 2 --epochs 4 --grid eta=500,1000,2000 eta_halvings=-,2,1+2
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, fields, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from astrolava.models.mgd.loihi_engine import (  # noqa: E402
    EngineParams,
    EngineReference,
    engine_params,
    initial_weights,
)
from loihi_engine import N_TRAIN, epoch_order  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.mgd.engine import EngineNeurons  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402

OUT = Path(__file__).parent / "results" / "loihi_engine_sweep.json"
NEURON_KEYS = {f.name for f in fields(EngineNeurons)}
PARAM_KEYS = {f.name for f in fields(EngineParams)} - {"neurons", "hidden", "pass_steps"}
FASHION_VALIDATION = slice(50_000, 60_000)
"""Training images that score Fashion-MNIST configurations (the benchmark learns the first
10,000)."""


def validation_split(dataset: str) -> tuple[np.ndarray, ...]:
    """``(X_fit, y_fit, X_val, y_val)`` of ``dataset``, all from its training split."""
    X, y = load_dataset(dataset, "train")
    if dataset == "digits":
        X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.2, random_state=0,
                                                      stratify=y)
        return X_fit, y_fit, X_val, y_val
    n_fit = N_TRAIN[dataset]
    return X[:n_fit], y[:n_fit], X[FASHION_VALIDATION], y[FASHION_VALIDATION]


EPOCH_KEYS = ("eta_halvings", "shift_raises")
"""Parameters that name epochs (grid values: epochs joined by ``+``, ``-`` for none)."""


def parse_value(key: str, text: str) -> int | float | tuple[int, ...]:
    """A grid value: :data:`EPOCH_KEYS` as epochs joined by ``+`` (``-``: none), else a
    number."""
    if key in EPOCH_KEYS:
        return () if text == "-" else tuple(int(e) for e in text.split("+"))
    number = float(text)
    return int(number) if number.is_integer() and key != "eta" else number


def parse_grid(items: list[str]) -> dict[str, list]:
    """``["eta=500,1000", ...]`` -> ``{"eta": [500.0, 1000.0], ...}``.

    Raises
    ------
    ValueError
        For an item without ``=`` or a key that is not a parameter of ``EngineParams`` or
        ``EngineNeurons``.
    """
    grid = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or key not in PARAM_KEYS | NEURON_KEYS:
            raise ValueError(f"grid item {item!r} must be KEY=V1,V2 with KEY one of "
                             f"{sorted(PARAM_KEYS | NEURON_KEYS)}")
        grid[key] = [parse_value(key, v) for v in values.split(",")]
    return grid


def with_config(base: EngineParams, config: dict) -> EngineParams:
    """``base`` with the configuration's parameters and LIF registers replaced."""
    neurons = replace(base.neurons, **{k: v for k, v in config.items() if k in NEURON_KEYS})
    return replace(base, neurons=neurons,
                   **{k: v for k, v in config.items() if k in PARAM_KEYS})


def score(params: EngineParams, split: tuple[np.ndarray, ...], seeds: list[int],
          epochs: int) -> list[list[float]]:
    """Validation accuracy after every epoch, one list per seed."""
    X_fit, y_fit, X_val, y_val = split
    per_seed = []
    for seed in seeds:
        ref = EngineReference(initial_weights(params.sizes(X_fit.shape[1], 10), seed), params,
                              seed=seed)
        accs = []
        for epoch in range(epochs):
            ref.train(X_fit, y_fit, epoch_order(len(y_fit), seed, epoch), epoch)
            accs.append(ref.accuracy(X_val, y_val))
        per_seed.append(accs)
    return per_seed


def describe(params: EngineParams) -> str:
    """The swept parameters in one line (η, ε, η halvings, hidden-layer η shift, thresholds,
    τδ, update shift and its raises)."""
    halvings = "+".join(map(str, params.eta_halvings)) or "-"
    raises = "+".join(map(str, params.shift_raises))
    return (f"η {params.eta:g}, ε {params.epsilon:g}, halved {halvings}, "
            f"hidden η·2^{params.hidden_eta_shift}, ϑ {params.neurons.hidden_vth}/"
            f"{params.neurons.output_vth}, τδ {params.tau_delta}, ΔW/2^{params.update_shift}"
            + (f" raised {raises}" if raises else ""))


def record_key(record: dict) -> str:
    return json.dumps([record["dataset"], record["params"], record["seeds"],
                       record["epochs"]], sort_keys=True)


def plot(records: list[dict], path: Path, top: int = 6) -> None:
    """Mean validation accuracy per epoch of each dataset's ``top`` configurations among those
    scored over the most seeds."""
    datasets = sorted({r["dataset"] for r in records})
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 3.6),
                             squeeze=False)
    for ax, dataset in zip(axes[0], datasets, strict=True):
        mine = [r for r in records if r["dataset"] == dataset]
        seeds = max(len(r["seeds"]) for r in mine)
        mine = [r for r in mine if len(r["seeds"]) == seeds]
        for r in sorted(mine, key=lambda r: -r["val_acc"])[:top]:
            curve = 100 * np.mean(r["val_acc_per_seed"], axis=0)
            ax.plot(np.arange(1, len(curve) + 1), curve, marker="o", label=r["label"])
        ax.set_title(f"{dataset}: {top} best of {len(mine)} scored over {seeds} seed(s)",
                     fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy (%)")
        ax.legend(fontsize=6)
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=sorted(N_TRAIN), default="digits")
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--grid", nargs="*", default=[],
                        help="KEY=V1,V2 ... (EngineParams / EngineNeurons fields)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = run_started()
    grid = parse_grid(args.grid)
    split = validation_split(args.dataset)
    base = engine_params((args.hidden,), args.dataset)
    old = json.loads(args.out.read_text()) if args.out.exists() else {"records": []}
    done = {record_key(r) for r in old["records"]}
    records, new = old["records"], []
    for values in progress(list(itertools.product(*grid.values())), desc="configurations"):
        config = dict(zip(grid, values, strict=True))
        params = with_config(base, config)
        record = {"dataset": args.dataset, "params": asdict(params), "seeds": args.seeds,
                  "epochs": args.epochs}
        if record_key(json.loads(json.dumps(record))) in done:
            continue
        per_seed = score(params, split, args.seeds, args.epochs)
        label = describe(params)
        record.update(label=label, n_fit=len(split[1]), n_val=len(split[3]),
                      val_acc=float(np.mean([accs[-1] for accs in per_seed])),
                      val_acc_per_seed=per_seed)
        print(f"{args.dataset} {label}: validation {record['val_acc']:.4f} "
              f"(per epoch {np.round(np.mean(per_seed, axis=0), 4).tolist()})", flush=True)
        new.append(record)
        stamp = provenance(started)  # one record per command: its records share it
        for done_now in new:
            done_now["provenance"] = stamp
        args.out.write_text(json.dumps({"records": records + new, "provenance": stamp},
                                       indent=1) + "\n")
    plot(records + new, args.out.with_suffix(".png"))


if __name__ == "__main__":
    main()
