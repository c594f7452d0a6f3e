"""δ-MGD trained inside Lava vs the torch reference: accuracy and training samples/s.

Rows (``benchmarks/results/lava_dmgd.json``), in groups (``--only`` re-runs some groups and
replaces their rows in the JSON, keeping the others):

* ``digits``: scikit-learn digits 64-128-128-10 tanh, ``--digits-epochs`` epochs (to
  convergence), fused floating_pt and fixed_pt;
* ``hierarchical``: digits, the hierarchical graph (one process per synapse / layer /
  astrocyte / cost), floating_pt and fixed_pt, one epoch;
* ``hierarchical-spiking``: digits 64-128-128-10 LIF (T = 25), the hierarchical graph
  (``LIFLayer`` neurons; a clean and a perturbed pass of T steps per sample), floating_pt
  and fixed_pt, one epoch;
* ``spiking``: digits 64-128-128-10 LIF (T = 25), ``--spiking-epochs`` epochs, fused
  floating_pt and fixed_pt;
* ``fashion``: Fashion-MNIST 784-128-128-10 tanh, one epoch, fused floating_pt and fixed_pt;
* ``fashion-full``: the same on all 60,000 training images for ``--fashion-epochs`` epochs
  (20), tested on all 10,000 after every epoch; ``--tags`` picks the models. These runs
  take tens of minutes: with ``--checkpoint-dir`` each run writes its state after every
  epoch (``astrolava.lava_training.save_training_state``) and a re-started command resumes
  from the last epoch written.

Every row also holds ``bp_test_acc`` (and per epoch): backprop on the same net, seed and
epochs (``astrolava.models.training.train_backprop``: Adam at 10⁻³, batch 32, squared error,
shuffled by the seed), the yardstick of the issue-11 goals; ``deltavecs`` and ``optimizer``
repeat the row's config.

Each row uses ``lava_preset(network, tag, hierarchical)``: the recommended presets (chain
DeltaVecs, Adam, ``delta_mix``, exact output δ; spiking: rate slopes, ε = 3, h = 1) on the
fused floating_pt models, the same with ``FIXED_OPTIMIZER`` (rate: the learning-engine
optimizer ``"engine"``; spiking: SGD) on the fused fixed_pt models, the same with
``HIERARCHICAL_OPTIMIZER`` (SGD) on the hierarchical graphs (whose chain rows, against the
fused model, ``benchmarks/lava_hierarchical.py`` writes; the class-DeltaVec hierarchical rows
kept here record their config); ``--set NAME=VALUE`` replaces preset
fields (e.g. ``--set eta=1e-4``) in every row of the command; the row's ``config`` records
what ran. Rows are keyed by (dataset, network, model, tag, epochs, DeltaVecs, optimizer, η,
weight headroom, decay), so a re-run replaces its own row and keeps those of other settings.
The torch δ-MGD reference (SGD and Adam only; ``null`` for the ``"engine"`` rows and with
``--no-reference``) is ``astrolava.models.mgd.DeltaMGDLearner`` with the same config, initial
weights and sample order (batch 1, no shuffling), evaluated on the same test set (spiking: a
Bernoulli rate code of the same rates, drawn by the reference's own generator). Every run
starts from ``build_model(..., seed)``.

Every row records the seeds it ran with in ``seeds`` and the run that produced it in
``provenance`` (:func:`astrolava.provenance.provenance`; there is no file-wide seed:
``--only`` keeps rows from earlier runs, and refuses to keep a row without provenance); the
file's ``provenance`` is the run that last wrote it. ``--seeds S ...`` runs every row once
per seed (initial weights, rate code) and writes one row per model with the mean over the seeds in
``test_acc`` / ``reference_test_acc`` / ``samples_per_s`` and, per seed,
``test_acc_per_seed``, ``reference_test_acc_per_seed``, with the sample standard deviations
``test_acc_sd`` and ``reference_test_acc_sd`` (spiking rows: the spike draws vary a lot).
Usage::

    nice -n 10 .venv/bin/python benchmarks/lava_dmgd.py [--quick] [--only GROUP ...]
        [--seeds 0 1 2] [--tags floating_pt fixed_pt] [--checkpoint-dir DIR] [--no-reference]
        [--set eta=1e-4 ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from astrolava.models import build_model  # noqa: E402
from astrolava.models.mgd import DeltaMGDLearner  # noqa: E402
from astrolava.models.training import evaluate, train_backprop  # noqa: E402

from astrolava.checkpoint import lock_output, write_json_atomic  # noqa: E402
from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.lava_training import build_network, lava_preset, train_in_lava  # noqa: E402
from astrolava.mgd import DeltaMGDConfig, preset  # noqa: E402
from astrolava.mgd.config import OPTIMIZERS  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, require_provenance, run_started  # noqa: E402

GROUPS = ("digits", "hierarchical", "hierarchical-spiking", "spiking", "fashion",
          "fashion-full")
TAGS = ("floating_pt", "fixed_pt")
BP_BATCH = 32
"""Batch size of the backprop yardstick (the project's backprop setting, ``benchmarks/dmgd.py``)."""

RESULTS = Path(__file__).parent / "results"


def reference_accuracy(X, y, X_test, y_test, epochs: int, seed: int,
                       config: DeltaMGDConfig, network: str) -> list[float]:
    """Test accuracy after each epoch of the torch reference (batch 1, data in order)."""
    model = build_model(network, X.shape[1], 10, seed)
    learner = DeltaMGDLearner(model, config, seed=seed)
    Xt, yt = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.int64))
    accs = []
    for _ in range(epochs):
        for i in progress(range(len(y)), desc="torch reference", leave=False, mininterval=2):
            learner.train_batch(Xt[i:i + 1], yt[i:i + 1])
        accs.append(evaluate(model, X_test, y_test))
    return accs


