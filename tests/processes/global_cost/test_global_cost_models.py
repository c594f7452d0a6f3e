"""GlobalCost on hand-computed outputs: C0, probe gradients, ΔC and the third factor."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from astrolava.processes.global_cost import GlobalCost
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.mgd import fixed as fx
from astrolava.runtime import LavaSession, ProcessModelError, sim_config

H, EPSILON, ETA = 0.1, 0.5, 0.01


# 2 classes, 2 neurons: rows = clean/perturbed pass, +h probes (2), -h probes (2)
CLEAN = np.array([[0.5, -0.5], [0.6, -0.5], [0.5, -0.4], [0.4, -0.5], [0.5, -0.6]])
PERTURBED = np.array([0.7, -0.5])


def _connect_rows(cost: GlobalCost, clean: np.ndarray, perturbed: np.ndarray,
                  flags: tuple[int, int] = (1, 0)) -> None:
    """Row messages of two steps into ``cost``: by default a clean step with probe rows
    (flag 1) and a perturbed step (flag 0). Row 0 of the first step (``perturbed`` in the
    second) and the flag go on ``out_in``, the probe rows ``clean[1:]`` on ``probe_in`` in
    both steps (the cost reads them only where the flag is set)."""
    rows = Source(data=np.stack([np.append(clean[0], flags[0]),
                                 np.append(perturbed, flags[1])], axis=-1))
    probes = Source(data=np.stack([clean[1:], clean[1:]], axis=-1))
    rows.s_out.connect(cost.out_in)
    probes.s_out.connect(cost.probe_in)


def _wire(cost: GlobalCost, clean: np.ndarray, perturbed: np.ndarray, label: int = 0,
          flags: tuple[int, int] = (1, 0)) -> tuple[Sink, Sink]:
    """Rows (:func:`_connect_rows`) and ``label`` into ``cost`` for two steps; sinks of its
    ``delta_new_out`` and ``k_out``."""
    _connect_rows(cost, clean, perturbed, flags)
    labels = Source(data=np.full((1, 2), label, dtype=clean.dtype))
    labels.s_out.connect(cost.label_in)
    deltas, third = Sink(shape=(2,), buffer=2), Sink(shape=(2,), buffer=2)
    cost.delta_new_out.connect(deltas.a_in)
    cost.k_out.connect(third.a_in)
    return deltas, third


def test_costs_gradients_and_third_factor():
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=H)
    deltas, third = _wire(cost, CLEAN, PERTURBED)
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
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=0.125, eta=ETA)
    deltas, third = _wire(cost, fx.to_fixed(CLEAN, fx.A_FRAC).astype(np.int32),
                          fx.to_fixed(PERTURBED, fx.A_FRAC).astype(np.int32))
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


def test_clean_pass_without_probe_rows():
    """A clean step with flag 0 (a sample whose DeltaVec is not refreshed): no probe
    gradients (delta_new is 0 in both steps), but C0, the count of correct samples and the
    third factor as with probes. Label 1, so the arg-max 0 is wrong."""
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=H)
    deltas, third = _wire(cost, CLEAN, PERTURBED, label=1, flags=(0, 0))
    with LavaSession(cost, sim_config()) as session:
        session.run(2)
        cost0, n_correct = cost.cost0.get()[0], cost.n_correct.get()[0]
        n_samples, delta_new = cost.n_samples.get()[0], deltas.data.get()
        k = third.data.get()[0, 1]
    # C0 = 1/2 (0.5^2 + (-0.5 - 1)^2), C̃ = 1/2 (0.7^2 + (-0.5 - 1)^2)
    assert cost0 == pytest.approx(1.25)
    assert n_correct == 0 and n_samples == 1
    np.testing.assert_array_equal(delta_new, np.zeros((2, 2)))
    assert k == pytest.approx((1.37 - 1.25) / EPSILON ** 2)


def test_row_count_change_within_a_pass_raises(caplog):
    """T = 2: probe rows in step 0 of the clean pass but not in step 1 is an error naming
    both row counts (summing them would broadcast row 0 onto the probe rows). Lava raises a
    summary in the caller and logs the model's traceback at INFO level (the runtime takes
    its log level from the process's log configuration, which GlobalCost leaves at WARNING);
    LavaSession raises the model's error as ``ProcessModelError``."""
    labels = Source(data=np.zeros((1, 2)))
    cost = GlobalCost(n_classes=2, n_neurons=2, epsilon=EPSILON, fd_step=H, num_steps=2)
    cost._log_config.level = logging.INFO
    _connect_rows(cost, CLEAN, PERTURBED)
    labels.s_out.connect(cost.label_in)
    with caplog.at_level(logging.INFO), pytest.raises(ProcessModelError,
                                                      match="ValueError: GlobalCost: 1 output"):
        with LavaSession(cost, sim_config()) as session:
            session.run(2)
    assert "ValueError: GlobalCost: 1 output rows in step 1 of a pass that began with 5" \
        in caplog.text


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_neurons=1 >= n_classes"):
        GlobalCost(n_classes=2, n_neurons=1)
    with pytest.raises(ValueError, match="loss='hinge'"):
        GlobalCost(n_classes=2, n_neurons=2, loss="hinge")
