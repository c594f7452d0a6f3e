"""The equations of rhythmic sharing, compiled with numba: their one implementation.

Rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot
adaptive learning in neural networks", arXiv:2502.08644) is an echo-state reservoir whose links
oscillate: every link carries a phase that scales its weight, and astrocytes couple the phases
of neighbouring links, Kuramoto style, with a pull that grows with the activity of the nodes the
link joins. Each function below implements one of its equations and states it in its docstring.

Notation: N nodes with activity n, L links ℓ = (i ← j) = (rows[ℓ], cols[ℓ]) with weight A_ℓ and
phase φ_ℓ; the binary link–link (astrocyte) graph A_φ is given by its CSR arrays ``indptr``,
``indices`` (the neighbours of ℓ are ``indices[indptr[ℓ]:indptr[ℓ + 1]]``). No function forms an
N×N or L×L matrix.

The trigonometry of the phases is evaluated once per step by the caller (:func:`cos_sin`) and
passed in as ``cos_phi``/``sin_phi``: the modulation M(φ), the coupling field
Σ_k A_φ[ℓ, k] e^{iφ_k} and the order parameter all read the same cached values. Every
function is compiled with ``numba.njit`` and can be called from Python with numpy arrays or
from compiled code (the series loop of :mod:`astrolava.rhythmic.kernel`); the floating_pt Lava
models, the step-by-step :func:`astrolava.rhythmic.advance_phases` and the compiled loop
therefore run the same code.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TWO_PI = 2.0 * np.pi

PHASE_MODES = ("coupled", "rotate", "frozen")
"""How link phases evolve: the astrocyte coupling, uniform rotation φ += τ·ω0, or held."""
COUPLED, ROTATE, FROZEN = range(len(PHASE_MODES))
"""Integer codes of the phase modes in compiled code (indices into ``PHASE_MODES``)."""


@njit(cache=True)
def cos_sin(phases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos φ and sin φ of every link in one pass.

    A step needs the trigonometry of the phases three times (the link modulation, the
    astrocyte coupling field and the order parameter); it is computed once here and passed on.
    """
    cos_phi, sin_phi = np.empty_like(phases), np.empty_like(phases)
    for link in range(len(phases)):
        cos_phi[link] = math.cos(phases[link])
        sin_phi[link] = math.sin(phases[link])
    return cos_phi, sin_phi


@njit(cache=True)
def wrap_phases(phases: np.ndarray) -> np.ndarray:
    """φ mod 2π in [0, 2π), as φ − 2π·⌊φ/2π⌋ (a floor, cheaper than fmod).

    The two corrections keep the result in [0, 2π) where φ/2π rounds across an integer: for
    φ = −1e-17, ``np.mod(φ, 2π)`` returns 2π, this returns 0. Otherwise the values are
    ``np.mod``'s.
    """
    out = np.empty_like(phases)
    for link in range(len(phases)):
        wrapped = phases[link] - TWO_PI * math.floor(phases[link] / TWO_PI)
        if wrapped < 0.0:
            wrapped += TWO_PI
        if wrapped >= TWO_PI:
            wrapped -= TWO_PI
        out[link] = wrapped
    return out


@njit(cache=True)
def link_modulation(sin_phi: np.ndarray | float, m: float) -> np.ndarray | float:
    """Modulation of a link's weight by its phase (Kang & Losert, arXiv:2502.08644).

    The weight A_ℓ of link ℓ is used as A_ℓ·M_ℓ, where the factor oscillates with the link's
    phase between 1 − m (at sin φ = 1) and 1 (at sin φ = −1)::

        M_ℓ = 1 − (m/2)·(1 + sin φ_ℓ)

    Parameters
    ----------
    sin_phi : numpy.ndarray or float
        sin φ of one link or of every link.
    m : float
        Modulation depth in [0, 1]; M then lies in [1 − m, 1].

    Returns
    -------
    numpy.ndarray or float
        M, same shape as ``sin_phi``.
    """
    return 1.0 - (m / 2.0) * (1.0 + sin_phi)


