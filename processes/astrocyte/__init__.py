"""Astrocyte: holds the class DeltaVecs of a domain of synapses and drives their perturbation."""

from astrolava.processes.astrocyte.process import Astrocyte

__all__ = ["Astrocyte"]
