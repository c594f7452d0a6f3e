"""Reference reservoir: compiled loop, modes, seeding, bad input (the published formulation:
test_published.py)."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.rhythmic import (
    RhythmicParams,
    RhythmicReservoir,
    SpikingRhythmicReservoir,
)
from astrolava.rhythmic.equations import node_update, order_parameter, recurrent_input
from astrolava.rhythmic.reservoir import advance_phases
from astrolava.rhythmic.series import standardize

PARAMS = RhythmicParams(n_nodes=40)


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    return standardize(thomas_switching(n_steps=400, segment_range=(200, 200), seed=0).x)


def equation_loop(res: RhythmicReservoir, u: np.ndarray, modes: list[str]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step by step in Python over the equation functions: R, ⟨Φ⟩, states."""
    g, p = res.graph, res.params
    phases, activity = res.phases.copy(), np.zeros(g.n_nodes)
    rows = []
    for t, row in enumerate(u):
        net = (recurrent_input(activity, np.sin(phases), g.rows, g.cols, g.weights, p.m)
               + g.w_in @ row)
        activity = node_update(activity, net, p.leak, p.bias)
        phases = advance_phases(phases, activity, g, p, modes[t])
        rows.append((*order_parameter(phases), activity))
    r, psi, states = zip(*rows, strict=True)
    return np.array(r), np.array(psi), np.array(states)


@pytest.mark.parametrize("gamma", [0.0, 0.3])
def test_run_composes_the_equation_functions(series: np.ndarray, gamma: float) -> None:
    """The compiled series loop runs the equation functions in the paper's order (nodes, then
    phases driven by the new activity)."""
    params = RhythmicParams(n_nodes=40, gamma=gamma)
    res = RhythmicReservoir.from_params(params, 3, seed=1)
    r, psi, states = equation_loop(res, series, ["coupled"] * len(series))
    trace = res.run(series)
    np.testing.assert_allclose(trace.states, states, rtol=0, atol=1e-12)
    np.testing.assert_allclose(trace.R, r, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.cos(trace.mean_phase), np.cos(psi), rtol=0, atol=1e-12)


def test_step_modes_equal_equation_functions(series: np.ndarray) -> None:
    modes = ["coupled", "rotate", "frozen", "coupled"] * 10
    res = RhythmicReservoir.from_params(PARAMS, 3, seed=4)
    r, _, states = equation_loop(res, series[:40], modes)
    for row, mode in zip(series[:40], modes, strict=True):
        res.step(row, mode)
    np.testing.assert_allclose(res.activity, states[-1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(order_parameter(res.phases)[0], r[-1], rtol=0, atol=1e-12)


def test_step_equals_run(series: np.ndarray) -> None:
    a = RhythmicReservoir.from_params(PARAMS, 3, seed=3)
    b = RhythmicReservoir.from_params(PARAMS, 3, seed=3)
    trace = a.run(series[:50])
    r, psi = np.array([b.step(row) for row in series[:50]]).T
    np.testing.assert_array_equal(r, trace.R)
    np.testing.assert_array_equal(psi, trace.mean_phase)
    np.testing.assert_array_equal(b.activity, trace.states[-1])
    np.testing.assert_array_equal(b.phases, a.phases)


def test_constant_input_runs_as_steps() -> None:
    """A constant input is valid for run as it is for step (the compiled loop, same values)."""
    u = np.full((30, 3), 0.7)
    a = RhythmicReservoir.from_params(PARAMS, 3, seed=3)
    b = RhythmicReservoir.from_params(PARAMS, 3, seed=3)
    trace = a.run(u)
    r = np.array([b.step(row)[0] for row in u])
    np.testing.assert_array_equal(trace.R, r)
    np.testing.assert_array_equal(b.activity, trace.states[-1])


def test_seeded_and_recorded(series: np.ndarray) -> None:
    a = RhythmicReservoir.from_params(PARAMS, 3, seed=5).run(series, record_phases=True)
    b = RhythmicReservoir.from_params(PARAMS, 3, seed=5).run(series)
    np.testing.assert_array_equal(a.R, b.R)
    assert a.phases.shape == (len(series), len(a.phases[0]))
    assert np.all((a.phases >= 0) & (a.phases < 2 * np.pi))
    assert np.all((a.R >= 0) & (a.R <= 1 + 1e-12))


def test_rotate_and_frozen_modes(series: np.ndarray) -> None:
    res = RhythmicReservoir.from_params(PARAMS, 3, seed=0)
    start = res.phases.copy()
    res.run(series[:10], mode="frozen")
    np.testing.assert_array_equal(res.phases, start)
    res.run(series[:10], mode="rotate")
    np.testing.assert_allclose(np.mod(res.phases - start, 2 * np.pi), 10 * PARAMS.omega,
                               atol=1e-12)


def test_bad_input(series: np.ndarray) -> None:
    res = RhythmicReservoir.from_params(PARAMS, 3, seed=0)
    bad = series.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        res.run(bad)
    with pytest.raises(ValueError, match="n_inputs"):
        res.run(series[:, :2])
    with pytest.raises(ValueError, match="mode"):
        res.run(series, mode="spin")
    with pytest.raises(ValueError, match="at least 1"):
        res.run(np.empty((0, 3)))
    with pytest.raises(ValueError, match="n_inputs"):
        res.step(np.zeros(2))
    with pytest.raises(ValueError, match="mode"):
        res.step(np.zeros(3), mode="spin")
    with pytest.raises(ValueError, match="NaN"):
        res.step(np.array([0.0, np.inf, 0.0]))


def test_state_rows_read_copies_and_assign_in_place() -> None:
    res = SpikingRhythmicReservoir.from_params(PARAMS, 3, seed=1)
    res.voltage = np.full(PARAMS.n_nodes, 0.25)
    res.rate = np.arange(PARAMS.n_nodes, dtype=float)
    view = res.rate
    view[:] = -1.0  # a copy: the reservoir keeps its rate
    np.testing.assert_array_equal(res.rate, np.arange(PARAMS.n_nodes))
    np.testing.assert_array_equal(res.voltage, 0.25)
    np.testing.assert_array_equal(res._state[1:], [np.full(PARAMS.n_nodes, 0.25),
                                                   np.arange(PARAMS.n_nodes)])
    with pytest.raises(ValueError, match=r"voltage has shape \(\); expected \(40,\)"):
        res.voltage = 0.5
    with pytest.raises(ValueError, match=r"activity has shape \(39,\)"):
        res.activity = np.zeros(PARAMS.n_nodes - 1)
    np.testing.assert_array_equal(res.voltage, 0.25)


def test_phases_assignment_copies_and_checks_shape() -> None:
    res = RhythmicReservoir.from_params(PARAMS, 3, seed=0)
    given = np.full(res.graph.n_links, 1.0)
    res.phases = given
    held = res.phases
    res.run(np.arange(9.0).reshape(3, 3), mode="rotate")
    np.testing.assert_array_equal(given, 1.0)  # the caller's array is not advanced
    np.testing.assert_array_equal(held, 1.0)  # nor an array read before the run
    np.testing.assert_allclose(res.phases, 1.0 + 3 * PARAMS.omega, atol=1e-12)
    with pytest.raises(ValueError, match="phases has shape"):
        res.phases = np.zeros(res.graph.n_links + 1)
