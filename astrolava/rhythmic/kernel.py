"""Per-step link arithmetic of the reference reservoir, compiled with numba.

The compiled functions evaluate the float64 operations of ``astrolava.rhythmic.equations``
(``recurrent_input``, ``link_drive``, ``coupling_term``, ``phase_update``,
``order_parameter``) in the same order, one fused loop over the links each, so they return the
same numbers up to the last bits of the libm functions (tests check 1e-12), but

* cos φ and sin φ are evaluated once per step and shared by the modulation M(φ) of the next
  step, the astrocyte coupling field and the order parameter;
* C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k} is one pass over the CSR neighbour lists of the binary
  A_φ (the sum runs over the neighbours in CSR order, as scipy's ``A_φ @ cos φ`` does);
* :func:`run_tanh_series` runs a whole input series (tanh nodes) in one compiled loop, with
  no Python call per step.

:class:`LinkKernel` wraps them for step-by-step use (any node type). The equation functions
stay the readable reference (the floating_pt Lava models call them); tests check that a
:class:`~astrolava.rhythmic.reservoir.RhythmicReservoir` run equals a loop over them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from astrolava.rhythmic.equations import TWO_PI, node_update
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams

MODE_CODES = {"coupled": 0, "rotate": 1, "frozen": 2}
"""Integer codes of the phase modes inside compiled code."""

_node_update = njit(cache=True)(node_update)
"""``equations.node_update`` compiled for :func:`run_tanh_series` (same source)."""


@njit(cache=True)
def _recurrent_input(sin: np.ndarray, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
                     m: float, activity: np.ndarray, out: np.ndarray) -> None:
    """out_i = Σ_{ℓ: rows[ℓ]=i} A_ℓ·M_ℓ·n_{cols[ℓ]}, M_ℓ = 1 − (m/2)(1 + sin φ_ℓ) (SPEC §2)."""
    out[:] = 0.0
    half_m = m / 2.0
    for link in range(len(rows)):
        modulation = 1.0 - (sin[link] + 1.0) * half_m
        out[rows[link]] += weights[link] * modulation * activity[cols[link]]


@njit(cache=True)
def _advance(phases: np.ndarray, cos: np.ndarray, sin: np.ndarray, activity: np.ndarray,
             rows: np.ndarray, cols: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
             eps1: float, eps2: float, omega: float, gamma: float, tau: float, mode: int,
             field: np.ndarray) -> None:
    """One phase step in place; ``cos``/``sin`` hold cos φ, sin φ before and after.

    ``coupled`` (0): φ ← (φ + τ·(ω + sin(Ψ − φ + γ)·D)) mod 2π with
    D = ε1 + ε2·((n_i + 1)/2 + (n_j + 1)/2)/2 and sin(Ψ − φ') = (S·cos φ' − C·sin φ')/|z|,
    C + iS = Σ_k A_φ[ℓ, k] e^{iφ_k}, φ' = φ − γ (0 where |z| = 0) (SPEC §2, "Phases").
    ``rotate`` (1): φ ← (φ + τ·ω) mod 2π. ``frozen`` (2): unchanged. ``field`` is scratch
    space of shape ``(L, 2)`` (all C, S are needed before any φ changes).
    """
    if mode == 2:
        return
    n_links = len(phases)
    if mode == 1:
        for link in range(n_links):
            phases[link] = (phases[link] + tau * omega) % TWO_PI
    else:
        for link in range(n_links):
            c = 0.0
            s = 0.0
            for j in range(indptr[link], indptr[link + 1]):
                k = indices[j]
                c += cos[k]
                s += sin[k]
            field[link, 0] = c
            field[link, 1] = s
        for link in range(n_links):
            c, s = field[link, 0], field[link, 1]
            norm = math.hypot(c, s)
            term = 0.0
            if norm > 0.0:
                if gamma == 0.0:
                    cos_shift, sin_shift = cos[link], sin[link]
                else:
                    cos_shift = math.cos(phases[link] - gamma)
                    sin_shift = math.sin(phases[link] - gamma)
                term = (s * cos_shift - c * sin_shift) / norm
            level_i = (activity[rows[link]] + 1.0) / 2.0
            level_j = (activity[cols[link]] + 1.0) / 2.0
            drive = (level_i + level_j) * eps2 / 2.0 + eps1
            phases[link] = (phases[link] + (term * drive + omega) * tau) % TWO_PI
    for link in range(n_links):
        cos[link] = math.cos(phases[link])
        sin[link] = math.sin(phases[link])


@njit(cache=True)
def _order_parameter(cos: np.ndarray, sin: np.ndarray) -> tuple[float, float]:
    """R and ⟨Φ⟩ from cached cos φ, sin φ: R·e^{i⟨Φ⟩} = (1/L)·Σ e^{iφ} (SPEC §2)."""
    c = cos.sum() / len(cos)
    s = sin.sum() / len(sin)
    return math.hypot(c, s), math.atan2(s, c) % TWO_PI


@njit(cache=True)
def run_tanh_series(u: np.ndarray, activity: np.ndarray, phases: np.ndarray, rows: np.ndarray,
                    cols: np.ndarray, weights: np.ndarray, w_in: np.ndarray,
                    indptr: np.ndarray, indices: np.ndarray, m: float, leak: float,
                    bias: float, eps1: float, eps2: float, omega: float, gamma: float,
                    tau: float, mode: int, states: np.ndarray, r: np.ndarray, psi: np.ndarray,
                    record: np.ndarray) -> None:
    """Drive tanh nodes with the series ``u`` ``(T, d)`` in one compiled loop (SPEC §2).

    Per step: n ← λ·n + (1 − λ)·tanh((A ∘ M(φ)) n + W_in u(t) + b) (:func:`node_update`), then
    the phase step of :func:`_advance`. ``activity`` and ``phases`` are updated in place;
    ``states``, ``r``, ``psi`` receive n, R, ⟨Φ⟩ after each step and ``record`` the phases
    (pass an array with 0 rows to skip).
    """
    cos, sin = np.cos(phases), np.sin(phases)
    field = np.empty((len(phases), 2))
    net = np.empty(len(activity))
    for t in range(len(u)):
        _recurrent_input(sin, rows, cols, weights, m, activity, net)
        net += w_in @ u[t]
        activity[:] = _node_update(activity, net, leak, bias)
        _advance(phases, cos, sin, activity, rows, cols, indptr, indices, eps1, eps2, omega,
                 gamma, tau, mode, field)
        states[t] = activity
        r[t], psi[t] = _order_parameter(cos, sin)
        if len(record):
            record[t] = phases


class LinkKernel:
    """Link computations of one reservoir, with cos φ / sin φ of the current phases cached.

    Call :meth:`load` with the phases before the first step (and whenever the phases were
    changed from outside); :meth:`advance` keeps the cache current afterwards.

    Parameters
    ----------
    graph : ReservoirGraph
        Link lists and the astrocyte graph A_φ.
    params : RhythmicParams
        m, ε1, ε2, ω, γ, τ.
    """

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams) -> None:
        self.graph, self.params = graph, params
        self.cos, self.sin = np.empty(graph.n_links), np.empty(graph.n_links)
        self._field = np.empty((graph.n_links, 2))
        self._net = np.empty(graph.n_nodes)

    def load(self, phases: np.ndarray) -> None:
        """Cache cos φ and sin φ of ``phases``."""
        np.cos(phases, out=self.cos)
        np.sin(phases, out=self.sin)

    def recurrent_input(self, activity: np.ndarray) -> np.ndarray:
        """h_i = Σ_{ℓ: rows[ℓ]=i} A_ℓ·M_ℓ·n_{cols[ℓ]}, M = 1 − (m/2)(1 + sin φ) (SPEC §2)."""
        g = self.graph
        _recurrent_input(self.sin, g.rows, g.cols, g.weights, self.params.m,
                         np.asarray(activity, float), self._net)
        return self._net.copy()

    def advance(self, phases: np.ndarray, activity: np.ndarray, mode: str) -> None:
        """One phase step in place (``coupled``, ``rotate`` or ``frozen``), cache updated.

        See :func:`_advance` for the update.
        """
        g, p = self.graph, self.params
        _advance(phases, self.cos, self.sin, np.asarray(activity, float), g.rows, g.cols,
                 g.coupling_indptr, g.coupling_indices, p.eps1, p.eps2, p.omega, p.gamma,
                 p.tau, MODE_CODES[mode], self._field)

    def order_parameter(self) -> tuple[float, float]:
        """R and ⟨Φ⟩ of the cached phases: (1/L)·Σ e^{iφ} from the cached cos and sin."""
        return _order_parameter(self.cos, self.sin)
