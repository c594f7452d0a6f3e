"""The δ-MGD paper's Table II on Fashion-MNIST (tanh nets 784-128-128-10 and
784-1024-1024-10): best-of-sweep δ-MGD and backprop, three seeds at the best configuration,
as ``astrolava sweep`` runs them on Ray Tune (one Ray CPU, one torch thread per trial).

Writes ``benchmarks/results/table2.json`` (one row per net, the throughput measured first and
the protocol's projected cost) and ``benchmarks/results/table2.png``. The Tune experiments and
checkpoints live under ``--work`` (default ``runs/table2``, git-ignored); running the script
again continues them (``astrolava sweep --resume``), so an interrupted run loses at most the
current epoch of each trial. The JSON is written after the throughput and after each net, and
each row says whether its sweep is complete.

Protocol (:data:`NETS`): 20 epochs, batch 32, Adam; δ-MGD grid η × τδ, backprop grid η;
selection by the final test accuracy of seed 0 (the paper: "the best of their performances
over a relevant hyperparameter sweep"); seeds 0, 1, 2 at the best configuration on the full
60 000 training samples. The 1024-wide net's search stage trains on the first 10 000 samples
(:data:`NETS` says so per net) to fit the compute here; its seed runs use all 60 000.

Usage::

    nohup nice -n 5 .venv/bin/python benchmarks/table2.py --work runs/table2 &
    .venv/bin/python benchmarks/table2.py --throughput-only   # samples/s and projected cost
    .venv/bin/python benchmarks/table2.py --nets 128x128      # one net
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from astrolava.models import build_model  # noqa: E402
from astrolava.models.mgd.trainer import make_config, make_learner  # noqa: E402

from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.mgd.presets import preset  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402
from astrolava.sweep import SweepSpec, format_set, run_sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
EPOCHS = 20
SEEDS = (0, 1, 2)
GRID = {"eta": [3e-4, 1e-3, 3e-3], "tau_delta": [100, 500]}
"""δ-MGD: η × τδ (6 configurations); backprop takes the η entries (3); the other
hyper-parameters are the presets' (astrolava.mgd.presets)."""
NETS = {"128x128": {"hidden": (128, 128), "search_train_size": 0},
        "1024x1024": {"hidden": (1024, 1024), "search_train_size": 10000}}
"""Hidden widths and the search stage's training-set size (0: all 60 000) of each net."""
PAPER = {"128x128": {"bp": 0.879, "delta-mgd": 0.872, "pct_bp": 99.2},
         "1024x1024": {"bp": 0.880, "delta-mgd": 0.888, "pct_bp": 100.9}}
"""Table II of the δ-MGD paper, Fashion-MNIST rows."""
FULL_TRAIN = 60000


def spec_of(net: str) -> SweepSpec:
    return SweepSpec(method="delta-mgd", dataset="fashion-mnist", network="rate", grid=GRID,
                     seeds=SEEDS, epochs=EPOCHS, hidden=NETS[net]["hidden"],
                     search_train_size=NETS[net]["search_train_size"], baseline="bp")


def measure_throughput(batches: int = 40, rounds: int = 3) -> dict:
    """Training samples/s at batch 32, one torch thread, of backprop and δ-MGD (presets) on
    each net, on the first ``32·batches`` Fashion-MNIST samples; best of ``rounds``
    interleaved rounds."""
    X, y = load_dataset("fashion-mnist", "train")
    X = torch.as_tensor(X[:32 * batches], dtype=torch.float32)
    y = torch.as_tensor(y[:32 * batches], dtype=torch.int64)
    speed = {}
    for net, setting in NETS.items():
        learners = {m: make_learner(m, build_model("rate", 784, 10, 0, hidden=setting["hidden"]),
                                    make_config(m, **preset(m, "rate")), 0)
                    for m in ("bp", "delta-mgd")}
        best = dict.fromkeys(learners, 0.0)
        for _ in range(rounds):
            for method, learner in learners.items():
                start = time.perf_counter()
                for first in range(0, len(X), 32):
                    learner.train_batch(X[first:first + 32], y[first:first + 32])
                best[method] = max(best[method], len(X) / (time.perf_counter() - start))
        speed[net] = best
    return {"batch_size": 32, "threads": torch.get_num_threads(), "samples_per_s": speed}


def projected_cost(speed: dict) -> dict:
    """Core-hours of the protocol at the measured samples/s (training only; evaluation and
    Ray's start-up are extra): search runs at the search size, seed runs at full size."""
    cost = {}
    for net, setting in NETS.items():
        search = setting["search_train_size"] or FULL_TRAIN
        seed_runs = len(SEEDS) - 1 if search == FULL_TRAIN else len(SEEDS)
        configs = {"delta-mgd": len(GRID["eta"]) * len(GRID["tau_delta"]),
                   "bp": len(GRID["eta"])}
        hours = {m: EPOCHS * (n * search + seed_runs * FULL_TRAIN) / speed[net][m] / 3600
                 for m, n in configs.items()}
        cost[net] = {"runs": {m: n + seed_runs for m, n in configs.items()},
                     "core_hours": hours, "total_core_hours": sum(hours.values())}
    return cost


