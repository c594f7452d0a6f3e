"""Learning-engine δ-MGD: Lava's LearningDense against the rule's formula, the graph against
the NumPy reference in Loihi formats."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
from astrolava.models.mgd.loihi_engine import (
    EngineParams,
    EngineReference,
    LavaDraws,
    initial_weights,
)
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
    decay_trace,
    latch_tag,
)
from astrolava.runtime import LavaSession, sim_config

RULE_SEED = 7


def _latch_and_update(x1, q_u, q_k, weights, x1_tau=TRACE_TAU, update_shift=WEIGHT_SHIFT):
    """Drive a stock LearningDense (rule seed :data:`RULE_SEED`) through one latch (step 2)
    and one update (step 4)."""
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
    rule = engine_learning_rule(RULE_SEED, x1_tau, update_shift)
    syn = LearningDense(weights=weights, learning_rule=rule,
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


def _lava_numbers(step: int, seed: int = RULE_SEED) -> tuple[float, float]:
    """Lava's trace-decay and rounding numbers of a learning epoch at ``step``."""
    return LavaDraws(seed, per_step=2).at(step), LavaDraws(seed + 4).at(step)


@pytest.mark.parametrize("update_shift", [WEIGHT_SHIFT, 11])
def test_learning_dense_is_within_one_lsb_of_the_rule(update_shift):
    """Within one LSB of the real-valued formula; equal to the reference's integer arithmetic
    fed Lava's random numbers."""
    rng = np.random.default_rng(11)
    n_post, n_pre = 4, 9
    x1 = rng.integers(0, 128, size=n_pre)
    x1[0] = 0  # no report: x0 = 0 gates the stale trace
    q_u = rng.integers(-64, 64, size=n_post)
    q_k = rng.integers(-64, 64, size=n_post)
    w0 = 2 * rng.integers(-100, 100, size=(n_post, n_pre))
    tag, tag_after, weights = _latch_and_update(x1, q_u, q_k, w0, update_shift=update_shift)
    formula_tag = np.outer(q_u, x1) / 2 ** TAG_SHIFT
    assert np.abs(tag - formula_tag).max() <= 1
    np.testing.assert_array_equal(tag_after, 0)
    formula_dw = -tag * q_k[:, None] / 2 ** update_shift
    assert np.abs(weights - w0 - formula_dw).max() <= 1
    assert np.abs(weights - w0).max() >= 8 >> (update_shift - WEIGHT_SHIFT)
    trace, rounding = _lava_numbers(2)
    ref_tag = latch_tag(np.zeros_like(w0), decay_trace(x1, trace), x1 > 0, q_u, rounding)
    np.testing.assert_array_equal(ref_tag, tag)
    np.testing.assert_array_equal(
        apply_update(w0, tag, q_k, _lava_numbers(4)[1], update_shift), weights)


@pytest.mark.parametrize("x1_tau", [TRACE_TAU, 65535])
def test_the_latch_reads_x1_after_one_step_of_decay(x1_tau):
    """x1 is written and latched in the same one-step epoch, but Lava decays it one step
    first (stochastically rounded): the tags are those of ``decay_trace`` with Lava's number
    (TRACE_TAU, 8 bits unsigned, and 65535)."""
    rng = np.random.default_rng(5)
    x1, q_u, q_k = (rng.integers(0, 128, size=30), rng.integers(-64, 64, size=6),
                    rng.integers(-64, 64, size=6))
    w0 = 2 * rng.integers(-100, 100, size=(6, 30))
    tag = _latch_and_update(x1, q_u, q_k, w0, x1_tau)[0]
    trace, rounding = _lava_numbers(2)
    latched = decay_trace(x1, trace, x1_tau)
    np.testing.assert_array_equal(
        tag, latch_tag(np.zeros_like(w0), latched, x1 > 0, q_u, rounding))
    assert TRACE_TAU < 256


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


