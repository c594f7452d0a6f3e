"""δ-MGD against backprop (and the rest of the MGD family), torch reference, one CPU thread.

Writes ``benchmarks/results/dmgd.json`` (``{"rows": [...], "throughput": {...}}``; one row per
trained network with the issue's schema plus ``train_size``, ``best_test_acc``, ``curve``
and ``config``) and ``benchmarks/results/dmgd.png`` (test accuracy per epoch).

Every row, the throughput and the file carry a ``provenance`` record
(:func:`astrolava.provenance.provenance`): a partial run (``--only``, ``--throughput-only``)
keeps the other rows with their own records, and refuses to keep rows that have none.

Every row of a group (same dataset, network, training-set size and epochs) is compared
with the backprop row of that group, trained in the same run from the same initial weights
on the same data order. ``--ablation`` instead runs the ingredient study of
``docs/experiments/dmgd_ablation.md`` (several seeds, Fashion-MNIST subset) into
``dmgd_ablation.json``.

Usage::

    nice -n 10 .venv/bin/python benchmarks/dmgd.py            # main table (~25 min)
    nice -n 10 .venv/bin/python benchmarks/dmgd.py --ablation # ablation (~10 min)
    # re-run only the main table's Fashion-MNIST rate rows and the throughput, keeping the rest
    nice -n 10 .venv/bin/python benchmarks/dmgd.py --only fashion-mnist rate 60000
    # re-measure only the throughput (seconds), keeping every row
    nice -n 10 .venv/bin/python benchmarks/dmgd.py --throughput-only
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from astrolava.models import build_model  # noqa: E402
from astrolava.models.mgd.trainer import Dataset, make_config, make_learner, train  # noqa: E402

from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.mgd.presets import preset  # noqa: E402
from astrolava.progress import progress, write  # noqa: E402
from astrolava.provenance import provenance, require_provenance, run_started  # noqa: E402

RESULTS = Path(__file__).parent / "results"
BATCH_SIZE = 32


@dataclass(frozen=True)
class Job:
    """One training run: ``label`` names the row, ``method`` the learner."""

    dataset: str
    network: str
    label: str
    method: str
    epochs: int
    train_size: int = 0
    hyper: dict = field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)

    def group(self) -> tuple:
        return (self.dataset, self.network, self.train_size, self.epochs)


PAPER_TEXT = {"deltavecs": "class", "optimizer": "sgd", "eta": 0.03, "delta_mix": 1.0,
              "tau_delta": 100}
"""δ-MGD as the paper's text reads: class DeltaVecs replaced at each refresh, plain SGD."""

SINGLE = {"delta_mix": 1.0, "tau_delta": 100}
"""The ablation was run while the preset replaced the DeltaVecs at each refresh (ρ = 1) every
τδ = 100 samples."""


def _family(dataset: str, network: str, epochs: int, train_size: int = 0,
            seeds: tuple[int, ...] = (0,)) -> list[Job]:
    """BP and the δ-MGD variants (the tuned preset and the paper's text) on one setting."""
    jobs = [Job(dataset, network, "bp", "bp", epochs, train_size, seeds=seeds),
            Job(dataset, network, "delta-mgd", "delta-mgd", epochs, train_size, seeds=seeds)]
    if network == "rate":
        jobs.append(Job(dataset, network, "delta-mgd-paper", "delta-mgd", epochs, train_size,
                        PAPER_TEXT, seeds))
    return jobs


def _others(dataset: str, network: str, epochs: int, train_size: int = 0) -> list[Job]:
    return [Job(dataset, network, m, m, epochs, train_size)
            for m in ("spsa", "mgd", "aligned", "hebbian")]


MAIN_JOBS = [
    *_family("digits", "rate", 20, seeds=(0, 1, 2)), *_others("digits", "rate", 20),
    *_family("digits", "spiking", 20),
    *_family("fashion-mnist", "rate", 20),
    *_others("fashion-mnist", "rate", 5, 10000),
    Job("fashion-mnist", "rate", "bp", "bp", 5, 10000),
    *_family("fashion-mnist", "spiking", 5, 10000)[:2],
]

