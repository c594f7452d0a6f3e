"""The MGD family of perturbative learning rules (δ-MGD paper), a vectorised torch reference.

Each learner trains a :class:`~astrolava.models.RateMLP` or
:class:`~astrolava.models.SpikingMLP` in batches with the hyper-parameters of
:mod:`astrolava.mgd.config`; the Lava process models run the same rules per sample from
:mod:`astrolava.mgd.equations` and are tested against these learners.
"""

from astrolava.models.mgd.accounting import OperationCounts
from astrolava.models.mgd.deltavecs import (
    DeltaVecBank,
    bias_gradients_autograd,
    bias_gradients_node,
)
from astrolava.models.mgd.network import LayerPerturbation
from astrolava.models.mgd.perturbation import (
    LEARNERS,
    AlignedLearner,
    DeltaMGDLearner,
    HebbianLearner,
    MGDLearner,
    PerturbativeLearner,
)

__all__ = [
    "LEARNERS", "AlignedLearner", "DeltaMGDLearner", "DeltaVecBank", "HebbianLearner",
    "LayerPerturbation", "MGDLearner", "OperationCounts", "PerturbativeLearner",
    "bias_gradients_autograd", "bias_gradients_node",
]
