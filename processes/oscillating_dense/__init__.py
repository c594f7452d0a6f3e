"""Reservoir links whose weights oscillate with per-link phases: M = 1 − (m/2)(1 + sin φ)."""

from astrolava.processes.oscillating_dense.process import OscillatingDense

__all__ = ["OscillatingDense"]
