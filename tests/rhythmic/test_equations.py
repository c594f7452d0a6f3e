"""The rhythmic-sharing equations (the compiled single implementation) on hand-computed cases."""

import numpy as np
import pytest

from astrolava.rhythmic.coupling import coupling_blocks
from astrolava.rhythmic.equations import (
    COUPLED,
    FROZEN,
    ROTATE,
    cos_sin,
    coupling_term,
    lif_step,
    link_drive,
    link_modulation,
    mean_field,
    node_update,
    order_parameter,
    phase_update,
    phasors,
    rate_activity,
    rate_trace,
    recurrent_input,
    step_phases,
    wrap_angle,
    wrap_phases,
)

# A_φ of three links: link 0 <- {1, 2}, link 1 <- {} (uncoupled), link 2 <- {0}
BLOCKS = coupling_blocks(np.array([0, 2, 2, 3]), np.array([1, 2, 0]))


def test_cos_sin_and_wrap() -> None:
    phases = np.array([0.0, np.pi / 2, np.pi])
    np.testing.assert_allclose(np.stack(cos_sin(phases)), [[1, 0, -1], [0, 1, 0]], atol=1e-15)
    wrapped = wrap_phases(np.array([-1e-17, 2 * np.pi, 7.0, -0.5, 4 * np.pi + 0.25]))
    np.testing.assert_allclose(wrapped, [0.0, 0.0, 7.0 - 2 * np.pi, 2 * np.pi - 0.5, 0.25],
                               atol=1e-14)
    assert np.all((wrapped >= 0) & (wrapped < 2 * np.pi))
    np.testing.assert_allclose(wrap_angle([0.25, np.pi, -np.pi, 2 * np.pi - 0.25, 7.0]),
                               [0.25, -np.pi, -np.pi, -0.25, 7.0 - 2 * np.pi], atol=1e-14)


def test_link_modulation_range() -> None:
    sin_phi = np.sin(np.array([np.pi / 2, -np.pi / 2, 0.0]))
    np.testing.assert_allclose(link_modulation(sin_phi, 0.6), [0.4, 1.0, 0.7])
    assert link_modulation(1.0, 0.6) == pytest.approx(0.4)


def test_recurrent_input_hand_computed() -> None:
    rows, cols = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 0])
    w = np.array([0.5, -1.0, 2.0, 0.25])
    sin_phi = np.array([0.0, 1.0, 0.0, -1.0])            # M = 0.75, 0.5, 0.75, 1.0 at m = 0.5
    n = np.array([0.2, -0.4, 0.8])
    expected = [0.5 * 0.75 * -0.4 + -1.0 * 0.5 * 0.8, 2.0 * 0.75 * 0.8, 0.25 * 1.0 * 0.2]
    np.testing.assert_allclose(recurrent_input(n, sin_phi, rows, cols, w, 0.5), expected,
                               rtol=0, atol=1e-15)


def test_node_update_leak() -> None:
    np.testing.assert_allclose(node_update(np.array([0.5]), np.array([0.3]), 0.25, 0.1),
                               [0.25 * 0.5 + 0.75 * np.tanh(0.4)])


def test_lif_step_rate_trace_hand_computed() -> None:
    v, s = lif_step(np.array([0.5, 0.5, 0.0]), np.array([0.1, 0.5, -0.2]), 0.2, 0.6)
    np.testing.assert_allclose(v, [0.5, 0.0, -0.2])
    np.testing.assert_array_equal(s, [0.0, 1.0, 0.0])
    np.testing.assert_allclose(rate_trace(np.array([0.5]), np.array([1.0]), 0.1), [0.55])
    np.testing.assert_allclose(rate_activity(np.array([0.0, 0.25, 1.0])), [-1.0, -0.5, 1.0])


def test_link_drive_self_loop_counts_node_once() -> None:
    n = np.array([1.0, -1.0])
    # link 0: self loop on node 0 (level 1); link 1: 0 <- 1 (levels 1 and 0)
    drive = link_drive(n, np.array([0, 0]), np.array([0, 1]), -0.2, 0.6)
    np.testing.assert_allclose(drive, [-0.2 + 0.6 * 1.0, -0.2 + 0.6 * 0.5])


def test_coupling_term_hand_computed() -> None:
    # link 0 couples to links 1 and 2 at phases 0 and pi/2: Psi = pi/4; link 2 to link 0
    phases = np.array([0.3, 0.0, np.pi / 2])
    term = coupling_term(phasors(phases), BLOCKS, 0.1)
    np.testing.assert_allclose(term, [np.sin(np.pi / 4 - 0.3 + 0.1), 0.0,
                                      np.sin(0.3 - np.pi / 2 + 0.1)], atol=1e-15)


