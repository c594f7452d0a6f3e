"""The MGD family of perturbative learning rules (δ-MGD paper), a vectorised torch reference.

Default algorithm notes for the Lava port (dated; newest first):

- 2026-11-22: first version. δ-MGD default = ``DeltaMGDConfig()``: DeltaVecs refreshed by
  node perturbation (central differences ±h on each bias), schedule of
  ``DeltaVecBank.select``; ``θ̃_l = u_l ⊗ v_l`` with ``u = δ_class``, ``v = a_{l-1}``, rescaled
  globally to RMS ε; ``ĝ = ΔC·θ̃/ε²``; plain SGD. For a bit-level comparison run the model in
  float64 (``model.double()``): ΔC is a difference of nearly equal costs.
"""

from astrolava.mgd.accounting import OperationCounts
from astrolava.mgd.config import (
    METHOD_CONFIGS,
    AlignedConfig,
    DeltaMGDConfig,
    HebbianConfig,
    MGDConfig,
    PerturbativeConfig,
)
from astrolava.mgd.deltavecs import DeltaVecBank, bias_gradients_autograd, bias_gradients_node
from astrolava.mgd.network import LayerPerturbation
from astrolava.mgd.perturbation import (
    LEARNERS,
    AlignedLearner,
    DeltaMGDLearner,
    HebbianLearner,
    MGDLearner,
    PerturbativeLearner,
)

__all__ = [
    "LEARNERS", "METHOD_CONFIGS", "AlignedConfig", "AlignedLearner", "DeltaMGDConfig",
    "DeltaMGDLearner", "DeltaVecBank", "HebbianConfig", "HebbianLearner", "LayerPerturbation",
    "MGDConfig", "MGDLearner", "OperationCounts", "PerturbativeConfig", "PerturbativeLearner",
    "bias_gradients_autograd", "bias_gradients_node",
]