@pytest.mark.parametrize(("hidden_eta_shift", "update_shift"), [(0, WEIGHT_SHIFT), (-1, 11)])
def test_hidden_net_learns_as_the_reference(hidden_eta_shift, update_shift):
    """Lava fixed_pt against the reference in Loihi formats fed Lava's random numbers, same
    samples and weights, with one η for both layers and with the hidden layer's halved: the
    same weights, chain rows and clean-pass answers, bit for bit."""
    X, y = load_dataset("digits", "train")
    n = 5
    params = EngineParams(pass_steps=8, eta=8000.0, epsilon=200.0, hidden=(16,), tau_delta=2,
                          neurons=EngineNeurons(hidden_vth=512, output_vth=512),
                          hidden_eta_shift=hidden_eta_shift, update_shift=update_shift)
    w0 = initial_weights(params.sizes(64, 10), 1, scale=40)
    weights, rows, correct, _ = _train_lava(params, w0, n, seed=1, update_shift=update_shift)
    ref = EngineReference(w0, params, seed=1, draws="lava")
    ref_correct = sum(ref.learn(X[i], int(y[i])) == y[i] for i in range(n))
    for got, start, want in zip(weights, w0, ref.weights, strict=True):
        assert np.abs(want - start).sum() >= 20  # both layers learned
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(rows[0], ref.rows)
    assert correct == ref_correct


def test_a_resumed_run_computes_what_one_session_computes():
    """Two Lava sessions (samples 0-2, then 3-5 from the first's weights, chain rows and
    sample count; τδ = 2, so the second starts off the refresh grid; the second as epoch 1
    of an update-shift schedule, s 10 then 11) against the reference fed Lava's numbers with
    a new session and epoch at sample 3: the same weights and rows; the reference's refreshes
    (samples 0, 2, 4) do not depend on the sessions."""
    X, y = load_dataset("digits", "train")
    params = EngineParams(pass_steps=8, eta=8000.0, epsilon=200.0, hidden=(16,), tau_delta=2,
                          neurons=EngineNeurons(hidden_vth=512, output_vth=512),
                          shift_raises=(1,))
    w0 = initial_weights(params.sizes(64, 10), 2, scale=40)
    weights, rows = w0, None
    for epoch, (start, stop) in enumerate(((0, 3), (3, 6))):
        net = EngineNetwork(data=X[start:stop], labels=y[start:stop], weights=weights,
                            schedule=params.schedule, eta=params.layer_etas(epoch),
                            epsilon=params.epsilon, neurons=params.neurons,
                            tau_delta=params.tau_delta, seed=2, samples_seen=start, rows=rows,
                            update_shift=params.update_shift_of(epoch))
        with net.session() as session:
            net.train(session, stop - start)
            weights, rows = net.weights(), net.rows()
    ref = EngineReference(w0, params, seed=2, draws="lava")
    refreshed = []
    for i in range(6):
        if i == 3:
            ref.new_session()
            ref.start_epoch(1)
        before = ref.rows.copy()
        ref.learn(X[i], int(y[i]))
        refreshed.append(not np.array_equal(before, ref.rows))
    for got, want in zip(weights, ref.weights, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(rows, ref.rows)
    assert refreshed[3] is False and refreshed[4] is True


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
    good = initial_weights([64, 10], 0)[0]
    for bad, error, message in (
            (good * 0 + 256, ValueError, r"holds values in \[256, 256\]; allowed: \[-256, 255\]"),
            (good - 512, ValueError, r"allowed: \[-256, 255\]"),
            (good + 0.5, TypeError, "must hold integers"),
            (good[0], ValueError, "must have 2 dimension")):
        with pytest.raises(error, match=r"weights\[0\] .*" + message):
            EngineNetwork(data=X[:2], labels=y[:2], weights=[bad], schedule=sched, eta=1,
                          epsilon=1)
    for labels, error, message in (
            (np.array([0, 10]), ValueError, r"labels in \[0, 10\]; each must be in \[0, 9\]"),
            (np.array([-1, 0]), ValueError, r"each must be in \[0, 9\] \(10 classes\)"),
            (np.array([0.5, 1.0]), TypeError, "must hold integers"),
            (np.array([0, 1, 2]), ValueError, "3 labels for 2 samples")):
        with pytest.raises(error, match="labels .*" + message):
            EngineNetwork(data=X[:2], labels=labels, weights=[good], schedule=sched, eta=1,
                          epsilon=1)
    with pytest.raises(ValueError, match="samples_seen"):
        EngineAstrocyte(n_pre=3, n_post=2, n_out=2, schedule=sched, depth=0, eta=1, epsilon=1,
                        samples_seen=-1)
    with pytest.raises(ValueError, match="rows has shape"):
        EngineAstrocyte(n_pre=3, n_post=2, n_out=2, schedule=sched, depth=0, eta=1, epsilon=1,
                        rows=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="update_shift"):
        EngineAstrocyte(n_pre=3, n_post=2, n_out=2, schedule=sched, depth=0, eta=1, epsilon=1,
                        update_shift=13)
    gc.collect()
    assert unraisable == []
