"""Bias gradients δ = ∂C/∂b per neuron and the class-wise DeltaVecs that store them.

δ-MGD paper §III-A: ``∂C/∂W_ij = a_i·δ_j``, so a gradient estimate needs only one number
per neuron; §IV: δ is class-structured and stable in time, so one vector per class per layer
(a DeltaVec), refreshed every τδ samples, stands in for every sample's δ (Alg. 1 l. 4-8).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from astrolava.models.mgd.cost import network_cost
from astrolava.models.mgd.network import (
    ONE,
    activate,
    batch_dim,
    forward,
    forward_from,
    layer_forward,
    readout,
)
from torch import nn

from astrolava.mgd.config import DELTAVECS, require_count, require_one_of


@functools.lru_cache(maxsize=16)
def bias_steps(n: int, step: float, dtype: torch.dtype) -> torch.Tensor:
    """Shifts ``[+h·e_1, ..., +h·e_n, −h·e_1, ..., −h·e_n]`` (2n, n) of central differences
    (cached: callers only read it)."""
    eye = torch.eye(n, dtype=dtype)
    return torch.cat([step * eye, -step * eye])


def central_difference(values: torch.Tensor, n_samples: int, n: int, step: float
                       ) -> torch.Tensor:
    """``(f(x + h) − f(x − h)) / 2h`` (n_samples, n, k) from the values (rows, k) of the
    shifted copies, sample-major, ``+h`` copies before ``−h`` ones (:func:`bias_steps`)."""
    values = values.view(n_samples, 2, n, -1)
    return (values[:, 0] - values[:, 1]) / (2 * step)


def bias_sweep(model: nn.Module, acts: list[torch.Tensor], step: float,
               measure: Callable[[torch.Tensor, int], torch.Tensor]) -> list[torch.Tensor]:
    """Central differences of ``measure`` over every bias: ``(m(b_j + h) − m(b_j − h)) / 2h``.

    One neuron at a time, batched: for layer ``l`` each sample's layer input ``acts[l]`` is
    repeated ``2·n_l`` times and layers ``l..L`` run with bias shifts ``±h·e_j``. No autograd.

    Parameters
    ----------
    acts : list of Tensor
        Clean layer outputs ``[s_0, ..., s_L]`` of the samples (from ``network.forward``).
    step : float > 0
        Bias step ``h``.
    measure : callable(last_layer_output, repeats) -> Tensor (rows, k)
        What is differentiated, from the last layer's output of the ``rows`` shifted copies
        (``repeats`` copies per sample, sample-major).

    Returns
    -------
    list of Tensor
        Per layer ``l = 1..L``, shape (batch, n_l, k).
    """
    axis = batch_dim(model)
    n_samples = acts[0].shape[axis]
    sweeps = []
    for index, layer in enumerate(model.layers):
        n = layer.out_features
        shift = bias_steps(n, step, layer.bias.dtype).repeat(n_samples, 1)
        inp = acts[index].repeat_interleave(2 * n, dim=axis)
        last = forward_from(model, index, inp, bias_shifts={index: shift})[-1]
        sweeps.append(central_difference(measure(last, 2 * n), n_samples, n, step))
    return sweeps


def bias_gradients_node(model: nn.Module, acts: list[torch.Tensor], y: torch.Tensor,
                        step: float, loss: str) -> list[torch.Tensor]:
    """Node perturbation: ``δ_j ≈ (C(b_j + h) − C(b_j − h)) / 2h`` for every neuron (§III-A).

    Returns ``δ_l`` of shape (batch, n_l) for every layer (see :func:`bias_sweep`).
    """
    def cost(last: torch.Tensor, repeats: int) -> torch.Tensor:
        return network_cost(model, last, y.repeat_interleave(repeats), loss)[:, None]

    return [d[..., 0] for d in bias_sweep(model, acts, step, cost)]


def output_jacobians_node(model: nn.Module, acts: list[torch.Tensor],
                          step: float) -> list[torch.Tensor]:
    """Node perturbation of the outputs: ``J_l[k, j] ≈ ∂o_k/∂b_l,j`` (batch, n_out, n_l).

    Row ``k`` is how much the output of class ``k`` moves with each bias: with the output
    error ``e = ∂C/∂o`` of a sample, ``δ_l = J_lᵀ e`` by the chain rule (paper Fig. 4).
    """
    def output(last: torch.Tensor, repeats: int) -> torch.Tensor:
        return readout(model, last)

    return [j.transpose(1, 2) for j in bias_sweep(model, acts, step, output)]


def output_current_jacobians_node(model: nn.Module, acts: list[torch.Tensor],
                                  step: float) -> list[torch.Tensor]:
    """``K_l[k, j] ≈ ∂z_L,k/∂a_l,j`` for every hidden layer (batch, n_out, n_l).

    Node perturbation on the neuron outputs: ``a_l,j ± h``, layers ``l+1..L`` run to the
    output current ``z_L = W_L a_{L-1} + b_L``, central differences. With a sample's exact
    local output δ_L the chain rule gives ``δ_l = f'(z_l) ⊙ (K_lᵀ δ_L)`` (paper Fig. 4).
    The next layer's current is linear in ``a_l``, so a shift enters it as
    ``z_{l+1} ± h·W_{l+1}[:, j]`` (one addition instead of a product of the ``2·n_l`` shifted
    copies); for the last hidden layer ``z_L`` itself is linear and ``K = W_L`` exactly (what
    the central difference measures, without its rounding error). Spiking nets: ``a_l`` is
    the spike train, shifted by ``±h`` at every step (its rate by ``±h``), and ``z_L`` the
    output current averaged over the T steps, so ``K_l ≈ ∂z̄_L/∂r_l``.
    """
    last = model.layers[-1]
    n_samples = acts[0].shape[batch_dim(model)]
    sweeps = []
    for index in range(len(model.layers) - 2):
        after = model.layers[index + 1]
        current = nn.functional.linear(acts[index + 1], after.weight, after.bias)
        kicks = after.weight.T * step
        shifted = current[..., None, :] + torch.cat([kicks, -kicks])  # (..., n_samples, 2n, m)
        hidden = activate(model, index + 1, shifted.flatten(-3, -2))
        for later in range(index + 2, len(model.layers) - 1):
            hidden = layer_forward(model, later, hidden)
        values = readout(model, nn.functional.linear(hidden, last.weight, last.bias))
        sweeps.append(central_difference(values, n_samples, after.in_features, step)
                      .transpose(1, 2))
    sweeps.append(last.weight.detach().expand(n_samples, -1, -1))
    return sweeps


def chain_deltas(acts: list[torch.Tensor], rows: list[torch.Tensor], delta_out: torch.Tensor,
                 slopes: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Per-layer δ̂ (batch, n_l) from chain DeltaVecs: ``δ̂_l = f'(z_l) ⊙ (δ_L @ K_l)`` for
    the hidden layers and ``δ̂_L = δ_L`` (the chain rule of paper Fig. 4 with stored rows
    ``K_l = ∂z_L/∂a_l`` (n_out, n_l), :func:`output_current_jacobians_node`).

    ``f'(z_l) = 1 − a_l²`` of tanh hidden layers (``acts = [s_0, ..., s_L]``), or a spiking
    net's rate slopes ``slopes = [ρ_1, ..., ρ_L]`` of the clean pass (``network.spike_train``).
    """
    local = [ONE - a * a for a in acts[1:-1]] if slopes is None else slopes[:-1]
    return [*(f * (delta_out @ k) for f, k in zip(local, rows, strict=True)), delta_out]


