"""Hyper-parameter sweeps on Ray Tune: the best-of-sweep protocol of the δ-MGD paper's Table II.

A sweep has two stages per method, each one Ray Tune experiment (``<out>/tune/<name>``):

1. *search*: every candidate configuration trained with the first seed (on
   ``search_train_size`` samples when given); candidates come from a grid
   (``tune.grid_search``), random sampling or Optuna, optionally pruned by ASHA;
2. *seeds*: the best candidate (highest final test accuracy among the trials that ran all
   epochs) trained with every other seed on the full training set; the search trial of the
   first seed is reused when the search ran on the full set.

Each trial is one ``astrolava train`` run: its arguments are parsed by the train command's own
parser and trained by :func:`astrolava.cli.train.run_torch` (same presets, same checkpoints in
``<out>/trials/<experiment>/<trial id>``), which reports every epoch to Tune. A trial that
raises (a bad hyper-parameter value) ends in Tune's ERROR state and is listed with its error;
the sweep goes on. An interrupted sweep continues with ``resume=True``: finished experiments
are read back, an unfinished one is restored by ``Tuner.restore`` and its unfinished trials
continue from their last epoch checkpoint (:func:`astrolava.models.mgd.trainer.train`).

Backprop (the baseline) is swept the same way over the grid entries its config accepts, so
the sweep reports ``% of BP = 100 · mean_method / mean_BP`` (the paper's "% BP" column).

Ray is an optional extra (``pip install 'astrolava[sweep]'``) imported when a sweep runs.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from astrolava.mgd.presets import HIDDEN, preset
from astrolava.validation import (
    ParameterError,
    require_count,
    require_int,
    require_one_of,
    require_positive,
    require_seed,
)

SEARCHES = ("grid", "random", "optuna")
"""How the candidates of the search stage are chosen."""
SCHEDULERS = ("fifo", "asha")
"""Trial schedulers of the search stage: run every trial to the end, or ASHA early stopping."""
METRIC = "test_acc"
"""What Tune maximises: the test accuracy after each epoch, reported by every trial."""
REPORTED = ("epoch", "test_acc", "train_cost", "seconds", "samples_per_s")
"""Fields of a trainer epoch record reported to Tune."""
INSTALL_HINT = "pip install 'astrolava[sweep]'"
START_ATTEMPTS = 5
"""Tries to start a local Ray: its raylet must register within a fixed 30 s, which an
overloaded machine can miss."""


class SweepInterrupted(RuntimeError):
    """A Tune experiment ended with unfinished trials (SIGINT / Ctrl+C); its state is saved."""


@dataclass(frozen=True)
class LogRange:
    """A log-uniform range ``[low, high]`` of one hyper-parameter (random / Optuna search)."""

    low: float
    high: float


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep trains.

    Parameters
    ----------
    method : str
        Method swept (``astrolava train --method``).
    dataset, network : str
        As for ``astrolava train``.
    grid : dict
        ``name -> list of values`` (or a :class:`LogRange` for random / Optuna search); the
        other hyper-parameters come from the method's preset.
    seeds : tuple of int
        The first one trains the search stage; all of them the best configuration.
    epochs : int >= 1
    hidden : tuple of int
        Hidden layer widths.
    train_size : int >= 0
        Training samples of the seed runs (0: the whole training set).
    search_train_size : int >= 0
        Training samples of the search stage (0: ``train_size``).
    batch_size : int >= 1
    search : str
        One of :data:`SEARCHES`.
    samples : int >= 1
        Candidates drawn by random or Optuna search (a grid takes every point).
    scheduler : str
        One of :data:`SCHEDULERS` (search stage only).
    baseline : str or None
        Method swept the same way for the "% of BP" column (``None``: none).
    cpus_per_trial : float > 0
        Ray CPUs each trial holds: how many trials run at once. Torch uses one thread per
        trial.
    """

    method: str
    dataset: str
    network: str
    grid: dict[str, list | LogRange]
    seeds: tuple[int, ...] = (0,)
    epochs: int = 10
    hidden: tuple[int, ...] = HIDDEN
    train_size: int = 0
    search_train_size: int = 0
    batch_size: int = 32
    search: str = "grid"
    samples: int = 1
    scheduler: str = "fifo"
    baseline: str | None = "bp"
    cpus_per_trial: float = 1.0

    def methods(self) -> tuple[str, ...]:
        """The swept method, then the baseline (if any and different)."""
        if self.baseline in (None, self.method):
            return (self.method,)
        return (self.method, self.baseline)


