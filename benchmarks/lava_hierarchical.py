"""The hierarchical δ-MGD graph (one process per synapse / layer / astrocyte / cost) with chain
DeltaVecs trained inside Lava, against the fused model on the same config and seed; and
Lava's per-step cost of the graph.

Rows (``benchmarks/results/lava_hierarchical.json``, the row schema of ``lava_dmgd.json``
with ``model = "hierarchical"``), in groups:

* ``digits-rate``: scikit-learn digits 64-128-128-10 tanh, 10 epochs (to convergence),
  floating_pt and fixed_pt;
* ``digits-spiking``: digits 64-128-128-10 LIF (T = 25, a clean and a perturbed pass of T
  Lava steps per sample), 5 epochs, fixed_pt and floating_pt;
* ``fashion-rate``: Fashion-MNIST 784-128-128-10 tanh, one epoch on all 60,000 images,
  tested on all 10,000, floating_pt.

Every row trains the hierarchical graph and the fused model from the same
``build_model(..., seed)`` on the same samples in the same order with the same config:
``lava_preset(network, hierarchical=True)``, the recommended preset's chain DeltaVecs
(``delta_mix`` averaging, exact output δ, rate slopes for LIF) with plain SGD (the optimizer
of the hierarchical graph; its fixed_pt weights equal the fused fixed_pt model's exactly). Besides
the schema's fields a row holds ``fused_test_acc`` (and per epoch) and
``fused_samples_per_s``; ``reference_test_acc`` is the torch ``DeltaMGDLearner`` with the same
config, ``bp_test_acc`` backprop on the same net, seed and epochs (``lava_dmgd.bp_accuracy``).
A row (one group and tag) is written as soon as it is done; a re-started command skips the
rows the JSON holds (``--force`` re-runs them), so an interrupted run resumes at the row it
was in. ``--tags`` runs other tags than a group's own.

``per_step`` (``--only per-step``) measures what bounds the spiking graph's throughput:
the wall time per Lava time step of the hierarchical spiking graph (learning and only
evaluating), of the fused spiking model, and of a chain of as many do-nothing processes as
the hierarchical graph has (``lava_floor/relay.py``), without and with a learning phase in
every step: Lava's own cost of one step of a graph of that size.

Usage::

    nice -n 5 .venv/bin/python benchmarks/lava_hierarchical.py [--only GROUP ...] [--force]
        [--tags floating_pt fixed_pt]
        [--seed 0] [--work runs/lava_hierarchical]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from astrolava.processes.delta_mgd_network import network_run_config  # noqa: E402
from lava_dmgd import bp_accuracy, reference_accuracy  # noqa: E402
from lava_floor.relay import relay_chain  # noqa: E402

from astrolava.checkpoint import lock_output, write_json_atomic  # noqa: E402
from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.lava_training import (  # noqa: E402
    build_network,
    feed_dataset,
    lava_preset,
    train_in_lava,
)
from astrolava.mgd import DeltaMGDConfig  # noqa: E402
from astrolava.mgd.presets import HIDDEN  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402
from astrolava.runtime import LavaSession, sim_config  # noqa: E402

RESULTS = Path(__file__).parent / "results"
OUT = RESULTS / "lava_hierarchical.json"
GROUPS = {
    "digits-rate": ("digits", "rate", 10, ("floating_pt", "fixed_pt")),
    "fashion-rate": ("fashion-mnist", "rate", 1, ("floating_pt",)),
    "digits-spiking": ("digits", "spiking", 5, ("fixed_pt", "floating_pt")),
}
"""``group -> (dataset, network, epochs, tags)``, in the order they run."""
PER_STEP_SAMPLES = 20
"""Samples timed per measurement of the per-step cost."""
PER_STEP_REPEATS = 3
"""Measurements of each per-step cost, interleaved (the least disturbed one, the minimum, is
the cost; the machine is shared)."""


def hierarchical_config(network: str) -> DeltaMGDConfig:
    """The hierarchical graph's preset of ``network``: chain DeltaVecs with SGD
    (``astrolava.lava_training.lava_preset``)."""
    return DeltaMGDConfig(**lava_preset(network, hierarchical=True))


def lava_row(group: str, tag: str, seed: int, references: dict, started: dict, work: Path
             ) -> dict:
    """The row of one group and tag: hierarchical and fused runs, reference and backprop
    (cached per dataset, network and seed in ``references``; backprop also in ``work``)."""
    dataset, network, epochs, _ = GROUPS[group]
    X, y = load_dataset(dataset, "train")
    X_test, y_test = load_dataset(dataset, "test")
    config = hierarchical_config(network)
    key = (dataset, network, seed)
    if key not in references:
        references[key] = (reference_accuracy(X, y, X_test, y_test, epochs, seed, config,
                                              network),
                           bp_accuracy(X, y, X_test, y_test, epochs, seed, network,
                                       work / f"bp_{dataset}_{network}_seed{seed}.json"))
    reference, bp = references[key]
    runs = {}
    for kind in ("hierarchical", "fused"):
        net = build_network(network, X.shape[1], 10, seed, config)
        with progress(total=epochs, desc=f"{group} {kind} {tag}") as bar:
            runs[kind] = train_in_lava(net, X, y, X_test, y_test, epochs, tag,
                                       kind == "hierarchical", seed,
                                       on_epoch=lambda e, acc: bar.update(1))
    hier, fused = runs["hierarchical"], runs["fused"]
    return {"dataset": dataset, "network": network, "model": "hierarchical", "tag": tag,
            "deltavecs": config.deltavecs, "optimizer": config.optimizer, "epochs": epochs,
            "n_train": int(len(y) * epochs), "samples_per_s": hier.samples_per_s,
            "seeds": [seed], "test_acc": hier.test_acc[-1],
            "reference_test_acc": reference[-1], "bp_test_acc": bp[-1],
            "fused_test_acc": fused.test_acc[-1], "fused_samples_per_s": fused.samples_per_s,
            "test_acc_per_epoch": hier.test_acc, "fused_test_acc_per_epoch": fused.test_acc,
            "reference_test_acc_per_epoch": reference, "bp_test_acc_per_epoch": bp,
            "n_refreshes": hier.n_refreshes, "config": config.to_dict(),
            "provenance": provenance(started)}


def graph_ms_per_step(hierarchical: bool, learning: bool, seed: int) -> float:
    """Wall time (ms) per Lava step of the digits spiking net (:func:`hierarchical_config`,
    fixed_pt) over :data:`PER_STEP_SAMPLES` samples, after one untimed sample."""
    X, y = load_dataset("digits", "train")
    n = PER_STEP_SAMPLES + 1
    net = build_network("spiking", X.shape[1], 10, seed, hierarchical_config("spiking"))
    steps = feed_dataset(net, X[:n], y[:n], hierarchical, seed)
    with LavaSession(net, network_run_config("fixed_pt", hierarchical)) as session:
        session.run(steps)
        net.learning.set(np.array([int(learning)]))
        start = time.perf_counter()
        session.run(steps * PER_STEP_SAMPLES)
        elapsed = time.perf_counter() - start
    return 1000 * elapsed / (steps * PER_STEP_SAMPLES)


def relay_ms_per_step(n_processes: int, n_steps: int, learning_phase: bool = False) -> float:
    """Wall time (ms) per Lava step of a chain of ``n_processes`` do-nothing processes
    (``learning_phase``: with an empty learning phase in every step)."""
    chain = relay_chain(n_processes, learning_phase)
    with LavaSession(chain[0], sim_config()) as session:
        session.run(10)
        start = time.perf_counter()
        session.run(n_steps)
        elapsed = time.perf_counter() - start
    return 1000 * elapsed / n_steps


def per_step(seed: int, started: dict) -> dict:
    """Lava's per-step cost of the spiking graphs and of do-nothing graphs of their sizes
    (minimum over :data:`PER_STEP_REPEATS` interleaved measurements)."""
    # DatasetSource, one synapse and one neuron layer per layer, astrocyte, global cost
    n_processes = 1 + 2 * (len(HIDDEN) + 1) + 2
    net = build_network("spiking", 64, 10, seed, hierarchical_config("spiking"))
    steps_per_sample = net.steps_per_sample(hierarchical=True)
    n_steps = steps_per_sample * PER_STEP_SAMPLES
    measures = {"hierarchical_learning": lambda: graph_ms_per_step(True, True, seed),
                "hierarchical_evaluating": lambda: graph_ms_per_step(True, False, seed),
                "fused_learning": lambda: graph_ms_per_step(False, True, seed),
                f"relay_chain_{n_processes}": lambda: relay_ms_per_step(n_processes, n_steps),
                f"relay_chain_{n_processes}_lrn_every_step":
                    lambda: relay_ms_per_step(n_processes, n_steps, learning_phase=True),
                "relay_chain_2": lambda: relay_ms_per_step(2, n_steps)}
    runs: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(PER_STEP_REPEATS):
        for name, measure in measures.items():
            runs[name].append(measure())
    record = {name: min(values) for name, values in runs.items()}
    return {"ms_per_step": record, "ms_per_step_runs": runs, "n_processes": n_processes,
            "steps_per_sample": steps_per_sample,
            "samples_per_s_bound": 1000 / (record[f"relay_chain_{n_processes}"]
                                           * steps_per_sample),
            "provenance": provenance(started)}


def row_key(row: dict) -> tuple:
    """Rows with the same key replace each other."""
    return row["dataset"], row["network"], row["tag"], row["epochs"], tuple(row["seeds"])


def write(out: Path, rows: list[dict], per_step_record: dict | None, started: dict) -> dict:
    """Merge ``rows`` (and the per-step record) into ``out`` atomically, keeping what the file
    holds otherwise; plot; returns the file's content."""
    data = json.loads(out.read_text()) if out.exists() else {"rows": []}
    fresh = {row_key(row) for row in rows}
    data["rows"] = [row for row in data["rows"] if row_key(row) not in fresh] + rows
    order = list(GROUPS)
    data["rows"].sort(key=lambda r: (order.index(group_of(r)), r["tag"] != "floating_pt"))
    if per_step_record is not None:
        data["per_step"] = per_step_record
    data["provenance"] = provenance(started)
    write_json_atomic(out, data)
    plot(data, out.with_suffix(".png"))
    return data


