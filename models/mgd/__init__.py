"""The MGD family of perturbative learning rules (δ-MGD paper), a vectorised torch reference.

Each learner trains a :class:`~astrolava.models.RateMLP` or
:class:`~astrolava.models.SpikingMLP` in batches with the hyper-parameters of
:mod:`astrolava.mgd.config`; the Lava process models run the same rules per sample from
:mod:`astrolava.mgd.equations` and are tested against these learners.
"""

from astrolava.models.mgd.accounting import OperationCounts
from astrolava.models.mgd.backprop import BackpropConfig, BackpropLearner
from astrolava.models.mgd.deltavecs import (
    DeltaVecBank,
    bias_gradients_autograd,
    bias_gradients_node,
)
from astrolava.models.mgd.diagnostics import gradient_diagnostics
from astrolava.models.mgd.learner import Learner
from astrolava.models.mgd.network import LayerPerturbation
from astrolava.models.mgd.perturbation import (
    LEARNERS,
    AlignedLearner,
    DeltaMGDLearner,
    HebbianLearner,
    MGDLearner,
    PerturbativeLearner,
)
from astrolava.models.mgd.trainer import METHODS, Dataset, make_config, make_learner, train

__all__ = [
    "LEARNERS", "METHODS", "AlignedLearner", "BackpropConfig", "BackpropLearner", "Dataset",
    "DeltaMGDLearner", "DeltaVecBank", "HebbianLearner", "LayerPerturbation", "Learner",
    "MGDLearner", "OperationCounts", "PerturbativeLearner", "bias_gradients_autograd",
    "bias_gradients_node", "gradient_diagnostics", "make_config", "make_learner", "train",
]
