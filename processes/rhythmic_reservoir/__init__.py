"""A whole rhythmic-sharing reservoir as one hierarchical Lava process, and its LIF nodes."""

from astrolava.processes.rhythmic_reservoir.process import ReservoirLIF, RhythmicReservoirProcess

__all__ = ["ReservoirLIF", "RhythmicReservoirProcess"]
