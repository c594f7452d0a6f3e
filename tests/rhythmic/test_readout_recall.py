"""Ridge readout, closed loop and recall by mean-phase control."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.rhythmic import (
    RhythmicParams,
    RhythmicReservoir,
    SpikingRhythmicReservoir,
    order_parameter,
)
from astrolava.rhythmic.readout import RidgeReadout, closed_loop, fit_next_step
from astrolava.rhythmic.recall import (
    ContextSnapshot,
    attractor_distances,
    circular_distance,
    context_mid_phases,
    context_phases,
    context_snapshots,
    middle_steps,
    recall,
    recall_snapshot,
)
from astrolava.rhythmic.reservoir import ReservoirTrace
from astrolava.rhythmic.series import standardize


def test_ridge_recovers_affine_map() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 5))
    w, b = rng.standard_normal((2, 5)), np.array([0.3, -1.0])
    ro = RidgeReadout(1e-12).fit(x, x @ w.T + b)
    np.testing.assert_allclose(ro.weights_[:, :-1], w, atol=1e-8)
    np.testing.assert_allclose(ro.predict(x[:3]), x[:3] @ w.T + b, atol=1e-8)


def test_quadratic_readout_recovers_quadratic_map() -> None:
    # y = 2·x0 − x1² + 0.5: weights over [x0, x1, x0², x1²] are [2, 0, 0, −1], bias 0.5
    rng = np.random.default_rng(2)
    x = rng.standard_normal((100, 2))
    ro = RidgeReadout(1e-12, quadratic=True).fit(x, 2 * x[:, 0] - x[:, 1] ** 2 + 0.5)
    np.testing.assert_allclose(ro.weights_, [[2.0, 0.0, 0.0, -1.0, 0.5]], atol=1e-8)
    np.testing.assert_allclose(ro.predict(np.array([1.0, 2.0])), [2.0 - 4.0 + 0.5], atol=1e-8)
    np.testing.assert_allclose(ro.features(np.array([3.0, -1.0])), [3.0, -1.0, 9.0, 1.0])


def test_phase_gated_features_hand_computed() -> None:
    # g(n) = n = [1, 2] gated by [1, cos ψ, sin ψ] with ψ = π/2: [1, 0, 1, 2, 0, 2]
    ro = RidgeReadout(phase_gated=True)
    np.testing.assert_allclose(ro.features(np.array([1.0, 2.0]), np.pi / 2),
                               [1.0, 0.0, 1.0, 2.0, 0.0, 2.0], atol=1e-15)
    # quadratic, two states with ψ = 0 and π: g = [n, n²] → [g, g, 0] and [g, −g, 0]
    quad = RidgeReadout(quadratic=True, phase_gated=True)
    np.testing.assert_allclose(quad.features(np.array([[3.0], [-1.0]]), np.array([0.0, np.pi])),
                               [[3.0, 3.0, 0.0, 9.0, 9.0, 0.0], [-1.0, 1.0, 0.0, 1.0, -1.0, 0.0]],
                               atol=1e-12)
    with pytest.raises(ValueError, match="mean_phase"):
        ro.features(np.ones(2))
    with pytest.raises(ValueError, match="one ⟨Φ⟩ per state"):
        ro.features(np.ones((3, 2)), np.zeros(2))


def test_phase_gated_readout_recovers_phase_dependent_map() -> None:
    # y = x·(1 + 2 cos ψ − sin ψ) + 0.5: weights over [x, x cos ψ, x sin ψ] are [1, 2, −1]
    rng = np.random.default_rng(3)
    x, psi = rng.standard_normal((200, 1)), rng.uniform(0, 2 * np.pi, 200)
    y = x[:, 0] * (1 + 2 * np.cos(psi) - np.sin(psi)) + 0.5
    ro = RidgeReadout(1e-12, phase_gated=True).fit(x, y, psi)
    np.testing.assert_allclose(ro.weights_, [[1.0, 2.0, -1.0, 0.5]], atol=1e-8)
    np.testing.assert_allclose(ro.predict(np.array([2.0]), np.pi / 2), [2.0 * 0.0 + 0.5],
                               atol=1e-8)


def test_ridge_shrinks_towards_zero() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 3))
    y = x @ np.array([1.0, 2.0, 3.0])
    small = np.abs(RidgeReadout(1e-8).fit(x, y).weights_).sum()
    large = np.abs(RidgeReadout(1e3).fit(x, y).weights_).sum()
    assert large < 0.5 * small


def test_readout_bad_input() -> None:
    with pytest.raises(ValueError, match="ridge"):
        RidgeReadout(-1.0)
    with pytest.raises(ValueError, match="same"):
        RidgeReadout().fit(np.ones((5, 2)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="warmup"):
        fit_next_step(np.ones((100, 2)), np.ones((100, 1)), warmup=200)


def test_circular_distance() -> None:
    np.testing.assert_allclose(circular_distance([0.1, 6.2], [2 * np.pi - 0.1, 0.1]),
                               [0.2, 2 * np.pi - 6.1], atol=1e-12)


@pytest.mark.parametrize("gated", [False, True])
def test_recall_reaches_target_phase_and_freezes(gated: bool) -> None:
    s = thomas_switching(n_steps=900, segment_range=(400, 500), seed=0)
    u = standardize(s.x)
    params = RhythmicParams(n_nodes=60, ridge=1e-6)
    res = RhythmicReservoir.from_params(params, 3, seed=0)
    trace = res.run(u)
    ro = fit_next_step(trace.states, u, params.warmup, params.ridge,
                       mean_phase=trace.mean_phase if gated else None)
    assert ro.phase_gated == gated
    targets = context_phases(trace, u, s.regimes, ro, params.warmup)
    assert set(targets) == {0, 1}
    outputs, steps = recall(res, ro, targets[1], n_steps=20)
    assert outputs.shape == (20, 3) and steps >= 1
    frozen = res.phases.copy()
    psi, activity = order_parameter(frozen)[1], res.activity
    # the first frozen output reads the current activity (gated: at the frozen ⟨Φ⟩)
    np.testing.assert_allclose(closed_loop(res, ro, 5, mode="frozen")[0][0],
                               ro.predict(activity, psi))
    np.testing.assert_array_equal(res.phases, frozen)
    assert circular_distance(psi, targets[1]) <= params.omega + 1e-12


def test_attractor_distances_pick_the_right_regime() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (500, 1)), rng.normal(5, 1, (500, 1))])
    contexts = np.repeat([0, 1], 500)
    d = attractor_distances(rng.normal(5, 1, (300, 1)), x, contexts)
    assert d[1] < 0.3 < 4.0 < d[0]


def test_context_snapshots_take_middle_of_longest_stretch() -> None:
    # contexts 0 0 1 1 1 0 0 0 0 1 with warm-up 1: context 0 stretches {1}, {5..8} -> the
    # longest is 5..8, middle 5 + 4 // 2 = 7; context 1 stretches {2, 3, 4}, {9} -> 2 + 1 = 3
    contexts = np.array([0, 0, 1, 1, 1, 0, 0, 0, 0, 1])
    steps = np.arange(10.0)
    trace = ReservoirTrace(states=np.column_stack([steps, -steps]), R=np.ones(10),
                           mean_phase=0.1 * steps, phases=np.column_stack([steps, 2 * steps]))
    snaps = context_snapshots(trace, contexts, warmup=1)
    assert middle_steps(contexts, warmup=1) == {0: 7, 1: 3}
    assert context_mid_phases(trace, contexts, warmup=1) == pytest.approx({0: 0.7, 1: 0.3})
    assert snaps[0].step == 7 and snaps[1].step == 3
    assert snaps[0].mean_phase == pytest.approx(0.7)
    np.testing.assert_array_equal(snaps[1].activity, [3.0, -3.0])
    np.testing.assert_array_equal(snaps[1].phases, [3.0, 6.0])
    with pytest.raises(ValueError, match="record_phases"):
        context_snapshots(ReservoirTrace(trace.states, trace.R, trace.mean_phase), contexts, 1)
    with pytest.raises(ValueError, match="warm-up"):
        context_snapshots(trace, contexts, warmup=10)


def test_recall_snapshot_loads_state_and_freezes() -> None:
    # the first output is the readout of the stored activity; the phases stay the stored ones
    params = RhythmicParams(n_nodes=20)
    res = RhythmicReservoir.from_params(params, 2, seed=0)
    rng = np.random.default_rng(0)
    ro = RidgeReadout().fit(rng.standard_normal((30, 20)), rng.standard_normal((30, 2)))
    snap = ContextSnapshot(step=0, mean_phase=0.0, activity=rng.uniform(-1, 1, 20),
                           phases=rng.uniform(0, 2 * np.pi, res.graph.n_links))
    outputs = recall_snapshot(res, ro, snap, n_steps=4)
    assert outputs.shape == (4, 2)
    np.testing.assert_allclose(outputs[0], ro.predict(snap.activity))
    np.testing.assert_array_equal(res.phases, snap.phases)
    assert not np.shares_memory(res._phases, snap.phases)  # loading copied the snapshot


def test_recall_snapshot_refuses_a_spiking_reservoir() -> None:
    params = RhythmicParams(n_nodes=20)
    res = SpikingRhythmicReservoir.from_params(params, 2, seed=0)
    ro = RidgeReadout().fit(np.ones((3, 20)) * np.arange(3)[:, None], np.zeros((3, 2)))
    snap = ContextSnapshot(step=0, mean_phase=0.0, activity=np.zeros(20),
                           phases=np.zeros(res.graph.n_links))
    with pytest.raises(TypeError, match="SpikingRhythmicReservoir"):
        recall_snapshot(res, ro, snap, n_steps=2)


def test_gated_closed_loop_reads_the_mean_phase_of_every_step() -> None:
    # a gated readout sees ⟨Φ⟩ of the current phases at each step: while the phases rotate
    # it changes every step, so the loop must pass each step's ⟨Φ⟩ on (hand-written loop)
    params = RhythmicParams(n_nodes=20, omega=0.3)
    rng = np.random.default_rng(1)
    ro = RidgeReadout(ridge=1e-3, phase_gated=True).fit(
        rng.uniform(-1, 1, (60, 20)), rng.standard_normal((60, 2)), rng.uniform(0, 6, 60))
    res = RhythmicReservoir.from_params(params, 2, seed=0)
    res.activity = rng.uniform(-1, 1, 20)
    twin = RhythmicReservoir(res.graph, params)
    twin.activity, twin.phases = res.activity, res.phases
    outputs, _, psi = closed_loop(res, ro, 5, mode="rotate")
    current = order_parameter(twin.phases)[1]
    for t in range(5):
        expected = ro.predict(twin.readout_features(), current)
        np.testing.assert_allclose(outputs[t], expected, rtol=0, atol=1e-12)
        current = twin.step(expected, "rotate")[1]
    assert np.ptp(psi) > 0.5  # ⟨Φ⟩ moved: a loop keeping the first ⟨Φ⟩ would differ
