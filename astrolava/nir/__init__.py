"""Spiking networks in and out through NIR, the Neuromorphic Intermediate Representation.

``to_nir`` writes a trained :class:`~astrolava.models.SpikingMLP` (and optionally its δ-MGD
learner's state) as a ``nir.NIRGraph``; ``from_nir`` builds the Lava graph of the deploy
module (floating_pt or fixed_pt) from a NIR chain of Affine/Linear and LIF nodes, wherever it
was written (snntorch, Norse, Rockpool, ...); ``model_from_nir`` and ``learner_from_nir``
bring a network and its δ-MGD training back to torch; ``lava_to_nir`` and ``lava_from_nir``
do the same for a spiking δ-MGD network trained inside Lava (its checkpointed learning state,
fixed-point weight exponents included). Files: ``nir.write`` / ``nir.read`` (HDF5). Rate
(tanh) networks have no NIR form: NIR has no tanh node.
"""

from astrolava.nir.convert import from_nir, model_from_nir, to_nir
from astrolava.nir.lava_state import lava_from_nir, lava_to_nir
from astrolava.nir.nodes import DT, SUPPORTED_NODES, beta_from_tau, spec_from_nir, tau_from_beta
from astrolava.nir.training_state import learner_from_nir

__all__ = ["DT", "SUPPORTED_NODES", "beta_from_tau", "from_nir", "lava_from_nir",
           "lava_to_nir", "learner_from_nir", "model_from_nir", "spec_from_nir", "tau_from_beta",
           "to_nir"]