def test_coupling_term_without_mean_field_is_zero() -> None:
    # link 0's neighbours (cos, sin) = (1, 0) and (-1, 0) cancel exactly: |z| = 0, no Ψ, K = 0
    # (no division by zero); links 1 and 2 have no neighbours at all
    trig = np.array([np.cos(1.0), np.sin(1.0), 1.0, 0.0, -1.0, 0.0, 0.0, 0.0])
    term = coupling_term(trig, coupling_blocks(np.array([0, 2, 2, 2]), np.array([1, 2])), 0.0)
    np.testing.assert_array_equal(term, [0.0, 0.0, 0.0])


def test_phase_update_hand_computed_and_wrapped() -> None:
    phases = np.array([0.3, 2 * np.pi - 0.005, np.pi / 2])
    drive = np.array([0.4, 0.3, 0.2])
    new = phase_update(phases, phasors(phases), drive, BLOCKS, 0.01, 0.0, 2.0)
    # link 0's neighbours at -0.005 and pi/2 (equal weights): Psi_0 = pi/4 - 0.0025
    k0, k2 = np.sin(np.pi / 4 - 0.0025 - 0.3), np.sin(0.3 - np.pi / 2)
    np.testing.assert_allclose(new, [0.3 + 2.0 * (0.01 + 0.4 * k0), 0.015,
                                     np.pi / 2 + 2.0 * (0.01 + 0.2 * k2)], atol=1e-14)


def test_step_phases_modes() -> None:
    phases = np.array([0.3, 2 * np.pi - 0.005, np.pi / 2])
    n = np.array([0.5, -0.5])
    rows, cols = np.array([0, 1, 1]), np.array([1, 0, 1])
    args = (phases, phasors(phases), n, rows, cols, BLOCKS, -0.2, 0.6, 0.01, 0.0, 1.0)
    drive = -0.2 + 0.6 * np.array([0.5, 0.5, 0.25])   # levels 0.75 and 0.25
    coupled = phase_update(phases, phasors(phases), drive, BLOCKS, 0.01, 0.0, 1.0)
    np.testing.assert_allclose(step_phases(*args, COUPLED), coupled, rtol=0, atol=1e-15)
    np.testing.assert_allclose(step_phases(*args, ROTATE), [0.31, 0.005, np.pi / 2 + 0.01],
                               atol=1e-14)
    frozen = step_phases(*args, FROZEN)
    np.testing.assert_array_equal(frozen, phases)
    assert frozen is not phases


def test_order_parameter_cases() -> None:
    r, psi = order_parameter(np.full(5, 1.2))
    assert r == pytest.approx(1.0) and psi == pytest.approx(1.2)
    r, _ = order_parameter(np.array([0.0, np.pi]))
    assert r == pytest.approx(0.0, abs=1e-12)
    r, psi = order_parameter(np.array([[0.0, np.pi / 2], [np.pi, np.pi]]))
    np.testing.assert_allclose(r, [np.sqrt(0.5), 1.0])
    np.testing.assert_allclose(psi, [np.pi / 4, np.pi])
    r, psi = mean_field(np.array([0.0, 0.0]), np.array([-1.0, -1.0]))
    assert r == pytest.approx(1.0) and psi == pytest.approx(3 * np.pi / 2)
    with pytest.raises(ValueError, match="phases"):
        order_parameter(np.empty(0))


@pytest.mark.parametrize("sin_phi", [[1e-17, -3e-17], [0.0, -0.0], [-0.0, -0.0]])
def test_mean_phase_lies_in_zero_two_pi(sin_phi: list) -> None:
    """A mean phasor just below the positive real axis (atan2 = -1e-17, which mod 2π rounds to
    2π) or on it with a negative zero gives ⟨Φ⟩ = 0, not 2π."""
    r, psi = mean_field(np.ones(2), np.array(sin_phi))
    assert r == pytest.approx(1.0) and psi == 0.0


@pytest.mark.parametrize("n_links", [1, 3, 4, 7, 9])
def test_mean_field_partial_sums_equal_the_mean_phasor(n_links: int) -> None:
    """The four interleaved partial sums and the tail cover every link once."""
    phases = np.random.default_rng(n_links).uniform(0.0, 2 * np.pi, n_links)
    r, psi = mean_field(*cos_sin(phases))
    z = np.mean(np.exp(1j * phases))
    assert r == pytest.approx(abs(z), abs=1e-15)
    assert np.exp(1j * psi) == pytest.approx(z / abs(z), abs=1e-14)
