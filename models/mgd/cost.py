"""The global cost signals of perturbative learning (δ-MGD paper Eq. 1, Alg. 1 lines 11-17)."""

from __future__ import annotations

import torch
from astrolava.models import RateMLP
from astrolava.models.mgd.network import ONE, readout
from astrolava.models.training import one_hot_targets, sample_cost
from torch import nn


def network_cost(model: nn.Module, last: torch.Tensor, y: torch.Tensor, loss: str,
                 target: torch.Tensor | None = None) -> torch.Tensor:
    """Per-sample cost ``C`` (batch,) of the last layer's output ``last`` (Alg. 1 line 11).

    ``target``, the one-hot labels (batch, n_out), may be passed to share it between the
    passes of a batch.
    """
    return sample_cost(readout(model, last), y, loss, target)


def cost_weight(c0: torch.Tensor, gamma: float) -> torch.Tensor | float:
    """Per-sample weighting of the update, ``γ·C0`` (Alg. 1 line 17); 1 when ``γ = 0``."""
    return gamma * c0 if gamma > 0 else 1.0


def update_coefficients(delta_c: torch.Tensor, c0: torch.Tensor, epsilon: float,
                        gamma: float) -> torch.Tensor:
    """Coefficient ``k = ΔC·w/ε²`` of ``ĝ = k·θ̃`` per sample from ``ΔC = C̃ − C0``.

    Paper Eq. 1 and Alg. 1 lines 16-17 (``w`` from :func:`cost_weight`).
    """
    if gamma > 0:
        delta_c = delta_c * cost_weight(c0, gamma)
    return delta_c / epsilon ** 2


def output_error(output: torch.Tensor, y: torch.Tensor, loss: str,
                 target: torch.Tensor | None = None) -> torch.Tensor:
    """``e = ∂C/∂o`` (batch, n_out) of the network outputs ``o``, local to the output units.

    Squared error: ``e = o − t``; cross-entropy: ``e = softmax(o) − t`` (``t`` one-hot, built
    from ``y`` unless given as ``target``).
    """
    if target is None:
        target = one_hot_targets(y, output.shape[-1], output.dtype)
    if loss == "ce":
        return torch.softmax(output, dim=-1) - target
    return output - target


def output_delta(model: nn.Module, output: torch.Tensor, y: torch.Tensor,
                 loss: str, target: torch.Tensor | None = None,
                 slope: torch.Tensor | None = None) -> torch.Tensor:
    """Exact local output-layer δ_L = ``∂C/∂z_L`` (batch, n_out) (paper §III-A).

    ``δ_L = e ⊙ f'(z_L)`` with ``e`` from :func:`output_error`: for a RateMLP ``f'(z) = 1 − o²``
    of a tanh output (1 for a linear one); for a SpikingMLP ``output`` is the output spike
    train, ``e`` that of its firing rates and ``f'`` the rate slope ``slope = ρ_L = ∂r_L/∂b_L``
    measured by the clean pass (``network.spike_train``; ``e ⊙ ρ_L`` is BPTT's bias gradient).
    It needs only the output units' own values and the label.
    """
    if slope is not None:
        return output_error(readout(model, output), y, loss, target) * slope
    if not isinstance(model, RateMLP):
        raise ValueError("an exact output delta of a spiking net needs its rate slope "
                         "(slope=None given)")
    error = output_error(output, y, loss, target)
    return error * (ONE - output * output) if model.output_tanh else error