def bp_accuracy(X, y, X_test, y_test, epochs: int, seed: int, network: str = "rate",
                cache: Path | None = None) -> list[float]:
    """Test accuracy after each epoch of backprop on ``build_model(network, ..., seed)``
    (``bp`` preset: Adam at 10⁻³, squared error; batches of :data:`BP_BATCH`, shuffled by
    the seed), read from the JSON ``cache`` if it holds this many epochs, else trained (and
    written there)."""
    if cache is not None and cache.exists():
        accs = json.loads(cache.read_text())
        if len(accs) >= epochs:
            return accs[:epochs]
    model = build_model(network, X.shape[1], 10, seed)
    hyper = preset("bp", network)
    history = train_backprop(model, X, y, epochs, batch_size=BP_BATCH, lr=hyper["eta"], seed=seed,
                             optimizer=hyper["optimizer"], loss="mse", X_test=X_test,
                             y_test=y_test, progress=False)
    accs = [record["test_acc"] for record in history["epochs"]]
    if cache is not None:
        write_json_atomic(cache, accs)
    return accs


def lava_row(dataset, X, y, X_test, y_test, epochs, tag, hierarchical, seeds, references,
             network="rate", options=None):
    """One row: the Lava model trained once per seed, with the mean over ``seeds`` (see the
    module docstring); ``references`` caches the reference's per-epoch accuracies per
    ``(dataset, network, config, seed)`` and backprop's per ``("backprop", dataset, network,
    seed)``; ``options``: ``checkpoint_dir`` and ``reference``
    (False: no torch reference) and ``overrides`` (``DeltaMGDConfig`` fields replacing the
    preset's)."""
    runs = [lava_run(dataset, X, y, X_test, y_test, epochs, tag, hierarchical, seed,
                     references, network, options or {}) for seed in seeds]
    row = dict(runs[0])
    if len(runs) == 1:
        return {**row, "seeds": list(seeds)}
    for name in ("test_acc", "reference_test_acc", "bp_test_acc"):
        values = [run[name] for run in runs]
        if None in values:  # not run
            continue
        row[name] = float(np.mean(values))
        row[f"{name}_sd"] = float(np.std(values, ddof=1))
        row[f"{name}_per_seed"] = values
        del row[f"{name}_per_epoch"]
        row[f"{name}_per_epoch_mean"] = np.mean([run[f"{name}_per_epoch"] for run in runs],
                                                axis=0).tolist()
    row["samples_per_s"] = float(np.mean([run["samples_per_s"] for run in runs]))
    row["seeds"] = list(seeds)
    return row


