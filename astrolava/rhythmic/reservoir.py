"""Reference rhythmic-sharing reservoir: sparse links, numba-compiled, seeded.

The reservoir of Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot adaptive
learning in neural networks", arXiv:2502.08644, run by the functions of
:mod:`astrolava.rhythmic.equations`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrolava.rhythmic.equations import PHASE_MODES, TWO_PI, phasors, step_phases
from astrolava.rhythmic.graph import ReservoirGraph, make_reservoir_graph
from astrolava.rhythmic.kernel import TANH_NODES, run_series
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.series import validate_series


@dataclass(frozen=True)
class ReservoirTrace:
    """What a run recorded, one row per input step.

    Attributes
    ----------
    states : numpy.ndarray
        The readout's features after each step, shape ``(T, N)`` (tanh activity, or the LIF
        rate trace).
    R, mean_phase : numpy.ndarray
        Order parameter of the phases after each step, shape ``(T,)``.
    phases : numpy.ndarray or None
        Link phases after each step, ``(T, L)``, if requested.
    """

    states: np.ndarray
    R: np.ndarray
    mean_phase: np.ndarray
    phases: np.ndarray | None = None


def mode_code(mode: str) -> int:
    """Index of ``mode`` in ``PHASE_MODES`` (the code the compiled functions take)."""
    if mode not in PHASE_MODES:
        raise ValueError(f"mode={mode!r} is not allowed; use one of {PHASE_MODES}")
    return PHASE_MODES.index(mode)


def advance_phases(phases: np.ndarray, activity: np.ndarray, graph: ReservoirGraph,
                   params: RhythmicParams, mode: str = "coupled") -> np.ndarray:
    """One phase step in the given mode, from Python.

    :func:`astrolava.rhythmic.equations.step_phases` (the compiled loop's phase step: coupled,
    uniform rotation or frozen) on arrays, with the constants of ``params``, the graph's link
    lists and A_φ in sliced blocks; it returns a new array of phases in [0, 2π). The arrays are
    passed on as contiguous float64, so every caller runs the same compiled specialisation (one
    entry per function in numba's cache).

    Parameters
    ----------
    phases : numpy.ndarray
        φ, shape ``(L,)``.
    activity : numpy.ndarray
        Node signal n in [−1, 1] driving the links, shape ``(N,)``.
    graph : ReservoirGraph
        Link end nodes and A_φ.
    params : RhythmicParams
        ε1, ε2, ω, γ, τ.
    mode : str
        One of ``PHASE_MODES``.
    """
    code = mode_code(mode)
    phases = np.ascontiguousarray(phases, dtype=np.float64)
    return step_phases(phases, phasors(phases), np.ascontiguousarray(activity, dtype=np.float64),
                       graph.rows, graph.cols, graph.coupling_blocks, params.eps1, params.eps2,
                       params.omega, params.gamma, params.tau, code)


def as_link_phases(phases: np.ndarray, n_links: int) -> np.ndarray:
    """``phases`` as an own float64 array of shape ``(n_links,)``; ``ValueError`` otherwise."""
    phases = np.array(phases, dtype=np.float64)
    if phases.shape != (n_links,):
        raise ValueError(f"phases has shape {phases.shape}; expected ({n_links},), one phase "
                         "per link")
    return phases


class LinkPhases:
    """The link phases φ of a reservoir as an attribute: reading gives a copy, assigning stores
    an own float64 copy (checked for shape); the compiled loop of ``run`` and ``step`` updates
    the stored array in place, without copying it per call."""

    def __get__(self, obj: RhythmicReservoir | None, owner: type | None = None
                ) -> LinkPhases | np.ndarray:
        return self if obj is None else obj._phases.copy()

    def __set__(self, obj: RhythmicReservoir, value: np.ndarray) -> None:
        obj._phases = as_link_phases(value, obj.graph.n_links)


class StateRow:
    """A row of a reservoir's node state ``_state`` (n or s, v, r) as an attribute: reading
    gives a copy, assigning sets the row in place (the compiled loop updates ``_state``) from
    an array of shape ``(N,)``; ``ValueError`` otherwise."""

    def __init__(self, row: int, doc: str) -> None:
        self.row, self.__doc__ = row, doc
        self.name = f"state row {row}"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: RhythmicReservoir | None, owner: type | None = None
                ) -> StateRow | np.ndarray:
        return self if obj is None else obj._state[self.row].copy()

    def __set__(self, obj: RhythmicReservoir, value: np.ndarray) -> None:
        value = np.asarray(value, dtype=np.float64)
        if value.shape != (obj.graph.n_nodes,):
            raise ValueError(f"{self.name} has shape {value.shape}; expected "
                             f"({obj.graph.n_nodes},), one value per node")
        obj._state[self.row] = value


class RhythmicReservoir:
    """Echo-state reservoir whose L links oscillate, coupled by an astrocyte graph.

    One step, from node activity n and link phases φ (the equations are in
    :mod:`astrolava.rhythmic.equations`):

    1. the nodes are updated (``node_update``) with the input through the links modulated by
       φ (``recurrent_input``) and W_in u;
    2. the phases take a step (``step_phases``) in the given mode, driven by the new n.

    :meth:`run` (a whole series) and :meth:`step` (one input) both go through the compiled
    loop :func:`astrolava.rhythmic.kernel.run_series`, built from the functions of
    :mod:`astrolava.rhythmic.equations`.

    Parameters
    ----------
    graph : ReservoirGraph
        Links, W_in and the astrocyte graph.
    params : RhythmicParams
        Equation constants.
    seed : int
        Seeds the initial phases, uniform in [0, 2π).

    Attributes
    ----------
    phases : numpy.ndarray
        Link phases φ, shape ``(L,)`` (a copy; assign to set them).
    activity : numpy.ndarray
        Node activity n, shape ``(N,)`` (a copy; assign to set it).
    """

    _NODES = TANH_NODES
    """Node-type code of :func:`~astrolava.rhythmic.kernel.run_series`."""

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams, seed: int = 0) -> None:
        if graph.n_nodes != params.n_nodes:
            raise ValueError(f"graph has {graph.n_nodes} nodes but params.n_nodes="
                             f"{params.n_nodes}")
        self.graph = graph
        self.params = params
        self.phases = np.random.default_rng(seed).uniform(0.0, TWO_PI, graph.n_links)
        self._state = np.zeros((3, graph.n_nodes))  # n (or spikes), LIF voltage, LIF rate
        self._links = (graph.rows, graph.cols, np.ascontiguousarray(graph.weights, np.float64),
                       graph.coupling_blocks)

    @classmethod
    def from_params(cls, params: RhythmicParams, n_inputs: int, seed: int = 0
                    ) -> RhythmicReservoir:
        """Draw a graph and initial phases from one seed."""
        return cls(make_reservoir_graph(params, n_inputs, seed), params, seed)

    phases = LinkPhases()
    activity = StateRow(0, "Node activity n (tanh) or last spikes s (LIF), a copy; assign to "
                           "set it.")

    def readout_features(self) -> np.ndarray:
        """The node signal a linear readout sees (tanh activity here)."""
        return self.activity

    def _lif_constants(self) -> tuple[float, float, float]:
        """(dv, threshold, α) of LIF nodes; tanh nodes have none (zeros, unused)."""
        return 0.0, 0.0, 0.0

    def step(self, u: np.ndarray, mode: str = "coupled") -> tuple[float, float]:
        """Advance nodes then phases by one time step with a finite input ``u`` (shape
        ``(n_inputs,)``).

        Returns the order parameter ``(R, ⟨Φ⟩)`` of the new phases (what :meth:`run` records).
        """
        u = np.asarray(u, dtype=np.float64)
        if u.shape != (self.graph.n_inputs,):
            raise ValueError(f"u has shape {u.shape}; the reservoir expects "
                             f"(n_inputs,) = ({self.graph.n_inputs},)")
        if not np.all(np.isfinite(u)):
            raise ValueError("u contains NaN or inf values")
        _, r, psi = self._advance(u[None], mode, record=np.empty((0, self.graph.n_links)))
        return float(r[0]), float(psi[0])

    def run(self, u: np.ndarray, mode: str = "coupled",
            record_phases: bool = False) -> ReservoirTrace:
        """Drive the reservoir with a series ``u`` (``(T, n_inputs)``) and record every step.

        A constant ``u`` is valid input (as it is for :meth:`step`); NaN/inf and an empty
        series are not.
        """
        u = validate_series(u, 1, "u", allow_constant=True)
        if u.shape[1] != self.graph.n_inputs:
            raise ValueError(f"u has {u.shape[1]} columns; the reservoir expects "
                             f"n_inputs={self.graph.n_inputs}")
        record = np.empty((len(u) if record_phases else 0, self.graph.n_links))
        states, r, psi = self._advance(u, mode, record)
        return ReservoirTrace(states=states, R=r, mean_phase=psi,
                              phases=record if record_phases else None)

    def _advance(self, u: np.ndarray, mode: str, record: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run the compiled loop over the rows of ``u``; returns features, R and ⟨Φ⟩."""
        p = self.params
        consts = tuple(float(c) for c in (p.m, p.leak, p.bias, p.eps1, p.eps2, p.omega,
                                          p.gamma, p.tau, *self._lif_constants()))
        states = np.empty((len(u), self.graph.n_nodes))
        r, psi = np.empty(len(u)), np.empty(len(u))
        run_series(np.ascontiguousarray(u @ self.graph.w_in.T), self._phases, self._state,
                   self._links, consts, self._NODES, mode_code(mode), states, r, psi,
                   record)
        return states, r, psi