ABLATION_STEPS = [
    ("bp", "bp", {}),
    ("paper text: class DeltaVecs, SGD", "delta-mgd", PAPER_TEXT),
    ("+ Adam", "delta-mgd", {**SINGLE, "deltavecs": "class"}),
    ("+ exact local output δ", "delta-mgd", {**SINGLE, "deltavecs": "class",
                                             "exact_output": True}),
    ("+ weight decay 1e-4", "delta-mgd", {**SINGLE, "deltavecs": "class", "exact_output": True,
                                          "weight_decay": 1e-4}),
    ("error-weighted DeltaVecs ('output')", "delta-mgd", {**SINGLE, "deltavecs": "output"}),
    ("+ local f'(z) and exact δ_L ('chain')", "delta-mgd", SINGLE),
    ("chain, SGD instead of Adam", "delta-mgd", {**SINGLE, "optimizer": "sgd", "eta": 0.1}),
    ("chain, γ·C0 weighting (γ = 1)", "delta-mgd", {**SINGLE, "gamma": 1.0}),
    ("chain, per-layer ε", "delta-mgd", {**SINGLE, "normalize": "layer"}),
    ("chain, τδ = 1000", "delta-mgd", {**SINGLE, "tau_delta": 1000}),
    ("chain, τδ = 10", "delta-mgd", {**SINGLE, "tau_delta": 10}),
    ("chain, DeltaVecs averaged (ρ = 0.1)", "delta-mgd", {"delta_mix": 0.1, "tau_delta": 100}),
    ("chain, ε = 1e-1", "delta-mgd", {**SINGLE, "epsilon": 0.1}),
]


def load(dataset: str, train_size: int) -> Dataset:
    X, y = load_dataset(dataset, "train")
    X_test, y_test = load_dataset(dataset, "test")
    if train_size:
        X, y = X[:train_size], y[:train_size]
    return Dataset.from_arrays(X, y, X_test, y_test)


def run_job(job: Job, data: Dataset, seed: int) -> dict:
    """Train one network; the row of the results table (without the BP comparison)."""
    hyper = {**preset(job.method, job.network), **job.hyper}
    config = make_config(job.method, **hyper)
    model = build_model(job.network, data.X.shape[1], 10, seed)
    learner = make_learner(job.method, model, config, seed, n_classes=10)
    history = train(learner, data, job.epochs, BATCH_SIZE, seed, diagnostics_size=256,
                    progress=False)
    curve = [r["test_acc"] for r in history]
    seconds = sum(r["seconds"] for r in history)
    return {"dataset": job.dataset, "network": job.network, "method": job.label,
            "test_acc": curve[-1], "best_test_acc": max(curve), "epochs": job.epochs,
            "samples_per_s": len(data.X) * job.epochs / seconds,
            "grad_components": history[-1]["grad_components"],
            "update_ops": history[-1]["update_ops"], "seed": seed,
            "train_size": len(data.X), "curve": curve,
            "diagnostics": history[-1]["diagnostics"], "config": config.to_dict()}


def compare_with_bp(rows: list[dict]) -> None:
    """Fill ``bp_test_acc`` and ``pct_bp = 100·acc/acc_BP`` from the BP row of each group."""
    bp = {(r["dataset"], r["network"], r["train_size"], r["epochs"], r["seed"]): r["test_acc"]
          for r in rows if r["method"] == "bp"}
    for r in rows:
        ref = bp.get((r["dataset"], r["network"], r["train_size"], r["epochs"], r["seed"]))
        r["bp_test_acc"] = ref
        r["pct_bp"] = None if ref is None else 100.0 * r["test_acc"] / ref


def measure_throughput(repeats: int = 20, batches: int = 100) -> dict:
    """Samples/s of BP and δ-MGD at batch 32 on Fashion-MNIST 784-128-128-10, interleaved in
    one process: each of ``repeats`` rounds times one pass of each over the same
    ``32·batches`` samples back to back. ``samples_per_s`` is each method's best round; the
    ratio δ-MGD / BP is given of the bests and as the median (and range) of the per-round
    ratios, which a busy machine disturbs less than either best (both methods of a round see
    about the same load). ``provenance`` records the run, with the machine's load averages
    before and after the rounds."""
    started = run_started()
    data = load("fashion-mnist", BATCH_SIZE * batches)
    learners = {}
    for method in ("bp", "delta-mgd"):
        model = build_model("rate", 784, 10, 0)
        learners[method] = make_learner(method, model,
                                        make_config(method, **preset(method, "rate")), 0)
    best = dict.fromkeys(learners, 0.0)
    ratios = []
    for _ in range(repeats):
        speed = {}
        for method, learner in learners.items():
            start = time.perf_counter()
            for first in range(0, len(data.X), BATCH_SIZE):
                learner.train_batch(data.X[first:first + BATCH_SIZE],
                                    data.y[first:first + BATCH_SIZE])
            speed[method] = len(data.X) / (time.perf_counter() - start)
            best[method] = max(best[method], speed[method])
        ratios.append(speed["delta-mgd"] / speed["bp"])
    return {"batch_size": BATCH_SIZE, "threads": torch.get_num_threads(), "rounds": repeats,
            "samples_per_s": best, "ratio_delta_mgd_to_bp": best["delta-mgd"] / best["bp"],
            "ratio_per_round_median": float(np.median(ratios)),
            "ratio_per_round_range": [min(ratios), max(ratios)],
            "provenance": provenance(started)}


