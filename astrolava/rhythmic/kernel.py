"""Per-step link arithmetic of the reference reservoir on buffers allocated once.

:class:`LinkKernel` evaluates the same float64 operations, in the same order, as
``astrolava.rhythmic.equations`` (``recurrent_input``, ``link_drive``, ``coupling_term``,
``phase_update``, ``order_parameter``), so it returns the same numbers, but

* cos φ and sin φ are evaluated once per step and shared by the modulation M(φ) of the next
  step, the astrocyte coupling field and the order parameter (the equations recompute them
  four times);
* C and S come from ONE sparse matvec: the block-diagonal ``diag(A_φ, A_φ)`` times the
  stacked vector ``[cos φ; sin φ]`` (each row sums the same neighbours in the same order as
  ``A_φ @ cos φ`` and ``A_φ @ sin φ``);
* every link-sized intermediate lives in a preallocated buffer written with ``out=``.

The equation functions stay the readable reference (the floating_pt Lava models call them);
tests check that a :class:`~astrolava.rhythmic.reservoir.RhythmicReservoir` run equals a loop
over them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from astrolava.rhythmic.equations import TWO_PI
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams


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
        n_links = graph.n_links
        self.graph, self.params = graph, params
        self._coupling2 = sparse.block_diag([graph.coupling, graph.coupling], format="csr")
        self._cos_sin = np.empty(2 * n_links)
        self.cos, self.sin = self._cos_sin[:n_links], self._cos_sin[n_links:]
        self._buf = np.empty((3, n_links))
        self._has_field = np.empty(n_links, dtype=bool)

    def load(self, phases: np.ndarray) -> None:
        """Cache cos φ and sin φ of ``phases``."""
        np.cos(phases, out=self.cos)
        np.sin(phases, out=self.sin)

    def recurrent_input(self, activity: np.ndarray) -> np.ndarray:
        """h_i = Σ_{ℓ: rows[ℓ]=i} A_ℓ·M_ℓ·n_{cols[ℓ]}, M = 1 − (m/2)(1 + sin φ) (SPEC §2)."""
        g = self.graph
        contrib, ends = self._buf[0], self._buf[1]
        np.add(self.sin, 1.0, out=contrib)
        contrib *= self.params.m / 2.0
        np.subtract(1.0, contrib, out=contrib)                  # M_ℓ
        np.multiply(g.weights, contrib, out=contrib)
        contrib *= np.take(activity, g.cols, out=ends)
        return np.bincount(g.rows, weights=contrib, minlength=g.n_nodes)

    def advance(self, phases: np.ndarray, activity: np.ndarray, mode: str) -> None:
        """One phase step in place (``coupled``, ``rotate`` or ``frozen``), cache updated.

        ``coupled``: φ ← (φ + τ·(ω + sin(Ψ − φ + γ)·D)) mod 2π with
        D = ε1 + ε2·((n_i + 1)/2 + (n_j + 1)/2)/2 and sin(Ψ − φ') = (S·cos φ' − C·sin φ')/|z|,
        C + iS = Σ_k A_φ[ℓ, k] e^{iφ_k}, φ' = φ − γ (0 where |z| = 0). ``rotate``:
        φ ← (φ + τ·ω) mod 2π. ``frozen``: unchanged.
        """
        p = self.params
        if mode == "frozen":
            return
        if mode == "rotate":
            np.add(phases, p.tau * p.omega, out=phases)
        else:
            self._coupled_increment(phases, activity)
        np.mod(phases, TWO_PI, out=phases)
        self.load(phases)

    def _coupled_increment(self, phases: np.ndarray, activity: np.ndarray) -> None:
        """φ ← φ + τ·(ω + sin(Ψ − φ + γ)·D) (not yet wrapped)."""
        g, p = self.graph, self.params
        drive, other, term = self._buf
        level = (activity + 1.0) / 2.0
        np.take(level, g.rows, out=drive)
        drive += np.take(level, g.cols, out=other)
        drive *= p.eps2
        drive /= 2.0
        drive += p.eps1                                          # D_ℓ
        field = self._coupling2 @ self._cos_sin
        c, s = field[:len(phases)], field[len(phases):]                   # C, S
        norm = np.hypot(c, s)
        if p.gamma == 0.0:                                       # φ − 0 = φ exactly
            cos_shift, sin_shift = self.cos, self.sin
        else:
            np.subtract(phases, p.gamma, out=other)
            cos_shift, sin_shift = np.cos(other), np.sin(other)
        s *= cos_shift
        c *= sin_shift
        s -= c                                                   # numerator
        term.fill(0.0)
        np.divide(s, norm, out=term, where=np.greater(norm, 0.0, out=self._has_field))
        term *= drive
        term += p.omega
        term *= p.tau
        phases += term

    def order_parameter(self) -> tuple[float, float]:
        """R and ⟨Φ⟩ of the cached phases: (1/L)·Σ e^{iφ} from the cached cos and sin."""
        n_links = len(self.cos)
        c, s = float(self.cos.sum()) / n_links, float(self.sin.sum()) / n_links
        return math.hypot(c, s), math.atan2(s, c) % TWO_PI