@njit(cache=True)
def recurrent_input(activity: np.ndarray, sin_phi: np.ndarray, rows: np.ndarray,
                    cols: np.ndarray, weights: np.ndarray, m: float) -> np.ndarray:
    """Input of every node through the modulated links, (A ∘ M(φ)) n, in O(L).

    Every link ℓ = (i ← j) passes its presynaptic node's activity on with its weight scaled by
    its modulation (:func:`link_modulation`); a node sums what its incoming links carry::

        h_i = Σ_{ℓ: rows[ℓ] = i} A_ℓ·M_ℓ·n_{cols[ℓ]}

    No N×N matrix is formed.

    Parameters
    ----------
    activity : numpy.ndarray
        n, shape ``(N,)`` (node activity, or spikes for LIF nodes).
    sin_phi : numpy.ndarray
        sin φ_ℓ, shape ``(L,)``.
    rows, cols : numpy.ndarray
        Post- and presynaptic node of every link (int64, ``(L,)``).
    weights : numpy.ndarray
        A_ℓ, shape ``(L,)``.
    m : float
        Modulation depth.

    Returns
    -------
    numpy.ndarray
        h, shape ``(N,)``.
    """
    out = np.zeros(len(activity))
    for link in range(len(rows)):
        out[rows[link]] += (weights[link] * link_modulation(sin_phi[link], m)
                            * activity[cols[link]])
    return out


@njit(cache=True)
def node_update(activity: np.ndarray, net_input: np.ndarray, leak: float,
                bias: float) -> np.ndarray:
    """Leaky tanh node of the reservoir (Kang & Losert, arXiv:2502.08644).

    A node keeps a fraction λ of its activity and moves the rest towards the tanh of its input,
    where the input h = (A ∘ M(φ(t))) n(t) + W_in u(t) comes through the modulated links
    (:func:`recurrent_input`) and the input matrix::

        n(t+1) = λ·n(t) + (1 − λ)·tanh(h + b)

    Parameters
    ----------
    activity : numpy.ndarray
        n(t), shape ``(N,)``.
    net_input : numpy.ndarray
        h = (A ∘ M) n(t) + W_in u(t), shape ``(N,)``.
    leak : float
        λ in [0, 1).
    bias : float
        b.
    """
    return leak * activity + (1.0 - leak) * np.tanh(net_input + bias)