def lava_run(dataset, X, y, X_test, y_test, epochs, tag, hierarchical, seed, references,
             network="rate", options=None):
    """Train one Lava model from ``build_model(..., seed)``, and the reference and backprop if
    not cached (``options`` as in :func:`lava_row`)."""
    options = options or {}
    config = DeltaMGDConfig(**{**lava_preset(network, tag, hierarchical),
                               **options.get("overrides", {})})
    net = build_network(network, X.shape[1], 10, seed, config)
    kind = "hierarchical" if hierarchical else "fused"
    folder = options.get("checkpoint_dir")
    name = f"{dataset}_{network}_{kind}_{tag}_{config.optimizer}_seed{seed}"
    checkpoint = None if folder is None or hierarchical else folder / f"{name}.ckpt"
    with progress(total=epochs, desc=f"{dataset} {network} {kind} {tag}") as bar:
        run = train_in_lava(net, X, y, X_test, y_test, epochs, tag, hierarchical, seed,
                            on_epoch=lambda e, acc: bar.update(1), checkpoint=checkpoint)
    key = (dataset, network, config, seed)
    # the torch reference runs SGD and Adam only (not the fixed_pt "engine" optimizer)
    if options.get("reference", True) and config.optimizer in OPTIMIZERS \
            and len(references.get(key, [])) < epochs:
        references[key] = reference_accuracy(X, y, X_test, y_test, epochs, seed, config,
                                             network)
    reference = references[key][:epochs] if key in references else None
    bp_cache = None if folder is None else folder / f"bp_{dataset}_{network}_seed{seed}.json"
    bp_key = ("backprop", dataset, network, seed)
    if len(references.get(bp_key, [])) < epochs:
        references[bp_key] = bp_accuracy(X, y, X_test, y_test, epochs, seed, network, bp_cache)
    bp = references[bp_key][:epochs]
    return {"dataset": dataset, "network": network, "model": kind, "tag": tag,
            "deltavecs": config.deltavecs, "optimizer": config.optimizer,
            "test_acc": run.test_acc[-1],
            "reference_test_acc": None if reference is None else reference[-1],
            "bp_test_acc": bp[-1], "samples_per_s": run.samples_per_s,
            "n_train": int(len(y) * epochs), "epochs": epochs,
            "test_acc_per_epoch": run.test_acc, "reference_test_acc_per_epoch": reference,
            "bp_test_acc_per_epoch": bp, "config": config.to_dict()}


