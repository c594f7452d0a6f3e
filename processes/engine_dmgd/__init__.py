"""δ-MGD on Loihi 2's learning engine: astrocyte and global cost (embedded-CPU work) and the
graph of stock ``Dense``/``LearningDense`` synapses and :class:`ThirdFactorLIF` neurons."""

from astrolava.processes.engine_dmgd.network import EngineNetwork, engine_learning_rule
from astrolava.processes.engine_dmgd.process import EngineAstrocyte, EngineCost

__all__ = ["EngineAstrocyte", "EngineCost", "EngineNetwork", "engine_learning_rule"]
