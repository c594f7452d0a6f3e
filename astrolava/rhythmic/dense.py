"""A straightforward dense formulation of rhythmic sharing, for speed comparisons only.

It stores phases in an N×N matrix and, every step, builds the full N×N modulation matrix,
multiplies the dense masked recurrent matrix, and couples the links through a dense L×L
astrocyte matrix with complex exponentials, the way a direct transcription of the equations
(and the published code) does. :class:`~astrolava.rhythmic.reservoir.RhythmicReservoir`
computes the same dynamics on link lists.
"""

from __future__ import annotations

import numpy as np

from astrolava.rhythmic.equations import TWO_PI, order_parameter
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams


class DenseRhythmicReservoir:
    """Same equations as ``RhythmicReservoir`` (coupled mode), dense matrices every step.

    Parameters
    ----------
    graph, params, seed
        As for ``RhythmicReservoir``; the same seed gives the same initial phases.
    """

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams, seed: int = 0) -> None:
        n = graph.n_nodes
        self.params = params
        self.rows, self.cols = graph.rows, graph.cols
        self.a = graph.dense_recurrent()
        self.w_in = graph.w_in
        self.coupling = graph.coupling.toarray()
        self.phase_matrix = np.zeros((n, n))
        self.phase_matrix[self.rows, self.cols] = np.random.default_rng(seed).uniform(
            0.0, TWO_PI, graph.n_links)
        self.activity = np.zeros(n)

    @property
    def phases(self) -> np.ndarray:
        """Link phases in link-list order."""
        return self.phase_matrix[self.rows, self.cols]

    def step(self, u: np.ndarray) -> None:
        """Nodes, then phases (coupled mode), with the N×N and L×L matrices written out."""
        p = self.params
        modulation = 1.0 - (p.m / 2.0) * (1.0 + np.sin(self.phase_matrix))     # N×N
        net = (self.a * modulation) @ self.activity + self.w_in @ u + p.bias
        self.activity = p.leak * self.activity + (1.0 - p.leak) * np.tanh(net)
        level = (self.activity + 1.0) / 2.0
        drive = p.eps1 + p.eps2 * (level[:, None] + level[None, :]) / 2.0      # N×N
        phi = self.phases
        field = self.coupling @ np.exp(1j * phi)                                # L×L
        term = np.where(np.abs(field) > 0, np.sin(np.angle(field) - phi + p.gamma), 0.0)
        new = phi + p.tau * (p.omega + term * drive[self.rows, self.cols])
        self.phase_matrix[self.rows, self.cols] = np.mod(new, TWO_PI)

    def run(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drive with ``u`` ``(T, d)``; returns R(t) and ⟨Φ⟩(t)."""
        r, psi = np.empty(len(u)), np.empty(len(u))
        for t, row in enumerate(u):
            self.step(row)
            r[t], psi[t] = order_parameter(self.phases)
        return r, psi