def parse_grid(items: list[str]) -> dict[str, list | LogRange]:
    """``["eta=1e-3,3e-3", "epsilon=1e-3..1e-1"]`` -> ``{"eta": [0.001, 0.003],
    "epsilon": LogRange(0.001, 0.1)}``; values are read as by ``astrolava train --set``."""
    from astrolava.cli.train import parse_hyper

    grid: dict[str, list | LogRange] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key or not text:
            raise ValueError(f"--grid {item!r} must look like NAME=V1,V2,... or NAME=LOW..HIGH")
        key = key.replace("-", "_")
        if ".." in text:
            low, _, high = text.partition("..")
            bounds = parse_hyper([f"low={low}", f"high={high}"])
            if not all(isinstance(v, int | float) and v > 0 for v in bounds.values()) \
                    or bounds["low"] >= bounds["high"]:
                raise ValueError(f"--grid {item!r}: a range needs 0 < LOW < HIGH")
            grid[key] = LogRange(float(bounds["low"]), float(bounds["high"]))
        else:
            grid[key] = [parse_hyper([f"v={value}"])["v"] for value in text.split(",")]
    return grid


def config_fields(method: str, network: str) -> set[str]:
    """Hyper-parameter names the config of ``method`` accepts."""
    from astrolava.models.mgd.trainer import make_config

    return set(make_config(method, **preset(method, network)).to_dict())


def validate(spec: SweepSpec) -> None:
    """Check ``spec`` before Ray starts: names, counts, seeds, widths and choices (a bad
    *value* of a swept hyper-parameter is left to its trial, which fails and is reported).

    Raises
    ------
    astrolava.validation.ParameterError
        (a ``ValueError``) naming the field and what it allows.
    astrolava.validation.ParameterTypeError
        (a ``TypeError``) for a count, seed or width that is not an integer.
    """
    from astrolava.cli.train import DATASETS
    from astrolava.models.mgd.trainer import METHODS

    for name, value, allowed in (("method", spec.method, METHODS),
                                 ("baseline", spec.baseline, (*METHODS, None)),
                                 ("dataset", spec.dataset, DATASETS),
                                 ("search", spec.search, SEARCHES),
                                 ("scheduler", spec.scheduler, SCHEDULERS)):
        require_one_of(name, value, allowed)
    preset(spec.method, spec.network)
    for name in ("epochs", "batch_size", "samples"):
        require_count(name, getattr(spec, name))
    for name in ("train_size", "search_train_size"):
        require_int(name, getattr(spec, name), low=0)
    for width in spec.hidden:
        require_count("hidden", width)
    for seed in spec.seeds:
        require_seed("seeds", seed)
    if not spec.seeds or len(set(spec.seeds)) != len(spec.seeds):
        raise ParameterError(f"seeds={list(spec.seeds)} must list one or more distinct seeds")
    require_positive("cpus_per_trial", spec.cpus_per_trial)
    unknown = set(spec.grid) - config_fields(spec.method, spec.network)
    if unknown:
        raise ValueError(f"grid names {sorted(unknown)} are not hyper-parameters of "
                         f"method={spec.method!r}; allowed: "
                         f"{sorted(config_fields(spec.method, spec.network))}")
    for name, values in spec.grid.items():
        if isinstance(values, LogRange) and spec.search == "grid":
            raise ValueError(f"grid {name}={values.low}..{values.high} is a range: it needs "
                             f"search='random' or 'optuna'")
        if isinstance(values, list) and not values:
            raise ValueError(f"grid {name} lists no value")


