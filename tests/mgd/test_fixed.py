"""Integer chain DeltaVecs (``FixedNetwork``) against the float64 equations, on the same
quantized network and input: the stated error bounds relative to the largest component."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx

SIZES = [64, 12, 10, 10]
T = 25
"""Rate-code steps of the spiking networks."""


def relative_error(real: np.ndarray, fixed: np.ndarray) -> float:
    return float(np.abs(real - fixed / 2.0 ** fx.D_FRAC).max() / np.abs(real).max())


def quantized_network(seed: int, spiking: bool, gain: float = 1.0
                      ) -> tuple[fx.FixedNetwork, list[tuple[np.ndarray, np.ndarray]]]:
    """A random FixedNetwork and its exact real-valued layers (the same network)."""
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(0, gain / np.sqrt(a), (b, a)), rng.normal(0, 0.1, b))
              for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)]
    net = fx.FixedNetwork(layers, eq.NetworkSpec(spiking=spiking, beta=0.9, threshold=1.0),
                          num_steps=T if spiking else 1)
    real = [fx.dequantize_layer(layer) for layer in net.layers]
    return net, real



@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_deltavecs_match_float_equations(seed):
    net, real = quantized_network(seed, spiking=False)
    spec = eq.NetworkSpec()
    xq = fx.to_fixed(np.random.default_rng(seed).uniform(0, 1, SIZES[0]), fx.X_FRAC)
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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spiking_chain_deltavecs_match_float_equations(seed):
    """Spiking chain: the integer LIF rate slopes ρ (surrogate LUT, A_FRAC trace), the rows
    ``∂z̄_L/∂r_l`` with ``h = 1`` spike and δ̂ = ρ ⊙ (δ_L @ K) against float64 on the same
    integer network, spike train and decay ``β_q/2**12``: the same spikes, and each quantity
    within 0.2 % of its largest component."""
    net, real = quantized_network(seed, spiking=True, gain=3.0)
    spec = eq.NetworkSpec(spiking=True, beta=net.beta_q / 2 ** fx.RATIO_FRAC, threshold=1.0)
    rng = np.random.default_rng(seed)
    x = (rng.uniform(0, 1, (T, SIZES[0])) < rng.uniform(0, 1, SIZES[0])).astype(np.int64)
    slopes, slopes_q = [], []
    acts = eq.forward(spec, real, x.astype(np.float64), slopes=slopes)
    acts_q = net.forward(x, slopes=slopes_q)
    for a, a_q in zip(acts[1:], acts_q[1:], strict=True):
        np.testing.assert_array_equal(a, a_q)
        assert 0 < a.mean() < 1
    for slope, slope_q in zip(slopes, slopes_q, strict=True):
        assert np.abs(slope - slope_q / 2.0 ** fx.A_FRAC).max() < 2e-3 * np.abs(slope).max()
    rows = eq.output_current_jacobians(spec, real, acts, 1.0)
    rows_q = net.output_current_jacobians(acts_q, 1.0)
    assert max(relative_error(r, r_q) for r, r_q in zip(rows, rows_q, strict=True)) < 1e-4
    delta_out = eq.output_delta(spec, acts[-1], 3, "mse", slopes[-1])
    delta_out_q = net.output_delta(acts_q[-1], 3, slopes_q[-1])
    for real_delta, fixed_delta in zip(eq.chain_deltas(acts, rows, delta_out, slopes),
                                       net.chain_deltas(acts_q, rows_q, delta_out_q, slopes_q),
                                       strict=True):
        assert relative_error(real_delta, fixed_delta) < 2e-3


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


def test_fixed_layer_is_read_only():
    """``wq`` and ``bq`` are read-only copies: writing raises (it would leave the cached
    ``forward_mantissa`` stale), and the caller's arrays stay writable."""
    wq, bq = np.arange(6, dtype=np.int64).reshape(2, 3) << fx.TAG_BITS, np.zeros(2, np.int64)
    layer = fx.FixedLayer(wq, 0, bq)
    np.testing.assert_array_equal(layer.forward_mantissa, [[0, 3], [1, 4], [2, 5]])
    with pytest.raises(ValueError, match="read-only"):
        layer.wq[0, 0] = 1
    with pytest.raises(ValueError, match="read-only"):
        layer.bq += 1
    wq[0, 0] = bq[0] = 7
    assert layer.wq[0, 0] == 0 and layer.bq[0] == 0


