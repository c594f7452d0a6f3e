"""δ-MGD through Loihi 2's learning engine: the Lava graph, its reference in Loihi formats, BPTT.

Rows (``benchmarks/results/loihi_engine.json``), one per (dataset, model), means over seeds:

* ``learning-engine``: ``astrolava.processes.engine_dmgd.EngineNetwork`` trained in Lava's
  fixed_pt models (stock ``LearningDense`` + ``Loihi3FLearningRule``) with each epoch's η
  and update shift (``EngineParams.layer_etas``, ``EngineParams.update_shift_of``); each
  chunk of ``--chunk`` samples of an epoch is one Lava session, its weights and chain rows
  written to ``--checkpoint-dir`` (file names carry a digest of the parameters) so a
  re-started command resumes at the next chunk; the next chunk starts from them with the
  running sample count, so the chain rows are refreshed on the same samples as in one
  session. Each session's learning rules get their own seed
  (:func:`session_seed`: a Lava session starts its random sequences anew);
  evaluated by the reference's bit-accurate forward pass with the learned weights;
* ``reference-loihi-formats``: ``astrolava.models.mgd.loihi_engine.EngineReference``, the same
  network, initial weights, sample order (``sample_order(n, 0, 1000·seed + epoch)``) and
  sessions (chunks of ``--chunk`` samples); ``--draws independent`` (tag ``loihi-formats``)
  draws its own stochastic-rounding numbers, ``--draws lava`` (tag
  ``loihi-formats-lava-draws``) the numbers the Lava graph draws (bit-equal to the
  learning-engine row when the chunks are the same);
* ``reference-float``: the reference with every format in float and the rule kept (tag
  ``rule-kept``: ``q_k`` clipped to its 7-bit range in float), or without the clip at the η
  of ``--unclipped-eta`` (tag ``no-clip-eta<η>``: the plain δ-MGD step), the replacements of
  ``benchmarks/loihi_engine_ablation.py`` (``all_float``);
* ``bptt``: the same layer sizes as a snntorch ``SpikingMLP`` (Bernoulli rate code, T steps)
  trained by BPTT (``train_backprop``: Adam 10⁻³, batch 32, squared error).

The net is ``n_in`` integrate-and-fire inputs → ``--hidden`` LIF neurons (default 100; ``0``:
none) → ``n_out`` LIF outputs, every weight learned, ``T = 20``; rows are keyed by dataset,
network and model. ``samples_per_s`` is training throughput on this machine (shared, loaded).
Usage::

    nice -n 5 .venv/bin/python benchmarks/loihi_engine.py --dataset digits --seeds 0 1 2 \\
        [--epochs E] [--hidden 100] [--models learning-engine reference-loihi-formats bptt] \\
        [--draws independent|lava] [--n-train N] [--checkpoint-dir DIR] [--chunk 1000]

``--epochs`` defaults to the dataset's chosen number (:data:`EPOCHS`).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from astrolava.models import build_model  # noqa: E402
from astrolava.models.mgd.loihi_engine import (  # noqa: E402
    DRAWS,
    EngineParams,
    EngineReference,
    engine_params,
    initial_weights,
)
from astrolava.models.training import train_backprop  # noqa: E402
from astrolava.processes import sample_order  # noqa: E402
from astrolava.processes.engine_dmgd import EngineNetwork  # noqa: E402

from astrolava.checkpoint import write_atomic  # noqa: E402
from astrolava.data import load_dataset  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402

RESULTS = Path(__file__).parent / "results"
MODELS = ("learning-engine", "reference-loihi-formats", "reference-float", "bptt")
COLORS = {"learning-engine": "tab:green", "reference-loihi-formats": "tab:blue",
          "reference-float": "tab:orange", "bptt": "tab:gray"}
SHORT = {"learning-engine": "engine", "reference-loihi-formats": "reference",
         "reference-float": "float rule", "bptt": "BPTT"}
DRAWN = {"loihi-formats-lava-draws": "\n(Lava draws)"}
"""Bar-label suffix of the reference row fed the Lava graph's random numbers."""
N_TRAIN = {"digits": 0, "fashion-mnist": 10_000}
"""Training samples per dataset (0: all; Fashion-MNIST: the first 10,000 images)."""
EPOCHS = {"digits": 4, "fashion-mnist": 1}
"""Training epochs per dataset, chosen with the parameters on the validation splits
(``benchmarks/loihi_engine_sweep.py``)."""


def load(dataset: str, n_train: int) -> tuple[np.ndarray, ...]:
    X, y = load_dataset(dataset, "train")
    Xt, yt = load_dataset(dataset, "test")
    if n_train:
        X, y = X[:n_train], y[:n_train]
    return X, y, Xt, yt


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    return sample_order(n, 0, 1000 * seed + epoch)


