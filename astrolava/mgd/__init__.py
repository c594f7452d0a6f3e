"""The MGD family of perturbative learning rules (δ-MGD paper), a vectorised torch reference.

Default algorithm notes for the Lava port (dated; newest first):

- 2026-11-23 01:40: the spiking δ-MGD preset's refresh bias step is ``fd_step=1.0`` (was
  0.2); the rate preset and ``DeltaMGDConfig()`` are unchanged. Speed-ups of the torch step
  (``torch.inference_mode``, scatter one-hot, reused ``‖s_0‖²``) leave every result
  bit-identical.
- 2026-11-23 00:35: the rate preset now averages the chain rows over refreshes
  (``delta_mix=0.1``); ``DeltaMGDConfig()`` defaults are still unchanged.
- 2026-11-23 00:05: ``DeltaMGDConfig()`` defaults are unchanged (the paper's class DeltaVecs,
  SGD). New options, used by the recommended presets (``astrolava.mgd.presets``):
  ``deltavecs="chain"`` (rate nets; bank rows ``∂z_L,k/∂a_l`` measured by node perturbation
  on the neuron outputs, ``δ̂_l = (1 − a_l²) ⊙ (δ_L @ rows)``, δ_L the exact local output δ;
  one refresh every τδ samples from that sample) and ``deltavecs="output"`` (rows
  ``∂o_k/∂b_l``, ``δ̂_l = e @ rows`` with ``e = ∂C/∂o``; spiking nets, with ``delta_mix``
  averaging). ``optimizer="adam"``, ``exact_output`` and ``weight_decay`` as documented. The
  clean and perturbed passes share ``W_1 s_0 + b_1``; the output δ is closed-form
  (``cost.output_delta``), no autograd anywhere in the node-refresh path.
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
