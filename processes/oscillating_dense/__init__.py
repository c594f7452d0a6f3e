"""Reservoir links whose weights oscillate with per-link phases (rhythmic sharing)."""

from astrolava.processes.oscillating_dense.process import OscillatingDense

__all__ = ["OscillatingDense"]
