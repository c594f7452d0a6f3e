"""Reference models in torch / snntorch (installed as ``astrolava.models``): the rate and
spiking MLPs, backprop / BPTT training and the per-sample cost every method minimises; the
perturbative learners are in :mod:`astrolava.models.mgd`."""

from astrolava.models.mlp import RateMLP, SpikingMLP, build_model
from astrolava.models.training import (
    evaluate,
    make_optimizer,
    network_output,
    one_hot_targets,
    sample_cost,
    train_backprop,
)

__all__ = [
    "RateMLP", "SpikingMLP", "build_model", "evaluate", "make_optimizer", "network_output",
    "one_hot_targets", "sample_cost", "train_backprop",
]
