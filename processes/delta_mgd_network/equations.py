"""δ-MGD equations in NumPy, shared by the fused network model and the per-synapse processes.

Each function implements one step of the δ-MGD algorithm (paper Alg. 1) for one sample, in
float64. The fused :class:`DeltaMGDNetwork` model calls them for the whole network, the
fine-grained processes (:class:`TripartiteSynapse`, :class:`Astrocyte`, :class:`GlobalCost`)
call them for their own layer, so both graphs compute the same numbers.

Notation: layer ``l`` maps ``a_{l-1}`` (n_in) to ``a_l`` (n_out) with weights ``W_l``
(n_out, n_in) and biases ``b_l`` (n_out); ``δ_{l,c}`` is the DeltaVec of layer ``l`` for
class ``c`` (paper §IV.D), ``ε`` the perturbation amplitude, ``η`` the learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LOSSES = ("mse", "ce")
"""Per-sample costs, as in :func:`astrolava.models.training.sample_cost`."""


def check_label(label: int, n_classes: int) -> int:
    """Return ``label`` as int, or raise ``ValueError`` if it is outside ``[0, n_classes)``."""
    y = int(label)
    if not 0 <= y < n_classes:
        raise ValueError(f"label={label} is outside the classes [0, {n_classes})")
    return y


def sample_cost(output: np.ndarray, label: int, loss: str = "mse") -> float:
    """Per-sample cost ``C`` of one output vector.

    ``"mse"``: ``C = 1/2 Σ_k (o_k − t_k)²`` with one-hot target ``t``; ``"ce"``:
    ``C = −log softmax(o)_y`` (same definitions as the torch reference's ``sample_cost``).
    """
    if loss == "ce":
        shifted = output - output.max()
        return float(np.log(np.exp(shifted).sum()) - shifted[label])
    err = output.astype(np.float64).copy()
    err[label] -= 1.0
    return float(0.5 * err @ err)


def rate_forward(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
                 output_tanh: bool = True) -> list[np.ndarray]:
    """Activations ``[a_0 = x, a_1, ..., a_L]`` of a tanh MLP: ``a_l = tanh(W_l a_{l-1} + b_l)``.

    The output layer stays linear when ``output_tanh`` is False (paper §VI uses tanh).
    """
    acts = [np.asarray(x, dtype=np.float64)]
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = w @ acts[-1] + b
        acts.append(np.tanh(z) if (i < last or output_tanh) else z)
    return acts


def lif_forward(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                spikes: np.ndarray, beta: float, threshold: float) -> list[np.ndarray]:
    """Firing rates ``[r_0, ..., r_L]`` of a LIF MLP driven by input spikes (T, n_in).

    Per step ``t`` and layer ``l`` (reset to zero, Lava LIF with ``du = 1, dv = 1 − β``)::

        v_l[t] = β v_l[t−1] (1 − s_l[t−1]) + W_l s_{l−1}[t] + b_l,   s_l[t] = H(v_l[t] − θ)

    and ``r_l = (1/T) Σ_t s_l[t]`` (the rate code the presynaptic activation stands for).
    """
    spikes = np.asarray(spikes, dtype=np.float64)
    state = [np.zeros(w.shape[0]) for w in weights]
    fired = [np.zeros(w.shape[0]) for w in weights]
    counts = [np.zeros(w.shape[0]) for w in weights]
    for s_in in spikes:
        s = s_in
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            state[i] = beta * state[i] * (1.0 - fired[i]) + w @ s + b
            fired[i] = (state[i] > threshold).astype(np.float64)
            counts[i] += fired[i]
            s = fired[i]
    n_steps = max(len(spikes), 1)
    return [spikes.mean(axis=0)] + [c / n_steps for c in counts]


def perturbation(pre: np.ndarray, delta: np.ndarray, epsilon: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Perturbation of one layer from its estimated gradient (Alg. 1, lines 12–13).

    ``∇̂W_ij = a_i · δ_{y,j}`` (Eq. 3 at full precision), ``∇̂b_j = δ_{y,j}``; the
    perturbation is ``θ̃ = ε · ∇̂`` (held locally by each synapse).
    """
    return epsilon * np.outer(delta, pre), epsilon * delta


def mgd_step(params: np.ndarray, theta: np.ndarray, delta_cost: float, scale: float) -> None:
    """Three-factor update in place (Alg. 1, line 17): ``Θ ← Θ − scale · ΔC · θ̃``.

    ``scale`` folds ``η / ε²`` and the ``γ · C0`` weighting (see :func:`update_scale`).
    """
    params -= (scale * delta_cost) * theta


def update_scale(lr: float, epsilon: float, gamma: float, cost0: float) -> float:
    """Factor multiplying ``ΔC · θ̃`` in the update: ``η/ε² · (1 + γ·C0)``.

    ``ΔC/ε² · θ̃`` estimates the directional derivative times the direction (MGD, paper
    §II); ``γ`` weights samples by their clean cost ``C0`` (paper §VI, ``γ = 0`` disables it).
    """
    return lr / epsilon ** 2 * (1.0 + gamma * cost0)


def node_perturbation_deltas(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                             x: np.ndarray, label: int, step: float, loss: str = "mse",
                             output_tanh: bool = True) -> list[np.ndarray]:
    """Bias gradients ``δ_l = ∂C/∂b_l`` of one sample by node perturbation (paper §III.A).

    Forward finite differences on every bias, one neuron at a time and vectorised over the
    neurons of a layer: ``δ_{l,j} ≈ (C(b_{l,j} + h) − C(b))/h``. No backward pass is needed:
    only forward passes of the network, which is what lets the astrocyte refresh its
    DeltaVecs without backprop.
    """
    acts = rate_forward(weights, biases, x, output_tanh)
    cost0 = sample_cost(acts[-1], label, loss)
    last = len(weights) - 1
    deltas = []
    for l_idx, (w, b) in enumerate(zip(weights, biases, strict=True)):
        n = w.shape[0]
        z = (w @ acts[l_idx] + b)[None, :] + step * np.eye(n)  # (n, n): row j nudges neuron j
        a = np.tanh(z) if (l_idx < last or output_tanh) else z
        for k in range(l_idx + 1, len(weights)):
            z = a @ weights[k].T + biases[k]
            a = np.tanh(z) if (k < last or output_tanh) else z
        costs = np.array([sample_cost(row, label, loss) for row in a])
        deltas.append((costs - cost0) / step)
    return deltas