def require_tune():
    """``ray.tune``, or a ``ModuleNotFoundError`` that says how to install it."""
    try:
        from ray import tune
    except ImportError as err:
        raise ModuleNotFoundError(f"sweeps need Ray Tune, which is not installed: "
                                  f"{INSTALL_HINT}") from err
    return tune


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[dict]:
    """Connect to the Ray cluster at ``address`` (``ray://host:port`` or a GCS address), or
    start a local one with ``num_cpus`` CPUs (default: all) when ``address`` is ``None``
    (also when ``RAY_ADDRESS`` is set or a ``ray start`` cluster runs on this machine, which
    ``ray.init()`` would join). A session already open in this process is used as it is.
    A local start that times out is tried again (:data:`START_ATTEMPTS` in all). Yields the
    cluster's resources; the session opened here is shut down on exit."""
    require_tune()
    import ray

    if address is not None and num_cpus is not None:
        raise ValueError("num_cpus applies to a local Ray only; a cluster at an address "
                         "has its own")
    if num_cpus is not None:
        require_count("num_cpus", num_cpus)
    if ray.is_initialized():
        yield ray.cluster_resources()
        return
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            ray.init(address="local" if address is None else address, num_cpus=num_cpus,
                     include_dashboard=False, configure_logging=False)
            break
        except Exception as err:  # noqa: BLE001 - Ray raises a bare Exception on this
            ray.shutdown()
            if "timed out during startup" not in str(err) or attempt == START_ATTEMPTS:
                raise
            warnings.warn(f"the local Ray did not start in time (try {attempt} of "
                          f"{START_ATTEMPTS}); starting it again", RuntimeWarning, stacklevel=3)
    try:
        yield ray.cluster_resources()
    finally:
        ray.shutdown()


def train_argv(config: dict, out: Path, resume: bool) -> list[str]:
    """The ``astrolava train`` command line of one trial's ``config``."""
    argv = ["train", "--method", config["method"], "--dataset", config["dataset"],
            "--network", config["network"], "--hidden", *map(str, config["hidden"]),
            "--epochs", str(config["epochs"]), "--batch-size", str(config["batch_size"]),
            "--seed", str(config["seed"]), "--train-size", str(config["train_size"]),
            "--out", str(out), "--quiet"]
    for name, value in config["set"].items():
        text = value if isinstance(value, str) else json.dumps(value)
        argv += ["--set", f"{name}={text}"]
    return argv + (["--resume"] if resume else [])


