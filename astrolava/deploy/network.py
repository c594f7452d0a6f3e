"""What the Lava deployment reads from a trained torch network: weights, biases, constants."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import snntorch as snn
import torch
from torch import nn

from astrolava.models import RateMLP, SpikingMLP

KINDS = ("rate", "spiking")
SUPPORTED_LAYERS = ("Linear", "Tanh (rate nets)", "snntorch Leaky (spiking nets)")
_CONTAINERS = (RateMLP, SpikingMLP, nn.ModuleList, nn.Sequential)


@dataclass(frozen=True)
class NetworkSpec:
    """A dense feed-forward network in plain numpy, ready to become a Lava graph.

    Rate (``kind="rate"``): ``a_l = tanh(W_l a_{l-1} + b_l)`` on every layer (δ-MGD paper §VI).
    Spiking (``kind="spiking"``): LIF layers ``v = beta * v + W s + b``, spike when
    ``v > threshold``, reset to 0, fed a Bernoulli rate code over ``num_steps`` steps
    (see :class:`astrolava.models.SpikingMLP`).

    Parameters
    ----------
    kind : {"rate", "spiking"}
    weights : list of numpy.ndarray
        ``W_l`` of shape (n_l, n_{l-1}), float64, input layer first.
    biases : list of numpy.ndarray
        ``b_l`` of shape (n_l,).
    beta, threshold : float
        LIF decay and threshold (spiking only).
    num_steps : int
        Steps per sample: ``T`` of the rate code (spiking), 1 (rate).
    """

    kind: str
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    beta: float = 0.0
    threshold: float = 1.0
    num_steps: int = 1

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input first."""
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    def check_inputs(self, X: np.ndarray, y: np.ndarray | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Validate a batch ``X`` (n, sizes[0]) and labels ``y`` (n,); labels default to 0."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X has shape {X.shape}; this network takes (n >= 1, "
                             f"{self.sizes[0]})")
        if not np.all(np.isfinite(X)):
            raise ValueError("X must be finite (found NaN or inf)")
        if self.kind == "spiking" and (X.min() < 0 or X.max() > 1):
            raise ValueError("X must lie in [0, 1] for a spiking network (spike probabilities)")
        y = np.zeros(len(X), dtype=np.int64) if y is None else np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y has shape {y.shape}; it must be ({len(X)},)")
        return X, y


def network_spec(model: nn.Module) -> NetworkSpec:
    """Read a trained :class:`RateMLP`, :class:`SpikingMLP` or ``nn.Sequential`` of
    ``Linear``/``Tanh`` pairs into a :class:`NetworkSpec`.

    Raises
    ------
    ValueError
        For a module that has no Lava counterpart here (named, with the supported list), a
        rate net with a linear output layer, or weights/biases that are NaN or infinite.
    """
    for name, module in model.named_modules():
        supported = (*_CONTAINERS, nn.Linear, nn.Tanh, snn.Leaky)
        if not isinstance(module, supported):
            raise ValueError(f"layer {name!r} ({type(module).__name__}) is not supported by the "
                             f"Lava deployment; supported layers: {', '.join(SUPPORTED_LAYERS)}")
    if isinstance(model, RateMLP):
        if not model.output_tanh:
            raise ValueError("output_tanh=False is not supported: the Lava graph ends in a "
                             "GradedTanh layer; train the RateMLP with output_tanh=True")
        return _spec("rate", list(model.layers))
    if isinstance(model, SpikingMLP):
        return _spec("spiking", list(model.layers), beta=model.beta,
                     threshold=model.threshold, num_steps=model.num_steps)
    if isinstance(model, nn.Sequential):
        mods = list(model)
        pairs = len(mods) // 2
        if len(mods) < 2 or len(mods) % 2 or not all(
                isinstance(mods[2 * i], nn.Linear) and isinstance(mods[2 * i + 1], nn.Tanh)
                for i in range(pairs)):
            raise ValueError("an nn.Sequential must alternate Linear, Tanh, Linear, Tanh, ... "
                             "(every layer tanh, like RateMLP(output_tanh=True))")
        return _spec("rate", mods[::2])
    raise ValueError(f"model ({type(model).__name__}) is not supported; use a RateMLP, a "
                     "SpikingMLP or an nn.Sequential of Linear/Tanh pairs")


def _spec(kind: str, linears: list[nn.Linear], **neuron: float) -> NetworkSpec:
    weights, biases = [], []
    for i, linear in enumerate(linears):
        if i and linear.in_features != linears[i - 1].out_features:
            raise ValueError(f"layer {i} takes {linear.in_features} inputs but layer {i - 1} "
                             f"gives {linears[i - 1].out_features}")
        w = _finite(f"layers.{i}.weight", linear.weight)
        b = (np.zeros(linear.out_features) if linear.bias is None
             else _finite(f"layers.{i}.bias", linear.bias))
        weights.append(w)
        biases.append(b)
    return NetworkSpec(kind=kind, weights=weights, biases=biases, **neuron)


def _finite(parameter: str, tensor: torch.Tensor) -> np.ndarray:
    values = tensor.detach().cpu().double().numpy().copy()
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{parameter} holds NaN or inf; weights must be finite real numbers")
    return values
