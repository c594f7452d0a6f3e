"""Lava processes of astrolava (installed as ``astrolava.processes``), one folder each.

Every folder holds ``process.py`` (the process: ports and Vars) and ``models.py`` (its
``floating_pt`` and ``fixed_pt`` process models), which Lava's compiler finds by running the
files beside the process module. This module only re-exports the public classes and
functions, e.g. ``from astrolava.processes import TripartiteSynapse``.
"""

from astrolava.processes.astrocyte import Astrocyte
from astrolava.processes.astrocyte_phase_network import AstrocytePhaseNetwork
from astrolava.processes.dataset_source import DatasetSource, encode_spikes, sample_order
from astrolava.processes.delta_mgd_network import DeltaMGDNetwork, network_run_config
from astrolava.processes.engine_dmgd import (
    EngineAstrocyte,
    EngineCost,
    EngineNetwork,
    engine_learning_rule,
)
from astrolava.processes.global_cost import GlobalCost
from astrolava.processes.graded_neuron import GradedTanh
from astrolava.processes.lif_layer import LIFLayer
from astrolava.processes.oscillating_dense import OscillatingDense
from astrolava.processes.rhythmic_reservoir import ReservoirLIF, RhythmicReservoirProcess
from astrolava.processes.series_input import SeriesInput
from astrolava.processes.third_factor_lif import ThirdFactorLIF
from astrolava.processes.tripartite_synapse import TripartiteSynapse

__all__ = [
    "Astrocyte",
    "AstrocytePhaseNetwork",
    "DatasetSource",
    "DeltaMGDNetwork",
    "EngineAstrocyte",
    "EngineCost",
    "EngineNetwork",
    "GlobalCost",
    "GradedTanh",
    "LIFLayer",
    "OscillatingDense",
    "ReservoirLIF",
    "RhythmicReservoirProcess",
    "SeriesInput",
    "ThirdFactorLIF",
    "TripartiteSynapse",
    "encode_spikes",
    "engine_learning_rule",
    "network_run_config",
    "sample_order",
]
