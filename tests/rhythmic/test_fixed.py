"""Integer (fixed_pt) versions of the equations against float, within stated errors."""

import numpy as np
import pytest

from astrolava.fixed_point import LINK_FRAC_BITS, ORDER_FRAC_BITS, PHASE_BITS, quantize_weights
from astrolava.rhythmic import (
    RhythmicParams,
    coupling_term,
    link_drive,
    link_modulation,
    make_reservoir_graph,
    order_parameter,
    phase_update,
    recurrent_input,
)
from astrolava.rhythmic.equations import phasors
from astrolava.rhythmic.fixed import (
    coupling_term_fixed,
    isqrt,
    link_drive_fixed,
    link_modulation_fixed,
    order_parameter_fixed,
    phase_from_fixed,
    phase_to_fixed,
    phase_update_fixed,
    rate_trace_fixed,
    recurrent_input_fixed,
    rotate_fixed,
    sin_fixed,
)

ONE = float(1 << LINK_FRAC_BITS)
ACT = 4096.0


@pytest.fixture(scope="module")
def case() -> tuple:
    graph = make_reservoir_graph(RhythmicParams(), 3, seed=0)
    rng = np.random.default_rng(0)
    phases = rng.uniform(0, 2 * np.pi, graph.n_links)
    activity = np.tanh(rng.standard_normal(graph.n_nodes))
    return graph, phases, activity, np.rint(activity * ACT).astype(np.int64)


def test_phase_accumulator_wraps_and_round_trips() -> None:
    q = phase_to_fixed(np.array([0.0, np.pi, 2 * np.pi, -np.pi / 2]))
    np.testing.assert_array_equal(q, [0, 1 << (PHASE_BITS - 1), 0, 3 << (PHASE_BITS - 2)])
    np.testing.assert_array_equal(phase_to_fixed(phase_from_fixed(q)), q)
    assert rotate_fixed(np.array([(1 << PHASE_BITS) - 1]), 0.0, 1.0)[0] == (1 << PHASE_BITS) - 1


def test_integer_helpers() -> None:
    np.testing.assert_array_equal(isqrt(np.array([0, 1, 15, 16, 17, 10**12])),
                                  [0, 1, 3, 4, 4, 10**6])


def test_sine_and_modulation_within_table_resolution(case: tuple) -> None:
    _, phases, _, _ = case
    q = phase_to_fixed(phases)
    assert np.abs(sin_fixed(q) / ONE - np.sin(phases)).max() < 1e-4
    exact = link_modulation(np.sin(phases), 0.6)
    assert np.abs(link_modulation_fixed(q, 0.6) / ONE - exact).max() < 1e-4


def test_recurrent_input_drive_coupling_within_stated_error(case: tuple) -> None:
    graph, phases, activity, act_q = case
    q = phase_to_fixed(phases)
    w = quantize_weights(graph.weights)
    h = recurrent_input_fixed(act_q, q, graph.rows, graph.cols, w.mantissa, w.weight_exp, 0.6,
                              12) / ACT
    # 8-bit weights: error <= sum over a node's links of half a mantissa step, ~1e-2
    assert np.abs(h - recurrent_input(activity, np.sin(phases), graph.rows, graph.cols,
                                      graph.weights, 0.6)).max() < 1e-2
    d = link_drive_fixed(act_q, graph.rows, graph.cols, -0.2, 0.6) / ONE
    assert np.abs(d - link_drive(activity, graph.rows, graph.cols, -0.2, 0.6)).max() < 1e-4
    k = coupling_term_fixed(q, graph.integer_coupling, 0.1) / ONE
    exact = coupling_term(phasors(phases), graph.coupling_blocks, 0.1)
    assert np.abs(k - exact).max() < 5e-3


def test_phase_update_and_order_parameter(case: tuple) -> None:
    graph, phases, activity, act_q = case
    drive_q = link_drive_fixed(act_q, graph.rows, graph.cols, -0.2, 0.6)
    fixed = phase_from_fixed(phase_update_fixed(phase_to_fixed(phases), graph.integer_coupling,
                                                drive_q, 0.01, 0.0, 1.0))
    exact = phase_update(phases, phasors(phases),
                         link_drive(activity, graph.rows, graph.cols, -0.2, 0.6),
                         graph.coupling_blocks, 0.01, 0.0, 1.0)
    assert np.abs(np.angle(np.exp(1j * (fixed - exact)))).max() < 1e-3
    r_q, psi_q = order_parameter_fixed(phase_to_fixed(phases))
    r, psi = order_parameter(phases)
    assert abs(r_q / (1 << ORDER_FRAC_BITS) - r) < 1e-3
    assert abs(np.angle(np.exp(1j * (phase_from_fixed(psi_q) - psi)))) < 1e-2


def test_rate_trace_fixed_hand_values_and_saturation() -> None:
    """α = 0.1 → α_q = 6554: 0 + round(6554·4096/2**16) = 410; 4096 − 410; 2048 + 205."""
    out = rate_trace_fixed(np.array([0, 4096, 2048]), np.array([1, 0, 1]), 0.1)
    np.testing.assert_array_equal(out, [410, 3686, 2253])
    # 5000 + round(0.5·(4096 − 5000)) = 4548 saturates at 1.0 = 4096
    np.testing.assert_array_equal(rate_trace_fixed(np.array([5000]), np.array([1]), 0.5), [4096])


def test_recurrent_input_fixed_with_spikes(case: tuple) -> None:
    """Binary spikes (in_frac_bits = 0) give the same sum as activity 1.0 with 12 bits."""
    graph, phases, _, _ = case
    spikes = (np.arange(graph.n_nodes) % 3 == 0).astype(np.int64)
    w, q = quantize_weights(graph.weights), phase_to_fixed(phases)
    as_spikes = recurrent_input_fixed(spikes, q, graph.rows, graph.cols, w.mantissa,
                                      w.weight_exp, 0.6, 12, in_frac_bits=0)
    as_graded = recurrent_input_fixed(spikes << 12, q, graph.rows, graph.cols, w.mantissa,
                                      w.weight_exp, 0.6, 12)
    np.testing.assert_array_equal(as_spikes, as_graded)
