"""SPEC §2 equations on hand-computed cases."""

import numpy as np
import pytest
from scipy import sparse

from astrolava.rhythmic import (
    coupling_term,
    link_drive,
    link_modulation,
    node_update,
    order_parameter,
    phase_update,
    recurrent_input,
)


def test_link_modulation_range() -> None:
    np.testing.assert_allclose(link_modulation(np.array([np.pi / 2, -np.pi / 2, 0.0]), 0.6),
                               [0.4, 1.0, 0.7])


def test_recurrent_input_equals_dense_masked_product() -> None:
    rows, cols = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 0])
    w = np.array([0.5, -1.0, 2.0, 0.25])
    phases = np.array([0.0, np.pi / 2, np.pi, 3 * np.pi / 2])
    n = np.array([0.2, -0.4, 0.8])
    a = np.zeros((3, 3))
    a[rows, cols] = w
    m_dense = np.ones((3, 3))
    m_dense[rows, cols] = link_modulation(phases, 0.5)
    np.testing.assert_allclose(recurrent_input(n, phases, rows, cols, w, 0.5), (a * m_dense) @ n)


def test_node_update_leak() -> None:
    np.testing.assert_allclose(node_update(np.array([0.5]), np.array([0.3]), 0.25, 0.1),
                               [0.25 * 0.5 + 0.75 * np.tanh(0.4)])


def test_link_drive_self_loop_counts_node_once() -> None:
    n = np.array([1.0, -1.0])
    # link 0: self loop on node 0 (level 1); link 1: 0 <- 1 (levels 1 and 0)
    drive = link_drive(n, np.array([0, 0]), np.array([0, 1]), -0.2, 0.6)
    np.testing.assert_allclose(drive, [-0.2 + 0.6 * 1.0, -0.2 + 0.6 * 0.5])


def test_coupling_term_hand_computed() -> None:
    # link 0 couples to links 1 and 2 at phases 0 and pi/2: Psi = pi/4
    phases = np.array([0.3, 0.0, np.pi / 2])
    coupling = sparse.csr_matrix(np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]], dtype=float))
    term = coupling_term(phases, coupling, gamma=0.1)
    np.testing.assert_allclose(term, [np.sin(np.pi / 4 - 0.3 + 0.1), 0.0,
                                      np.sin(0.3 - np.pi / 2 + 0.1)], atol=1e-12)


def test_phase_update_uncoupled_link_only_rotates() -> None:
    coupling = sparse.csr_matrix((2, 2))
    new = phase_update(np.array([0.5, 2 * np.pi - 0.005]), coupling, np.array([0.3, 0.3]),
                       0.01, 0.0, 1.0)
    np.testing.assert_allclose(new, [0.51, 0.005], atol=1e-12)


def test_order_parameter_cases() -> None:
    r, psi = order_parameter(np.full(5, 1.2))
    assert r == pytest.approx(1.0) and psi == pytest.approx(1.2)
    r, _ = order_parameter(np.array([0.0, np.pi]))
    assert r == pytest.approx(0.0, abs=1e-12)
    r, psi = order_parameter(np.array([[0.0, np.pi / 2], [np.pi, np.pi]]))
    np.testing.assert_allclose(r, [np.sqrt(0.5), 1.0])
    np.testing.assert_allclose(psi, [np.pi / 4, np.pi])
    with pytest.raises(ValueError, match="phases"):
        order_parameter(np.empty(0))
