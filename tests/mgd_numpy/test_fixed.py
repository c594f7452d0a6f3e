"""Integer chain DeltaVecs (``FixedNetwork``) against the float64 equations, on the same
quantized network and input: the stated error bounds relative to the largest component."""

from __future__ import annotations

import numpy as np
import pytest

from astrolava.mgd_numpy import equations as eq
from astrolava.mgd_numpy import fixed as fx

SIZES = [64, 12, 10, 10]


def relative_error(real: np.ndarray, fixed: np.ndarray) -> float:
    return float(np.abs(real - fixed / 2.0 ** fx.D_FRAC).max() / np.abs(real).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_deltavecs_match_float_equations(seed):
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(0, 1 / np.sqrt(a), (b, a)), rng.normal(0, 0.1, b))
              for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)]
    net = fx.FixedNetwork(layers, spiking=False, output_tanh=True, beta=0.9, threshold=1.0,
                          num_steps=1)
    real = [fx.dequantize_layer(w, e, b) for w, e, b
            in zip(net.weights, net.exps, net.biases, strict=True)]
    spec = eq.NetworkSpec()
    xq = fx.to_fixed(rng.uniform(0, 1, SIZES[0]), fx.X_FRAC)
    acts, acts_q = eq.forward(spec, real, xq / 2.0 ** fx.X_FRAC), net.forward(xq)
    rows = eq.output_current_jacobians(spec, real, acts, 1e-3)
    rows_q = net.output_current_jacobians(acts_q, 1e-3)
    # first hidden layer: through the tanh LUT and a power-of-two step (h = 2**-10 for 1e-3)
    assert relative_error(rows[0], rows_q[0]) < 0.05
    # last hidden layer: K = W_L exactly (up to the D_FRAC grid)
    assert relative_error(rows[1], rows_q[1]) < 1e-4
    delta_out = eq.output_delta(spec, acts[-1], 3, "mse")
    delta_out_q = net.output_delta(acts_q[-1], 3)
    assert relative_error(delta_out, delta_out_q) < 1e-3
    for real_delta, fixed_delta, bound in zip(eq.chain_deltas(acts, rows, delta_out),
                                              net.chain_deltas(acts_q, rows_q, delta_out_q),
                                              (0.05, 1e-3, 1e-3), strict=True):
        assert relative_error(real_delta, fixed_delta) < bound


@pytest.mark.parametrize("epsilon", [1e-2, 3e-3, 0.1])
def test_perturbation_scale_gives_norm_epsilon(epsilon):
    """``θ̃ = 2**s·scale_post(u, c) ⊗ v`` (weights and bias) has norm ε to within 1 %."""
    rng = np.random.default_rng(0)
    post = [fx.to_fixed(rng.normal(0, 0.05, n), fx.D_FRAC) for n in (12, 10)]
    pre = [fx.to_fixed(rng.uniform(-1, 1, n), fx.A_FRAC) for n in (64, 12)]
    c, s = fx.perturbation_scale(post, [fx.activity_sq_norm(v) for v in pre], epsilon)
    assert 1 << (fx.SCALE_BITS - 1) <= c < 1 << fx.SCALE_BITS
    sq = 0.0
    for u, v in zip(post, pre, strict=True):
        u_real = fx.scale_post(u, c) * 2.0 ** (s - fx.D_FRAC)
        v_real = v / 2.0 ** fx.A_FRAC
        sq += (u_real @ u_real) * (v_real @ v_real + 1)
    assert np.sqrt(sq) == pytest.approx(epsilon, rel=1e-2)
    assert fx.perturbation_scale([np.zeros(3, dtype=np.int64)], [5], epsilon) == (0, 0)
