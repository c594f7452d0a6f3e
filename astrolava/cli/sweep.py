"""``astrolava sweep``: a hyper-parameter sweep of ``astrolava train`` runs on Ray Tune
(:mod:`astrolava.sweep`), locally or on a cluster.

Prints the table (best configuration, mean ± sd over seeds, % of backprop) and writes
``sweep.json``, ``sweep.md`` and ``sweep.png`` to ``--out``.
"""

from __future__ import annotations

import argparse

from astrolava.cli.train import add_run_arguments


def run(args: argparse.Namespace) -> int:
    from astrolava.sweep import SweepInterrupted, SweepSpec, parse_grid, run_sweep, table

    spec = SweepSpec(
        method=args.method, dataset=args.dataset, network=args.network,
        grid=parse_grid(args.grid), seeds=tuple(args.seeds), epochs=args.epochs,
        hidden=tuple(args.hidden), train_size=args.train_size,
        search_train_size=args.search_train_size, batch_size=args.batch_size,
        search=args.search, samples=args.samples, scheduler=args.scheduler,
        baseline=None if args.baseline == "none" else args.baseline,
        cpus_per_trial=args.cpus_per_trial)
    try:
        result = run_sweep(spec, args.out, address=args.address, num_cpus=args.num_cpus,
                           resume=args.resume)
    except (ModuleNotFoundError, SweepInterrupted) as err:
        raise SystemExit(f"astrolava sweep: error: {err}") from err
    print(table(result))
    print(f"\nwrote {args.out}/sweep.json, sweep.md and sweep.png")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from astrolava.models.mgd.trainer import METHODS
    from astrolava.sweep import SCHEDULERS, SEARCHES

    parser = subparsers.add_parser(
        "sweep", help="hyper-parameter sweep of `astrolava train` runs on Ray Tune",
        description="Sweep a method (and backprop, the same way) on Ray Tune: every candidate "
                    "on the first seed, then the best one on every seed. Without --address "
                    "a local Ray starts on this machine.")
    add_run_arguments(parser, "hidden layer widths")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2|LOW..HIGH",
                        help="values of one hyper-parameter (repeat for several); LOW..HIGH "
                             "is a log-uniform range for --search random/optuna")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--train-size", type=int, default=0,
                        help="training samples of the seed runs (0: all)")
    parser.add_argument("--search-train-size", type=int, default=0,
                        help="training samples of the search stage (0: as --train-size)")
    parser.add_argument("--search", choices=SEARCHES, default="grid")
    parser.add_argument("--samples", type=int, default=8,
                        help="candidates drawn by --search random/optuna")
    parser.add_argument("--scheduler", choices=SCHEDULERS, default="fifo",
                        help="asha: stop poor search trials early")
    parser.add_argument("--baseline", choices=(*METHODS, "none"), default="bp",
                        help="method swept the same way for the %% column (default: bp)")
    parser.add_argument("--address", default=None,
                        help="Ray cluster to run on: HOST:PORT of `ray start --head`, or "
                             "ray://HOST:PORT (needs ray[client]); default: a local Ray")
    parser.add_argument("--num-cpus", type=int, default=None,
                        help="CPUs of the local Ray (default: all)")
    parser.add_argument("--cpus-per-trial", type=float, default=1.0,
                        help="Ray CPUs per trial (trials at once = CPUs / this); torch uses "
                             "one thread per trial")
    parser.add_argument("--out", required=True,
                        help="folder of the experiments, checkpoints and results (on a "
                             "cluster: storage every node reaches)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the interrupted sweep in --out")
    parser.set_defaults(func=run)
