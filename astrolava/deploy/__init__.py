"""Deploy trained torch / snntorch networks as Lava process graphs (floating_pt and fixed_pt)."""

from astrolava.deploy.compare import compare_backends, format_table, torch_outputs
from astrolava.deploy.demo import run_demo
from astrolava.deploy.fixed import FixedPointFormat, rate_error_bound
from astrolava.deploy.graph import LavaGraph, LavaRun, build_graph, evaluate_graph, run_lava
from astrolava.deploy.network import NetworkSpec, network_spec

__all__ = ["FixedPointFormat", "LavaGraph", "LavaRun", "NetworkSpec", "build_graph",
           "compare_backends", "evaluate_graph", "format_table", "network_spec",
           "rate_error_bound", "run_demo", "run_lava", "torch_outputs"]
