"""Layer-by-layer forward passes of the reference MLPs with per-sample perturbations.

A perturbative rule runs the same network twice per sample: once clean, once with its
parameters shifted by that sample's own ``θ̃`` (δ-MGD paper Alg. 1 lines 10-15). The
perturbed pass never materialises per-sample weight matrices when ``θ̃_W`` is rank one
(``θ̃_W = u vᵀ``, the case of every directed rule: ``a_i·δ_j``), since
``(W + u vᵀ) s = W s + u (v·s)``.

Network inputs are what the first layer receives: the features ``x`` (batch, d) of a
:class:`RateMLP`, or the rate-coded spikes (T, batch, d) of a :class:`SpikingMLP`, so a
spiking sample's clean and perturbed passes see the same input spikes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from astrolava.models import RateMLP, SpikingMLP
from torch import nn

from astrolava.mgd.equations import SURROGATE_ALPHA

ONE = torch.tensor(1.0)
"""Exact constant 1 as a 0-dim tensor for the per-step arithmetic: an operation with a Python
number first wraps it into a tensor (one more dispatched op, ~1.3 µs at batch 32 on one
thread); a 0-dim tensor takes the other operand's dtype, so results are identical to the
Python number's in float32 and float64."""

@dataclass
class LayerPerturbation:
    """Perturbation ``θ̃`` of one layer for every sample of a batch.

    Dense: ``θ̃_W = dense`` (batch, n_out, n_in), ``θ̃_b = bias`` (batch, n_out).
    Rank one (every directed rule): ``θ̃_W = post ⊗ pre`` and ``θ̃_b = post``, from ``post``
    (batch, n_out) and ``pre`` (batch, n_in) — the bias is a synapse from a constant input 1.
    """

    bias: torch.Tensor | None = None
    dense: torch.Tensor | None = None
    post: torch.Tensor | None = None
    pre: torch.Tensor | None = None
    ext_sq_norm: torch.Tensor | None = None
    """``‖(pre, 1)‖² = ‖pre‖² + 1`` per sample (the bias is a synapse from an input 1) once
    :meth:`sq_norm` has computed it (reused by :meth:`weight_times` when the input is
    ``pre`` itself: the first layer's clean input)."""

    def __post_init__(self) -> None:
        rank_one = self.post is not None and self.pre is not None
        if rank_one == (self.dense is not None) or (self.dense is not None and self.bias is None):
            raise ValueError("give either dense and bias, or post and pre")
        if rank_one:
            self.bias = self.post

    def weight_times(self, inp: torch.Tensor) -> torch.Tensor:
        """``θ̃_W s + θ̃_b`` per sample for inputs (batch, n_in) or (T, batch, n_in)."""
        if self.dense is not None:
            return torch.einsum("bnm,...bm->...bn", self.dense, inp) + self.bias
        if inp is self.pre and self.ext_sq_norm is not None:
            return self.post * self.ext_sq_norm[:, None]
        return self.post * ((inp * self.pre).sum(dim=-1, keepdim=True) + ONE)

    def weighted_sum(self, coef: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(Σ_b coef_b θ̃_W,b, Σ_b coef_b θ̃_b,b)`` for per-sample coefficients (batch,).

        With ``coef / batch`` this is the batch mean of ``coef_b θ̃_b``.
        """
        if self.dense is not None:
            return torch.einsum("b,bnm->nm", coef, self.dense), coef @ self.bias
        post = coef[:, None] * self.post
        return post.T @ self.pre, post.sum(dim=0)

    def sq_norm(self) -> torch.Tensor:
        """``‖θ̃_W‖² + ‖θ̃_b‖²`` per sample, shape (batch,)."""
        if self.dense is not None:
            return (self.dense * self.dense).sum(dim=(-2, -1)) + (self.bias * self.bias).sum(dim=-1)
        if self.ext_sq_norm is None:
            self.ext_sq_norm = (self.pre * self.pre).sum(dim=-1) + ONE
        return (self.post * self.post).sum(dim=-1) * self.ext_sq_norm

    def n_params(self) -> int:
        """Number of parameters of the layer (weights and biases)."""
        n_out = self.bias.shape[-1]
        n_in = self.dense.shape[-1] if self.dense is not None else self.pre.shape[-1]
        return n_out * (n_in + 1)

    def scaled(self, scale: torch.Tensor) -> LayerPerturbation:
        """Each sample's perturbation multiplied by ``scale`` (batch,)."""
        if self.dense is not None:
            return LayerPerturbation(self.bias * scale[:, None],
                                     dense=self.dense * scale[:, None, None])
        return LayerPerturbation(post=self.post * scale[:, None], pre=self.pre,
                                 ext_sq_norm=self.ext_sq_norm)


def check_model(model: nn.Module) -> nn.Module:
    """Return ``model`` if it is a RateMLP or SpikingMLP, else raise ``ValueError``."""
    if not isinstance(model, (RateMLP, SpikingMLP)):
        raise ValueError(f"model must be a RateMLP or a SpikingMLP, got {type(model).__name__}")
    return model


def encode(model: nn.Module, x: torch.Tensor,
           generator: torch.Generator | None = None) -> torch.Tensor:
    """Network input for features ``x``: ``x`` itself, or its rate code (T, batch, d)."""
    if isinstance(check_model(model), SpikingMLP):
        return model.encode(x, generator)
    return x


def layer_forward(model: nn.Module, index: int, inp: torch.Tensor,
                  perturbation: LayerPerturbation | None = None,
                  bias_shift: torch.Tensor | None = None,
                  current: torch.Tensor | None = None,
                  slopes: list[torch.Tensor] | None = None) -> torch.Tensor:
    """Output of layer ``index`` for input ``inp``, with optional ``θ̃`` and bias shift.

    Rate: ``a_l = tanh((W + θ̃_W) a_{l-1} + b + θ̃_b + shift)`` (no tanh on a linear output
    layer). Spiking: the same input current fed, step by step, to the layer's Leaky neurons
    (``slopes``, a list, gets the layer's local slopes appended, see :func:`spike_train`).
    ``current``, if given, is ``W a_{l-1} + b`` already computed for this ``inp``.
    """
    if current is None:
        layer = model.layers[index]
        current = nn.functional.linear(inp, layer.weight, layer.bias)
    if perturbation is not None:
        current = current + perturbation.weight_times(inp)
    if bias_shift is not None:
        current = current + bias_shift
    return activate(model, index, current, slopes)


def activate(model: nn.Module, index: int, current: torch.Tensor,
             slopes: list[torch.Tensor] | None = None) -> torch.Tensor:
    """Output of layer ``index`` driven by its input current: ``tanh(current)`` (none on a
    linear output layer), or the spikes of the layer's Leaky neurons (:func:`spike_train`,
    which appends the local slopes to a list ``slopes``)."""
    if isinstance(model, SpikingMLP):
        return spike_train(model, index, current, slopes)
    if slopes is not None:
        raise ValueError("slopes are only measured for a SpikingMLP")
    last = index == len(model.sizes) - 2
    return current if (last and not model.output_tanh) else torch.tanh(current)


def surrogate_slope(model: SpikingMLP, mem: torch.Tensor) -> torch.Tensor:
    """snntorch's ATan surrogate ``σ'(U) = (α/2) / (1 + (π α (U − ϑ) / 2)²)`` (α = 2).

    The derivative of the spike ``H(U − ϑ)`` that BPTT uses (``snntorch.surrogate.atan``, the
    default of ``snn.Leaky``).
    """
    shifted = (torch.pi * SURROGATE_ALPHA / 2) * (mem - model.threshold)
    return (SURROGATE_ALPHA / 2) / (1 + shifted * shifted)


def spike_train(model: SpikingMLP, index: int, current: torch.Tensor,
                slopes: list[torch.Tensor] | None = None) -> torch.Tensor:
    """Spikes (T, batch, n) of layer ``index``'s Leaky neurons driven by ``current``.

    With a list ``slopes``, also appends each neuron's local slope ``ρ = ∂r/∂b`` (batch, n):
    the derivative of its firing rate ``r = (1/T) Σ_t s[t]`` with respect to its own bias
    (its input spikes held fixed), under snntorch's surrogate ``σ'`` and with its reset
    (``v[t] = U[t]·(1 − s[t])``, ``U[t] = β v[t-1] + I[t]``) differentiated as BPTT does::

        m[t] = ∂U[t]/∂b = 1 + β·m[t-1]·(1 − s[t-1] − U[t-1]·σ'[t-1]),   m[0] = 1
        ρ = (1/T) Σ_t σ'[t]·m[t]

    a forward-mode trace every neuron keeps alone (no backward pass). For the output layer
    ``e ⊙ ρ`` (``e = ∂C/∂r``) is BPTT's exact bias gradient.
    """
    neuron = model.neurons[index]
    mem = neuron.init_leaky()
    spikes, pre_reset = [], []
    for t in range(current.shape[0]):
        if slopes is not None:  # U[t] = β·v[t-1] + I[t] from the neuron's reset state v[t-1]
            pre_reset.append(current[t] if t == 0 else model.beta * mem + current[t])
        s, mem = neuron(current[t], mem)
        spikes.append(s)
    spikes = torch.stack(spikes).to(current.dtype)  # snntorch emits float32 spikes
    if slopes is not None:
        slopes.append(_rate_slope(model, torch.stack(pre_reset), spikes))
    return spikes


def _rate_slope(model: SpikingMLP, pre_reset: torch.Tensor, spikes: torch.Tensor
                ) -> torch.Tensor:
    """``ρ = ∂r/∂b`` of :func:`spike_train` from the pre-reset potentials ``U`` and the spikes
    (T, batch, n) of its pass: ``σ'[t]`` and ``1 − s[t] − U[t]·σ'[t]`` for all steps at once,
    then the trace ``m[t]`` step by step."""
    slope = surrogate_slope(model, pre_reset)
    factor = 1 - spikes - pre_reset * slope
    trace = torch.ones_like(pre_reset[0])  # m[t]
    total = torch.zeros_like(pre_reset[0])
    for t in range(pre_reset.shape[0]):
        total = total + slope[t] * trace
        trace = 1 + model.beta * trace * factor[t]
    return total / pre_reset.shape[0]


def forward_from(model: nn.Module, start: int, inp: torch.Tensor,
                 perturbations: list[LayerPerturbation] | None = None,
                 bias_shifts: dict[int, torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Outputs of layers ``start, ..., L``; ``bias_shifts[l]`` (batch, n_l) adds to layer l."""
    outs = []
    shifts = bias_shifts or {}
    for index in range(start, len(model.sizes) - 1):
        pert = None if perturbations is None else perturbations[index]
        inp = layer_forward(model, index, inp, pert, shifts.get(index))
        outs.append(inp)
    return outs


def forward(model: nn.Module, inp: torch.Tensor,
            perturbations: list[LayerPerturbation] | None = None,
            bias_shifts: dict[int, torch.Tensor] | None = None,
            first_current: torch.Tensor | None = None,
            slopes: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Network input followed by every layer's output: ``[s_0, s_1, ..., s_L]``.

    ``first_current = W_1 s_0 + b_1`` may be passed to share it between the clean and the
    perturbed pass of the same input (the largest product of the network). ``slopes`` (a
    SpikingMLP's, an empty list) receives every layer's local slope ``∂r_l/∂b_l``.
    """
    shifts = bias_shifts or {}
    acts = [inp]
    for index in range(len(model.sizes) - 1):
        pert = None if perturbations is None else perturbations[index]
        acts.append(layer_forward(model, index, acts[-1], pert, shifts.get(index),
                                  first_current if index == 0 else None, slopes))
    return acts


def readout(model: nn.Module, last: torch.Tensor) -> torch.Tensor:
    """Network output from the last layer's output: activations, or firing rates over T."""
    return last.mean(dim=0) if isinstance(model, SpikingMLP) else last


def activity(model: nn.Module, act: torch.Tensor) -> torch.Tensor:
    """Presynaptic activity ``a`` (batch, n) of a layer output: itself, or its firing rate."""
    return act.mean(dim=0) if isinstance(model, SpikingMLP) else act


def batch_dim(model: nn.Module) -> int:
    """Axis of the batch in network inputs and layer outputs (1 for spike trains)."""
    return 1 if isinstance(model, SpikingMLP) else 0
