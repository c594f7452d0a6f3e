"""LIF neuron layer with a per-pass reset (spiking layers of the hierarchical δ-MGD graph)."""

from astrolava.processes.lif_layer.process import LIFLayer

__all__ = ["LIFLayer"]
