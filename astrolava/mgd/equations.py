"""δ-MGD equations in NumPy (float64), shared by the fused model and the per-layer processes.

Each function is one step of δ-MGD (O'Loughlin et al., "δ-Multiplexed Gradient Descent:
Perturbative Learning with Astrocytes", cited as "paper": Alg. 1) for one sample, written as
the torch reference ``astrolava.models.mgd`` computes it (same cost, same node-perturbation
refresh, same normalisation, same update; ``tests/models_mgd/test_agreement.py`` holds each
pair together), so a Lava float model reproduces the reference's weights.
:class:`FloatNetwork` gathers them behind the interface of the integer
:class:`~astrolava.mgd.fixed.FixedNetwork`.

Notation: layer ``l`` maps ``a_{l-1}`` (n_in) to ``a_l`` (n_out) with weights ``W_l``
(n_out, n_in) and biases ``b_l`` (n_out). A layer's input is a vector (rate network) or a
spike train (T, n_in) (spiking network); a leading batch axis (B, ...) is allowed after T.
A rank-one perturbation of a layer is ``θ̃_W = u ⊗ v``, ``θ̃_b = u``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.linalg.blas import dger

from astrolava.mgd.config import DeltaMGDConfig

SURROGATE_ALPHA = 2.0
"""α of snntorch's default ATan surrogate gradient (``snn.Leaky``'s ``spike_grad``)."""

Layers = Sequence[tuple[np.ndarray, np.ndarray]]
"""``[(W_1, b_1), ..., (W_L, b_L)]``."""
ONE = np.ones(1)
"""The presynaptic factor of a bias: ``θ̃_b = u = [1] ⊗ u`` as a (1, n_out) row."""


@dataclass(frozen=True)
class NetworkSpec:
    """How a layer's input current becomes its output.

    ``spiking=False``: ``a = tanh(z)`` (linear last layer unless ``output_tanh``).
    ``spiking=True``: LIF, ``v[t] = β v[t−1](1 − s[t−1]) + z[t]``, ``s[t] = H(v[t] − θ)``
    (snntorch Leaky, reset to zero == Lava LIF with ``du = 1``, ``dv = 1 − β``).
    """

    spiking: bool = False
    output_tanh: bool = True
    beta: float = 0.9
    threshold: float = 1.0


def check_label(label: float, n_classes: int) -> int:
    """Return ``label`` as int, or raise ``ValueError`` if it is outside ``[0, n_classes)``."""
    y = int(label)
    if y != label or not 0 <= y < n_classes:
        raise ValueError(f"label={float(label):g} is outside the classes [0, {n_classes})")
    return y


def sample_cost(output: np.ndarray, label: int, loss: str) -> np.ndarray:
    """Per-sample cost of outputs (..., n_classes) (``astrolava.models.training.sample_cost``).

    ``"mse"``: ``C = 1/2 Σ_k (o_k − t_k)²`` with one-hot target ``t``; ``"ce"``:
    ``C = −log softmax(o)_y``.
    """
    if loss == "ce":
        shifted = output - output.max(axis=-1, keepdims=True)
        return np.log(np.exp(shifted).sum(axis=-1)) - shifted[..., label]
    return 0.5 * (output_error(output, label, "mse") ** 2).sum(axis=-1)


def output_error(output: np.ndarray, label: int, loss: str) -> np.ndarray:
    """``e = ∂C/∂o`` of outputs (..., n_classes): ``o − t`` (``"mse"``) or ``softmax(o) − t``
    (``"ce"``) with one-hot target ``t`` (``astrolava.models.mgd.cost.output_error``)."""
    if loss == "ce":
        err = np.exp(output - output.max(axis=-1, keepdims=True))
        err /= err.sum(axis=-1, keepdims=True)
    else:
        err = np.array(output, dtype=np.float64)
    err[..., label] -= 1.0
    return err


def readout(spec: NetworkSpec, last: np.ndarray) -> np.ndarray:
    """Network output: the last activations, or the output firing rates ``(1/T) Σ_t s_L[t]``."""
    return last.mean(axis=0) if spec.spiking else last


def activity(spec: NetworkSpec, act: np.ndarray) -> np.ndarray:
    """Presynaptic activity ``a_i`` of a layer output: itself, or its firing rate (paper §III)."""
    return act.mean(axis=0) if spec.spiking else act


def surrogate_slope(offset: np.ndarray) -> np.ndarray:
    """snntorch's ATan surrogate ``σ'(U) = (α/2) / (1 + (π α (U − ϑ) / 2)²)`` of the
    potential's distance to threshold ``offset = U − ϑ`` (α = ``SURROGATE_ALPHA``;
    ``astrolava.models.mgd.network.surrogate_slope``)."""
    shifted = (np.pi * SURROGATE_ALPHA / 2) * offset
    return (SURROGATE_ALPHA / 2) / (1 + shifted * shifted)


def neuron_response(spec: NetworkSpec, current: np.ndarray, last: bool,
                    slopes: list[np.ndarray] | None = None) -> np.ndarray:
    """Layer output for its input current: tanh (rate) or the LIF spike train (spiking).

    With a list ``slopes`` (spiking only) also appends each neuron's rate slope
    ``ρ = ∂r/∂b``, the forward-mode trace of ``astrolava.models.mgd.network.spike_train`` kept in
    the same loop (``U[t]`` the pre-reset potential, ``σ'`` :func:`surrogate_slope`)::

        m[t] = 1 + β·m[t−1]·(1 − s[t−1] − U[t−1]·σ'[t−1]),   m[0] = 1
        ρ = (1/T) Σ_t σ'[t]·m[t]
    """
    if not spec.spiking:
        if slopes is not None:
            raise ValueError("slopes are only measured for a spiking network")
        return current if (last and not spec.output_tanh) else np.tanh(current)
    v = np.zeros(current.shape[1:])
    fired = np.zeros(current.shape[1:])
    trace = np.ones(current.shape[1:])  # m[t]
    total = np.zeros(current.shape[1:])
    out = np.empty_like(current)
    for t in range(current.shape[0]):
        v, fired = lif_step(spec, v, fired, current[t])
        out[t] = fired
        if slopes is not None:
            trace, total = slope_trace_step(spec, v, fired, trace, total)
    if slopes is not None:
        slopes.append(total / current.shape[0])
    return out


def slope_trace_step(spec: NetworkSpec, v: np.ndarray, fired: np.ndarray, trace: np.ndarray,
                     total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of the LIF rate-slope trace (:func:`neuron_response`) after the LIF step
    that gave ``(v, s) = (v, fired)``: ``total += σ'·m``, ``m ← 1 + β·m·(1 − s − U·σ')``
    with ``σ' = surrogate_slope(U − ϑ)``; returns ``(m, total)``; ``ρ = total / T`` after
    the T steps of a pass."""
    slope = surrogate_slope(v - spec.threshold)
    return 1 + spec.beta * trace * (1 - fired - v * slope), total + slope * trace


def tanh_slope(act: np.ndarray) -> np.ndarray:
    """``f'(z) = 1 − a²`` of a tanh neuron from its output ``a = tanh(z)``."""
    return 1.0 - act ** 2


def lif_step(spec: NetworkSpec, v: np.ndarray, fired: np.ndarray, current: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """One LIF step ``v[t] = β v[t−1](1 − s[t−1]) + z[t]``, ``s[t] = H(v[t] − θ)``: the new
    ``(v, s)`` (float 0/1 spikes)."""
    v = spec.beta * v * (1.0 - fired) + current
    return v, (v > spec.threshold).astype(np.float64)


def synaptic_current(w: np.ndarray, b: np.ndarray, inp: np.ndarray) -> np.ndarray:
    """A layer's dendritic current ``W a + b`` for inputs ``inp`` (..., n_in)."""
    return inp @ w.T + b


def perturbation_current(inp: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The contribution ``θ̃_W a + θ̃_b = u (v·a) + u`` of a rank-one θ̃ to the dendritic
    current for inputs ``inp`` (..., n_in)."""
    return u * (inp @ v)[..., None] + u


def layer_forward(spec: NetworkSpec, w: np.ndarray, b: np.ndarray, inp: np.ndarray, last: bool,
                  pert: tuple[np.ndarray, np.ndarray] | None = None,
                  shift: np.ndarray | None = None, current: np.ndarray | None = None,
                  slopes: list[np.ndarray] | None = None) -> np.ndarray:
    """One layer: ``a_l = f((W + θ̃_W) a_{l−1} + b + θ̃_b + shift)`` (Alg. 1 lines 10, 15).

    ``pert = (u, v)`` is the rank-one ``θ̃`` (``θ̃_W a = u (v·a)``); ``shift`` a bias shift
    (node perturbation), broadcast over the input's leading axes; ``current``: ``W a + b``
    if already known (the perturbed pass reuses the clean pass's first-layer current);
    ``slopes``: see :func:`neuron_response`.
    """
    current = synaptic_current(w, b, inp) if current is None else current
    if pert is not None:
        current = current + perturbation_current(inp, *pert)
    if shift is not None:
        current = current + shift
    return neuron_response(spec, current, last, slopes)


def forward_from(spec: NetworkSpec, layers: Layers, start: int, inp: np.ndarray,
                 perts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
                 shift: np.ndarray | None = None, current: np.ndarray | None = None,
                 slopes: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Outputs of layers ``start..L`` (``shift`` and a known ``current`` on layer ``start``
    only; ``slopes`` receives every layer's rate slope, see :func:`neuron_response`)."""
    outs = []
    for index in range(start, len(layers)):
        w, b = layers[index]
        first = index == start
        inp = layer_forward(spec, w, b, inp, index == len(layers) - 1,
                            None if perts is None else perts[index],
                            shift if first else None, current if first else None, slopes)
        outs.append(inp)
    return outs


def forward(spec: NetworkSpec, layers: Layers, inp: np.ndarray,
            perts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
            current: np.ndarray | None = None, slopes: list[np.ndarray] | None = None
            ) -> list[np.ndarray]:
    """``[s_0 = inp, s_1, ..., s_L]`` (Alg. 1 lines 10 and 15); ``current``: the first
    layer's ``W_1 s_0 + b_1`` if already known; ``slopes`` (spiking, an empty list) receives
    every layer's rate slope ``ρ_l = ∂r_l/∂b_l`` (:func:`neuron_response`)."""
    return [inp, *forward_from(spec, layers, 0, inp, perts, current=current, slopes=slopes)]


def central_difference(plus: np.ndarray, minus: np.ndarray, step: float) -> np.ndarray:
    """``(f(x + h) − f(x − h)) / 2h`` from the values at ``x ± h`` (``step = h``)."""
    return (plus - minus) / (2 * step)


def node_perturbation_deltas(spec: NetworkSpec, layers: Layers, acts: Sequence[np.ndarray],
                             label: int, step: float, loss: str) -> list[np.ndarray]:
    """Bias gradients by node perturbation: ``δ_j ≈ (C(b_j + h) − C(b_j − h)) / 2h`` (§III-A).

    Central differences on every bias, batched per layer: layer ``l``'s clean input
    ``acts[l]`` is repeated ``2·n_l`` times and layers ``l..L`` run with bias shifts
    ``±h·e_j``. Only forward passes: this is how the astrocyte measures a DeltaVec.
    """
    deltas = []
    for index, (w, b) in enumerate(layers):
        n = w.shape[0]
        eye = step * np.eye(n)
        # the 2n copies share layer ``index``'s clean current; only the shift differs
        current = synaptic_current(w, b, acts[index])[..., None, :] \
            + np.concatenate([eye, -eye])
        out = neuron_response(spec, current, index == len(layers) - 1)
        last = out if index == len(layers) - 1 else forward_from(spec, layers, index + 1,
                                                                   out)[-1]
        cost = sample_cost(readout(spec, last), label, loss)
        deltas.append(central_difference(cost[:n], cost[n:], step))
    return deltas


def output_delta(spec: NetworkSpec, output: np.ndarray, label: int, loss: str,
                 slope: np.ndarray | None = None) -> np.ndarray:
    """Exact local output-layer ``δ_L = ∂C/∂z_L`` (paper §III-A).

    ``δ_L = e ⊙ f'(z_L)`` with ``e = o − t`` (``"mse"``) or ``softmax(o) − t`` (``"ce"``) of
    the outputs ``o``: a rate network's ``f'(z) = 1 − o²`` for a tanh output (1 for a linear
    one); a spiking network's ``output`` is the output spike train (T, n_out), ``o`` its
    firing rates and ``f'`` the rate slope ``slope = ρ_L`` of its clean pass
    (:func:`neuron_response`; ``e ⊙ ρ_L`` is BPTT's bias gradient). Only the output units'
    own values and the label (``astrolava.models.mgd.cost.output_delta``).
    """
    if spec.spiking and slope is None:
        raise ValueError("the exact output δ of a spiking network needs its rate slope "
                         "(slope=None given)")
    grad = output_error(readout(spec, output), label, loss)
    if spec.spiking:
        return grad * slope
    return grad * tanh_slope(output) if spec.output_tanh else grad


def output_current_jacobians(spec: NetworkSpec, layers: Layers, acts: Sequence[np.ndarray],
                             step: float) -> list[np.ndarray]:
    """``K_l[k, j] ≈ ∂z_L,k/∂a_l,j`` of every hidden layer ``l`` (n_out, n_l), by node
    perturbation on the neuron outputs (the ``"chain"`` DeltaVecs, paper Fig. 4).

    ``a_l,j ± h`` for every ``j`` at once (``2·n_l`` copies), layers ``l+1..L`` run to the
    output pre-activation ``z_L = W_L a_{L−1} + b_L``, central differences
    (``astrolava.models.mgd.deltavecs.output_current_jacobians_node``). Spiking networks: ``a_l``
    is the spike train, shifted by ``±h`` at every step, and ``z_L`` the output current
    averaged over the T steps (``K_l ≈ ∂z̄_L/∂r_l``). Only forward passes.
    """
    w_out, b_out = layers[-1]
    rows = []
    for index in range(len(layers) - 1):
        out = acts[index + 1]
        n = out.shape[-1]
        eye = step * np.eye(n)
        shifted = out[..., None, :] + np.concatenate([eye, -eye])  # (..., 2n, n)
        hidden = forward_from(spec, layers, index + 1, shifted)[-2] \
            if index + 2 < len(layers) else shifted
        values = readout(spec, hidden @ w_out.T + b_out)
        rows.append(central_difference(values[:n], values[n:], step).T)
    return rows


def chain_deltas(acts: Sequence[np.ndarray], rows: Sequence[np.ndarray],
                 delta_out: np.ndarray, slopes: Sequence[np.ndarray] | None = None
                 ) -> list[np.ndarray]:
    """Per-layer δ̂ of a sample from chain DeltaVecs: ``δ̂_l = f'(z_l) ⊙ (δ_L @ K_l)`` for
    the hidden layers and ``δ̂_L = δ_L`` (the chain rule of paper Fig. 4 with stored
    ``K_l = ∂z_L/∂a_l``; ``acts = [s_0, ..., s_L]``). ``f'(z_l) = 1 − a_l²`` (tanh hidden
    layers), or a spiking network's rate slopes ``slopes = [ρ_1, ..., ρ_L]`` of the clean
    pass (:func:`forward`)."""
    local = [tanh_slope(a) for a in acts[1:-1]] if slopes is None else slopes[:-1]
    hidden = [f * (delta_out @ k) for f, k in zip(local, rows, strict=True)]
    return [*hidden, delta_out]


def mix_deltavecs(old: np.ndarray, new: np.ndarray, delta_mix: float) -> np.ndarray:
    """Refresh ``δ ← (1 − ρ)·δ + ρ·δ_new`` (Alg. 1 l. 5-7, ``ρ = delta_mix``)."""
    return (1 - delta_mix) * old + delta_mix * new


def ternary(a: np.ndarray, threshold: float) -> np.ndarray:
    """``tern(a) = sign(a)`` where ``|a| >= threshold``, else 0 (paper §III-B)."""
    return np.sign(a) * (np.abs(a) >= threshold)


def normalization_scale(sq_norms: Sequence[float], epsilon: float, mode: str) -> list[float]:
    """Per-layer factors that rescale a directed θ̃ to Euclidean norm ε.

    ``"global"``: ``ε/‖θ̃‖`` over all layers; ``"layer"``: ``ε/‖θ̃_l‖`` per layer;
    ``"none"``: ``ε``. A zero ``θ̃`` stays zero. With a unit direction ``d`` the estimate
    ``ΔC·θ̃/ε² ≈ (∇C·d)·d`` is the projection of the gradient on ``d``.
    """

    def scale(sq: float) -> float:
        return float(epsilon / np.sqrt(sq)) if sq > 0 else 0.0

    if mode == "none":
        return [epsilon] * len(sq_norms)
    if mode == "layer":
        return [scale(s) for s in sq_norms]
    return [scale(float(sum(sq_norms)))] * len(sq_norms)


def rank_one_sq_norm(u: np.ndarray, v_sq: float) -> float:
    """``‖θ̃_W‖² + ‖θ̃_b‖² = ‖u‖²·(‖v‖² + 1)`` of a layer's rank-one ``θ̃_W = u ⊗ v``,
    ``θ̃_b = u`` from ``v_sq = ‖v‖²`` (the bias is a synapse from a constant input 1)."""
    return float(u @ u) * (float(v_sq) + 1.0)


def update_coefficient(delta_cost: float, cost0: float, epsilon: float, gamma: float) -> float:
    """``k = ΔC·w/ε²`` with ``w = γ·C0`` (1 when γ = 0): ``ĝ = k·θ̃`` (Eq. 1, Alg. 1 l. 16-17)."""
    weight = gamma * cost0 if gamma > 0 else 1.0
    return delta_cost * weight / epsilon ** 2


def rank_one_descend(w: np.ndarray, u: np.ndarray, v: np.ndarray, lr: float) -> None:
    """In place ``W ← W − η·u ⊗ v`` (SGD on a rank-one estimate; BLAS ``dger``, no temporary).

    ``w`` must be C-contiguous (its transpose is the Fortran matrix ``dger`` updates in
    place; BLAS would update a copy of any other layout).
    """
    if not w.flags.c_contiguous:
        raise ValueError("rank_one_descend needs C-contiguous weights")
    dger(-lr, v, u, a=w.T, overwrite_a=True)


@dataclass
class Adam:
    """Adam moments ``m``, ``v`` of one layer's weights (n_out, n_in) and ``m_b``, ``v_b`` of
    its bias (``torch.optim.Adam`` defaults, bias-corrected)."""

    m: np.ndarray
    v: np.ndarray
    m_b: np.ndarray
    v_b: np.ndarray
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    @classmethod
    def zeros(cls, w: np.ndarray) -> Adam:
        """Zero moments for a layer with weights ``w`` (n_out, n_in) and its bias."""
        return cls(np.zeros(w.shape), np.zeros(w.shape), np.zeros(w.shape[0]),
                   np.zeros(w.shape[0]))


def descend(param: np.ndarray, grad: np.ndarray, lr: float, decay: float) -> None:
    """In place SGD step ``Θ ← Θ − η (ĝ + λΘ)``."""
    grad = grad + decay * param if decay else grad
    param -= lr * grad


def sgd_rank_one(w: np.ndarray, b: np.ndarray, u: np.ndarray, v: np.ndarray, lr: float,
                 decay: float) -> None:
    """In place SGD step ``Θ ← Θ − η (ĝ + λΘ)`` of one layer for the rank-one estimate
    ``ĝ_W = u ⊗ v``, ``ĝ_b = u`` (``w`` C-contiguous, see :func:`rank_one_descend`)."""
    if decay:
        w *= 1.0 - lr * decay
    rank_one_descend(w, u, v, lr)
    descend(b, u, lr, decay)


@njit(cache=True, error_model="numpy")
def _adam_rank_one_rows(param: np.ndarray, m: np.ndarray, v: np.ndarray, u: np.ndarray,
                        a: np.ndarray, decay: float, beta1: float, beta2: float, rate: float,
                        eps: float) -> None:
    """One fused pass of :func:`adam_rank_one` over ``param`` (n_out, n_in) with
    ``g = u ⊗ a + λ·param`` (``error_model="numpy"``: no division check, so the inner loop
    vectorises)."""
    for i in range(u.size):
        for j in range(a.size):
            g = u[i] * a[j] + decay * param[i, j]
            m_ij = beta1 * m[i, j] + (1.0 - beta1) * g
            v_ij = beta2 * v[i, j] + (1.0 - beta2) * g * g
            m[i, j] = m_ij
            v[i, j] = v_ij
            param[i, j] -= rate * m_ij / (np.sqrt(v_ij) + eps)


def adam_rank_one(layers: Layers, factors: Sequence[tuple[np.ndarray, np.ndarray]],
                  adams: Sequence[Adam], lr: float, decay: float, step: int) -> None:
    """Adam's step on every layer for the rank-one estimate ``ĝ_W = u ⊗ a``, ``ĝ_b = u``
    (fed with ``g = ĝ + λΘ``), in place and without forming ``ĝ``: one compiled pass per
    layer (``layers[l] = (W_l, b_l)``, C-contiguous; views are updated in place).

    ``m ← β1 m + (1 − β1) g``, ``v ← β2 v + (1 − β2) g²``,
    ``Θ ← Θ − c · m / (√v + eps·√(1 − β2^t))`` with ``c = η·√(1 − β2^t)/(1 − β1^t)``
    (= torch's ``η/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps)``, up to rounding).
    """
    for (w, b), (u, a), adam in zip(layers, factors, adams, strict=True):
        bias2_sqrt = np.sqrt(1 - adam.beta2 ** step)
        args = (decay, adam.beta1, adam.beta2, lr * bias2_sqrt / (1 - adam.beta1 ** step),
                adam.eps * bias2_sqrt)
        _adam_rank_one_rows(w, adam.m, adam.v, u, a, *args)
        _adam_rank_one_rows(b[None], adam.m_b[None], adam.v_b[None], ONE, u, *args)


class FloatNetwork:
    """A δ-MGD network in float64 with the per-sample interface of
    :class:`astrolava.mgd.fixed.FixedNetwork`: the same methods with the same signatures, so
    one routine (paper Alg. 1, one sample) runs on either.

    The methods are the functions of this module on the network's ``layers``, ``spec`` and
    ``config``. Costs, DeltaVecs and coefficients are plain floats (:meth:`real_cost` and
    :meth:`real_deltas` are the identity); perturbations are ``(u, v)`` pairs,
    ``θ̃_W = u ⊗ v``, ``θ̃_b = u``.

    Parameters
    ----------
    layers : sequence of (W, b)
        float64 parameters (C-contiguous; views are fine), updated in place by :meth:`update`.
    spec : NetworkSpec
    config : DeltaMGDConfig
        Cost, perturbation amplitude and normalisation, DeltaVec mix and optimizer.
    """

    def __init__(self, layers: Layers, spec: NetworkSpec, config: DeltaMGDConfig) -> None:
        self.layers = list(layers)
        self.spec, self.config = spec, config
        self.spiking = spec.spiking
        self.adam: list[Adam] | None = None
        self.n_updates = 0

    def first_current(self, inp: np.ndarray) -> np.ndarray:
        """The first layer's ``W_1 s_0 + b_1``, which the clean and the perturbed pass share."""
        return synaptic_current(*self.layers[0], inp)

    def forward(self, inp: np.ndarray, perts: list | None = None,
                slopes: list[np.ndarray] | None = None,
                current: np.ndarray | None = None) -> list[np.ndarray]:
        """``[s_0, ..., s_L]`` (:func:`forward`)."""
        return forward(self.spec, self.layers, inp, perts, current, slopes)

    def activity(self, act: np.ndarray, index: int) -> np.ndarray:
        """Presynaptic activity of layer ``index``'s input ``act`` (:func:`activity`)."""
        return activity(self.spec, act)

    def readout(self, last: np.ndarray) -> np.ndarray:
        """Network output of the last layer's output (:func:`readout`)."""
        return readout(self.spec, last)

    def cost(self, last: np.ndarray, label: int) -> np.ndarray:
        """Cost of the last layer's output (:func:`sample_cost`, ``config.loss``)."""
        return sample_cost(self.readout(last), label, self.config.loss)

    def real_cost(self, cost: float) -> float:
        """A cost of :meth:`cost` as a float."""
        return float(cost)

    def node_perturbation_deltas(self, acts: list[np.ndarray], label: int,
                                 step: float) -> list[np.ndarray]:
        """Bias gradients by central differences (:func:`node_perturbation_deltas`)."""
        return node_perturbation_deltas(self.spec, self.layers, acts, label, step,
                                        self.config.loss)

    def output_current_jacobians(self, acts: list[np.ndarray], step: float
                                 ) -> list[np.ndarray]:
        """Chain DeltaVec rows ``K_l`` (:func:`output_current_jacobians`)."""
        return output_current_jacobians(self.spec, self.layers, acts, step)

    def output_delta(self, output: np.ndarray, label: int,
                     slope: np.ndarray | None = None) -> np.ndarray:
        """Exact output ``δ_L`` (:func:`output_delta`, ``config.loss``)."""
        return output_delta(self.spec, output, label, self.config.loss, slope)

    def chain_deltas(self, acts: list[np.ndarray], rows: Sequence[np.ndarray],
                     delta_out: np.ndarray, slopes: Sequence[np.ndarray] | None = None
                     ) -> list[np.ndarray]:
        """Per-layer ``δ̂`` from chain DeltaVecs (:func:`chain_deltas`)."""
        return chain_deltas(acts, rows, delta_out, slopes)

    def mix_deltavecs(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Refresh of a DeltaVec (:func:`mix_deltavecs`, ``config.delta_mix``)."""
        return mix_deltavecs(old, new, self.config.delta_mix)

    def real_deltas(self, deltas: np.ndarray) -> np.ndarray:
        """DeltaVecs as stored (already real)."""
        return deltas

    def perturbations(self, post: Sequence[np.ndarray], pre: Sequence[np.ndarray]
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every layer's rank-one ``θ̃ = (u, v)`` from its DeltaVec ``post`` and presynaptic
        activity ``pre`` (``tern(v)`` when ``config.activation_threshold > 0``, paper §III-B),
        scaled to norm ε (:func:`normalization_scale`, ``config.normalize``; Alg. 1 l. 14)."""
        cfg = self.config
        if cfg.activation_threshold > 0:
            pre = [ternary(v, cfg.activation_threshold) for v in pre]
        scales = normalization_scale([rank_one_sq_norm(u, v @ v) for u, v in
                                      zip(post, pre, strict=True)], cfg.epsilon, cfg.normalize)
        return [(u * s, v) for u, v, s in zip(post, pre, scales, strict=True)]

    def coefficient(self, delta_cost: float, cost0: float) -> float:
        """``k = ΔC·w/ε²`` (:func:`update_coefficient`)."""
        return update_coefficient(float(delta_cost), float(cost0), self.config.epsilon,
                                  self.config.gamma)

    def update(self, perts: list, coef: float) -> None:
        """``Θ ← Θ − η (k·θ̃ + λΘ)`` with ``θ̃_W = u ⊗ v``, ``θ̃_b = u`` (Alg. 1 l. 17), by
        SGD or Adam (``config.optimizer``), both rank-one in place (no gradient array)."""
        cfg = self.config
        self.n_updates += 1
        if cfg.optimizer == "adam":
            if self.adam is None:
                self.adam = [Adam.zeros(w) for w, _ in self.layers]
            adam_rank_one(self.layers, [(coef * u, v) for u, v in perts], self.adam, cfg.eta,
                          cfg.weight_decay, self.n_updates)
            return
        for (w, b), (u, v) in zip(self.layers, perts, strict=True):
            sgd_rank_one(w, b, coef * u, v, cfg.eta, cfg.weight_decay)
