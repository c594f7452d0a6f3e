"""The learning fixes in third_party/lava/lava-nc-0.10.0-py311.patch (each fails on stock
lava-nc 0.10.0)."""

from __future__ import annotations

import numpy as np
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.learning.learning_rule import Loihi3FLearningRule
from lava.magma.core.learning.learning_rule_applier import LearningRuleApplierFloat
from lava.proc.dense.models import PyLearningDenseModelBitApproximate


def test_float_applier_knows_a_dependency_used_as_a_factor():
    # stock: LearningRuleApplierFloat raises "Unknown Factor" for x0 in "y0 * x0 * x1"
    rule = Loihi3FLearningRule(dt="2^-1 * y0 * x0 * x1 - y0 * t", t_epoch=1)
    applier = LearningRuleApplierFloat(rule.dt)
    x0 = np.array([[1, 0, 1]])
    x1 = np.array([[6.0, 8.0, 10.0]])
    tag = np.full((2, 3), 3.0)
    args = {"x0": x0, "y0": np.array([[1], [0]]), "x1_y0": x1, "tag_1": tag, "u": 0, "np": np}
    got = applier.apply(tag.copy(), **args)
    # the float applier scales a product by mantissa·2**(exp − 7): 2^-1 -> 1·2**(6 − 7)
    expected = tag + np.array([[1], [0]]) * (0.5 * x0 * x1 - tag)
    np.testing.assert_allclose(got, expected)


def test_weight_rounding_random_follows_the_rule_seed():
    # stock: ConnVarRandom() is seeded 2 whatever the rule's rng_seed
    def first_random(seed: int) -> float:
        rule = Loihi3FLearningRule(dw="-2^-5 * y0 * t", t_epoch=1, rng_seed=seed)
        model = PyLearningDenseModelBitApproximate(
            {"learning_rule": rule, "shape": (2, 3),
             "graded_spike_cfg": GradedSpikeCfg.USE_REGULAR_IMPULSE})
        return model._conn_var_random.random_stochastic_round

    assert first_random(1) != first_random(9)
    assert first_random(1) == first_random(1)