def row_of(net: str, result: dict) -> dict:
    """One Table II row from a finished sweep."""
    methods = result["methods"]
    return {"net": net, "hidden": list(NETS[net]["hidden"]), "complete": True,
            "search_train_size": NETS[net]["search_train_size"] or FULL_TRAIN,
            **{m: {"best": methods[m]["best_set"], "seeds": methods[m]["seeds"],
                   "test_acc": methods[m]["test_acc"], "mean": methods[m]["mean"],
                   "sd": methods[m]["sd"],
                   "search": [{"set": t["set"], "test_acc": t["test_acc"],
                               "status": t["status"]} for t in methods[m]["search"]]}
               for m in ("bp", "delta-mgd")},
            "pct_bp": result["pct_bp"], "paper": PAPER[net], "compute": result["compute"],
            "provenance": result["provenance"]}


def progress_of(work: Path) -> dict:
    """Per net and Tune experiment, every trial found under ``work``: its hyper-parameters,
    seed, training-set size, the epochs its checkpoint holds and its last test accuracy (read
    from the trials' ``metrics.jsonl`` and Tune's ``params.json``; nothing is run)."""
    progress = {}
    for net in NETS:
        for params in sorted((work / net / "tune").glob("*/run_trial_*/params.json")):
            config = json.loads(params.read_text())
            trial_id = re.match(r"run_trial_([0-9a-f]+_\d+)_", params.parent.name).group(1)
            metrics = Path(config["trials"]) / trial_id / "metrics.jsonl"
            lines = metrics.read_text().splitlines() if metrics.exists() else []
            progress.setdefault(net, {}).setdefault(params.parent.parent.name, []).append(
                {"set": config["set"], "seed": config["seed"],
                 "train_size": config["train_size"] or FULL_TRAIN,
                 "epochs_done": len(lines), "epochs": config["epochs"],
                 "test_acc": json.loads(lines[-1])["test_acc"] if lines else None})
    return progress


def plot(result: dict, path: Path) -> None:
    """Test accuracy (mean ± sd over seeds) of backprop and δ-MGD per net, with the paper's
    values as black ticks and every search trial as a dot."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for i, net in enumerate(NETS):
        row = next((r for r in result["rows"] if r["net"] == net), None)
        for j, method in enumerate(("bp", "delta-mgd")):
            x = 3 * i + j
            ax.plot([x - 0.35, x + 0.35], [100 * PAPER[net][method]] * 2, "k-", lw=2)
            if row is None:
                continue
            m = row[method]
            if m["mean"] is not None:
                ax.bar(x, 100 * m["mean"], yerr=100 * (m["sd"] or 0), color=f"C{j}",
                       capsize=4, label=method if i == 0 else None)
            accs = [100 * t["test_acc"] for t in m["search"] if t["test_acc"] is not None]
            ax.plot([x] * len(accs), accs, ".", color="0.3")
    ax.set_xticks([0.5, 3.5], [f"784-{n.replace('x', '-')}-10" for n in NETS])
    ax.set_ylim(80, 91)
    ax.set_ylabel("Fashion-MNIST test accuracy (%)")
    ax.set_title("Table II: seeds at the best config (bars), search (dots), paper (—)",
                 fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    save_figure(fig, path)


def write(result: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "table2.json").write_text(json.dumps(result, indent=1))
    plot(result, RESULTS / "table2.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "table2",
                        help="folder of the sweeps (Tune experiments, checkpoints)")
    parser.add_argument("--nets", nargs="+", choices=tuple(NETS), default=list(NETS))
    parser.add_argument("--num-cpus", type=int, default=1, help="CPUs of the local Ray")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--status", action="store_true",
                        help="only record the trials done so far in --work (JSON 'progress'); "
                             "safe while a run is going on")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = run_started()
    path = RESULTS / "table2.json"
    result = json.loads(path.read_text()) if path.exists() else {"rows": []}
    result["protocol"] = {"epochs": EPOCHS, "seeds": list(SEEDS), "batch_size": 32,
                          "grid": GRID, "nets": {n: {"hidden": list(s["hidden"]),
                                                     "search_train_size":
                                                         s["search_train_size"] or FULL_TRAIN}
                                                 for n, s in NETS.items()},
                          "selection": "final test accuracy of seed 0 in the search stage",
                          "paper": PAPER,
                          "ray_cpus": args.num_cpus, "torch_threads": 1}
    if args.status:
        result["progress"] = {"snapshot": provenance(started),
                              "trials": progress_of(args.work.resolve())}
        write(result)
        print(json.dumps(result["progress"]["trials"], indent=1))
        return
    result.pop("progress", None)
    result["throughput"] = measure_throughput()
    result["projected_cost"] = projected_cost(result["throughput"]["samples_per_s"])
    result["throughput"]["provenance"] = provenance(started)
    print(json.dumps({"throughput": result["throughput"]["samples_per_s"],
                      "projected_cost": result["projected_cost"]}, indent=1))
    result["complete"] = all(any(r["net"] == n and r["complete"] for r in result["rows"])
                             for n in NETS)
    write(result)
    if args.throughput_only:
        return
    for net in args.nets:
        work = args.work.resolve() / net
        sweep = run_sweep(spec_of(net), work, num_cpus=args.num_cpus,
                          resume=(work / "tune").exists(), verbose=1)
        result["rows"] = [r for r in result["rows"] if r["net"] != net] + [row_of(net, sweep)]
        result["rows"].sort(key=lambda r: list(NETS).index(r["net"]))
        result["complete"] = all(any(r["net"] == n for r in result["rows"]) for n in NETS)
        result["provenance"] = provenance(started)
        write(result)
        for m in ("bp", "delta-mgd"):
            acc = sweep["methods"][m]
            print(f"{net} {m}: {format_set(acc['best_set'])} -> "
                  f"{100 * np.mean(acc['test_acc']):.2f} % over seeds {acc['seeds']}")


if __name__ == "__main__":
    main()
