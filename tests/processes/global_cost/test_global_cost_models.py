"""GlobalCost on hand-computed outputs: C0, probe gradients, ΔC and the third factor."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.global_cost import GlobalCost
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.mgd_numpy import fixed as fx
from astrolava.runtime import LavaSession, sim_config

H, EPSILON, ETA = 0.1, 0.5, 0.01


def test_costs_gradients_and_third_factor():
    # 2 classes, 2 neurons: rows = clean/perturbed pass, +h probes (2), -h probes (2)
    clean = np.array([[0.5, -0.5], [0.6, -0.5], [0.5, -0.4], [0.4, -0.5], [0.5, -0.6]])
    perturbed = np.zeros_like(clean)
    perturbed[0] = [0.7, -0.5]
    outs = Source(data=np.stack([clean, perturbed], axis=-1))
    labels = Source(data=np.zeros((1, 2)))
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=H)
    deltas, third = Sink(shape=(2,), buffer=2), Sink(shape=(2,), buffer=2)
    outs.s_out.connect(cost.out_in)
    labels.s_out.connect(cost.label_in)
    cost.delta_new_out.connect(deltas.a_in)
    cost.k_out.connect(third.a_in)
    with LavaSession(cost, sim_config()) as session:
        session.run(2)
        cost0, delta_cost = cost.cost0.get()[0], cost.delta_cost.get()[0]
        n_correct = cost.n_correct.get()[0]
        probe = deltas.data.get()[:, 0]
        k = third.data.get()[:, 1]  # (m, f) = (k, 0)
    # C = 1/2 ((o0 - 1)^2 + o1^2) with label 0
    assert cost0 == pytest.approx(0.5 * (0.25 + 0.25))
    assert delta_cost == pytest.approx(0.5 * (0.09 + 0.25) - 0.25)
    assert n_correct == 1
    c_plus = [0.5 * (0.16 + 0.25), 0.5 * (0.25 + 0.16)]
    c_minus = [0.5 * (0.36 + 0.25), 0.5 * (0.25 + 0.36)]
    np.testing.assert_allclose(probe, (np.array(c_plus) - c_minus) / (2 * H))
    assert k[0] == pytest.approx(delta_cost / EPSILON ** 2) and k[1] == 0


def test_fixed_point_costs_gradients_and_third_factor():
    """fixed_pt on the same outputs as A_FRAC integers: C_FRAC costs, D_FRAC gradients with
    the step rounded to h = 2**-3 on the Z_FRAC grid, and k = (m, f) = η·ΔC/ε² with η folded
    in (a 16-bit mantissa)."""
    clean = np.array([[0.5, -0.5], [0.6, -0.5], [0.5, -0.4], [0.4, -0.5], [0.5, -0.6]])
    perturbed = np.zeros_like(clean)
    perturbed[0] = [0.7, -0.5]
    outs = Source(data=fx.to_fixed(np.stack([clean, perturbed], axis=-1), fx.A_FRAC))
    labels = Source(data=np.zeros((1, 2), dtype=np.int32))
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=0.125, eta=ETA)
    deltas, third = Sink(shape=(2,), buffer=2), Sink(shape=(2,), buffer=2)
    outs.s_out.connect(cost.out_in)
    labels.s_out.connect(cost.label_in)
    cost.delta_new_out.connect(deltas.a_in)
    cost.k_out.connect(third.a_in)
    with LavaSession(cost, sim_config("fixed_pt")) as session:
        session.run(2)
        cost0, delta_cost = cost.cost0.get()[0], cost.delta_cost.get()[0]
        probe = deltas.data.get()[:, 0] / 2 ** fx.D_FRAC
        m, f = third.data.get()[:, 1]
    resolution = 2.0 ** -fx.C_FRAC
    assert cost0 == pytest.approx(0.25, abs=resolution)
    assert delta_cost == pytest.approx(0.5 * (0.09 + 0.25) - 0.25, abs=2 * resolution)
    c_plus, c_minus = 0.5 * (0.16 + 0.25), 0.5 * (0.36 + 0.25)
    np.testing.assert_allclose(probe, (c_plus - c_minus) / (2 * 0.125), atol=1e-3)
    assert m * 2.0 ** -f == pytest.approx(ETA * delta_cost / EPSILON ** 2, rel=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_neurons=1 >= n_classes"):
        GlobalCost(n_classes=2, n_neurons=1)
    with pytest.raises(ValueError, match="loss='hinge'"):
        GlobalCost(n_classes=2, n_neurons=2, loss="hinge")
