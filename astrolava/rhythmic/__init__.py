"""Rhythmic sharing: reservoirs with oscillating links coupled by astrocytes (SPEC §2).

Reference (sparse link lists; the equations of :mod:`astrolava.rhythmic.equations` compiled
with numba, one implementation shared with the floating_pt Lava models):
:class:`RhythmicReservoir` (tanh nodes) and :class:`SpikingRhythmicReservoir` (LIF nodes, rate
read-out); :func:`order_parameter`;
:class:`RidgeReadout` / :func:`fit_next_step` / :func:`closed_loop`; recall by mean-phase
control (:func:`context_phases` or :func:`context_mid_phases`, :func:`recall`; with
``RidgeReadout(phase_gated=True)`` the readout's weights follow ⟨Φ⟩) or from a stored context state
(:func:`context_snapshots`, :func:`recall_snapshot`); the unsupervised
:class:`SynchronyChangeDetector` and :func:`synchrony_features` for other detectors.
Lava processes live in ``astrolava.processes`` (``RhythmicReservoirProcess`` and its parts).
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