def row_key(row: dict) -> tuple:
    """Rows with the same key replace each other."""
    return (row["dataset"], row.get("network", "rate"), row["model"], row["tag"], row["epochs"],
            row["config"]["deltavecs"], row["config"]["optimizer"], row["config"]["eta"],
            row["config"].get("weight_headroom_shift", 1), row["config"].get("decay_shift", 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits-epochs", type=int, default=10)
    parser.add_argument("--spiking-epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="run each row once per seed; rows hold the mean (and sd)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS),
                        help="groups to run; their rows replace those in the existing JSON")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 Fashion-MNIST samples and 2 digits epochs (smoke run)")
    parser.add_argument("--fashion-epochs", type=int, default=20,
                        help="epochs of the fashion-full group")
    parser.add_argument("--tags", nargs="+", choices=TAGS, default=list(TAGS),
                        help="models to run")
    parser.add_argument("--checkpoint-dir", type=Path, default=None,
                        help="write each fused run's state there after every epoch and resume "
                             "from it (locked while the command runs); also caches backprop")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the torch δ-MGD reference (reference_test_acc: null)")
    parser.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE",
                        type=config_override,
                        help="DeltaMGDConfig fields replacing the preset's in every row run "
                             "(values parsed as JSON, e.g. eta=1e-4)")
    parser.add_argument("--fill-yardsticks", action="store_true",
                        help="run nothing; give the rows of the JSON that lack them deltavecs, "
                             "optimizer and backprop on their net, seeds and epochs")
    args = parser.parse_args()
    if args.fill_yardsticks:
        torch.set_num_threads(1)
        out = RESULTS / "lava_dmgd.json"
        data = json.loads(out.read_text())
        fill_yardsticks(data["rows"])
        write_json_atomic(out, data)
        for row in data["rows"]:
            print(summary(row))
        return
    if args.checkpoint_dir is not None:
        with lock_output(args.checkpoint_dir):
            run_groups(args, parser)
    else:
        run_groups(args, parser)


