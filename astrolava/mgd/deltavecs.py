"""Bias gradients δ = ∂C/∂b per neuron and the class-wise DeltaVecs that store them.

δ-MGD paper §III-A: ``∂C/∂W_ij = a_i·δ_j``, so a gradient estimate needs only one number
per neuron; §IV: δ is class-structured and stable in time, so one vector per class per layer
(a DeltaVec), refreshed every τδ samples, stands in for every sample's δ (Alg. 1 l. 4-8).
"""

from __future__ import annotations

import torch
from torch import nn

from astrolava.mgd.cost import network_cost
from astrolava.mgd.network import batch_dim, forward, forward_from


def bias_gradients_node(model: nn.Module, acts: list[torch.Tensor], y: torch.Tensor,
                        step: float, loss: str) -> list[torch.Tensor]:
    """Node perturbation: ``δ_j ≈ (C(b_j + h) − C(b_j − h)) / 2h`` for every neuron (§III-A).

    Central finite differences on the biases, one neuron at a time, batched: for layer ``l``
    the sample's layer input ``acts[l]`` is repeated ``2·n_l`` times and layers ``l..L`` are
    run with bias shifts ``±h·e_j``. No autograd.

    Parameters
    ----------
    acts : list of Tensor
        Clean layer outputs ``[s_0, ..., s_L]`` of the samples (from ``network.forward``).
    y : Tensor (batch,)
    step : float > 0
        Bias step ``h``.

    Returns
    -------
    list of Tensor
        ``δ_l`` of shape (batch, n_l) for every layer ``l = 1..L``.
    """
    axis = batch_dim(model)
    n_samples = len(y)
    deltas = []
    for index, layer in enumerate(model.layers):
        n = layer.out_features
        eye = torch.eye(n, dtype=layer.bias.dtype)
        shift = torch.cat([step * eye, -step * eye]).repeat(n_samples, 1)
        inp = acts[index].repeat_interleave(2 * n, dim=axis)
        last = forward_from(model, index, inp, bias_shifts={index: shift})[-1]
        cost = network_cost(model, last, y.repeat_interleave(2 * n), loss).view(n_samples, 2, n)
        deltas.append((cost[:, 0] - cost[:, 1]) / (2 * step))
    return deltas


def bias_gradients_autograd(model: nn.Module, inp: torch.Tensor, y: torch.Tensor,
                            loss: str) -> list[torch.Tensor]:
    """Per-sample bias gradients ``δ_l = ∂C/∂b_l`` (batch, n_l) by autograd (analysis only).

    Spiking nets use snntorch's surrogate derivative of the spike.
    """
    with torch.enable_grad():
        shifts = {i: torch.zeros(len(y), layer.out_features, dtype=layer.bias.dtype,
                                 requires_grad=True)
                  for i, layer in enumerate(model.layers)}
        cost = network_cost(model, forward(model, inp, bias_shifts=shifts)[-1], y, loss)
        grads = torch.autograd.grad(cost.sum(), list(shifts.values()))
    return [g.detach() for g in grads]


class DeltaVecBank:
    """One bias-gradient vector per class per layer, refreshed every τδ samples (Alg. 1).

    Refresh schedule (serial, deterministic): samples are counted ``i = 0, 1, ...``; at every
    ``i`` with ``i mod τδ = 0`` all classes fall due; a due class ``c`` is refreshed, and stops
    being due, at the first sample ``i`` of class ``c`` from then on, *before* that sample's
    update, with that sample's own δ: ``δ_c ← (1 − ρ)·δ_c + ρ·δ(x_i)``. Within a batch the
    samples are walked in order, so batch size 1 is the serial algorithm.

    Parameters
    ----------
    layer_sizes : list of int
        Neurons per layer ``n_1..n_L``.
    n_classes : int >= 1
    tau_delta : int >= 1
    mix : float in (0, 1]
        ρ.
    dtype : torch.dtype
    """

    def __init__(self, layer_sizes: list[int], n_classes: int, tau_delta: int, mix: float = 1.0,
                 dtype: torch.dtype = torch.float32) -> None:
        if n_classes < 1:
            raise ValueError(f"n_classes={n_classes} must be >= 1")
        if tau_delta < 1:
            raise ValueError(f"tau_delta={tau_delta} must be >= 1")
        if not 0 < mix <= 1:
            raise ValueError(f"mix={mix} must lie in (0, 1]")
        self.tau_delta, self.mix = int(tau_delta), float(mix)
        self.deltas = [torch.zeros(n_classes, n, dtype=dtype) for n in layer_sizes]
        self.due = torch.ones(n_classes, dtype=torch.bool)
        self.step = 0
        self.refreshes = 0

    @property
    def n_neurons(self) -> int:
        """Neurons covered by one DeltaVec refresh (all layers)."""
        return sum(d.shape[1] for d in self.deltas)

    def select(self, y: torch.Tensor) -> torch.Tensor:
        """Advance the schedule over the batch labels ``y``; positions that refresh their class."""
        chosen = []
        for pos, label in enumerate(y.tolist()):
            if self.step % self.tau_delta == 0:
                self.due[:] = True
            if self.due[label]:
                self.due[label] = False
                chosen.append(pos)
            self.step += 1
        return torch.tensor(chosen, dtype=torch.int64)

    def update(self, classes: torch.Tensor, deltas: list[torch.Tensor]) -> None:
        """``δ_c ← (1 − ρ)·δ_c + ρ·δ_new`` for each refreshed class, in order."""
        for bank, new in zip(self.deltas, deltas, strict=True):
            for row, label in enumerate(classes.tolist()):
                bank[label] = (1 - self.mix) * bank[label] + self.mix * new[row].to(bank.dtype)
        self.refreshes += len(classes)

    def lookup(self, y: torch.Tensor) -> list[torch.Tensor]:
        """The DeltaVecs of each sample's class, one (batch, n_l) tensor per layer."""
        return [bank[y] for bank in self.deltas]

    def state_dict(self) -> dict:
        return {"deltas": [d.clone() for d in self.deltas], "due": self.due.clone(),
                "step": self.step, "refreshes": self.refreshes}

    def load_state_dict(self, state: dict) -> None:
        self.deltas = [d.clone() for d in state["deltas"]]
        self.due = state["due"].clone()
        self.step, self.refreshes = int(state["step"]), int(state["refreshes"])
