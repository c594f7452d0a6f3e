"""Graded (rate) tanh neuron: ``n <- leak * n + (1 - leak) * tanh(a_in + bias)``."""

from astrolava.processes.graded_neuron.process import GradedTanh

__all__ = ["GradedTanh"]
