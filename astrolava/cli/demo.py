"""``astrolava demo``: the main job on embedded defaults, end to end in a few minutes.

1. torch -> Lava deployment (digits): rate and spiking MLPs, floating_pt and fixed_pt graphs;
2. δ-MGD against backprop (digits), in the torch reference and trained inside Lava;
3. rhythmic sharing: unsupervised drift detection on a generated regime-switching Thomas series.

It ends with a summary table: what ran, its test accuracy or F1, and how long it took.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

SummaryRow = tuple[str, str, str, float]
"""``(step, what ran, result, seconds)``: one row of the demo's summary."""


def _train(method: str, backend: str, epochs: int, seed: int, quiet: bool) -> dict:
    """One ``astrolava train`` run on digits, through the same code as the command."""
    from astrolava.cli import build_parser
    from astrolava.cli.train import BACKENDS

    argv = ["train", "--method", method, "--dataset", "digits", "--backend", backend,
            "--epochs", str(epochs), "--seed", str(seed)] + (["--quiet"] if quiet else [])
    return BACKENDS[backend](build_parser().parse_args(argv))


def summary_table(rows: Sequence[SummaryRow]) -> str:
    """The demo's closing summary as a Markdown table (one line per row, no control
    characters)."""
    lines = ["| step | what ran | result | time |", "|---|---|---|---|"]
    lines += [f"| {step} | {what} | {result} | {seconds:.0f} s |"
              for step, what, result, seconds in rows]
    return "\n".join(lines)


def _deployment_row(rows: list[dict], seconds: float) -> SummaryRow:
    """The deployment step in one summary row: per model, its test accuracy in each backend
    (torch / Lava float / Lava fixed_pt)."""
    models = dict.fromkeys(row["model"] for row in rows)
    backends = dict.fromkeys(row["backend"] for row in rows)
    accuracy = ", ".join(model + " " + " / ".join(f"{100 * r['test_acc']:.1f}" for r in rows
                                                  if r["model"] == model) + " %"
                         for model in models)
    return ("1. deploy", f"{' and '.join(models)} MLPs: {' / '.join(backends)}",
            f"test acc. {accuracy}", seconds)


def run(args: argparse.Namespace) -> int:
    from astrolava.cli.drift import detect_drift
    from astrolava.data import thomas_switching
    from astrolava.deploy.demo import run_demo

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    quiet = args.quiet
    summary: list[SummaryRow] = []

    print("== 1. torch -> Lava deployment (digits): rate and spiking MLPs, float and fixed_pt")
    start = time.perf_counter()
    deployed = run_demo(seed=args.seed, progress=not quiet)
    summary.append(_deployment_row(deployed, time.perf_counter() - start))

    print("\n== 2. delta-MGD vs backprop (digits, tanh MLP 64-128-128-10)")
    rows = [("bp", "torch"), ("delta-mgd", "torch"), ("delta-mgd", "lava")]
    print("| method | backend | epochs | test acc | samples/s |\n|---|---|---|---|---|")
    for method, backend in rows:
        epochs = args.epochs if backend == "torch" else args.lava_epochs
        start = time.perf_counter()
        result = _train(method, backend, epochs, args.seed, quiet)
        print(f"| {method} | {backend} | {epochs} | {100 * result['test_acc']:.1f} % "
              f"| {result['samples_per_s']:.0f} |")
        summary.append(("2. train", f"{method} in {backend}, {epochs} epochs",
                        f"{100 * result['test_acc']:.1f} % test acc.",
                        time.perf_counter() - start))

    print("\n== 3. rhythmic sharing: drift detection on a regime-switching Thomas series")
    start = time.perf_counter()
    series = thomas_switching(seed=args.seed)
    report = detect_drift(series.x, series.switch_times, seed=args.seed,
                          plot_path=out / "drift_thomas.png",
                          title="rhythmic sharing on a switching Thomas series")
    print(json.dumps({"true_changes": report.true_changes,
                      "detected_changes": report.change_points,
                      "metrics": report.metrics, "plot": report.plot}, indent=2))
    summary.append(("3. drift", "synchrony detector, Thomas series",
                    f"F1 {report.metrics['f1']:.2f} ({len(report.change_points)} changes "
                    f"found, {len(report.true_changes)} true)", time.perf_counter() - start))

    print("\n== summary\n" + summary_table(summary))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="deploy, train with delta-MGD and detect drift on embedded defaults")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    parser.add_argument("--epochs", type=int, default=20, help="torch training epochs (digits)")
    parser.add_argument("--lava-epochs", type=int, default=3,
                        help="epochs of delta-MGD trained inside Lava (digits)")
    parser.add_argument("--out", default="runs/demo", help="folder for the plots")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)
