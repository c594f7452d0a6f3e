"""δ-MGD network process: fused and hierarchical (one process per synapse/layer) models."""

from astrolava.processes.delta_mgd_network.process import DeltaMGDNetwork, network_run_config

__all__ = ["DeltaMGDNetwork", "network_run_config"]