def chunks(n: int, chunk: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of the sessions of an epoch of ``n`` samples."""
    size = max(int(chunk), 1)
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def session_seed(seed: int, epoch: int, start: int) -> int:
    """The learning rules' seed of the session that learns samples ``start, ...`` of
    ``epoch``: every Lava session starts its random sequences anew, and one sequence repeated
    in every session biases the stochastic rounding (one number for all synapses of a layer)
    the same way in each; a seed per session gives fresh sequences."""
    return int(np.random.SeedSequence([seed, epoch, start]).generate_state(1)[0] >> 4)


def run_reference(data: tuple, seed: int, epochs: int, params: EngineParams,
                  args: argparse.Namespace) -> tuple[float, float]:
    X, y, Xt, yt = data
    ref = EngineReference(initial_weights(params.sizes(X.shape[1], 10), seed), params,
                          seed=seed, draws=args.draws)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = epoch_order(len(y), seed, epoch)
        for first, stop in chunks(len(y), args.chunk):
            ref.new_session(session_seed(seed, epoch, first))
            ref.train(X, y, order[first:stop], epoch)
    rate = epochs * len(y) / (time.perf_counter() - start)
    return ref.accuracy(Xt, yt), rate


def run_engine(data: tuple, seed: int, epochs: int, params: EngineParams,
               args: argparse.Namespace) -> tuple[float, float | None]:
    """Train in Lava chunk by chunk, resuming from the last chunk's weights in the checkpoint
    directory."""
    X, y, Xt, yt = data
    weights = initial_weights(params.sizes(X.shape[1], 10), seed)
    ckpt = args.checkpoint_dir
    ckpt.mkdir(parents=True, exist_ok=True)
    net_name = "-".join(map(str, params.sizes(X.shape[1], 10)))
    setup = dict(asdict(params), window=params.schedule.window, chunk=int(args.chunk),
                 sessions="seeded")
    if not params.shift_raises:  # the digest of a run without a schedule is unchanged
        del setup["shift_raises"]
    digest = hashlib.sha1(json.dumps(setup, sort_keys=True).encode()).hexdigest()[:8]
    rows, rates = None, []
    for epoch in range(epochs):
        order = epoch_order(len(y), seed, epoch)
        for start, stop in chunks(len(y), args.chunk):
            path = ckpt / (f"{args.dataset}_{net_name}_{digest}_n{len(y)}_seed{seed}_"
                           f"epoch{epoch}_{start}.npz")
            if path.exists():
                saved = np.load(path)
                weights = [saved[f"w{i}"] for i in range(len(weights))]
                rows = saved["rows"] if "rows" in saved else None
                rates.append(float(saved["samples_per_s"]))
                continue
            part = order[start:stop]
            net = EngineNetwork(data=X[part], labels=y[part], weights=weights,
                                schedule=params.schedule, eta=params.layer_etas(epoch),
                                epsilon=params.epsilon, neurons=params.neurons,
                                tau_delta=params.tau_delta, delta_mix=params.delta_mix,
                                seed=session_seed(seed, epoch, start),
                                samples_seen=epoch * len(y) + start, rows=rows,
                                update_shift=params.update_shift_of(epoch))
            with net.session() as session:
                net.train(session, 1)
                begun = time.perf_counter()
                net.train(session, len(part) - 1)
                rate = (len(part) - 1) / (time.perf_counter() - begun)
                weights, rows = net.weights(), net.rows()
            extra = {} if rows is None else {"rows": rows}
            buffer = io.BytesIO()
            np.savez(buffer, samples_per_s=rate, **extra,
                     **{f"w{i}": w for i, w in enumerate(weights)})
            write_atomic(path, buffer.getvalue())
            rates.append(rate)
            print(f"  {args.dataset} {net_name} seed {seed} epoch {epoch} samples "
                  f"{start}..{stop}: {rate:.2f} samples/s", flush=True)
    return EngineReference(weights, params).accuracy(Xt, yt), float(np.mean(rates))


def run_bptt(data: tuple, seed: int, epochs: int, params: EngineParams) -> tuple[float, float]:
    X, y, Xt, yt = data
    model = build_model("spiking", X.shape[1], 10, seed, hidden=params.hidden,
                        num_steps=params.pass_steps)
    out = train_backprop(model, X, y, epochs=epochs, seed=seed, X_test=Xt, y_test=yt,
                         progress=False)
    return float(out["test_acc"]), float(out["samples_per_s"])


def row_tag(model: str, args: argparse.Namespace) -> str:
    """The row's tag: the Lava model's, float32 for BPTT, the reference's formats and draws,
    the float rule's clip."""
    if model == "reference-loihi-formats":
        return "loihi-formats" if args.draws == "independent" else "loihi-formats-lava-draws"
    if model == "reference-float":
        return "rule-kept" if args.unclipped_eta is None else f"no-clip-eta{args.unclipped_eta:g}"
    return {"learning-engine": "fixed_pt", "bptt": "float32"}[model]


def run_float(data: tuple, seed: int, epochs: int, params: EngineParams,
              args: argparse.Namespace) -> tuple[float, float]:
    """The reference with every format in float (``loihi_engine_ablation.all_float``), the
    ``q_k`` clip kept unless ``--unclipped-eta`` is given."""
    from loihi_engine_ablation import ablated, all_float

    with ablated(all_float(clip=args.unclipped_eta is None)):
        return run_reference(data, seed, epochs, params, args)


def run_model(model: str, data: tuple, seed: int, epochs: int, params: EngineParams,
              args: argparse.Namespace) -> tuple[float, float]:
    if model == "reference-loihi-formats":
        return run_reference(data, seed, epochs, params, args)
    if model == "reference-float":
        return run_float(data, seed, epochs, params, args)
    if model == "learning-engine":
        return run_engine(data, seed, epochs, params, args)
    return run_bptt(data, seed, epochs, params)


def _key(row: dict) -> tuple[str, str, str, str]:
    return row["dataset"], row["network"], row["model"], row["tag"]


def merge(path: Path, rows: list[dict], started: dict) -> dict:
    """Rows replace the file's rows of the same dataset, network, model and tag."""
    old = json.loads(path.read_text()) if path.exists() else {"rows": []}
    keys = {_key(r) for r in rows}
    kept = [dict(r, provenance=r.get("provenance", old.get("provenance")))
            for r in old["rows"] if _key(r) not in keys]
    record = provenance(started)
    result = {"rows": kept + [dict(r, provenance=record) for r in rows],
              "provenance": record}
    path.write_text(json.dumps(result, indent=1) + "\n")
    return result


def bar_label(row: dict) -> str:
    """The model, the tag where it tells rows of one model apart, the layer sizes."""
    tag = f"\n({row['tag']})" if row["model"] == "reference-float" else ""
    return f"{SHORT[row['model']]}{DRAWN.get(row['tag'], tag)}\n{row['network'].split()[1]}"


def plot(rows: list[dict], path: Path) -> None:
    datasets = sorted({r["dataset"] for r in rows})
    bars = [sum(r["dataset"] == d for r in rows) for d in datasets]
    fig, axes = plt.subplots(1, len(datasets), figsize=(0.9 * sum(bars) + 1.5, 3.4),
                             squeeze=False, gridspec_kw={"width_ratios": bars})
    for ax, dataset in zip(axes[0], datasets, strict=True):
        sel = sorted((r for r in rows if r["dataset"] == dataset),
                     key=lambda r: (r["network"], MODELS.index(r["model"]), r["tag"]))
        ax.bar([bar_label(r) for r in sel],
               [100 * r["test_acc"] for r in sel],
               yerr=[100 * r["test_acc_sd"] for r in sel], capsize=3,
               color=[COLORS[r["model"]] for r in sel])
        ax.set_title(f"{dataset} (n_train={sel[0]['n_train']})", fontsize=9)
        ax.set_ylabel("test accuracy (%)")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_ylim(0, 100)
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=sorted(N_TRAIN), default="digits")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs (default: the dataset's, EPOCHS)")
    parser.add_argument("--hidden", type=int, default=100,
                        help="hidden LIF neurons (0: no hidden layer)")
    parser.add_argument("--chunk", type=int, default=1000,
                        help="samples per Lava session (checkpointed)")
    parser.add_argument("--bptt-epochs", type=int, default=None,
                        help="epochs of the BPTT rows (default: --epochs)")
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--draws", choices=DRAWS, default="independent",
                        help="stochastic-rounding numbers of the reference rows")
    parser.add_argument("--unclipped-eta", type=float, default=None,
                        help="reference-float without the q_k clip, at this eta")
    parser.add_argument("--checkpoint-dir", type=Path, default=Path("/tmp/loihi_engine_ckpt"))
    parser.add_argument("--out", type=Path, default=RESULTS / "loihi_engine.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = run_started()
    n_train = N_TRAIN[args.dataset] if args.n_train is None else args.n_train
    data = load(args.dataset, n_train)
    n_in = data[0].shape[1]
    params = engine_params((args.hidden,) if args.hidden else (), args.dataset)
    network = (f"spiking {'-'.join(map(str, params.sizes(n_in, 10)))} LIF, "
               f"T={params.pass_steps}")
    args.epochs = EPOCHS[args.dataset] if args.epochs is None else args.epochs
    rows = []
    for model in args.models:
        epochs = args.bptt_epochs if model == "bptt" and args.bptt_epochs else args.epochs
        unclipped = model == "reference-float" and args.unclipped_eta is not None
        used = replace(params, eta=args.unclipped_eta) if unclipped else params
        accs, rates = [], []
        for seed in args.seeds:
            acc, rate = run_model(model, data, seed, epochs, used, args)
            accs.append(acc)
            rates.append(rate)
            print(f"{args.dataset} {model} seed {seed}: test {acc:.4f}, {rate:.1f} samples/s",
                  flush=True)
        rows.append({"dataset": args.dataset, "network": network, "model": model,
                     "tag": row_tag(model, args),
                     "test_acc": float(np.mean(accs)),
                     "test_acc_sd": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0,
                     "test_acc_per_seed": accs, "epochs": epochs, "n_train": len(data[1]),
                     "samples_per_s": float(np.mean(rates)), "seeds": list(args.seeds),
                     "params": asdict(used)})
        result = merge(args.out, rows, started)
    plot(result["rows"], args.out.with_suffix(".png"))


if __name__ == "__main__":
    main()
