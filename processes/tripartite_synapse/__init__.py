"""Dense synapse that holds its presynaptic activity and perturbation and learns by δ-MGD."""

from astrolava.processes.tripartite_synapse.process import TripartiteSynapse

__all__ = ["TripartiteSynapse"]
