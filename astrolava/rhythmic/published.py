"""The published formulation of rhythmic sharing: the speed baseline of the reference.

A transcription of the per-step loop of Kang & Losert ("Rhythmic sharing: A bio-inspired
paradigm for zero-shot adaptive learning in neural networks", arXiv:2502.08644) in numpy and
scipy, the way their implementation computes a step:

1. the link modulation as a dense N×N array, built from the link phases (1 off the links),
   multiplied elementwise with the dense recurrent matrix A; the nodes take the tanh of that
   times n plus the input::

       n(t+1) = λ·n(t) + (1 − λ)·tanh((A ∘ M(φ(t))) n(t) + W_in u(t) + b)

2. the astrocyte coupling as the scipy sparse L×L matrix A_φ times cos φ and times sin φ, the
   local mean phase by ``arctan2``::

       Ψ = arctan2(A_φ sin φ, A_φ cos φ)

3. the node drive of the links through the sparse N×L incidence matrix B (B[i, ℓ] = 1 when
   node i is an end of link ℓ; a self-loop has one end)::

       D = ε1 + ε2·(Bᵀ (n + 1)/2) / (Bᵀ 1)

4. φ(t+1) = (φ + τ·(ω + sin(Ψ − φ + γ)·D)) mod 2π, a link without neighbours uncoupled; the
   order parameter R·e^{i⟨Φ⟩} = mean(e^{iφ}).

:class:`~astrolava.rhythmic.reservoir.RhythmicReservoir` computes the same dynamics on link
lists in one compiled loop (:mod:`astrolava.rhythmic.kernel`); ``benchmarks/rhythmic.py`` times
the two on the same series, and ``tests/rhythmic/test_published.py`` checks that they agree.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from astrolava.rhythmic.equations import TWO_PI
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams


def incidence_matrix(graph: ReservoirGraph) -> sparse.csr_matrix:
    """The N×L node–link incidence matrix B: B[i, ℓ] = 1 when node i is an end of link ℓ.

    A self-loop (rows[ℓ] = cols[ℓ]) has a single 1 in its column.
    """
    links = np.arange(graph.n_links)
    pairs = np.unique(np.concatenate([np.column_stack([graph.rows, links]),
                                      np.column_stack([graph.cols, links])]), axis=0)
    return sparse.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                             shape=(graph.n_nodes, graph.n_links))


class PublishedRhythmicReservoir:
    """Rhythmic sharing (tanh nodes, coupled phases) computed step by step as published.

    Parameters
    ----------
    graph : ReservoirGraph
        A, W_in and A_φ (the same graph as the reference's).
    params : RhythmicParams
        Equation constants.
    seed : int
        Seeds the initial phases, uniform in [0, 2π) (the reference's for the same seed).

    Attributes
    ----------
    phases : numpy.ndarray
        Link phases φ, shape ``(L,)``, in link-list order.
    activity : numpy.ndarray
        Node activity n, shape ``(N,)``.
    """

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams, seed: int = 0) -> None:
        if graph.n_nodes != params.n_nodes:
            raise ValueError(f"graph has {graph.n_nodes} nodes but params.n_nodes="
                             f"{params.n_nodes}")
        self.params = params
        self.rows, self.cols = graph.rows, graph.cols
        self.a = graph.dense_recurrent()
        self.w_in = graph.w_in
        self.coupling = graph.coupling
        self.incidence_t = incidence_matrix(graph).T.tocsr()
        self.ends = np.asarray(self.incidence_t.sum(axis=1)).ravel()
        self.phases = np.random.default_rng(seed).uniform(0.0, TWO_PI, graph.n_links)
        self.activity = np.zeros(graph.n_nodes)

    def step(self, u: np.ndarray) -> tuple[float, float]:
        """Nodes, then phases driven by the new activity; returns R and ⟨Φ⟩ after the step."""
        p = self.params
        modulation = np.ones_like(self.a)                                       # N×N
        modulation[self.rows, self.cols] = 1.0 - (p.m / 2.0) * (1.0 + np.sin(self.phases))
        net = (self.a * modulation) @ self.activity + self.w_in @ u + p.bias
        self.activity = p.leak * self.activity + (1.0 - p.leak) * np.tanh(net)
        drive = p.eps1 + p.eps2 * (self.incidence_t @ ((self.activity + 1.0) / 2.0)) / self.ends
        cos_field = self.coupling @ np.cos(self.phases)
        sin_field = self.coupling @ np.sin(self.phases)
        local_mean = np.arctan2(sin_field, cos_field)
        term = np.where((cos_field == 0.0) & (sin_field == 0.0), 0.0,
                        np.sin(local_mean - self.phases + p.gamma))
        self.phases = np.mod(self.phases + p.tau * (p.omega + term * drive), TWO_PI)
        order = np.mean(np.exp(1j * self.phases))
        return float(np.abs(order)), float(np.angle(order) % TWO_PI)

    def run(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drive with ``u`` (``(T, n_inputs)``); returns R(t) and ⟨Φ⟩(t)."""
        u = np.asarray(u, dtype=np.float64)
        if u.ndim != 2 or u.shape[1] != self.w_in.shape[1]:
            raise ValueError(f"u has shape {u.shape}; expected (T, {self.w_in.shape[1]})")
        out = np.array([self.step(row) for row in u]).reshape(-1, 2)
        return out[:, 0], out[:, 1]
