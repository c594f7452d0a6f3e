"""Rhythmic sharing: echo-state reservoirs whose links oscillate, coupled by astrocytes.

The method of Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot adaptive
learning in neural networks", arXiv:2502.08644. Every link of the reservoir carries a phase that
modulates its weight; astrocytes couple the phases of neighbouring links, so the synchrony of
the phases follows the dynamics of the input. That synchrony signals a change of context with
no training, and the mean phase can select one of several stored contexts for recall.

The reference implementation works on sparse link lists and runs the compiled equations of
:mod:`astrolava.rhythmic.equations` (shared with the floating_pt Lava models):
:class:`RhythmicReservoir` (tanh nodes, the paper's) and :class:`SpikingRhythmicReservoir` (LIF
nodes) with their :class:`RhythmicParams` and :class:`ReservoirGraph`; :class:`RidgeReadout`
for prediction and recall (:mod:`~astrolava.rhythmic.recall`); and the unsupervised
:class:`SynchronyChangeDetector`. The Lava processes are in ``astrolava.processes``
(``RhythmicReservoirProcess`` and its parts).
"""

from astrolava.rhythmic.detector import (
    SynchronyChangeDetector,
    synchrony_features,
    synchrony_roughness,
)
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
from astrolava.rhythmic.readout import RidgeReadout, closed_loop, fit_next_step
from astrolava.rhythmic.recall import (
    ContextSnapshot,
    attractor_distances,
    context_mid_phases,
    context_phases,
    context_snapshots,
    recall,
    recall_snapshot,
)
from astrolava.rhythmic.reservoir import (
    PHASE_MODES,
    ReservoirTrace,
    RhythmicReservoir,
    advance_phases,
)
from astrolava.rhythmic.scoring import detection_scores
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir

__all__ = [
    "ContextSnapshot", "PHASE_MODES", "ReservoirGraph", "ReservoirTrace", "RhythmicParams",
    "RhythmicReservoir", "RidgeReadout", "SpikingRhythmicReservoir", "SynchronyChangeDetector",
    "advance_phases", "attractor_distances", "closed_loop", "context_mid_phases",
    "context_phases", "context_snapshots", "coupling_term", "detection_scores", "fit_next_step",
    "link_drive", "link_modulation", "make_reservoir_graph", "node_update", "order_parameter",
    "phase_update", "recall", "recall_snapshot", "recurrent_input", "synchrony_features",
    "synchrony_roughness",
]
