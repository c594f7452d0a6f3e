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

The trigonometry of the phases is evaluated once per step by the caller (:func:`phasors`, or
:func:`cos_sin` for separate arrays) with one vectorisable sine–cosine (:func:`unit_phasor`):
the modulation M(φ), the coupling field Σ_k A_φ[ℓ, k] e^{iφ_k} (A_φ in the sliced blocks of
:mod:`astrolava.rhythmic.coupling`) and the order parameter all read the same cached values.
Every function is compiled with ``numba.njit`` and can be called from Python with numpy arrays or
from compiled code (the series loop of :mod:`astrolava.rhythmic.kernel`); the floating_pt Lava
models, the step-by-step :func:`astrolava.rhythmic.advance_phases` and the compiled loop
therefore run the same code.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from astrolava.rhythmic.coupling import coupling_field

TWO_PI = 2.0 * np.pi

PHASE_MODES = ("coupled", "rotate", "frozen")
"""How link phases evolve: the astrocyte coupling, uniform rotation φ += τ·ω0, or held."""
COUPLED, ROTATE, FROZEN = range(len(PHASE_MODES))
"""Integer codes of the phase modes in compiled code (indices into ``PHASE_MODES``)."""


INV_HALF_PI = 6.36619772367581382433e-01
HALF_PI_HEAD = 1.57079632673412561417e+00
"""π/2 to 33 bits: n·HALF_PI_HEAD is exact for integers n up to 2**20 in magnitude."""
HALF_PI_TAIL = 6.07710050650619224932e-11
"""π/2 − HALF_PI_HEAD."""
SIN_COEFFS = (-1.66666666666666324348e-01, 8.33333333332248946124e-03,
              -1.98412698298579493134e-04, 2.75573137070700676789e-06,
              -2.50507602534068634195e-08, 1.58969099521155010221e-10)
COS_COEFFS = (4.16666666666666019037e-02, -1.38888888888741095749e-03,
              2.48015872894767294178e-05, -2.75573143513906633035e-07,
              2.08757232129817482790e-09, -1.13596475577881948265e-11)
"""Minimax coefficients of sin and cos on [−π/4, π/4] (fdlibm's kernels)."""


@njit(cache=True, inline="always")
def unit_phasor(x: float) -> tuple[float, float]:
    """(cos x, sin x) without a branch, so that loops over phases vectorise.

    The argument is reduced by the nearest multiple n of π/2 in two parts (Cody–Waite),
    y + yy = x − n·π/2, and the polynomials of fdlibm's kernels (``__kernel_cos``,
    ``__kernel_sin``, with the tail yy) evaluated on y ∈ [−π/4, π/4]; the quadrant n mod 4 swaps
    and negates them::

        n mod 4:   0            1             2             3
        (cos, sin) (c(y), s(y)) (−s(y), c(y)) (−c(y), −s(y)) (s(y), −c(y))

    For x in [−2π, 2π] (phases) the results lie within 1.5e-16 of the C library's ``cos`` and
    ``sin`` (tests/rhythmic/test_coupling.py); the two-part reduction stays accurate while
    n·HALF_PI_HEAD is exact, for x up to about 2**20·π/2 in magnitude.
    """
    n = math.floor(x * INV_HALF_PI + 0.5)
    head = x - n * HALF_PI_HEAD
    shift = n * HALF_PI_TAIL
    y = head - shift
    tail = (head - y) - shift
    z = y * y
    cube = z * y
    s1, s2, s3, s4, s5, s6 = SIN_COEFFS
    c1, c2, c3, c4, c5, c6 = COS_COEFFS
    r_sin = s2 + z * (s3 + z * (s4 + z * (s5 + z * s6)))
    sin_y = y - ((z * (0.5 * tail - cube * r_sin) - tail) - cube * s1)
    r_cos = z * (c1 + z * (c2 + z * (c3 + z * (c4 + z * (c5 + z * c6)))))
    half_z = 0.5 * z
    w = 1.0 - half_z
    cos_y = w + (((1.0 - w) - half_z) + (z * r_cos - y * tail))
    quadrant = n - 4.0 * math.floor(n * 0.25)
    odd = quadrant == 1.0 or quadrant == 3.0
    cos_x = sin_y if odd else cos_y
    sin_x = cos_y if odd else sin_y
    cos_x = -cos_x if (quadrant == 1.0 or quadrant == 2.0) else cos_x
    sin_x = -sin_x if quadrant >= 2.0 else sin_x
    return cos_x, sin_x


