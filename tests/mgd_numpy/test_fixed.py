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