def parse_train_args(argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed by the ``astrolava train`` parser."""
    from astrolava.cli import train

    parser = argparse.ArgumentParser(prog="astrolava")
    train.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run_trial(config: dict) -> None:
    """Tune trainable: one ``astrolava train`` run in ``<trials>/<trial id>``, every epoch
    reported to Tune. A trial restarted by a resumed sweep reports the epochs its checkpoint
    holds, then continues from it."""
    from astrolava.cli.train import run_torch
    from astrolava.models.mgd.trainer import CHECKPOINT, METRICS

    tune = require_tune()
    out = Path(config["trials"]) / tune.get_context().get_trial_id()
    resume = (out / CHECKPOINT).is_file()
    if resume and (out / METRICS).is_file():
        for line in (out / METRICS).read_text().splitlines():
            report_epoch(json.loads(line))
    run_torch(parse_train_args(train_argv(config, out, resume)), on_epoch=report_epoch)


def report_epoch(record: dict) -> None:
    """Report a trainer epoch record (:data:`REPORTED` fields) to Tune."""
    require_tune().report({name: record[name] for name in REPORTED})


def search_space(spec: SweepSpec, method: str) -> tuple[dict, list[str]]:
    """Tune domains of the grid entries ``method`` accepts (``tune.grid_search`` for a grid,
    ``tune.choice`` / ``tune.loguniform`` for random and Optuna search) and the names of the
    entries it ignores."""
    tune = require_tune()
    accepted = config_fields(method, spec.network)
    space = {}
    for name, values in spec.grid.items():
        if name not in accepted:
            continue
        if isinstance(values, LogRange):
            space[name] = tune.loguniform(values.low, values.high)
        elif spec.search == "grid":
            space[name] = tune.grid_search(values)
        else:
            space[name] = tune.choice(values)
    return space, sorted(set(spec.grid) - accepted)


def trial_config(spec: SweepSpec, method: str, out: Path, experiment: str, seed,
                 train_size: int, hyper: dict) -> dict:
    """Tune ``param_space`` of one experiment (``seed`` and ``hyper`` may hold domains)."""
    return {"method": method, "dataset": spec.dataset, "network": spec.network,
            "hidden": list(spec.hidden), "epochs": spec.epochs, "batch_size": spec.batch_size,
            "train_size": train_size, "seed": seed, "set": hyper,
            "trials": str(out / "trials" / experiment)}


def run_experiment(name: str, out: Path, param_space: dict, spec: SweepSpec, resume: bool,
                   tune_config: dict | None = None, verbose: int = 1) -> list[dict]:
    """Run (or, with ``resume``, continue) the Tune experiment ``<out>/tune/<name>``; one
    record per trial (:func:`trial_record`).

    Raises
    ------
    SweepInterrupted
        When the experiment state Tune saved at its end holds trials neither terminated nor
        failed (SIGINT stops a run that way; Tune's own cleanup marks them terminated).
    """
    tune = require_tune()
    storage = out / "tune"
    path = storage / name
    trainable = tune.with_resources(run_trial, {"cpu": spec.cpus_per_trial})
    if path.exists():
        if not resume:
            raise ValueError(f"out={str(out)!r} already holds experiment {name!r}: pass "
                             f"resume to continue it, or choose another out")
        if not tune.Tuner.can_restore(str(path)):
            raise ValueError(f"experiment {path} cannot be restored (no experiment state)")
        tuner = tune.Tuner.restore(str(path), trainable, resume_unfinished=True,
                                   resume_errored=False, restart_errored=False)
    else:
        tuner = tune.Tuner(
            trainable, param_space=param_space,
            tune_config=tune.TuneConfig(metric=METRIC, mode="max", **(tune_config or {})),
            run_config=tune.RunConfig(name=name, storage_path=str(storage), verbose=verbose,
                                      failure_config=tune.FailureConfig(max_failures=0)))
    grid = tuner.fit()
    saved = tune.ExperimentAnalysis(str(path)).trials
    unfinished = [t for t in saved if t.status not in ("TERMINATED", "ERROR")]
    if unfinished:
        raise SweepInterrupted(f"experiment {name!r} in {out} was interrupted with "
                               f"{len(unfinished)} trial(s) unfinished; continue it with "
                               f"resume (--resume)")
    return [trial_record(result) for result in grid]


def trial_record(result) -> dict:
    """What a sweep keeps of one Tune result: config, state, error, per-epoch test
    accuracy (one value per epoch, also for a trial reported again after a resume) and
    training seconds."""
    config = result.config
    frame = result.metrics_dataframe
    curve, seconds = [], 0.0
    if frame is not None and "epoch" in frame:
        epochs = frame.dropna(subset=["epoch"]).drop_duplicates("epoch", keep="last")
        epochs = epochs.sort_values("epoch")
        curve = [float(a) for a in epochs[METRIC]]
        seconds = float(epochs["seconds"].sum())
    error = None if result.error is None else _first_line(result.error)
    return {"method": config["method"], "seed": config["seed"],
            "train_size": config["train_size"], "set": config["set"],
            "status": "error" if error else ("complete" if len(curve) == config["epochs"]
                                             else "stopped"),
            "error": error, "epochs": len(curve),
            "test_acc": curve[-1] if curve else None, "curve": curve,
            "train_seconds": seconds, "path": str(result.path)}


def _first_line(error: BaseException) -> str:
    """The exception a trial raised, as ``Type: message`` (Tune wraps it)."""
    cause = error
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause
    text = f"{type(cause).__name__}: {cause}"
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error:" in line:
            return line.strip()
    return lines[-1].strip() if lines else type(error).__name__


def best_trial(trials: list[dict]) -> dict | None:
    """The trial with the highest final test accuracy among those that ran every epoch
    (``None`` if none did)."""
    complete = [t for t in trials if t["status"] == "complete"]
    return max(complete, key=lambda t: t["test_acc"]) if complete else None


def summarise(runs: list[dict]) -> dict:
    """Final test accuracies of the seed runs: mean and sample standard deviation
    (``ddof = 1``; ``None`` for one seed)."""
    accs = np.array([r["test_acc"] for r in runs if r["status"] == "complete"], dtype=float)
    return {"seeds": [r["seed"] for r in runs if r["status"] == "complete"],
            "test_acc": accs.tolist(),
            "mean": float(accs.mean()) if len(accs) else None,
            "sd": float(accs.std(ddof=1)) if len(accs) > 1 else None}


def sweep_method(spec: SweepSpec, method: str, out: Path, resume: bool,
                 verbose: int) -> dict:
    """Search stage, then the best configuration on every seed, for one ``method``."""
    tune = require_tune()
    full = spec.search_train_size in (0, spec.train_size)
    search_size = spec.train_size if full else spec.search_train_size
    space, ignored = search_space(spec, method)
    tune_config: dict[str, Any] = {}
    if space and spec.search != "grid":
        tune_config["num_samples"] = spec.samples
        if spec.search == "optuna":
            from ray.tune.search.optuna import OptunaSearch

            tune_config["search_alg"] = OptunaSearch(seed=spec.seeds[0])
        else:
            from ray.tune.search.basic_variant import BasicVariantGenerator

            tune_config["search_alg"] = BasicVariantGenerator(random_state=spec.seeds[0])
    if spec.scheduler == "asha":
        from ray.tune.schedulers import ASHAScheduler

        tune_config["scheduler"] = ASHAScheduler(time_attr="epoch", max_t=spec.epochs,
                                                 grace_period=max(1, spec.epochs // 4),
                                                 reduction_factor=3)
    name = f"{method}-search"
    search = run_experiment(
        name, out, trial_config(spec, method, out, name, spec.seeds[0], search_size, space),
        spec, resume, tune_config, verbose)
    best = best_trial(search)
    runs: list[dict] = []
    if best is not None:
        seeds = list(spec.seeds[1:] if full else spec.seeds)
        runs = [best] if full else []
        if seeds:
            name = f"{method}-seeds"
            runs += run_experiment(
                name, out, trial_config(spec, method, out, name, tune.grid_search(seeds),
                                        spec.train_size, best["set"]),
                spec, resume, verbose=verbose)
        runs.sort(key=lambda r: r["seed"])
    return {"search": search, "ignored_grid": ignored,
            "best_set": None if best is None else best["set"],
            "search_train_size": search_size, "seed_runs": runs, **summarise(runs)}


def run_sweep(spec: SweepSpec, out: str | Path, address: str | None = None,
              num_cpus: int | None = None, resume: bool = False, verbose: int = 1) -> dict:
    """Sweep ``spec.method`` and its baseline on Ray; write ``<out>/sweep.json`` and
    ``<out>/sweep.png`` and return the result (also the JSON's content).

    Parameters
    ----------
    spec : SweepSpec
    out : path
        Folder of the Tune experiments, the trials' checkpoints and the outputs; on a
        cluster it must be storage every node reads and writes. The experiments record it
        as an absolute path: resume a sweep where it was written.
    address : str, optional
        Ray cluster to connect to (``host:port`` of ``ray start --head``, or
        ``ray://host:port`` with ``ray[client]``); a local Ray starts without one.
    num_cpus : int, optional
        CPUs of the local Ray (default: all of this machine's).
    resume : bool
        Continue the sweep saved in ``out``.
    verbose : int
        Tune's console verbosity (0 silent).
    """
    from astrolava.provenance import provenance, run_started

    validate(spec)
    started = run_started()
    out = Path(out).resolve()
    if (out / "tune").exists() and not resume:
        raise ValueError(f"out={str(out)!r} already holds a sweep: pass resume to continue "
                         f"it, or choose another out")
    out.mkdir(parents=True, exist_ok=True)
    wall = time.perf_counter()
    with ray_session(address, num_cpus) as resources:
        methods = {m: sweep_method(spec, m, out, resume, verbose) for m in spec.methods()}
    result = {"spec": {**asdict(spec), "grid": {k: _describe_values(v)
                                                for k, v in spec.grid.items()}},
              "methods": methods, "pct_bp": pct_of_baseline(spec, methods),
              "compute": compute(methods, resources, time.perf_counter() - wall, resume),
              "ray": {"address": address, "cpus": resources.get("CPU")},
              "provenance": provenance(started)}
    (out / "sweep.json").write_text(json.dumps(result, indent=1))
    plot_sweep(result, out / "sweep.png")
    (out / "sweep.md").write_text(table(result) + "\n")
    return result


def _describe_values(values: list | LogRange) -> list | dict:
    return {"log_uniform": [values.low, values.high]} if isinstance(values, LogRange) \
        else list(values)


def pct_of_baseline(spec: SweepSpec, methods: dict) -> float | None:
    """``100 · mean(method) / mean(baseline)`` of the seed runs, if both have one."""
    if spec.baseline not in methods or spec.baseline == spec.method:
        return None
    ours, ref = methods[spec.method]["mean"], methods[spec.baseline]["mean"]
    return None if ours is None or ref is None else 100.0 * ours / ref


def compute(methods: dict, resources: dict, wall_seconds: float, resumed: bool) -> dict:
    """Trials run, the training seconds they took (summed over trials, from the trainer's
    epoch timings) and this call's wall time (only the resumed part after ``resume``)."""
    unique = [t for m in methods.values() for t in method_trials(m)]
    return {"trials": len(unique),
            "failed": sum(t["status"] == "error" for t in unique),
            "train_seconds": sum(t["train_seconds"] for t in unique),
            "wall_seconds_this_call": wall_seconds, "resumed": resumed,
            "ray_cpus": resources.get("CPU")}


def method_trials(summary: dict) -> list[dict]:
    """Every trial of one method's sweep, once (the best search trial can be a seed run)."""
    return list({t["path"]: t for t in summary["search"] + summary["seed_runs"]}.values())


def format_set(hyper: dict | None) -> str:
    """``{"eta": 0.001, "tau_delta": 500}`` -> ``eta=0.001, tau_delta=500``."""
    if hyper is None:
        return "(no trial finished)"
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in hyper.items()) or "(preset)"


def format_acc(summary: dict) -> str:
    """``88.12 ± 0.31 %`` (sd over seeds) or ``88.12 %`` for one seed."""
    if summary["mean"] is None:
        return "–"
    sd = "" if summary["sd"] is None else f" ± {100 * summary['sd']:.2f}"
    return f"{100 * summary['mean']:.2f}{sd} %"


def table(result: dict) -> str:
    """Markdown table of a sweep: per method the best configuration, the seeds, the test
    accuracy at it (mean ± sd), the failed trials and the percentage of the baseline."""
    spec = result["spec"]
    rows = ["| method | best configuration | seeds | test accuracy | % of "
            f"{spec['baseline'] or 'baseline'} | trials (failed) |",
            "| --- | --- | --- | --- | --- | --- |"]
    for method, m in result["methods"].items():
        pct = result["pct_bp"] if method == spec["method"] else None
        trials = method_trials(m)
        failed = sum(t["status"] == "error" for t in trials)
        rows.append(f"| {method} | {format_set(m['best_set'])} | "
                    f"{', '.join(map(str, m['seeds'])) or '–'} | {format_acc(m)} | "
                    f"{'–' if pct is None else f'{pct:.1f} %'} | "
                    f"{len(trials)} ({failed}) |")
    errors = [f"- {method} {format_set(t['set'])}: {t['error']}"
              for method, m in result["methods"].items() for t in method_trials(m)
              if t["status"] == "error"]
    return "\n".join(rows + (["", "Failed trials:", *errors] if errors else []))


def plot_sweep(result: dict, path: Path) -> None:
    """Left: final test accuracy of every search trial, per method and configuration (a
    failed trial is a labelled empty row). Right: test accuracy per epoch of the best
    configuration, mean over seeds with the seeds' range shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(i, method, t) for i, (method, m) in enumerate(result["methods"].items())
            for t in sorted(m["search"], key=lambda t: t["test_acc"] or -math.inf)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 1.5 + 0.3 * max(len(rows), 8)),
                                      gridspec_kw={"width_ratios": (1.2, 1)})
    accs = [100 * t["test_acc"] for _, _, t in rows if t["test_acc"] is not None]
    low = min(accs, default=0.0) - 2
    for y, (i, method, t) in enumerate(rows):
        label = f"{method}: {format_set(t['set'])} ({t['status']})"
        if t["test_acc"] is None:
            left.text(low, y, f"  {label}", va="center", fontsize=7, color=f"C{i}")
        else:
            left.barh(y, 100 * t["test_acc"] - low, left=low, color=f"C{i}", alpha=0.45)
            left.text(low, y, f"  {label}  {100 * t['test_acc']:.2f} %", va="center",
                      fontsize=7)
    left.set(yticks=[], xlim=(low, max(accs, default=100.0) + 1), ylim=(-0.6, len(rows) - 0.4),
             xlabel="final test accuracy (%)", ylabel="search trial (seed "
             f"{result['spec']['seeds'][0]})")
    for i, (method, m) in enumerate(result["methods"].items()):
        curves = [r["curve"] for r in m["seed_runs"] if r["status"] == "complete"]
        if curves:
            acc = 100 * np.array(curves)
            epochs = np.arange(1, acc.shape[1] + 1)
            right.plot(epochs, acc.mean(0), color=f"C{i}", marker=".",
                       label=f"{method} ({format_set(m['best_set'])})")
            right.fill_between(epochs, acc.min(0), acc.max(0), color=f"C{i}", alpha=0.25)
    spec = result["spec"]
    left.set_title(f"search: {spec['dataset']} {spec['network']} {spec['hidden']}", fontsize=9)
    right.set(xlabel="epoch", ylabel="test accuracy (%)")
    right.set_title(f"best configuration, seeds {list(spec['seeds'])} (mean, range)",
                    fontsize=9)
    right.grid(alpha=0.3)
    if right.get_legend_handles_labels()[0]:
        right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
