"""δ-MGD network process: fused and hierarchical (one process per synapse/layer) models."""

from astrolava.processes.delta_mgd_network.process import DeltaMGDNetwork

__all__ = ["DeltaMGDNetwork"]