def exact_product(inp: np.ndarray, mant: np.ndarray) -> np.ndarray:
    """``inp @ mant`` in Python integers (no rounding, no overflow)."""
    return (inp.astype(object) @ mant.astype(np.int64).astype(object)).astype(np.int64)


def test_mantissa_product_float_path_is_exact():
    """24-bit inputs, 64 inputs: bound 64·2**23·2**7 < 2**53, the float64 product, exact."""
    rng = np.random.default_rng(0)
    inp = rng.integers(-(1 << 23), 1 << 23, (5, 64))
    mant = rng.integers(-128, 128, (64, 10)).astype(np.float64)
    np.testing.assert_array_equal(fx.mantissa_product(inp, mant), exact_product(inp, mant))


def test_mantissa_product_int64_fallback_is_exact():
    """Inputs near 2**50 (odd, so their low bits matter): the bound 3·2**50·2**7 exceeds
    2**53, the int64 product is used and is exact where float64 would round."""
    inp = np.array([[(1 << 50) + 1, -(1 << 50) + 3, (1 << 49) + 5]], dtype=np.int64)
    mant = np.array([[127.0, -3.0], [-128.0, 1.0], [5.0, 77.0]])
    exact = exact_product(inp, mant)
    assert not np.array_equal((inp.astype(np.float64) @ mant).astype(np.int64), exact)
    np.testing.assert_array_equal(fx.mantissa_product(inp, mant), exact)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synaptic_and_perturbation_currents_match_float(seed):
    """On a freshly quantized layer (tags 0, so ``dequantize_layer`` is the mantissa the
    synapse applies): ``W a + b`` within half a Z_FRAC LSB of the float64 value (one rounded
    shift, the bias exact), and ``2**s (u (v·a) + u)`` within one LSB (two rounded shifts)."""
    rng = np.random.default_rng(seed)
    n_in, n_out = 64, 12
    layer = fx.quantize_layer(rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)),
                              rng.normal(0, 0.1, n_out))
    inp = fx.to_fixed(rng.uniform(-1, 1, (3, n_in)), fx.A_FRAC)
    a = inp / 2.0 ** fx.A_FRAC
    lsb = 2.0 ** -fx.Z_FRAC
    w, b = fx.dequantize_layer(layer)
    current = fx.synaptic_current(layer, inp, fx.A_FRAC) * lsb
    assert np.abs(current - (a @ w.T + b)).max() <= lsb / 2
    u = fx.to_fixed(rng.normal(0, 0.05, n_out), fx.D_FRAC)
    v = fx.to_fixed(rng.uniform(-1, 1, n_in), fx.A_FRAC)
    c, s = fx.perturbation_scale([u], [fx.activity_sq_norm(v)], 1e-2)
    u = fx.scale_post(u, c)
    u_real, v_real = u / 2.0 ** fx.D_FRAC, v / 2.0 ** fx.A_FRAC
    pert = fx.perturbation_current(inp, fx.A_FRAC, (u, v, s)) * lsb
    assert np.abs(pert - 2.0 ** s * (np.outer(a @ v_real, u_real) + u_real)).max() <= lsb


def test_fixed_network_has_the_float_network_interface():
    """Every public method of ``FloatNetwork`` exists on ``FixedNetwork`` with the same
    parameters, so the fused process models run one per-sample routine on either."""
    public = [name for name, _ in inspect.getmembers(eq.FloatNetwork, inspect.isfunction)
              if not name.startswith("_")]
    assert len(public) >= 15
    for name in public:
        float_params = inspect.signature(getattr(eq.FloatNetwork, name)).parameters
        fixed_params = inspect.signature(getattr(fx.FixedNetwork, name)).parameters
        assert [(p.name, p.default) for p in float_params.values()] == \
            [(p.name, p.default) for p in fixed_params.values()], name
