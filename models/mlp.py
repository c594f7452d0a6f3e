"""Reference multilayer perceptrons: a rate-coded tanh MLP and a spiking (snntorch) MLP.

Both hold their weights in ``layers`` (a list of ``nn.Linear``), so learning rules and the
Lava deployment read and write parameters the same way for either network.
"""

from __future__ import annotations

from collections.abc import Sequence

import snntorch as snn
import torch
from torch import nn

from astrolava.mgd.config import require_count, require_in_range, require_one_of, require_positive
from astrolava.mgd.presets import HIDDEN, NETWORKS, SPIKING_STEPS, SPIKING_WEIGHT_GAIN


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes={sizes} must list >= 2 layer widths, each >= 1")
    return sizes


def _linear_stack(sizes: list[int]) -> nn.ModuleList:
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    return nn.ModuleList(nn.Linear(n_in, n_out) for n_in, n_out in pairs)


class RateMLP(nn.Module):
    """Dense tanh network, ``a_l = tanh(W_l a_{l-1} + b_l)`` for every layer (δ-MGD paper §VI).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``(784, 128, 128, 10)``.
    output_tanh : bool
        Apply tanh on the output layer too (the paper's dense nets do); ``False`` leaves the
        output pre-activations linear (logits).
    """

    def __init__(self, sizes: Sequence[int], output_tanh: bool = True) -> None:
        super().__init__()
        self.sizes = _check_sizes(sizes)
        self.output_tanh = output_tanh
        self.layers = _linear_stack(self.sizes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output for inputs ``x`` of shape (batch, sizes[0])."""
        return self.forward_all(x)[-1]

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Activations of every layer, input first: ``[a_0 = x, a_1, ..., a_L]``."""
        if x.shape[-1] != self.sizes[0]:
            raise ValueError(f"x has {x.shape[-1]} features; this network takes {self.sizes[0]}")
        acts = [x]
        for i, layer in enumerate(self.layers):
            z = layer(acts[-1])
            last = i == len(self.layers) - 1
            acts.append(torch.tanh(z) if (not last or self.output_tanh) else z)
        return acts


class SpikingMLP(nn.Module):
    """Dense network of leaky integrate-and-fire neurons (snntorch ``Leaky``), rate coded.

    Per time step ``t`` and layer ``l`` (reset to zero after a spike, no reset delay, which is
    exactly Lava's LIF with ``du = 1``, ``dv = 1 - beta``, ``vth = threshold``)::

        v_l[t] = beta * v_l[t-1] * (1 - s_l[t-1]) + W_l s_{l-1}[t] + b_l
        s_l[t] = H(v_l[t] - threshold)

    The input is a rate code: ``s_0[t] ~ Bernoulli(x)`` for ``x`` in [0, 1] over
    ``num_steps`` steps. The network output is the spike count of the last layer over time
    divided by ``num_steps`` (a firing rate in [0, 1]).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output.
    beta : float in [0, 1]
        Membrane decay per step.
    threshold : float > 0
        Firing threshold.
    num_steps : int >= 1
        Length ``T`` of the rate code.
    """

    def __init__(self, sizes: Sequence[int], beta: float = 0.9, threshold: float = 1.0,
                 num_steps: int = 25) -> None:
        super().__init__()
        require_in_range("beta", beta, 0, 1)
        require_positive("threshold", threshold)
        require_count("num_steps", num_steps)
        self.sizes = _check_sizes(sizes)
        self.beta, self.threshold, self.num_steps = float(beta), float(threshold), int(num_steps)
        self.layers = _linear_stack(self.sizes)
        self.neurons = nn.ModuleList(
            snn.Leaky(beta=self.beta, threshold=self.threshold, reset_mechanism="zero",
                      reset_delay=False, init_hidden=False)
            for _ in self.layers)

    def encode(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Rate code: spikes of shape (num_steps, batch, features), ``P(spike) = x``."""
        if x.shape[-1] != self.sizes[0]:
            raise ValueError(f"x has {x.shape[-1]} features; this network takes {self.sizes[0]}")
        if x.min() < 0 or x.max() > 1:
            raise ValueError("x must lie in [0, 1] to be used as spike probabilities")
        probs = x.expand(self.num_steps, *x.shape)
        return torch.bernoulli(probs, generator=generator)

    def forward_spikes(self, spikes: torch.Tensor) -> list[torch.Tensor]:
        """Spike trains of every layer for input spikes (T, batch, n_in): ``[s_0, ..., s_L]``."""
        mems = [neuron.init_leaky() for neuron in self.neurons]
        trains: list[list[torch.Tensor]] = [[] for _ in self.layers]
        for t in range(spikes.shape[0]):
            s = spikes[t]
            for i, (layer, neuron) in enumerate(zip(self.layers, self.neurons, strict=True)):
                s, mems[i] = neuron(layer(s), mems[i])
                trains[i].append(s)
        return [spikes] + [torch.stack(train) for train in trains]

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Output firing rates (batch, sizes[-1]) for inputs ``x`` in [0, 1]."""
        return self.forward_spikes(self.encode(x, generator))[-1].mean(dim=0)


def build_model(network: str, n_in: int, n_classes: int, seed: int,
                hidden: Sequence[int] = HIDDEN, num_steps: int = SPIKING_STEPS) -> nn.Module:
    """A RateMLP (tanh everywhere) or SpikingMLP ``n_in-hidden-n_classes``, initialised by
    ``torch.manual_seed(seed)`` (PyTorch's default uniform init; spiking weights times
    ``SPIKING_WEIGHT_GAIN``)."""
    require_one_of("network", network, NETWORKS)
    torch.manual_seed(seed)
    sizes = (n_in, *hidden, n_classes)
    if network == "rate":
        return RateMLP(sizes)
    model = SpikingMLP(sizes, num_steps=num_steps)
    with torch.no_grad():
        for layer in model.layers:
            layer.weight.mul_(SPIKING_WEIGHT_GAIN)
    return model
