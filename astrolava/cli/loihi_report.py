"""``astrolava loihi-report``: train a δ-MGD graph briefly in Lava and report its Loihi 2 fit."""

from __future__ import annotations

import argparse
import json


def run(args: argparse.Namespace) -> int:
    from astrolava.data import load_dataset
    from astrolava.lava_training import build_network, feed_dataset, lava_preset
    from astrolava.loihi_report import loihi_report
    from astrolava.mgd import DeltaMGDConfig
    from astrolava.processes.delta_mgd_network import network_run_config
    from astrolava.runtime import LavaSession

    if args.samples < 1:
        raise ValueError(f"--samples={args.samples} must be >= 1")
    X, y = load_dataset(args.dataset, "train")
    X, y = X[:args.samples], y[:args.samples]
    if args.learning_engine:
        report = _learning_engine_report(args, X, y)
        print(json.dumps(report.to_dict(), indent=2) if args.json else report.to_markdown())
        return 0
    config = lava_preset(args.network, args.tag, args.hierarchical)  # what the model runs
    net = build_network(args.network, X.shape[1], int(y.max()) + 1, args.seed,
                        DeltaMGDConfig(**config), hidden=tuple(args.hidden))
    steps = feed_dataset(net, X, y, args.hierarchical, args.seed)
    with LavaSession(net, network_run_config(args.tag, args.hierarchical)) as session:
        session.run(len(y) * steps)
        report = loihi_report(net)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.to_markdown())
    return 0


def _learning_engine_report(args: argparse.Namespace, X, y):
    """Train the learning-engine graph (``EngineNetwork``, the benchmark's parameters) on the
    samples and report it."""
    from astrolava.loihi_report import loihi_report
    from astrolava.models.mgd.loihi_engine import engine_params, initial_weights
    from astrolava.processes.engine_dmgd import EngineNetwork

    hidden = tuple(h for h in args.hidden if h)
    if len(hidden) > 1:
        raise ValueError(f"--hidden={args.hidden}: --learning-engine takes one hidden width "
                         "(e.g. --hidden 64) or none (--hidden 0)")
    params = engine_params(hidden)
    net = EngineNetwork(data=X, labels=y, schedule=params.schedule,
                        weights=initial_weights(params.sizes(X.shape[1], int(y.max()) + 1),
                                                args.seed),
                        eta=params.eta, epsilon=params.epsilon, neurons=params.neurons,
                        tau_delta=params.tau_delta, delta_mix=params.delta_mix, seed=args.seed)
    with net.session() as session:
        net.train(session, len(y))
        return loihi_report(net.source)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "loihi-report", help="train a delta-MGD graph briefly in Lava, report its Loihi 2 fit",
        description="Per process: Var widths and the ranges they reached, operations, stock "
                    "Lava vs astrolava, and what would not fit Loihi 2.")
    parser.add_argument("--dataset", default="digits", help="dataset name (default digits)")
    parser.add_argument("--samples", type=int, default=100, help="training samples to run")
    parser.add_argument("--hidden", type=int, nargs="+", default=[32, 32])
    parser.add_argument("--network", choices=("rate", "spiking"), default="rate",
                        help="tanh layers, or LIF layers with a T-step rate code (default rate)")
    parser.add_argument("--tag", choices=("floating_pt", "fixed_pt"), default="fixed_pt")
    parser.add_argument("--hierarchical", action="store_true",
                        help="one process per synapse/layer instead of the fused model")
    parser.add_argument("--learning-engine", action="store_true",
                        help="the graph of stock LearningDense synapses on Loihi 2's learning "
                             "engine (spiking, fixed_pt; one --hidden width or 0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.set_defaults(func=run)
