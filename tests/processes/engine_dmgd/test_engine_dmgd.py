"""Learning-engine δ-MGD: Lava's LearningDense against the rule's formula, the graph against
the NumPy reference in Loihi formats."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
from astrolava.models.mgd.loihi_engine import EngineParams, EngineReference, initial_weights
from astrolava.processes.engine_dmgd import (
    EngineAstrocyte,
    EngineCost,
    EngineNetwork,
    engine_learning_rule,
)
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.proc.dense.process import LearningDense
from lava.proc.io.source import RingBuffer as Source

from astrolava.data import load_dataset
from astrolava.fixed_point import REPORT_BITS
from astrolava.mgd.engine import (
    CHAIN_FRAC,
    TAG_SHIFT,
    TRACE_OFFSET,
    TRACE_TAU,
    WEIGHT_SHIFT,
    EngineNeurons,
    EngineSchedule,
    apply_update,
    latch_tag,
)
from astrolava.runtime import LavaSession, sim_config


def _latch_and_update(x1, q_u, q_k, weights, x1_tau=TRACE_TAU):
    """Drive a stock LearningDense through one latch (step 2) and one update (step 4)."""
    n_post, n_pre = weights.shape
    steps = 5
    pre = np.zeros((n_pre, steps), dtype=int)
    pre[:, 1] = 2 * x1
    bap = np.zeros((n_post, steps), dtype=int)
    bap[:, [1, 3]] = 1
    y2 = np.full((n_post, steps), TRACE_OFFSET)
    y2[:, 1] += q_u
    y3 = np.full((n_post, steps), TRACE_OFFSET)
    y3[:, 3] += q_k
    syn = LearningDense(weights=weights, learning_rule=engine_learning_rule(7, x1_tau),
                        num_message_bits=REPORT_BITS, graded_spike_cfg=GradedSpikeCfg.OVERWRITE)
    sources = [Source(data=d) for d in (pre, bap, y2, y3)]
    for source, port in zip(sources, (syn.s_in, syn.s_in_bap, syn.s_in_y2, syn.s_in_y3),
                            strict=True):
        source.s_out.connect(port)
    with LavaSession(syn, sim_config("fixed_pt")) as session:
        session.run(2)
        tag = syn.tag_1.get()
        session.run(3)
        return tag, syn.tag_1.get(), syn.weights.get()


def test_learning_dense_is_within_one_lsb_of_the_rule():
    rng = np.random.default_rng(11)
    n_post, n_pre = 4, 9
    x1 = rng.integers(0, 128, size=n_pre)
    x1[0] = 0  # no report: x0 = 0 gates the stale trace
    q_u = rng.integers(-64, 64, size=n_post)
    q_k = rng.integers(-64, 64, size=n_post)
    w0 = 2 * rng.integers(-100, 100, size=(n_post, n_pre))
    tag, tag_after, weights = _latch_and_update(x1, q_u, q_k, w0)
    formula_tag = np.outer(q_u, x1) / 2 ** TAG_SHIFT
    assert np.abs(tag - formula_tag).max() <= 1
    np.testing.assert_array_equal(tag_after, 0)
    formula_dw = -tag * q_k[:, None] / 2 ** WEIGHT_SHIFT
    assert np.abs(weights - w0 - formula_dw).max() <= 1
    assert np.abs(weights - w0).max() >= 5
    # the reference's integer arithmetic gives the same up to its own stochastic rounding
    ref_tag = latch_tag(np.zeros_like(w0), x1, x1 > 0, q_u, 0.5)
    assert np.abs(ref_tag - tag).max() <= 1
    assert np.abs(apply_update(w0, tag, q_k, 0.5) - weights).max() <= 1


def test_a_loihi_legal_x1_tau_latches_the_same_tags():
    """x1 is written and latched in the same one-step epoch: TRACE_TAU (8 bits unsigned) and
    65535 give the same tags and weights."""
    rng = np.random.default_rng(5)
    x1, q_u, q_k = (rng.integers(0, 128, size=30), rng.integers(-64, 64, size=6),
                    rng.integers(-64, 64, size=6))
    w0 = 2 * rng.integers(-100, 100, size=(6, 30))
    legal, long = (_latch_and_update(x1, q_u, q_k, w0, tau) for tau in (TRACE_TAU, 65535))
    assert TRACE_TAU < 256
    for a, b in zip(legal, long, strict=True):
        np.testing.assert_array_equal(a, b)


def _train_lava(params: EngineParams, w0: list, n: int, **kwargs) -> tuple:
    X, y = load_dataset("digits", "train")
    net = EngineNetwork(data=X[:n], labels=y[:n], weights=w0, schedule=params.schedule,
                        eta=params.layer_etas(0), epsilon=params.epsilon,
                        neurons=params.neurons,
                        tau_delta=params.tau_delta, delta_mix=params.delta_mix, **kwargs)
    with net.session() as session:
        net.train(session, n)
        correct, seen = net.cost.n_correct.get()[0], net.cost.n_seen.get()[0]
        rows = [a.rows.get() for a in net.astrocytes]
        return net.weights(), rows, int(correct), int(seen)


@pytest.mark.parametrize("hidden", [(), (16,)])
def test_clean_passes_equal_the_reference_forward(hidden):
    X, y = load_dataset("digits", "train")
    n = 4
    params = EngineParams(pass_steps=8, eta=1e-9, hidden=hidden, tau_delta=2)  # q_k = 0
    w0 = initial_weights(params.sizes(64, 10), 0, scale=40)
    weights, rows, correct, seen = _train_lava(params, w0, n)
    for got, start in zip(weights, w0, strict=True):
        np.testing.assert_array_equal(got, start)
    assert seen == n
    assert correct == int(np.sum(EngineReference(w0, params).predict(X[:n]) == y[:n]))
    if hidden:  # the chain rows read the output synapse's weights (ρ = 1)
        np.testing.assert_array_equal(rows[0], w0[-1] << CHAIN_FRAC)


@pytest.mark.parametrize("hidden_eta_shift", [0, -1])
def test_hidden_net_learns_as_the_reference(hidden_eta_shift):
    """Lava fixed_pt against the reference in Loihi formats, same samples and weights, with
    one η for both layers and with the hidden layer's halved.

    The two draw their stochastic-rounding numbers from different generators (Lava's model:
    one per learning epoch from its own seed), so each update may round a weight one grid
    step apart: after ``n`` samples the weights lie within ``n`` LSB of each other, and on
    average far closer than either moved."""
    X, y = load_dataset("digits", "train")
    n = 5
    params = EngineParams(pass_steps=8, eta=8000.0, epsilon=200.0, hidden=(16,), tau_delta=2,
                          neurons=EngineNeurons(hidden_vth=512, output_vth=512),
                          hidden_eta_shift=hidden_eta_shift)
    w0 = initial_weights(params.sizes(64, 10), 1, scale=40)
    weights, _, correct, _ = _train_lava(params, w0, n)
    ref = EngineReference(w0, params, seed=1)
    ref_correct = sum(ref.learn(X[i], int(y[i])) == y[i] for i in range(n))
    for got, start, want in zip(weights, w0, ref.weights, strict=True):
        assert np.abs(want - start).sum() >= 20  # both layers learned
        assert np.abs(got - want).max() <= n
        assert np.abs(got - want).mean() <= 0.5 * np.abs(want - start).mean()
    assert correct == ref_correct


def test_bad_parameters(monkeypatch):
    """Each refused; the half-built processes are collected without an error in Lava's
    ``__del__``."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    sched = EngineSchedule(5)
    with pytest.raises(ValueError, match="epsilon"):
        EngineAstrocyte(n_pre=3, n_post=2, n_out=2, schedule=sched, depth=0, eta=1, epsilon=0)
    with pytest.raises(ValueError, match="depth"):
        EngineAstrocyte(n_pre=3, n_post=2, n_out=2, schedule=sched, depth=1, eta=1, epsilon=1)
    with pytest.raises(ValueError, match="n_post"):
        EngineCost(n_post=0, schedule=sched)
    with pytest.raises(ValueError, match="pass_steps"):
        EngineSchedule(64)
    with pytest.raises(ValueError, match="n_learned"):
        EngineSchedule(5, n_learned=3)
    X, y = load_dataset("digits", "train")
    with pytest.raises(ValueError, match="n_learned"):
        EngineNetwork(data=X[:2], labels=y[:2], weights=initial_weights([64, 8, 10], 0),
                      schedule=sched, eta=1, epsilon=1)
    with pytest.raises(ValueError, match="eta holds 3 rates"):
        EngineNetwork(data=X[:2], labels=y[:2], weights=initial_weights([64, 8, 10], 0),
                      schedule=EngineSchedule(5, n_learned=2), eta=[1, 1, 1], epsilon=1)
    gc.collect()
    assert unraisable == []
