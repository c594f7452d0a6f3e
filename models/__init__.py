"""Reference models in torch / snntorch (installed as ``astrolava.models``)."""

from astrolava.models.mlp import RateMLP, SpikingMLP

__all__ = ["RateMLP", "SpikingMLP"]