def read_result(parser: argparse.ArgumentParser, name: str) -> dict:
    """The committed ``results/<name>.json`` that ``--only`` / ``--throughput-only`` update,
    or a usage error (``parser.error`` exits with status 2) when it does not exist or holds a
    row without provenance."""
    path = RESULTS / f"{name}.json"
    if not path.exists():
        parser.error(f"{path} does not exist: --only and --throughput-only update an existing "
                     "result; run the full table first (no options)")
    result = json.loads(path.read_text())
    try:
        require_provenance(result["rows"], str(path))
    except ValueError as err:
        parser.error(str(err))
    return result


def merge_rows(old: list[dict], new: list[dict]) -> list[dict]:
    """``old`` with each row replaced by the ``new`` row of the same run (dataset, network,
    method, training-set size, epochs, seed), in place; new runs are appended."""
    def key(r: dict) -> tuple:
        return r["dataset"], r["network"], r["method"], r["train_size"], r["epochs"], r["seed"]

    fresh = {key(r): r for r in new}
    merged = [fresh.pop(key(r), r) for r in old]
    return merged + [r for r in new if key(r) in fresh]


def plot(rows: list[dict], path: Path) -> None:
    groups = sorted({(r["dataset"], r["network"], r["train_size"], r["epochs"]) for r in rows})
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 3.6), squeeze=False)
    for ax, group in zip(axes[0], groups, strict=True):
        for r in rows:
            if (r["dataset"], r["network"], r["train_size"], r["epochs"]) == group:
                epochs = range(1, len(r["curve"]) + 1)
                if r["seed"] == 0:
                    ax.plot(epochs, [100 * a for a in r["curve"]], marker=".",
                            label=r["method"], lw=2.5 if r["method"] in ("bp", "delta-mgd") else 1)
        ax.set_title(f"{group[0]} {group[1]} (n={group[2]}, seed 0)", fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds of every run (default: each job's own)")
    parser.add_argument("--only", nargs=3, metavar=("DATASET", "NETWORK", "TRAIN_SIZE"),
                        default=None, help="re-run only the main table's jobs of this group "
                        "(TRAIN_SIZE as in the rows) and the throughput; the other rows of "
                        "the existing dmgd.json are kept")
    parser.add_argument("--throughput-only", action="store_true",
                        help="re-measure only the BP / δ-MGD throughput into the existing "
                        "dmgd.json (no training runs)")
    args = parser.parse_args()
    if args.throughput_only and (args.ablation or args.only or args.seeds):
        parser.error("--throughput-only trains nothing: it takes none of --ablation, --only "
                     "and --seeds")
    torch.set_num_threads(1)
    started = run_started()
    RESULTS.mkdir(exist_ok=True)
    if args.throughput_only:
        result = read_result(parser, "dmgd")
        result["throughput"] = measure_throughput()
        result["provenance"] = result["throughput"]["provenance"]
        print(json.dumps(result["throughput"]))
        (RESULTS / "dmgd.json").write_text(json.dumps(result, indent=1))
        return
    if args.ablation:
        jobs = [Job("fashion-mnist", "rate", label, method, 5, 10000, hyper, (0, 1))
                for label, method, hyper in ABLATION_STEPS]
        name = "dmgd_ablation"
    else:
        jobs = MAIN_JOBS
        name = "dmgd"
    kept = []
    if args.only and not args.ablation:
        dataset, network, size = args.only[0], args.only[1], int(args.only[2])
        full = {ds: len(load_dataset(ds, "train")[1]) for ds in {job.dataset for job in jobs}}
        jobs = [job for job in jobs if (job.dataset, job.network) == (dataset, network)
                and (job.train_size or full[job.dataset]) == size]
        if not jobs:
            raise ValueError(f"--only {dataset} {network} {size} matches no job of the table")
        kept = read_result(parser, name)["rows"]
    rows, cache = [], {}
    runs = [(job, seed) for job in jobs for seed in (args.seeds or job.seeds)]
    for job, seed in progress(runs, desc=name):
        key = (job.dataset, job.train_size)
        if key not in cache:
            cache[key] = load(*key)
        rows.append(run_job(job, cache[key], seed))
        write(f"{job.dataset} {job.network} {job.label} seed {seed}: "
                   f"{100 * rows[-1]['test_acc']:.2f} % at {rows[-1]['samples_per_s']:.0f}/s")
    record = provenance(started)
    for row in rows:
        row["provenance"] = record
    rows = merge_rows(kept, rows)
    compare_with_bp(rows)
    result = {"rows": rows, "provenance": record}
    if not args.ablation:
        result["throughput"] = measure_throughput()
        print(json.dumps(result["throughput"]))
        plot(rows, RESULTS / f"{name}.png")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))
    for r in rows:
        pct = "" if r["pct_bp"] is None else f"{r['pct_bp']:.1f} % of BP"
        print(f"{r['dataset']:14s} {r['network']:8s} {r['method']:38s} n={r['train_size']:6d} "
              f"ep={r['epochs']:2d} seed={r['seed']} acc={100 * r['test_acc']:.2f} {pct}")


if __name__ == "__main__":
    main()
