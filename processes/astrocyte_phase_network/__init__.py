"""Astrocyte network coupling link phases (Kuramoto–Sakaguchi), with order-parameter output."""

from astrolava.processes.astrocyte_phase_network.process import AstrocytePhaseNetwork

__all__ = ["AstrocytePhaseNetwork"]