@njit(cache=True)
def lif_step(voltage: np.ndarray, current: np.ndarray, dv: float,
             threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """LIF node with instantaneous current (Lava ``LIF`` with du = 1, bias 0).

    The spiking variant of the reservoir's nodes (an extension of the paper's tanh nodes);
    the potential resets in the step it spikes::

        v ← (1 − dv)·v + I;   s = [v > threshold];   v ← 0 where s = 1

    Parameters
    ----------
    voltage : numpy.ndarray
        v before the step, shape ``(N,)``.
    current : numpy.ndarray
        I = (A ∘ M) s + W_in u + b, shape ``(N,)``.
    dv : float
        Voltage decay per step, in (0, 1].
    threshold : float
        Spike threshold (> 0).

    Returns
    -------
    voltage, spikes : numpy.ndarray
        v after the step (reset where it spiked) and s as 0.0/1.0.
    """
    voltage = (1.0 - dv) * voltage + current
    spikes = voltage > threshold
    return np.where(spikes, 0.0, voltage), spikes.astype(np.float64)


@njit(cache=True)
def rate_trace(trace: np.ndarray, spikes: np.ndarray, alpha: float) -> np.ndarray:
    """Exponential spike-rate estimate r ← (1 − α)·r + α·s, in [0, 1] (α in (0, 1])."""
    return (1.0 - alpha) * trace + alpha * spikes


@njit(cache=True)
def rate_activity(rate: np.ndarray) -> np.ndarray:
    """Node signal n = 2r − 1 in [−1, 1] of a spike rate r, so that (n + 1)/2 = r in D_ℓ."""
    return 2.0 * rate - 1.0


@njit(cache=True)
def link_drive(activity: np.ndarray, rows: np.ndarray, cols: np.ndarray, eps1: float,
               eps2: float) -> np.ndarray:
    """Drive of every link's phase by the activity of the two nodes it joins.

    In rhythmic sharing (Kang & Losert, arXiv:2502.08644) the astrocyte pull on a link's phase
    is scaled by how active its end nodes are: with each node's activity mapped from [−1, 1]
    to a level in [0, 1], the drive of ℓ = (i ← j) is affine in the mean level of its ends::

        D_ℓ = ε1 + ε2·((n_i + 1)/2 + (n_j + 1)/2)/2

    For a self-loop (i = j) both ends are the same node, so the mean counts it once.

    Parameters
    ----------
    activity : numpy.ndarray
        n in [−1, 1], shape ``(N,)``.
    rows, cols : numpy.ndarray
        End nodes of every link.
    eps1, eps2 : float
        ε1, ε2.
    """
    level = (activity + 1.0) / 2.0
    return eps1 + eps2 * (level[rows] + level[cols]) / 2.0


@njit(cache=True)
def coupling_term(cos_phi: np.ndarray, sin_phi: np.ndarray, indptr: np.ndarray,
                  indices: np.ndarray, gamma: float) -> np.ndarray:
    """Astrocyte coupling of every link to its neighbours' mean phase.

    The astrocytes form a binary link–link graph A_φ (Kang & Losert, arXiv:2502.08644). Each
    link sees the local mean phase Ψ_ℓ of its neighbours and is pulled towards it, shifted by
    the Sakaguchi lag γ::

        Ψ_ℓ = arg Σ_k A_φ[ℓ, k]·e^{iφ_k}
        K_ℓ = sin(Ψ_ℓ − φ_ℓ + γ)

    Computed without complex numbers: C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k} = r_ℓ·e^{iΨ_ℓ}
    (:func:`coupling_field`, one pass over the CSR neighbour lists), then, in a second pass
    over the links, with φ' = φ − γ::

        K = sin(Ψ − φ') = (S·cos φ' − C·sin φ') / r
        cos φ' = cos φ cos γ + sin φ sin γ,   sin φ' = sin φ cos γ − cos φ sin γ

    A link with no neighbour (r = 0) is uncoupled: K = 0.

    Parameters
    ----------
    cos_phi, sin_phi : numpy.ndarray
        cos φ, sin φ of every link, shape ``(L,)``.
    indptr, indices : numpy.ndarray
        A_φ in CSR form (int64).
    gamma : float
        Sakaguchi lag γ.

    Returns
    -------
    numpy.ndarray
        K, shape ``(L,)``.
    """
    field_cos, field_sin = coupling_field(cos_phi, sin_phi, indptr, indices)
    cos_gamma, sin_gamma = math.cos(gamma), math.sin(gamma)
    out = np.empty(len(cos_phi))
    for link in range(len(cos_phi)):
        c, s = field_cos[link], field_sin[link]
        norm = math.hypot(c, s)
        if norm > 0.0:
            cos_shift = cos_phi[link] * cos_gamma + sin_phi[link] * sin_gamma
            sin_shift = sin_phi[link] * cos_gamma - cos_phi[link] * sin_gamma
            out[link] = (s * cos_shift - c * sin_shift) / norm
        else:
            out[link] = 0.0
    return out


@njit(cache=True)
def coupling_field(cos_phi: np.ndarray, sin_phi: np.ndarray, indptr: np.ndarray,
                   indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The astrocyte field of every link, C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k}, in one pass
    over the CSR neighbour lists (the neighbours of each link summed in index order).

    Returns
    -------
    C, S : numpy.ndarray
        Σ_k A_φ[ℓ, k] cos φ_k and Σ_k A_φ[ℓ, k] sin φ_k, shape ``(L,)``.
    """
    field_cos, field_sin = np.empty(len(cos_phi)), np.empty(len(cos_phi))
    for link in range(len(cos_phi)):
        c = 0.0
        s = 0.0
        for j in range(indptr[link], indptr[link + 1]):
            c += cos_phi[indices[j]]
            s += sin_phi[indices[j]]
        field_cos[link], field_sin[link] = c, s
    return field_cos, field_sin


@njit(cache=True)
def phase_update(phases: np.ndarray, cos_phi: np.ndarray, sin_phi: np.ndarray,
                 drive: np.ndarray, indptr: np.ndarray, indices: np.ndarray, omega: float,
                 gamma: float, tau: float) -> np.ndarray:
    """One Kuramoto–Sakaguchi step of the link phases (Kang & Losert, arXiv:2502.08644).

    Every phase turns at the natural frequency ω and is pulled towards its neighbours' mean
    phase (:func:`coupling_term` K) with a strength set by its end nodes (:func:`link_drive`
    D)::

        φ_ℓ(t+1) = (φ_ℓ(t) + τ·(ω + K_ℓ·D_ℓ)) mod 2π

    Parameters
    ----------
    phases, cos_phi, sin_phi : numpy.ndarray
        φ and its cosine and sine, shape ``(L,)``.
    drive : numpy.ndarray
        D_ℓ (:func:`link_drive`).
    indptr, indices : numpy.ndarray
        A_φ in CSR form.
    omega, gamma, tau : float
        Natural frequency ω, lag γ, time step τ.

    Returns
    -------
    numpy.ndarray
        New phases in [0, 2π).
    """
    term = coupling_term(cos_phi, sin_phi, indptr, indices, gamma)
    return wrap_phases(phases + tau * (omega + term * drive))


@njit(cache=True)
def step_phases(phases: np.ndarray, cos_phi: np.ndarray, sin_phi: np.ndarray,
                activity: np.ndarray, rows: np.ndarray, cols: np.ndarray, indptr: np.ndarray,
                indices: np.ndarray, eps1: float, eps2: float, omega: float, gamma: float,
                tau: float, mode: int) -> np.ndarray:
    """One phase step in a mode.

    ``COUPLED``: the learning dynamics, :func:`phase_update` with D = :func:`link_drive` (n).
    ``ROTATE`` and ``FROZEN`` serve recall (Kang & Losert, arXiv:2502.08644): the phases turn
    uniformly, φ ← (φ + τ·ω0) mod 2π, keeping their pattern, until the mean phase names the
    wanted context, and are then held.

    Returns
    -------
    numpy.ndarray
        New phases (a new array in every mode).
    """
    if mode == FROZEN:
        return phases.copy()
    if mode == ROTATE:
        return wrap_phases(phases + tau * omega)
    drive = link_drive(activity, rows, cols, eps1, eps2)
    return phase_update(phases, cos_phi, sin_phi, drive, indptr, indices, omega, gamma, tau)


@njit(cache=True)
def mean_field(cos_phi: np.ndarray, sin_phi: np.ndarray) -> tuple[float, float]:
    """Kuramoto order parameter of the link phases, from cos φ and sin φ.

    The mean of the unit phasors of the L links::

        R·e^{i⟨Φ⟩} = (1/L)·Σ_ℓ e^{iφ_ℓ}

    R is 1 when every link has the same phase and near 0 when the phases spread; the synchrony
    R(t) and the mean phase ⟨Φ⟩(t) are the outputs with which rhythmic sharing reveals a change
    of context without training or labels (Kang & Losert, arXiv:2502.08644).

    Returns
    -------
    R : float
        Synchrony in [0, 1].
    mean_phase : float
        ⟨Φ⟩ in [0, 2π).
    """
    c = cos_phi.sum() / len(cos_phi)
    s = sin_phi.sum() / len(sin_phi)
    return math.hypot(c, s), math.atan2(s, c) % TWO_PI


def wrap_angle(angle: np.ndarray | float) -> np.ndarray:
    """An angle (or a difference of phases) wrapped to [−π, π): (x + π) mod 2π − π."""
    return np.mod(np.asarray(angle, dtype=np.float64) + np.pi, TWO_PI) - np.pi


def order_parameter(phases: np.ndarray) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Order parameter R and mean phase ⟨Φ⟩ of phases, for one phase vector or each row.

    :func:`mean_field` on :func:`cos_sin` (φ).

    Parameters
    ----------
    phases : numpy.ndarray
        Link phases, shape ``(L,)`` or ``(T, L)`` (one row per time step).

    Returns
    -------
    R : float or numpy.ndarray
        Synchrony in [0, 1] (shape ``(T,)`` for a record).
    mean_phase : float or numpy.ndarray
        ⟨Φ⟩ in [0, 2π).
    """
    phases = np.asarray(phases, dtype=np.float64)
    if phases.ndim not in (1, 2) or phases.shape[-1] == 0:
        raise ValueError(f"phases has shape {phases.shape}; expected (L,) or (T, L) with "
                         "L >= 1 links")
    if phases.ndim == 1:
        return mean_field(*cos_sin(phases))
    rows = np.array([mean_field(*cos_sin(row)) for row in phases]).reshape(-1, 2)
    return rows[:, 0], rows[:, 1]