def run_groups(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Run the groups ``args.only`` and merge their rows into the results JSON."""
    torch.set_num_threads(1)
    started = run_started()
    out = RESULTS / ("lava_dmgd_quick.json" if args.quick else "lava_dmgd.json")
    previous = json.loads(out.read_text())["rows"] \
        if out.exists() and set(args.only) != set(GROUPS) else []
    try:
        # before hours of training, not after; rows of the groups re-run are replaced anyway
        require_provenance([row for row in previous if group_of(row) not in args.only],
                           str(out))
    except ValueError as err:
        parser.error(str(err))
    rows = []
    (X, y), (Xt, yt) = (load_dataset("digits", s) for s in ("train", "test"))
    X, Xt = X.astype(np.float64), Xt.astype(np.float64)
    digits_epochs = 2 if args.quick else args.digits_epochs
    spiking_epochs = 1 if args.quick else args.spiking_epochs
    references: dict = {}
    tags = args.tags
    options = {"checkpoint_dir": args.checkpoint_dir, "reference": not args.no_reference,
               "overrides": dict(args.set)}
    try:  # on each tag's rate preset, before hours of training (other presets: at row start)
        for tag in tags:
            DeltaMGDConfig(**{**lava_preset("rate", tag), **options["overrides"]})
    except (TypeError, ValueError) as err:
        parser.error(f"--set: {err}")
    if "digits" in args.only:
        rows += [lava_row("digits", X, y, Xt, yt, digits_epochs, tag, False, args.seeds,
                          references, options=options) for tag in tags]
    if "hierarchical" in args.only:
        rows += [lava_row("digits", X, y, Xt, yt, 1, tag, True, args.seeds, references)
                 for tag in tags]
    if "hierarchical-spiking" in args.only:
        rows += [lava_row("digits", X, y, Xt, yt, 1, tag, True, args.seeds, references,
                          network="spiking") for tag in tags]
    if "spiking" in args.only:
        rows += [lava_row("digits", X, y, Xt, yt, spiking_epochs, tag, False, args.seeds,
                          references, network="spiking", options=options) for tag in tags]
    fashion = [group for group in ("fashion", "fashion-full") if group in args.only]
    if fashion:
        (X, y), (Xt, yt) = (load_dataset("fashion-mnist", s) for s in ("train", "test"))
        if args.quick:
            X, y = X[:2000], y[:2000]
        X, Xt = X.astype(np.float64), Xt.astype(np.float64)
        epochs = {"fashion": 1, "fashion-full": 2 if args.quick else args.fashion_epochs}
        rows += [lava_row("fashion-mnist", X, y, Xt, yt, epochs[group], tag, False, args.seeds,
                          references, options=options) for group in fashion for tag in tags]
    RESULTS.mkdir(exist_ok=True)
    record = provenance(started)
    for row in rows:
        row["provenance"] = record
    rows = merge_rows(out, rows, record)
    for row in rows:
        print(summary(row))


def config_override(text: str) -> tuple[str, object]:
    """``"NAME=VALUE"`` -> ``(NAME, VALUE)`` for a ``DeltaMGDConfig`` field NAME; VALUE is read
    as JSON (numbers, ``true``, lists) and kept as a string otherwise (``optimizer=sgd``)."""
    name, sep, value = text.partition("=")
    if not sep or name not in DeltaMGDConfig.field_names():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=VALUE with NAME one of {sorted(DeltaMGDConfig.field_names())}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def summary(row: dict) -> str:
    """One printed line per row."""
    sd = f" ± {row['test_acc_sd']:.4f}" if "test_acc_sd" in row else ""
    others = ", ".join(f"{name} {row[key]:.4f}" for name, key in
                       (("ref", "reference_test_acc"), ("bp", "bp_test_acc"))
                       if row.get(key) is not None)
    return (f"{row['dataset']:14s} {row.get('network', 'rate'):8s} {row['model']:12s} "
            f"{row['tag']:11s} {row['config']['optimizer']:6s} η {row['config']['eta']:<8g} "
            f"{row['epochs']:3d} ep "
            f"acc {row['test_acc']:.4f}{sd} ({others}) seeds {row['seeds']} "
            f"{row['samples_per_s']:8.1f} samples/s  n_train {row['n_train']}")


def fill_yardsticks(rows: list[dict]) -> None:
    """Give rows written before these fields existed ``deltavecs`` and ``optimizer`` (from
    their config) and ``bp_test_acc`` (per epoch; per seed and mean ± sd for several seeds):
    backprop on their net, seeds and epochs (:func:`bp_accuracy`), recorded with its own
    ``bp_provenance``."""
    started = run_started()
    cache: dict = {}
    data = {name: [(load_dataset(name, s)) for s in ("train", "test")]
            for name in {row["dataset"] for row in rows}}
    for row in rows:
        row.setdefault("deltavecs", row["config"]["deltavecs"])
        row.setdefault("optimizer", row["config"]["optimizer"])
        if row.get("bp_test_acc") is not None:
            continue
        (X, y), (X_test, y_test) = data[row["dataset"]]
        n_train = row["n_train"] // row["epochs"]
        runs = []
        for seed in row["seeds"]:
            key = (row["dataset"], row.get("network", "rate"), seed, n_train)
            if len(cache.get(key, [])) < row["epochs"]:
                cache[key] = bp_accuracy(X[:n_train], y[:n_train], X_test, y_test,
                                         row["epochs"], seed, row.get("network", "rate"))
            runs.append(cache[key][:row["epochs"]])
        if len(runs) == 1:
            row["bp_test_acc"], row["bp_test_acc_per_epoch"] = runs[0][-1], runs[0]
        else:
            finals = [run[-1] for run in runs]
            row["bp_test_acc"] = float(np.mean(finals))
            row["bp_test_acc_sd"] = float(np.std(finals, ddof=1))
            row["bp_test_acc_per_seed"] = finals
            row["bp_test_acc_per_epoch_mean"] = np.mean(runs, axis=0).tolist()
        row["bp_provenance"] = provenance(started)


def merge_rows(out: Path, rows: list[dict], record: dict) -> list[dict]:
    """Write ``rows`` into the results file ``out`` (atomically), replacing the rows there with
    the same :func:`row_key` and keeping the others as the file holds them now (a long run
    keeps rows that others wrote while it ran), and plot them; returns all rows."""
    previous = json.loads(out.read_text())["rows"] if out.exists() else []
    fresh = {row_key(row) for row in rows}
    kept = [row for row in previous if row_key(row) not in fresh]
    order = {group: i for i, group in enumerate(GROUPS)}
    rows = sorted(kept + rows, key=lambda r: (order[group_of(r)], r["tag"] != "floating_pt"))
    write_json_atomic(out, {"rows": rows, "provenance": record})
    plot(rows, out.with_suffix(".png"))
    plot_epochs(rows, out.with_name(f"{out.stem}_epochs.png"))
    return rows


def group_of(row: dict) -> str:
    """The ``--only`` group a row belongs to."""
    if row["dataset"] == "fashion-mnist":
        return "fashion-full" if row["epochs"] > 1 else "fashion"
    if row["model"] == "hierarchical":
        return "hierarchical-spiking" if row.get("network") == "spiking" else "hierarchical"
    return "spiking" if row.get("network") == "spiking" else "digits"


def plot_epochs(rows: list[dict], path: Path) -> None:
    """Test accuracy per epoch of the fused rate runs (fashion-full, digits), each Lava model
    next to backprop on the same net and seed."""
    panels = [[r for r in rows if group_of(r) == group and r["model"] == "fused"
               and r.get("network", "rate") == "rate" and "test_acc_per_epoch" in r]
              for group in ("fashion-full", "digits")]
    panels = [runs for runs in panels if runs]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, runs in zip(axes[0], panels, strict=True):
        for row in runs:
            epochs = np.arange(1, len(row["test_acc_per_epoch"]) + 1)
            ax.plot(epochs, row["test_acc_per_epoch"], marker="o", ms=3,
                    label=f"Lava {row['tag']} ({row['config']['optimizer']}, "
                          f"η = {row['config']['eta']:.3g})")
        bp = next((r["bp_test_acc_per_epoch"] for r in runs if r.get("bp_test_acc_per_epoch")),
                  None)
        if bp is not None:
            ax.plot(np.arange(1, len(bp) + 1), bp, "k--",
                    label=f"backprop (Adam, batch {BP_BATCH})")
        ax.set_title(f"{runs[0]['dataset']}, {runs[0]['n_train'] // runs[0]['epochs']:,} "
                     "training samples")
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("δ-MGD trained inside Lava (fused models) against backprop, seed 0")
    save_figure(fig, path, dpi=120)


def plot(rows: list[dict], path: Path) -> None:
    """Test accuracy (Lava vs reference) and training samples/s of each row."""
    labels = [f"{r['dataset']} {r.get('network', 'rate')}\n{r['model']} {r['tag']}"
              for r in rows]
    fig, (ax_acc, ax_speed) = plt.subplots(1, 2, figsize=(12, 4.5))
    index = np.arange(len(rows))
    ax_acc.bar(index - 0.2, [r["test_acc"] for r in rows], 0.4, label="Lava",
               yerr=[r.get("test_acc_sd", 0.0) for r in rows])
    ax_acc.bar(index + 0.2, [r["reference_test_acc"] or 0.0 for r in rows], 0.4,
               label="torch reference", yerr=[r.get("reference_test_acc_sd", 0.0) for r in rows])
    ax_acc.set_ylim(0.5, 1.0)
    ax_acc.set_ylabel("test accuracy")
    ax_speed.bar(index, [r["samples_per_s"] for r in rows])
    ax_speed.axhline(1000, ls="--", c="k", lw=0.8)
    ax_speed.axhline(100, ls=":", c="k", lw=0.8)
    ax_speed.set_yscale("log")
    ax_speed.set_ylabel("training samples/s")
    for ax in (ax_acc, ax_speed):
        ax.set_xticks(index, labels, fontsize=7, rotation=35, ha="right")
    ax_acc.legend()
    fig.suptitle("δ-MGD inside Lava (CPU simulator) vs the torch reference")
    save_figure(fig, path, dpi=120)


if __name__ == "__main__":
    main()
