"""Reference rhythmic-sharing reservoir (SPEC §2): sparse links, vectorised numpy, seeded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from astrolava.rhythmic.equations import TWO_PI, link_drive, node_update, phase_update
from astrolava.rhythmic.graph import ReservoirGraph, make_reservoir_graph
from astrolava.rhythmic.kernel import MODE_CODES, LinkKernel, run_tanh_series
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.series import validate_series

PHASE_MODES = ("coupled", "rotate", "frozen")
"""How link phases evolve: the astrocyte coupling, uniform rotation φ += τ·ω0, or held."""


@dataclass(frozen=True)
class ReservoirTrace:
    """What a run recorded, one row per input step.

    Attributes
    ----------
    states : numpy.ndarray
        Node activity after each step, shape ``(T, N)`` (the readout's features).
    R, mean_phase : numpy.ndarray
        Order parameter of the phases after each step, shape ``(T,)``.
    phases : numpy.ndarray or None
        Link phases after each step, ``(T, L)``, if requested.
    """

    states: np.ndarray
    R: np.ndarray
    mean_phase: np.ndarray
    phases: np.ndarray | None = None


def advance_phases(phases: np.ndarray, activity: np.ndarray, graph: ReservoirGraph,
                   params: RhythmicParams, mode: str = "coupled") -> np.ndarray:
    """One phase step in the given mode (SPEC §2, "Phases" and "Recall / prediction").

    ``coupled``: φ + τ·(ω + sin(Ψ − φ + γ)·D(n)); ``rotate``: φ + τ·ω0 (uniform rotation, the
    pattern kept); ``frozen``: φ unchanged. Results are wrapped to [0, 2π).
    """
    if mode == "coupled":
        drive = link_drive(activity, graph.rows, graph.cols, params.eps1, params.eps2)
        return phase_update(phases, graph.coupling, drive, params.omega, params.gamma,
                            params.tau)
    if mode == "rotate":
        return np.mod(phases + params.tau * params.omega, TWO_PI)
    if mode == "frozen":
        return phases
    raise ValueError(f"mode={mode!r} is not allowed; use one of {PHASE_MODES}")


class RhythmicReservoir:
    """Echo-state reservoir whose L links oscillate, coupled by an astrocyte graph.

    One step (SPEC §2), from node activity n and link phases φ:

    1. n ← λ·n + (1 − λ)·tanh((A ∘ M(φ)) n + W_in u + b), with M = 1 − (m/2)(1 + sin φ);
    2. φ ← φ + τ·(ω + sin(Ψ − φ + γ)·D(n)) using the new n (``coupled`` mode),
       φ ← φ + τ·ω (``rotate``) or φ unchanged (``frozen``).

    The link arithmetic is compiled with numba (``astrolava.rhythmic.kernel``: cos φ and sin φ
    once per step, fused loops over the links); :meth:`run` drives the whole series in one
    compiled loop. It computes the same numbers as the functions of
    ``astrolava.rhythmic.equations``.

    Parameters
    ----------
    graph : ReservoirGraph
        Links, W_in and the astrocyte graph.
    params : RhythmicParams
        Equation constants.
    seed : int
        Seeds the initial phases, uniform in [0, 2π).
    """

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams, seed: int = 0) -> None:
        if graph.n_nodes != params.n_nodes:
            raise ValueError(f"graph has {graph.n_nodes} nodes but params.n_nodes="
                             f"{params.n_nodes}")
        self.graph = graph
        self.params = params
        self.phases = np.random.default_rng(seed).uniform(0.0, TWO_PI, graph.n_links)
        self.activity = np.zeros(graph.n_nodes)
        self._kernel = LinkKernel(graph, params)

    @classmethod
    def from_params(cls, params: RhythmicParams, n_inputs: int, seed: int = 0
                    ) -> RhythmicReservoir:
        """Draw a graph and initial phases from one seed."""
        return cls(make_reservoir_graph(params, n_inputs, seed), params, seed)

    def step(self, u: np.ndarray, mode: str = "coupled") -> None:
        """Advance nodes then phases by one time step with input ``u`` (shape ``(n_inputs,)``)."""
        if mode not in PHASE_MODES:
            raise ValueError(f"mode={mode!r} is not allowed; use one of {PHASE_MODES}")
        self.phases = np.array(self.phases, dtype=float)   # a fresh array, updated in place
        self._kernel.load(self.phases)
        self._step(u, mode)

    def _step(self, u: np.ndarray, mode: str) -> None:
        """``step`` with the kernel's cos/sin cache already holding the current phases."""
        kernel = self._kernel
        self._node_step(kernel.recurrent_input(self.activity) + self.graph.w_in @ u)
        kernel.advance(self.phases, self.drive_activity(), mode)

    def _node_step(self, net_input: np.ndarray) -> None:
        """Update ``activity`` (what the links carry) from the nodes' net input."""
        self.activity = node_update(self.activity, net_input, self.params.leak,
                                    self.params.bias)

    def drive_activity(self) -> np.ndarray:
        """Node signal n in [-1, 1] that drives the links' phases (tanh activity here)."""
        return self.activity

    def readout_features(self) -> np.ndarray:
        """The node signal a linear readout sees (tanh activity here)."""
        return self.activity

    def run(self, u: np.ndarray, mode: str = "coupled", record_phases: bool = False,
            progress: bool = False) -> ReservoirTrace:
        """Drive the reservoir with a series ``u`` (``(T, n_inputs)``) and record every step."""
        u = validate_series(u, 1, "u")
        if u.shape[1] != self.graph.n_inputs:
            raise ValueError(f"u has {u.shape[1]} columns; the reservoir expects "
                             f"n_inputs={self.graph.n_inputs}")
        if mode not in PHASE_MODES:
            raise ValueError(f"mode={mode!r} is not allowed; use one of {PHASE_MODES}")
        states = np.empty((len(u), self.graph.n_nodes))
        phases = np.empty((len(u) if record_phases else 0, self.graph.n_links))
        r, psi = np.empty(len(u)), np.empty(len(u))
        self.phases = np.array(self.phases, dtype=float)
        self._run_series(u, mode, states, r, psi, phases, progress)
        return ReservoirTrace(states=states, R=r, mean_phase=psi,
                              phases=phases if record_phases else None)

    def _run_series(self, u: np.ndarray, mode: str, states: np.ndarray, r: np.ndarray,
                    psi: np.ndarray, phases: np.ndarray, progress: bool) -> None:
        """Fill ``states``, ``r``, ``psi`` (and ``phases`` if it has rows): one compiled loop.

        ``progress`` is ignored here (no Python code runs per step).
        """
        g, p = self.graph, self.params
        self.activity = np.array(self.activity, dtype=float)
        run_tanh_series(np.ascontiguousarray(u, dtype=float), self.activity, self.phases,
                        g.rows, g.cols, g.weights, np.ascontiguousarray(g.w_in, dtype=float),
                        g.coupling_indptr, g.coupling_indices, p.m, p.leak, p.bias, p.eps1,
                        p.eps2, p.omega, p.gamma, p.tau, MODE_CODES[mode], states, r, psi,
                        phases)

    def _stepwise_series(self, u: np.ndarray, mode: str, states: np.ndarray, r: np.ndarray,
                         psi: np.ndarray, phases: np.ndarray, progress: bool) -> None:
        """:meth:`_run_series` one :meth:`step` at a time, for node types that override
        :meth:`_node_step` (the link arithmetic stays compiled)."""
        self._kernel.load(self.phases)
        for t in tqdm(range(len(u)), disable=not progress, desc="reservoir", leave=False):
            self._step(u[t], mode)
            states[t] = self.readout_features()
            r[t], psi[t] = self._kernel.order_parameter()
            if len(phases):
                phases[t] = self.phases