def output_jacobians_autograd(model: nn.Module, inp: torch.Tensor) -> list[torch.Tensor]:
    """``J_l[k, j] = ∂o_k/∂b_l,j`` per sample (batch, n_out, n_l) by autograd (analysis only)."""
    with torch.enable_grad():
        shifts = {i: torch.zeros(inp.shape[batch_dim(model)], layer.out_features,
                                 dtype=layer.bias.dtype, requires_grad=True)
                  for i, layer in enumerate(model.layers)}
        out = readout(model, forward(model, inp, bias_shifts=shifts)[-1])
        rows = [torch.autograd.grad(out[:, k].sum(), list(shifts.values()), retain_graph=True)
                for k in range(out.shape[1])]
    return [torch.stack([row[i] for row in rows], dim=1) for i in range(len(shifts))]


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


_NO_POSITIONS = torch.empty(0, dtype=torch.int64)
"""What :meth:`DeltaVecBank.select` returns when no sample of a batch refreshes (shared,
read only)."""


class DeltaVecBank:
    """One vector per class per layer, refreshed every τδ samples (Alg. 1 lines 4-8).

    ``mode="class"`` (the paper's DeltaVecs): row ``c`` of layer ``l`` is the bias gradient
    δ of a sample of class ``c``; a sample of class ``c`` uses ``δ̂ = δ_c``. Schedule (serial,
    deterministic): samples are counted ``i = 0, 1, ...``; at every ``i`` with
    ``i mod τδ = 0`` all classes fall due; a due class ``c`` is refreshed, and stops being
    due, at the first sample of class ``c`` from then on, *before* that sample's update,
    with that sample's own δ: ``δ_c ← (1 − ρ)·δ_c + ρ·δ(x_i)``.

    ``mode="output"`` (error-weighted DeltaVecs): row ``k`` of layer ``l`` is
    ``∂o_k/∂b_l``, the bias gradient of class ``k``'s output unit; a sample with output error
    ``e = ∂C/∂o`` uses ``δ̂ = Σ_k e_k·row_k`` (the chain rule of Fig. 4 with a stored
    Jacobian). The sample ``i`` with ``i mod τδ = 0`` refreshes every row at once.

    ``mode="chain"``: like ``"output"`` but the rows of hidden layer ``l`` are
    ``∂z_L,k/∂a_l`` and a sample uses ``δ̂_l = f'(z_l) ⊙ Σ_k δ_L,k·row_k`` with its exact local
    output δ_L and its own local derivative: ``f'(z_l) = 1 − a_l²`` (tanh), or a spiking
    neuron's rate slope ``ρ_l = ∂r_l/∂b_l`` with ``δ_L = e ⊙ ρ_L`` (``network.spike_train``);
    the output layer has no rows (it uses δ_L). Refreshed like ``"output"``.

    Within a batch the samples are walked in order, so batch size 1 is the serial algorithm.

    Parameters
    ----------
    layer_sizes : list of int
        Neurons per layer ``n_1..n_L``.
    n_classes : int >= 1
    tau_delta : int >= 1
    mix : float in (0, 1]
        ρ.
    dtype : torch.dtype
    mode : {"class", "output", "chain"}
    """

    def __init__(self, layer_sizes: list[int], n_classes: int, tau_delta: int, mix: float = 1.0,
                 dtype: torch.dtype = torch.float32, mode: str = "class") -> None:
        self.mode = require_one_of("mode", mode, DELTAVECS)
        require_count("n_classes", n_classes)
        require_count("tau_delta", tau_delta)
        if not 0 < mix <= 1:
            raise ValueError(f"mix={mix} must lie in (0, 1]")
        self.tau_delta, self.mix = int(tau_delta), float(mix)
        self.deltas = [torch.zeros(n_classes, n, dtype=dtype) for n in layer_sizes]
        self.due = [True] * n_classes
        self.step = 0
        self.refreshes = 0

    @property
    def components_per_refresh(self) -> int:
        """Gradient components one refreshing sample measures: ``N_neurons`` (one class) or
        ``N_neurons·N_classes`` (every output unit's row)."""
        n_neurons = sum(d.shape[1] for d in self.deltas)
        return n_neurons * (1 if self.mode == "class" else len(self.due))

    def select(self, y: torch.Tensor) -> torch.Tensor:
        """Advance the schedule over the batch labels ``y``; positions that refresh the bank."""
        if self.mode != "class":
            first, n = -self.step % self.tau_delta, y.shape[0]
            self.step += n
            if first >= n:
                return _NO_POSITIONS
            return torch.tensor(range(first, n, self.tau_delta), dtype=torch.int64)
        chosen = []
        for pos, label in enumerate(y.tolist()):
            if self.step % self.tau_delta == 0:
                self.due = [True] * len(self.due)
            if self.due[label]:
                self.due[label] = False
                chosen.append(pos)
            self.step += 1
        return torch.tensor(chosen, dtype=torch.int64)

    def update(self, classes: torch.Tensor, deltas: list[torch.Tensor]) -> None:
        """``row ← (1 − ρ)·row + ρ·new``, in order, for each refreshing sample.

        ``"class"``: ``deltas[l]`` (n, n_l) replaces rows ``classes``; ``"output"``:
        ``deltas[l]`` (n, n_classes, n_l) replaces all rows (``classes`` is ignored).
        """
        for bank, new in zip(self.deltas, deltas, strict=True):
            for row in range(len(new)):
                rows = bank[int(classes[row])] if self.mode == "class" else bank
                rows.mul_(1 - self.mix).add_(self.mix * new[row].to(bank.dtype))
        self.refreshes += len(deltas[0]) * (1 if self.mode == "class" else len(self.due))

    def lookup(self, y: torch.Tensor, error: torch.Tensor | None = None) -> list[torch.Tensor]:
        """Each sample's δ̂, one (batch, n_l) tensor per layer.

        ``"class"``: the DeltaVec of the sample's class; ``"output"``: ``error @ rows`` with the
        samples' output errors ``error`` (batch, n_classes).
        """
        if self.mode != "class":
            return [error.to(bank.dtype) @ bank for bank in self.deltas]
        return [bank[y] for bank in self.deltas]

    def state_dict(self) -> dict:
        return {"deltas": [d.clone() for d in self.deltas], "due": list(self.due),
                "step": self.step, "refreshes": self.refreshes}

    def load_state_dict(self, state: dict) -> None:
        self.deltas = [d.clone() for d in state["deltas"]]
        self.due = list(state["due"])
        self.step, self.refreshes = int(state["step"]), int(state["refreshes"])
