"""Global cost: C0, ΔC and the node-perturbation bias gradients, broadcast as third factors."""

from astrolava.processes.global_cost.process import GlobalCost

__all__ = ["GlobalCost"]
