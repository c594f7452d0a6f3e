"""Rhythmic sharing: reservoirs with oscillating links coupled by astrocytes (SPEC §2)."""

from astrolava.rhythmic.equations import (
    coupling_term,
    link_drive,
    link_modulation,
    node_update,
    order_parameter,
    phase_update,
    recurrent_input,
)
from astrolava.rhythmic.graph import ReservoirGraph, make_reservoir_graph
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import (
    PHASE_MODES,
    ReservoirTrace,
    RhythmicReservoir,
    advance_phases,
)

__all__ = [
    "PHASE_MODES", "ReservoirGraph", "ReservoirTrace", "RhythmicParams", "RhythmicReservoir",
    "advance_phases",
    "coupling_term", "link_drive", "link_modulation", "make_reservoir_graph", "node_update",
    "order_parameter", "phase_update", "recurrent_input",
]
