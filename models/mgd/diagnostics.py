"""What a perturbative rule is doing: sign agreement Λ (paper Eq. 2), cosine with the true
gradient, saturation of hidden units and weight norms, per layer."""

from __future__ import annotations

import copy

import torch
from astrolava.models.mgd.cost import network_cost
from astrolava.models.mgd.network import activity, forward
from torch import nn

SATURATION_LEVEL = 0.99
"""A tanh unit with ``|a| > 0.99``, or a spiking unit firing at every step, is saturated."""


def agreement(a: torch.Tensor, b: torch.Tensor) -> float:
    """``Λ(A, B) = (1/N) Σ_i [sign(A_i) = sign(B_i)]`` with ternary signs (paper Eq. 2)."""
    if a.shape != b.shape:
        raise ValueError(f"a {tuple(a.shape)} and b {tuple(b.shape)} must have the same shape")
    return float((torch.sign(a) == torch.sign(b)).double().mean())


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    """``cos(A, B) = A·B / (‖A‖ ‖B‖)`` (0 if either is zero)."""
    a, b = a.flatten().double(), b.flatten().double()
    norm = a.norm() * b.norm()
    return float(a @ b / norm) if norm > 0 else 0.0


def true_gradient(model: nn.Module, inp: torch.Tensor, y: torch.Tensor, loss: str
                  ) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], list[torch.Tensor],
                             torch.Tensor]:
    """Autograd gradient of the batch-mean cost on the network input ``inp``.

    Returns per layer ``(∂C/∂W, ∂C/∂b)`` (surrogate derivative for spiking nets), the
    detached layer outputs ``[s_0, ..., s_L]`` and the per-sample costs (batch,).
    """
    params = [p for layer in model.layers for p in (layer.weight, layer.bias)]
    with torch.enable_grad():
        acts = forward(model, inp)
        cost = network_cost(model, acts[-1], y, loss)
        grads = torch.autograd.grad(cost.mean(), params)
    pairs = [(grads[2 * i], grads[2 * i + 1]) for i in range(len(model.layers))]
    return pairs, [a.detach() for a in acts], cost.detach()


def saturation(model: nn.Module, acts: list[torch.Tensor]) -> list[float]:
    """Fraction of saturated units of each hidden layer (``|a| > SATURATION_LEVEL``)."""
    return [float((activity(model, a).abs() > SATURATION_LEVEL).double().mean())
            for a in acts[1:-1]]


def weight_norms(model: nn.Module) -> list[float]:
    """Frobenius norm ``‖W_l‖`` of each layer's weights."""
    return [float(layer.weight.detach().norm()) for layer in model.layers]


def gradient_diagnostics(learner, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Λ and cosine of a learner's estimate against the true gradient on one batch.

    The learner's state (generator, DeltaVecs, held perturbations) is restored afterwards,
    so diagnostics never change a training run.

    Returns
    -------
    dict
        ``{"agreement": [Λ_l], "cosine": [cos_l], "cosine_all": cos over all parameters,
        "saturation": [per hidden layer], "weight_norm": [per layer]}``.
    """
    state = copy.deepcopy(learner.state_dict())
    try:
        estimate, info = learner.estimate(x, y)
    finally:
        learner.load_state_dict(state)
    truth, _, _ = true_gradient(learner.model, info["inp"], y, learner.config.loss)

    def flat(pair: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return torch.cat([pair[0].flatten(), pair[1].flatten()])

    est_l = [flat(p) for p in estimate]
    true_l = [flat(p) for p in truth]
    return {
        "agreement": [agreement(e, t) for e, t in zip(est_l, true_l, strict=True)],
        "cosine": [cosine(e, t) for e, t in zip(est_l, true_l, strict=True)],
        "cosine_all": cosine(torch.cat(est_l), torch.cat(true_l)),
        "saturation": saturation(learner.model, info["acts"]),
        "weight_norm": weight_norms(learner.model),
    }
