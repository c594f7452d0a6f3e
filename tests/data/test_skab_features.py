"""The synchrony features that benchmarks/skab.py hands to SKAB's detectors: the ⟨Φ⟩ angle
and node-synchrony columns of ``synchrony_features``, hand-computed."""

import numpy as np
import pytest

from astrolava.rhythmic import synchrony_features


def test_angle_and_node_synchrony_columns() -> None:
    # links 0: 0→1, 1: 1→2, 2: 2→2 (a self-loop counts once); node 0 has link 0, node 1 links
    # 0 and 1, node 2 links 1 and 2
    rows, cols = np.array([0, 1, 2]), np.array([1, 2, 2])
    phases = np.array([[0.0, 0.0, 0.0],          # all aligned: r_i = 1
                       [0.0, np.pi, np.pi / 2]])  # node 1: |1 − 1|/2 = 0; node 2: |−1 + i|/2
    R, psi = np.array([1.0, 0.5]), np.array([0.0, np.pi / 2])
    f = synchrony_features(R, psi, window=1, angle=True, phases=phases, link_nodes=(rows, cols))
    assert f.shape == (2, 9)
    np.testing.assert_allclose(f[:, 5:7], [[1.0, 0.0], [0.0, 1.0]], atol=1e-12)
    node_r = np.array([1.0, 0.0, np.sqrt(2) / 2])
    np.testing.assert_allclose(f[:, 7], [1.0, node_r.mean()])
    np.testing.assert_allclose(f[:, 8], [0.0, node_r.std()], atol=1e-12)
    np.testing.assert_array_equal(f[:, :5], synchrony_features(R, psi, window=1))


def test_bad_input() -> None:
    r = np.ones(3)
    with pytest.raises(ValueError, match="together"):
        synchrony_features(r, r, phases=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="phases has shape"):
        synchrony_features(r, r, phases=np.zeros((3, 2)),
                           link_nodes=(np.array([0]), np.array([1])))
