"""The global cost signals of perturbative learning (δ-MGD paper Eq. 1, Alg. 1 lines 11-17)."""

from __future__ import annotations

import torch
from torch import nn

from astrolava.mgd.network import readout
from astrolava.models import RateMLP
from astrolava.models.training import sample_cost


def network_cost(model: nn.Module, last: torch.Tensor, y: torch.Tensor,
                 loss: str) -> torch.Tensor:
    """Per-sample cost ``C`` (batch,) of the last layer's output ``last`` (Alg. 1 line 11)."""
    return sample_cost(readout(model, last), y, loss)


def cost_weight(c0: torch.Tensor, gamma: float) -> torch.Tensor:
    """Per-sample weighting of the update, ``γ·C0`` (Alg. 1 line 17); 1 when ``γ = 0``."""
    return gamma * c0 if gamma > 0 else torch.ones_like(c0)


def update_coefficients(c_tilde: torch.Tensor, c0: torch.Tensor, epsilon: float,
                        gamma: float) -> torch.Tensor:
    """Coefficient ``k = ΔC·w/ε²`` of ``ĝ = k·θ̃`` per sample, ``ΔC = C̃ − C0``.

    Paper Eq. 1 and Alg. 1 lines 16-17 (``w`` from :func:`cost_weight`).
    """
    return (c_tilde - c0) * cost_weight(c0, gamma) / epsilon ** 2


def output_delta(model: nn.Module, pre_output: torch.Tensor, y: torch.Tensor,
                 loss: str) -> torch.Tensor:
    """Exact local output-layer δ = ``∂C/∂z_L`` (batch, n_out) of a RateMLP (paper §III-A).

    Needs only the output layer's own input ``a_{L-1}``, its parameters and the label:
    ``δ_L = (o − t) ⊙ (1 − o²)`` for the squared error with a tanh output, for example.
    """
    if not isinstance(model, RateMLP):
        raise ValueError("exact_output needs a RateMLP (a spiking output has no local derivative)")
    with torch.enable_grad():
        z = model.layers[-1](pre_output.detach()).detach().requires_grad_(True)
        out = torch.tanh(z) if model.output_tanh else z
        (delta,) = torch.autograd.grad(sample_cost(out, y, loss).sum(), z)
    return delta


def output_error(output: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """``e = ∂C/∂o`` (batch, n_out) of the network outputs ``o``: ``o − t`` for the squared
    error, ``softmax(o) − t`` for cross-entropy. Local to the output units."""
    with torch.enable_grad():
        out = output.detach().requires_grad_(True)
        (error,) = torch.autograd.grad(sample_cost(out, y, loss).sum(), out)
    return error
