"""Learning-engine δ-MGD: Lava's LearningDense against the rule's formula, the graph against
the NumPy reference in Loihi formats."""

from __future__ import annotations

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
    TAG_SHIFT,
    TRACE_OFFSET,
    WEIGHT_SHIFT,
    EngineSchedule,
    apply_update,
    latch_tag,
)
from astrolava.runtime import LavaSession, sim_config


def _latch_and_update(x1, q_u, q_k, weights):
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
    syn = LearningDense(weights=weights, learning_rule=engine_learning_rule(7),
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


def test_clean_passes_equal_the_reference_forward():
    X, y = load_dataset("digits", "train")
    n = 6
    params = EngineParams(pass_steps=8, eta=1e-9)  # q_k = 0: no update
    w0 = initial_weights(10, X.shape[1], 0, scale=40)
    net = EngineNetwork(data=X[:n], labels=y[:n], weights=w0, schedule=params.schedule,
                        eta=params.eta, epsilon=params.epsilon)
    with net.session() as session:
        net.train(session, n)
        correct, seen = net.cost.n_correct.get()[0], net.cost.n_seen.get()[0]
        weights = net.synapse.weights.get()
    ref = EngineReference(w0, params)
    np.testing.assert_array_equal(weights, w0)
    assert seen == n
    assert correct == int(np.sum(ref.predict(X[:n]) == y[:n]))


def test_bad_parameters():
    sched = EngineSchedule(5)
    with pytest.raises(ValueError, match="epsilon"):
        EngineAstrocyte(n_pre=3, n_post=2, schedule=sched, epsilon=0)
    with pytest.raises(ValueError, match="eta"):
        EngineCost(n_post=2, schedule=sched, eta=-1, epsilon=1)
    with pytest.raises(ValueError, match="pass_steps"):
        EngineSchedule(64)
