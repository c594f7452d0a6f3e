"""Reference models in torch / snntorch (installed as ``astrolava.models``)."""

from astrolava.models.mlp import RateMLP, SpikingMLP, build_model
from astrolava.models.training import evaluate, sample_cost, train_backprop

__all__ = ["RateMLP", "SpikingMLP", "build_model", "evaluate", "sample_cost", "train_backprop"]
