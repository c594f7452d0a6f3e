"""A whole rhythmic-sharing reservoir as one hierarchical Lava process."""

from astrolava.processes.rhythmic_reservoir.process import RhythmicReservoirProcess

__all__ = ["RhythmicReservoirProcess"]