@njit(cache=True)
def fill_phasors(phases: np.ndarray, trig: np.ndarray) -> None:
    """Write (cos φ_ℓ, sin φ_ℓ) of every link into ``trig[2ℓ]``, ``trig[2ℓ + 1]`` in place
    (:func:`unit_phasor`); the entries past 2L are left as they are."""
    for link in range(len(phases)):
        cos_x, sin_x = unit_phasor(phases[link])
        trig[2 * link] = cos_x
        trig[2 * link + 1] = sin_x


@njit(cache=True)
def phasors(phases: np.ndarray) -> np.ndarray:
    """cos φ and sin φ of every link interleaved, with a zero pair appended, length 2L + 2.

    A step needs the trigonometry of the phases three times (the link modulation, the
    astrocyte coupling field and the order parameter); it is computed once here and passed on.
    ``trig[0:2L:2]`` is cos φ, ``trig[1:2L:2]`` sin φ, and ``trig[2L:]`` = (0, 0) is the slot
    that pads the blocks of A_φ (:mod:`astrolava.rhythmic.coupling`).
    """
    trig = np.zeros(2 * len(phases) + 2)
    fill_phasors(phases, trig)
    return trig


@njit(cache=True)
def cos_sin(phases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos φ and sin φ of every link as two arrays (:func:`unit_phasor`, the values of
    :func:`phasors`)."""
    cos_phi, sin_phi = np.empty_like(phases), np.empty_like(phases)
    for link in range(len(phases)):
        cos_phi[link], sin_phi[link] = unit_phasor(phases[link])
    return cos_phi, sin_phi


@njit(cache=True, inline="always")
def wrap_phase(phase: float) -> float:
    """φ mod 2π in [0, 2π), as φ − 2π·⌊φ/2π⌋ (a floor, cheaper than fmod).

    The two corrections keep the result in [0, 2π) where φ/2π rounds across an integer: for
    φ = −1e-17, ``np.mod(φ, 2π)`` returns 2π, this returns 0. Otherwise the values are
    ``np.mod``'s.
    """
    wrapped = phase - TWO_PI * math.floor(phase / TWO_PI)
    wrapped = wrapped + TWO_PI if wrapped < 0.0 else wrapped
    return wrapped - TWO_PI if wrapped >= TWO_PI else wrapped


@njit(cache=True)
def wrap_phases(phases: np.ndarray) -> np.ndarray:
    """:func:`wrap_phase` of every phase, a new array."""
    out = np.empty_like(phases)
    for link in range(len(phases)):
        out[link] = wrap_phase(phases[link])
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

    No N×N matrix is formed. A run of consecutive links into the same node (the graph's links
    are sorted by row) is summed in a register and added to h once, in link order.

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
    if len(rows) == 0:
        return out
    node, total = rows[0], 0.0
    for link in range(len(rows)):
        if rows[link] != node:
            out[node] += total
            node, total = rows[link], 0.0
        total += weights[link] * link_modulation(sin_phi[link], m) * activity[cols[link]]
    out[node] += total
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
    out = np.empty(len(rows))
    for link in range(len(rows)):
        out[link] = eps1 + eps2 * (level[rows[link]] + level[cols[link]]) / 2.0
    return out


@njit(cache=True, error_model="numpy")
def coupling_term(trig: np.ndarray, blocks: tuple, gamma: float) -> np.ndarray:
    """Astrocyte coupling of every link to its neighbours' mean phase.

    The astrocytes form a binary link–link graph A_φ (Kang & Losert, arXiv:2502.08644). Each
    link sees the local mean phase Ψ_ℓ of its neighbours and is pulled towards it, shifted by
    the Sakaguchi lag γ::

        Ψ_ℓ = arg Σ_k A_φ[ℓ, k]·e^{iφ_k}
        K_ℓ = sin(Ψ_ℓ − φ_ℓ + γ)

    Computed without complex numbers: C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k} = r_ℓ·e^{iΨ_ℓ}
    (:func:`astrolava.rhythmic.coupling.coupling_field`), then, in a second pass over the
    links, with φ' = φ − γ and r = √(C² + S²)::

        K = sin(Ψ − φ') = (S·cos φ' − C·sin φ') / r
        cos φ' = cos φ cos γ + sin φ sin γ,   sin φ' = sin φ cos γ − cos φ sin γ

    A link with no neighbour (r = 0) is uncoupled: K = 0.

    Parameters
    ----------
    trig : numpy.ndarray
        cos φ and sin φ interleaved, length 2L + 2 (:func:`phasors`).
    blocks : tuple
        A_φ in sliced blocks (:func:`astrolava.rhythmic.coupling.coupling_blocks`,
        ``ReservoirGraph.coupling_blocks``).
    gamma : float
        Sakaguchi lag γ.

    Returns
    -------
    numpy.ndarray
        K, shape ``(L,)``.
    """
    n_links = (len(trig) - 2) // 2
    field = np.empty(2 * n_links)
    coupling_field(trig, blocks, field)
    cos_gamma, sin_gamma = math.cos(gamma), math.sin(gamma)
    out = np.empty(n_links)
    for link in range(n_links):
        c, s = field[2 * link], field[2 * link + 1]
        norm = math.sqrt(c * c + s * s)
        cos_phi, sin_phi = trig[2 * link], trig[2 * link + 1]
        cos_shift = cos_phi * cos_gamma + sin_phi * sin_gamma
        sin_shift = sin_phi * cos_gamma - cos_phi * sin_gamma
        pull = (s * cos_shift - c * sin_shift) / norm
        out[link] = pull if norm > 0.0 else 0.0
    return out


@njit(cache=True)
def phase_update(phases: np.ndarray, trig: np.ndarray, drive: np.ndarray,
                 blocks: tuple, omega: float, gamma: float, tau: float) -> np.ndarray:
    """One Kuramoto–Sakaguchi step of the link phases (Kang & Losert, arXiv:2502.08644).

    Every phase turns at the natural frequency ω and is pulled towards its neighbours' mean
    phase (:func:`coupling_term` K) with a strength set by its end nodes (:func:`link_drive`
    D)::

        φ_ℓ(t+1) = (φ_ℓ(t) + τ·(ω + K_ℓ·D_ℓ)) mod 2π

    Parameters
    ----------
    phases : numpy.ndarray
        φ, shape ``(L,)``.
    trig : numpy.ndarray
        Its cosine and sine interleaved (:func:`phasors`).
    drive : numpy.ndarray
        D_ℓ (:func:`link_drive`).
    blocks : tuple
        A_φ in sliced blocks.
    omega, gamma, tau : float
        Natural frequency ω, lag γ, time step τ.

    Returns
    -------
    numpy.ndarray
        New phases in [0, 2π).
    """
    term = coupling_term(trig, blocks, gamma)
    out = np.empty_like(phases)
    for link in range(len(phases)):
        out[link] = wrap_phase(phases[link] + tau * (omega + term[link] * drive[link]))
    return out


@njit(cache=True)
def step_phases(phases: np.ndarray, trig: np.ndarray, activity: np.ndarray, rows: np.ndarray,
                cols: np.ndarray, blocks: tuple, eps1: float, eps2: float,
                omega: float, gamma: float, tau: float, mode: int) -> np.ndarray:
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
    return phase_update(phases, trig, drive, blocks, omega, gamma, tau)


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

    Notes
    -----
    The sums run in four interleaved partial sums (links ℓ ≡ j mod 4), added as
    (Σ₀ + Σ₁) + (Σ₂ + Σ₃): four independent chains of adds instead of one.
    """
    n = len(cos_phi)
    c0 = c1 = c2 = c3 = s0 = s1 = s2 = s3 = 0.0
    for link in range(0, n - n % 4, 4):
        c0 += cos_phi[link]
        c1 += cos_phi[link + 1]
        c2 += cos_phi[link + 2]
        c3 += cos_phi[link + 3]
        s0 += sin_phi[link]
        s1 += sin_phi[link + 1]
        s2 += sin_phi[link + 2]
        s3 += sin_phi[link + 3]
    for link in range(n - n % 4, n):
        c0 += cos_phi[link]
        s0 += sin_phi[link]
    c = ((c0 + c1) + (c2 + c3)) / n
    s = ((s0 + s1) + (s2 + s3)) / n
    psi = math.atan2(s, c) % TWO_PI  # 2π exactly when atan2 is a negative below half an ulp of 2π
    return math.hypot(c, s), psi if psi < TWO_PI else 0.0


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