def group_of(row: dict) -> str:
    """The group a row belongs to."""
    return next(name for name, (dataset, network, epochs, _) in GROUPS.items()
                if (dataset, network, epochs) == (row["dataset"], row["network"], row["epochs"]))


def plot(data: dict, path: Path) -> None:
    """Test accuracy of each row (hierarchical, fused, torch reference, backprop) and, if
    measured, the per-step cost of the graphs."""
    rows = data["rows"]
    panels = 2 if "per_step" in data else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4), squeeze=False)
    ax = axes[0, 0]
    names = ("test_acc", "fused_test_acc", "reference_test_acc", "bp_test_acc")
    labels = ("hierarchical (Lava)", "fused (Lava)", "torch reference", "backprop")
    width = 0.8 / len(names)
    x = np.arange(len(rows))
    for i, (name, label) in enumerate(zip(names, labels, strict=True)):
        ax.bar(x + i * width, [row[name] or 0 for row in rows], width, label=label)
    ax.set_xticks(x + 0.4 - width / 2,
                  [f"{r['dataset']}\n{r['network']} {r['tag']}\n{r['epochs']} ep"
                   for r in rows], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("test accuracy")
    ax.set_title("chain DeltaVecs, SGD")
    ax.legend(fontsize=7, loc="lower right")
    if panels == 2:
        ax = axes[0, 1]
        costs = data["per_step"]["ms_per_step"]
        ax.barh(list(costs), list(costs.values()))
        ax.set_xlabel("ms per Lava time step")
        ax.set_title(f"spiking digits, {data['per_step']['steps_per_sample']} steps/sample")
    save_figure(fig, path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[*GROUPS, "per-step"],
                        default=[*GROUPS, "per-step"])
    parser.add_argument("--tags", nargs="+", choices=("floating_pt", "fixed_pt"),
                        help="run these tags in every group (default: the group's own)")
    parser.add_argument("--force", action="store_true",
                        help="re-run rows the JSON already holds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--work", type=Path, default=Path("runs/lava_hierarchical"),
                        help="folder of the run's lock and backprop cache")
    args = parser.parse_args()
    started = run_started(sys.argv)
    references: dict = {}
    with lock_output(args.work):
        if "per-step" in args.only:
            write(args.out, [], per_step(args.seed, started), started)
        for group, (*_, tags) in GROUPS.items():
            if group not in args.only:
                continue
            for tag in args.tags or tags:
                held = json.loads(args.out.read_text())["rows"] if args.out.exists() else []
                if not args.force and any(group_of(row) == group and row["tag"] == tag
                                          and row["seeds"] == [args.seed] for row in held):
                    continue
                row = lava_row(group, tag, args.seed, references, started, args.work)
                print(f"{group} {tag}: hierarchical {row['test_acc']:.4f} "
                      f"({row['samples_per_s']:.1f} samples/s), fused "
                      f"{row['fused_test_acc']:.4f}, reference {row['reference_test_acc']:.4f},"
                      f" backprop {row['bp_test_acc']:.4f}", flush=True)
                write(args.out, [row], None, started)


if __name__ == "__main__":
    main()
