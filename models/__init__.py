"""Reference models in torch / snntorch (installed as ``astrolava.models``)."""

from astrolava.models.mlp import RateMLP, SpikingMLP
from astrolava.models.training import evaluate, sample_cost, train_backprop

__all__ = ["RateMLP", "SpikingMLP", "evaluate", "sample_cost", "train_backprop"]
