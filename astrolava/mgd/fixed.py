"""δ-MGD on Loihi integers: the fixed_pt counterpart of :mod:`astrolava.mgd.equations`.

Formats (all saturating, never wrapping; products are formed in 64-bit accumulators and
their results saturated to their format, like Loihi's dendritic and learning accumulators):

==============  =====================================================  ===================
quantity        integer                                                width
==============  =====================================================  ===================
weight W_l      ``(mantissa << TAG_BITS) + tag``, value                 8-bit mantissa +
                ``mantissa·2**e_l`` (shared exponent e_l per layer);     8-bit tag (learning
                the forward pass uses the mantissa, learning the pair    precision)
bias b_l        ``round(b·2**Z_FRAC)``                                   24 bit
current z       ``round(z·2**Z_FRAC)``                                   24 bit
activity a      ``round(a·2**A_FRAC)`` graded spike (tanh LUT output,    24 bit
                or firing rate)
input x         ``round(x·2**X_FRAC)`` (DatasetSource fixed_pt), or     24 bit / 1 bit
                0/1 spikes
cost C          ``round(C·2**C_FRAC)``                                  24 bit
DeltaVec δ      ``round(δ·2**D_FRAC)``                                  24 bit
‖v‖² message    ``round(‖v‖²·2**SQ_FRAC)`` (synapse -> astrocyte)       24 bit
coefficient k   ``m·2**-f``: COEF_BITS mantissa ``m``, shift ``f``        16 bit + shift
LIF v, β        ``v`` like z; ``β_q = round(β·2**12)``                   24 / 12 bit
rate slope ρ    ``ρ`` and its trace ``m`` like a (surrogate σ' LUT       24 bit
                on U − ϑ at SLOPE_FRAC input bits)
==============  =====================================================  ===================

Differences to the float model, all forced by integer hardware: tanh (and the surrogate slope
σ' of a spiking network's chain DeltaVecs) is a lookup table; the LIF decay truncates toward
zero like Loihi's (``astrolava.fixed_point.lif_step_reset_next``);
the perturbation is normalised by an 8-bit mantissa and a power-of-two shift (integer square
root and division), so ``‖θ̃‖`` is ε to about 0.4 %; weight updates are rounded into the
16-bit mantissa+tag pair; only the ``"mse"`` cost and plain SGD exist.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from astrolava.fixed_point import (
    A_FRAC,
    C_FRAC,
    COEF_BITS,
    D_FRAC,
    LIF_DECAY_BITS,
    RATIO_FRAC,
    SCALE_BITS,
    SLOPE_FRAC,
    SQ_FRAC,
    STATE_BITS,
    TAG_BITS,
    WEIGHT_BITS,
    X_FRAC,
    Z_FRAC,
    LookupTable,
    int_range,
    lif_step_reset_next,
    quantize_weights,
    saturate,
    scale_pow2,
    shift_right_round,
    tanh_table,
    to_fixed,
)
from astrolava.mgd.config import ENGINE, DeltaMGDConfig
from astrolava.mgd.equations import NetworkSpec, surrogate_slope

FIXED_OPTIMIZERS = ("sgd", ENGINE)
"""Optimizers of the fixed_pt models (a learning engine has no Adam)."""
WEIGHT_RANGE = int_range(WEIGHT_BITS + TAG_BITS)
"""Range of the learned (mantissa << TAG_BITS) + tag pair: a 16-bit signed integer."""
G_FRAC = 20
"""Fractional bits of the engine optimizer's postsynaptic step factor ``g = k·u``
(:func:`normalized_factors`)."""
G_BITS = 27
"""Width of ``g``: ``|g| < 64``, so ``g²`` and its running mean stay below 2**53."""
VELOCITY_BITS = 24
"""Width of the per-synapse momentum velocity of the ``"engine"`` optimizer
(:func:`momentum_update`): the weight+tag step with up to 8 more fractional bits."""
SLOPE_MAX = 32.0
"""The surrogate-slope table covers ``|U − ϑ| <= SLOPE_MAX`` (σ'(32) = 1e-4; clamped beyond)."""

TANH = tanh_table(Z_FRAC, A_FRAC)
SLOPE = LookupTable.sample(surrogate_slope, SLOPE_FRAC, A_FRAC, -SLOPE_MAX, SLOPE_MAX)
"""snntorch's ATan surrogate ``σ'`` (``equations.surrogate_slope``) on ``U − ϑ``, A_FRAC."""


@dataclass(frozen=True, eq=False)
class FixedLayer:
    """One layer in Loihi formats (:func:`quantize_layer`): ``wq`` the weight+tag integers
    ``(mantissa << TAG_BITS) + tag``, ``exp`` their shared exponent, ``bq`` the Z_FRAC bias.

    Immutable: ``wq`` and ``bq`` are read-only copies of the arrays given, and a weight
    update (:func:`update_layer`) makes a new layer, so the forward operand
    :attr:`forward_mantissa` is formed once per update, not once per current, and never
    goes stale.
    """

    wq: np.ndarray
    exp: int
    bq: np.ndarray

    def __post_init__(self) -> None:
        for name in ("wq", "bq"):
            frozen = np.array(getattr(self, name))
            frozen.flags.writeable = False
            object.__setattr__(self, name, frozen)  # the dataclass itself is frozen

    @cached_property
    def forward_mantissa(self) -> np.ndarray:
        """``mantissa(wq).T`` (n_in, n_out) as float64 — exact, 8-bit integers — the operand
        of :func:`mantissa_product`."""
        return mantissa(self.wq).T.astype(np.float64)


def quantize_layer(w: np.ndarray, b: np.ndarray, headroom_shift: int = 1) -> FixedLayer:
    """The :class:`FixedLayer` of one float layer ``(W, b)``.

    Loihi's mixed-sign 8-bit weights are even values in [-256, 254] (``quantize_weights``);
    halving them gives a signed 8-bit mantissa ``m`` with the exponent raised by one. The
    shared exponent is the one of ``2**headroom_shift · W`` (``DeltaMGDConfig.
    weight_headroom_shift``), so that the weights can grow to ``2**headroom_shift`` times their
    largest initial magnitude before the mantissa saturates.
    """
    exp = quantize_weights(w * 2.0 ** headroom_shift).weight_exp
    even = quantize_weights(w, weight_exp=exp).mantissa.astype(np.int64)
    return FixedLayer((even >> 1) << TAG_BITS, int(exp) + 1, to_fixed(b, Z_FRAC))


def layer_at_exponent(w: np.ndarray, b: np.ndarray, exp: int) -> FixedLayer:
    """The :class:`FixedLayer` with exponent ``exp`` of real ``(W, b)`` that
    :func:`dequantize_layer` gave (exact: the inverse of :func:`dequantize_layer`), e.g. to
    resume a run from its checkpointed real parameters."""
    return FixedLayer(np.clip(np.round(np.asarray(w) * 2.0 ** (TAG_BITS - exp)), *WEIGHT_RANGE)
                      .astype(np.int64), int(exp), to_fixed(b, Z_FRAC))


def dequantize_layer(layer: FixedLayer) -> tuple[np.ndarray, np.ndarray]:
    """Real ``(W, b)`` of a fixed-point layer (weights including their tag bits)."""
    return (layer.wq.astype(np.float64) * 2.0 ** (layer.exp - TAG_BITS),
            layer.bq.astype(np.float64) / 2 ** Z_FRAC)


def mantissa(wq: np.ndarray) -> np.ndarray:
    """The 8-bit mantissa the synapse applies (the tag only holds learning precision)."""
    return wq >> TAG_BITS


def sample_cost(output: np.ndarray, label: int) -> np.ndarray:
    """``C = 1/2 Σ_k (o_k − t_k)²`` on A_FRAC activities, as a C_FRAC integer (24 bit)."""
    err = output_error(output, label)
    return saturate(scale_pow2((err * err).sum(axis=-1), C_FRAC - 2 * A_FRAC - 1))


def output_error(output: np.ndarray, label: int) -> np.ndarray:
    """``e = o − t`` (the squared error's ``∂C/∂o``) of A_FRAC outputs (..., n_classes) with
    one-hot target ``t``, int64 A_FRAC."""
    err = np.array(output, dtype=np.int64)
    err[..., label] -= 1 << A_FRAC
    return err


def step_mean(total: np.ndarray, shift: int, num_steps: int) -> np.ndarray:
    """``(total·2**shift) / T`` of a sum over the T steps of a sample (rounded shift, then
    floor division by T: the per-sample mean an integer neuron forms)."""
    return scale_pow2(total, shift) // num_steps


def lif_constants(beta: float, threshold: float) -> tuple[int, int]:
    """``(β_q, ϑ_q)``: the LIF decay on LIF_DECAY_BITS bits and the threshold on Z_FRAC bits."""
    return int(round(beta * (1 << LIF_DECAY_BITS))), int(to_fixed(threshold, Z_FRAC))


def lif_response(current: np.ndarray, beta_q: int, threshold_q: int,
                 slopes: list[np.ndarray] | None = None) -> np.ndarray:
    """LIF on integers (``lif_step_reset_next``: ``v = sign(p)(|p| >> 12) + z`` with
    ``p = β_q·v·(1 − s)``, ``s = v > θ``; spikes 0/1).

    With a list ``slopes``, also appends each neuron's rate slope ``ρ = ∂r/∂b`` (A_FRAC), the
    integer twin of ``equations.neuron_response``'s trace: ``σ'[t] = SLOPE(U[t] − ϑ)``,
    ``m[t] = 1 + β·m[t−1]·(1 − s[t−1] − U[t−1]·σ'[t−1])`` (A_FRAC, 24-bit saturated),
    ``ρ = (1/T) Σ_t σ'[t]·m[t]`` (64-bit accumulator of the 2·A_FRAC products).
    """
    v = np.zeros(current.shape[1:], dtype=np.int64)
    fired = np.zeros(current.shape[1:], dtype=np.int64)
    trace = np.full(current.shape[1:], 1 << A_FRAC, dtype=np.int64)
    total = np.zeros(current.shape[1:], dtype=np.int64)
    out = np.empty_like(current)
    for t in range(current.shape[0]):
        v, fired = lif_step_reset_next(v, fired, current[t], beta_q, threshold_q)
        out[t] = fired
        if slopes is not None:
            trace, total = slope_trace_step(v, fired, trace, total, beta_q, threshold_q)
    if slopes is not None:
        slopes.append(rate_slope(total, current.shape[0]))
    return out


def slope_trace_step(v: np.ndarray, fired: np.ndarray, trace: np.ndarray, total: np.ndarray,
                     beta_q: int, threshold_q: int) -> tuple[np.ndarray, np.ndarray]:
    """One step of the integer rate-slope trace (:func:`lif_response`) after the LIF step
    that gave ``(v, fired)``: ``(m, total)`` with ``σ' = SLOPE(U − ϑ)``, ``total += σ'·m``
    (int64, 2·A_FRAC) and ``m ← 1 + β·m·(1 − s − U·σ')`` (A_FRAC, 24-bit saturated)."""
    slope = SLOPE(scale_pow2(v - threshold_q, SLOPE_FRAC - Z_FRAC))
    factor = ((1 - fired) << A_FRAC) - shift_right_round(v * slope, Z_FRAC)
    new_trace = saturate((1 << A_FRAC) + shift_right_round(
        beta_q * shift_right_round(trace * factor, A_FRAC), LIF_DECAY_BITS))
    return new_trace, total + slope * trace


def rate_slope(total: np.ndarray, num_steps: int) -> np.ndarray:
    """The A_FRAC rate slope ``ρ = (1/T) Σ_t σ'[t]·m[t]`` from the trace's ``total``
    (:func:`slope_trace_step`) after the T steps of a pass."""
    return saturate(step_mean(total, -A_FRAC, num_steps))


def tanh_slope(act: np.ndarray, frac: int = A_FRAC) -> np.ndarray:
    """``f'(z) = 1 − a²`` of a tanh neuron from its output ``a`` with ``frac`` fractional
    bits (A_FRAC by default), on the same grid (int64)."""
    act = np.asarray(act, dtype=np.int64)
    return (1 << frac) - shift_right_round(act * act, frac)


def error_delta(err: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Output ``δ_L = e ⊙ f'(z_L)`` as D_FRAC integers from the A_FRAC error ``e`` and slope."""
    return saturate(scale_pow2(err * slope, D_FRAC - 2 * A_FRAC))


def chain_back(delta_out: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``δ_L @ K_l`` (D_FRAC, rounded, saturated) of the D_FRAC output δ and chain rows
    (n_classes, n_l): what a layer's astrocyte sends its synapses."""
    return saturate(shift_right_round(np.asarray(delta_out, dtype=np.int64) @ rows, D_FRAC))


def apply_slope(back: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """``δ̂_l = f'(z_l) ⊙ (δ_L @ K_l)`` (D_FRAC) from :func:`chain_back` and the A_FRAC slope
    of the postsynaptic neurons."""
    return saturate(shift_right_round(np.asarray(back, dtype=np.int64) * slope, A_FRAC))


def current_differences(total_plus: np.ndarray, total_minus: np.ndarray, step: float,
                        frac: int, num_steps: int) -> np.ndarray:
    """Chain rows ``K_l[k, j] = (z̄_L,k(a_j + h) − z̄_L,k(a_j − h)) / 2h`` (n_out, n_l), D_FRAC
    integers, from the Z_FRAC output currents of the probe rows summed over the T steps of the
    pass, (n_l, n_out) each; ``h = 2**k`` on the ``frac``-bit activity grid
    (:func:`fd_exponent`), so the division is a shift."""
    # (z+ − z−)/(2·2**k/2**frac): Z_FRAC -> D_FRAC, then the mean over the T steps
    shift = D_FRAC - Z_FRAC + frac - fd_exponent(step, frac) - 1
    return saturate(step_mean(np.asarray(total_plus) - total_minus, shift, num_steps)).T


def mantissa_product(inp: np.ndarray, mant: np.ndarray) -> np.ndarray:
    """The integer product ``inp @ mant`` of int64 inputs and 8-bit weight mantissas held
    as float64 (:attr:`FixedLayer.forward_mantissa`).

    Every partial sum is bounded by ``n·max|inp|·2**(WEIGHT_BITS − 1)``; below ``2**53`` the
    float64 (BLAS) product is exact and is used, else the int64 one.
    """
    bound = mant.shape[0] * int(np.abs(inp).max(initial=0)) << (WEIGHT_BITS - 1)
    if bound < 1 << 53:
        return (inp.astype(np.float64) @ mant).astype(np.int64)
    return inp @ mant.astype(np.int64)


def synaptic_current(layer: FixedLayer, inp: np.ndarray, in_frac: int) -> np.ndarray:
    """The unsaturated dendritic current ``W a + b`` (Z_FRAC, int64) of one layer for an
    input ``inp`` with ``in_frac`` fractional bits."""
    inp = np.asarray(inp, dtype=np.int64)
    acc = mantissa_product(inp, layer.forward_mantissa)  # value·2**(in_frac − e)
    return scale_pow2(acc, layer.exp + Z_FRAC - in_frac) + layer.bq


def perturbation_current(inp: np.ndarray, in_frac: int,
                         pert: tuple[np.ndarray, np.ndarray, int]) -> np.ndarray:
    """The astrocyte's contribution ``θ̃_W a + θ̃_b = 2**s (u (v·a) + u)`` to the dendritic
    current (Z_FRAC, unsaturated) of a rank-one θ̃, ``pert = (u, v, s)``: ``u`` (D_FRAC),
    ``v`` (A_FRAC activity) and the power-of-two amplitude ``2**s``; ``inp`` carries
    ``in_frac`` fractional bits."""
    u, v, s = pert
    # θ̃_W a = 2**s u (v·a): (D + A + in_frac) fractional bits -> Z_FRAC
    dot = np.asarray(inp, dtype=np.int64) @ v
    return (scale_pow2(u * dot[..., None], s + Z_FRAC - D_FRAC - A_FRAC - in_frac)
            + scale_pow2(u, s + Z_FRAC - D_FRAC))


def layer_current(layer: FixedLayer, inp: np.ndarray, in_frac: int,
                  pert: tuple[np.ndarray, np.ndarray, int] | None = None,
                  shift: np.ndarray | None = None, current: np.ndarray | None = None
                  ) -> np.ndarray:
    """Saturated dendritic current ``W a + b + θ̃_W a + θ̃_b + shift`` (Z_FRAC, 24 bit) of one
    layer (Alg. 1 lines 10 and 15).

    ``layer``: from :func:`quantize_layer`; ``inp`` carries ``in_frac`` fractional bits;
    ``pert``: the rank-one θ̃ (:func:`perturbation_current`); ``current``: the unsaturated
    ``W a + b`` (:func:`synaptic_current`) if already known (the perturbed pass reuses the
    clean pass's first-layer current).
    """
    if current is None:
        current = synaptic_current(layer, inp, in_frac)
    if pert is not None:
        current = current + perturbation_current(inp, in_frac, pert)
    if shift is not None:
        current = current + shift
    return saturate(current)


def to_activity(act: np.ndarray, in_frac: int) -> np.ndarray:
    """Presynaptic activity ``v`` in A_FRAC of a graded layer input with ``in_frac`` bits."""
    return scale_pow2(act, A_FRAC - in_frac)


def activity_sq_norm(v: np.ndarray) -> int:
    """``‖v‖²`` of an A_FRAC activity as the SQ_FRAC, 24-bit message a synapse sends its
    astrocyte (64-bit accumulator, then rounded and saturated)."""
    return int(saturate(scale_pow2(int((v.astype(np.int64) ** 2).sum()),
                                   SQ_FRAC - 2 * A_FRAC)))


def fd_exponent(step: float, frac: int) -> int:
    """``k`` with the finite-difference step ``h ≈ 2**k`` on a ``frac``-bit grid (the division
    by ``2h`` becomes a shift)."""
    return max(int(round(np.log2(step * (1 << frac)))), 0)


def cost_differences(cost_plus: np.ndarray, cost_minus: np.ndarray, step: float) -> np.ndarray:
    """Node-perturbation bias gradients ``δ = (C(b+h) − C(b−h))/2h`` (paper §III-A) from
    C_FRAC probe costs, as saturated D_FRAC integers (``h = 2**k`` on the Z_FRAC grid)."""
    k = fd_exponent(step, Z_FRAC)
    # (C+ − C−)/(2·2**k/2**Z): C_FRAC -> D_FRAC
    return saturate(scale_pow2(np.asarray(cost_plus) - cost_minus,
                                D_FRAC - C_FRAC + Z_FRAC - k - 1))


def probe_shifts(n: int, step: float) -> np.ndarray:
    """The ``2n`` bias shifts ``[+h·e_j; −h·e_j]`` of node perturbation (Z_FRAC, ``h = 2**k``)."""
    eye = np.eye(n, dtype=np.int64) << fd_exponent(step, Z_FRAC)
    return np.concatenate([eye, -eye])


def perturbation_scale(post: Sequence[np.ndarray], pre_sq: Sequence[int], epsilon: float
                       ) -> tuple[int, int]:
    """``(c, s)`` that scale a directed θ̃ to norm ε (global normalisation, Alg. 1 l. 14):
    the astrocyte sends ``u' = round(u·c / 2**(SCALE_BITS − 1))`` (:func:`scale_post`) and
    the synapses form ``θ̃ = 2**s u' ⊗ v``, so ``‖θ̃‖ = ε`` to within the SCALE_BITS-bit
    mantissa ``c`` (about 0.4 %).

    ``‖θ̃‖² = Σ_l ‖u_l‖²(‖v_l‖² + 1)`` is summed in a 64-bit accumulator from the D_FRAC
    ``u_l`` and the SQ_FRAC ``‖v_l‖²`` messages (:func:`activity_sq_norm`), i.e. as
    value·2**(2D + SQ); ``ε/‖θ̃‖`` is one integer square root and one integer division
    (the astrocyte's work on Loihi 2's embedded CPU), renormalised to a SCALE_BITS-bit
    mantissa ``c`` and an exponent ``s``. A zero θ̃ gives ``(0, 0)``.
    """
    sq = sum(int((u.astype(np.int64) ** 2).sum()) * (int(v_sq) + (1 << SQ_FRAC))
             for u, v_sq in zip(post, pre_sq, strict=True))
    if sq == 0:
        return 0, 0
    norm = math.isqrt(sq)  # ‖θ̃‖·2**(D + SQ/2)
    eps_m, eps_f = mantissa_shift(epsilon)
    pad = max(norm.bit_length() - eps_m.bit_length() + SCALE_BITS + 1, 0)
    quotient = (eps_m << pad) // norm  # (ε/‖θ̃‖)·2**(pad − D − SQ/2 + eps_f)
    excess = quotient.bit_length() - SCALE_BITS
    c = int(scale_pow2(quotient, -excess))
    if c >> SCALE_BITS:  # rounded up to 2**SCALE_BITS
        c, excess = c >> 1, excess + 1
    return c, excess - pad + D_FRAC + SQ_FRAC // 2 - eps_f + SCALE_BITS - 1


def scale_post(u: np.ndarray, c: int) -> np.ndarray:
    """``u' = round(u·c / 2**(SCALE_BITS − 1))``, D_FRAC, saturated (:func:`perturbation_scale`)."""
    return saturate(shift_right_round(np.asarray(u, dtype=np.int64) * c, SCALE_BITS - 1))


def mix_deltavecs(old: np.ndarray, new: np.ndarray, delta_mix: float) -> np.ndarray:
    """Refresh ``δ ← (1 − ρ)·δ + ρ·δ_new`` (Alg. 1 l. 5-7) with ρ on RATIO_FRAC bits, D_FRAC
    integers, rounded and saturated."""
    mix = int(to_fixed(delta_mix, RATIO_FRAC))
    return saturate(shift_right_round(((1 << RATIO_FRAC) - mix) * np.asarray(old, dtype=np.int64)
                                      + mix * np.asarray(new, dtype=np.int64), RATIO_FRAC))


def layer_steps(layer: FixedLayer, pert: tuple[np.ndarray, np.ndarray, int],
                coef: tuple[int, int], extra_bits: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(k·θ̃_W, k·θ̃_b)`` of one layer with ``k = m·2**-f`` (``coef = (m, f)``),
    ``θ̃_W = 2**s u ⊗ v``, ``θ̃_b = 2**s u``: the weight step rounded in weight+tag units
    ``2**(e − TAG_BITS)``, the bias step in Z_FRAC units, both with ``extra_bits`` more
    fractional bits (int64)."""
    (u, v, s), (coef_m, coef_frac) = pert, coef
    shift = s - D_FRAC - coef_frac + extra_bits
    # θ̃_W = 2**s u ⊗ v with D_FRAC + A_FRAC fractional bits
    return (scale_pow2(np.outer(coef_m * u, v), shift + TAG_BITS - layer.exp - A_FRAC),
            scale_pow2(coef_m * u, shift + Z_FRAC))


def step_layer(layer: FixedLayer, delta_w: np.ndarray, delta_b: np.ndarray) -> FixedLayer:
    """``W ← W − ΔW`` (clipped to the 16-bit WEIGHT_RANGE), ``b ← b − Δb`` (24-bit
    saturation): a new layer."""
    return FixedLayer(np.clip(layer.wq - delta_w, *WEIGHT_RANGE), layer.exp,
                      saturate(layer.bq - delta_b, STATE_BITS))


def update_layer(layer: FixedLayer, pert: tuple[np.ndarray, np.ndarray, int],
                 coef: tuple[int, int]) -> FixedLayer:
    """``Θ ← Θ − k·θ̃`` of one layer (Alg. 1 l. 17, SGD; :func:`layer_steps`,
    :func:`step_layer`); returns the new layer."""
    return step_layer(layer, *layer_steps(layer, pert, coef))


def momentum_update(layer: FixedLayer, pert: tuple[np.ndarray, np.ndarray, int],
                    coef: tuple[int, int], velocity: tuple[np.ndarray, np.ndarray],
                    shift: int) -> tuple[FixedLayer, tuple[np.ndarray, np.ndarray]]:
    """SGD with momentum ``β = 1 − 2**-b`` (``b = shift``) on integers, per parameter:

    ``t ← t + round((g − t)·2**-b)``, ``Θ ← Θ − round(t·2**-b)`` with ``g = k·θ̃·2**b``
    (:func:`layer_steps` with b extra fractional bits): the velocity ``t`` is the exponential
    average of the SGD steps held with ``b`` more fractional bits (VELOCITY_BITS, saturated),
    so a constant step ``k·θ̃`` moves Θ by ``k·θ̃`` per sample once ``t`` has settled.
    Returns the new layer and velocity ``(t_W, t_b)``.
    """
    grads = layer_steps(layer, pert, coef, shift)
    velocity = tuple(saturate(t + shift_right_round(g - t, shift), VELOCITY_BITS)
                     for t, g in zip(velocity, grads, strict=True))
    return step_layer(layer, *(shift_right_round(t, shift) for t in velocity)), velocity


def decay_layer(layer: FixedLayer, shift: int) -> FixedLayer:
    """``w ← w − round(w·2**-d)`` (``d = shift``) on the weight+tag integers: the learning
    engine's decay term ``dw = −2^-d·y0·w``; the biases are kept. Returns the new layer."""
    return FixedLayer(layer.wq - shift_right_round(layer.wq, shift), layer.exp, layer.bq)


class FixedNetwork:
    """A δ-MGD network held in Loihi integer formats (see the module table), with the
    per-sample interface of :class:`astrolava.mgd.equations.FloatNetwork`.

    Costs are C_FRAC integers and DeltaVecs D_FRAC integers (:meth:`real_cost`,
    :meth:`real_deltas` give their real values); perturbations are ``(u, v, s)``,
    ``θ̃ = 2**s u ⊗ v``; the coefficient ``k = m·2**-f`` is ``(m, f)``.

    Parameters
    ----------
    layers : sequence of (W, b)
        Float initial parameters; quantized here.
    spec : NetworkSpec
        Rate or spiking, tanh or linear output, LIF decay and threshold.
    config : DeltaMGDConfig, optional
        ε, γ, η and the DeltaVec mix; only what :func:`check_fixed_config` accepts.
    num_steps : int
        T of the rate code (spiking only).

    Attributes
    ----------
    layers : list of FixedLayer
        The integer parameters, replaced by new layers at every :meth:`update`.
    """

    def __init__(self, layers: Sequence[tuple[np.ndarray, np.ndarray]], spec: NetworkSpec,
                 config: DeltaMGDConfig | None = None, num_steps: int = 1,
                 exps: Sequence[int] | None = None) -> None:
        self.config = DeltaMGDConfig() if config is None else config
        check_fixed_config(self.config)
        self.layers = [quantize_layer(w, b, self.config.weight_headroom_shift)
                       for w, b in layers] if exps is None else \
            [layer_at_exponent(w, b, exp) for (w, b), exp in zip(layers, exps, strict=True)]
        engine = self.config.optimizer == ENGINE
        self.momentum: list[tuple[np.ndarray, np.ndarray]] | None = None
        """Per layer the velocity ``(t_W, t_b)`` of :func:`momentum_update` (``"engine"`` with
        ``momentum_shift > 0``), else None."""
        if engine and self.config.momentum_shift:
            self.momentum = [(np.zeros(layer.wq.shape, dtype=np.int64),
                              np.zeros(layer.bq.shape, dtype=np.int64))
                             for layer in self.layers]
        self.mean_squares: list[tuple[np.ndarray, np.ndarray]] | None = None
        """Per layer the running mean squares ``(r, c)`` of :func:`normalized_factors`
        (``"engine"`` with ``rms_shift > 0``), else None."""
        if engine and self.config.rms_shift:
            self.mean_squares = [(np.zeros(layer.bq.shape, dtype=np.int64),
                                  np.zeros(layer.wq.shape[1], dtype=np.int64))
                                 for layer in self.layers]
        self.step_size = mantissa_shift(self.config.eta)
        """η as ``(m, f)``, the step of the normalised factors (:func:`normalized_factors`)."""
        self.n_updates = 0
        """Updates applied (the step schedule's clock)."""
        self.spiking, self.output_tanh = spec.spiking, spec.output_tanh
        self.beta_q, self.threshold_q = lif_constants(spec.beta, spec.threshold)
        self.num_steps = num_steps
        self.rate, self.gamma = coefficient_constants(self.config.eta, self.config.epsilon,
                                                      self.config.gamma)

    def in_frac(self, index: int) -> int:
        """Fractional bits of layer ``index``'s input (spikes carry 0 fractional bits)."""
        if self.spiking:
            return 0
        return X_FRAC if index == 0 else A_FRAC

    def layer_forward(self, index: int, inp: np.ndarray,
                      pert: tuple[np.ndarray, np.ndarray, int] | None = None,
                      shift: np.ndarray | None = None, current_only: bool = False,
                      slopes: list[np.ndarray] | None = None,
                      current: np.ndarray | None = None) -> np.ndarray:
        """``f(W a + b + θ̃_W a + θ̃_b + shift)`` on integers (:func:`layer_current`, with a
        known unsaturated ``current = W a + b``); ``current_only`` stops before the neuron and
        returns the saturated current."""
        current = layer_current(self.layers[index], inp, self.in_frac(index), pert, shift,
                                current)
        return current if current_only else self.respond(index, current, slopes)

    def first_current(self, inp: np.ndarray) -> np.ndarray:
        """The first layer's unsaturated ``W_1 s_0 + b_1`` (:func:`synaptic_current`), which
        the clean and the perturbed pass share (:meth:`forward`'s ``current``)."""
        return synaptic_current(self.layers[0], inp, self.in_frac(0))

    def respond(self, index: int, current: np.ndarray,
                slopes: list[np.ndarray] | None = None) -> np.ndarray:
        """Neuron output of layer ``index`` for its integer current: tanh LUT or LIF spikes
        (``slopes``: a list receiving the LIF rate slopes, :func:`lif_response`)."""
        if self.spiking:
            return lif_response(current, self.beta_q, self.threshold_q, slopes)
        if slopes is not None:
            raise ValueError("slopes are only measured for a spiking network")
        last = index == len(self.layers) - 1
        if last and not self.output_tanh:
            return saturate(scale_pow2(current, A_FRAC - Z_FRAC))
        return TANH(current)

    def forward_from(self, start: int, inp: np.ndarray, perts: list | None = None,
                     shift: np.ndarray | None = None, slopes: list[np.ndarray] | None = None,
                     current: np.ndarray | None = None) -> list[np.ndarray]:
        """Outputs of layers ``start..L`` (``shift`` and a known unsaturated ``current`` on
        layer ``start`` only)."""
        outs = []
        for index in range(start, len(self.layers)):
            first = index == start
            inp = self.layer_forward(index, inp, None if perts is None else perts[index],
                                     shift if first else None, slopes=slopes,
                                     current=current if first else None)
            outs.append(inp)
        return outs

    def forward(self, inp: np.ndarray, perts: list | None = None,
                slopes: list[np.ndarray] | None = None,
                current: np.ndarray | None = None) -> list[np.ndarray]:
        """``[s_0, ..., s_L]`` as integers (spike trains for the spiking network); ``slopes``
        (spiking, an empty list) receives every layer's A_FRAC rate slope ``ρ_l``;
        ``current``: :meth:`first_current` if already known."""
        return [np.asarray(inp, dtype=np.int64), *self.forward_from(0, inp, perts,
                                                                   slopes=slopes,
                                                                   current=current)]

    def activity(self, act: np.ndarray, index: int) -> np.ndarray:
        """Presynaptic activity in A_FRAC: the graded value, or the spike count·2**A/T."""
        if self.spiking:
            return step_mean(act.sum(axis=0), A_FRAC, self.num_steps)
        return to_activity(act, self.in_frac(index))

    def readout(self, last: np.ndarray) -> np.ndarray:
        """Network output in A_FRAC: the last activities, or the output firing rates."""
        return self.activity(last, len(self.layers)) if self.spiking else last

    def cost(self, last: np.ndarray, label: int) -> np.ndarray:
        """C_FRAC cost of the last layer's output (:func:`sample_cost`)."""
        return sample_cost(self.readout(last), label)

    def real_cost(self, cost: int) -> float:
        """A C_FRAC cost in real units."""
        return int(cost) / 2.0 ** C_FRAC

    def node_perturbation_deltas(self, acts: list[np.ndarray], label: int,
                                 step: float) -> list[np.ndarray]:
        """Central differences ``(C(b+h) − C(b−h))/2h`` on every bias, D_FRAC integers
        (:func:`probe_shifts`, :func:`cost_differences`)."""
        deltas = []
        for index, layer in enumerate(self.layers):
            n = layer.bq.shape[0]
            # the 2n copies share layer ``index``'s clean current: the shift is its only change
            current = self.layer_forward(index, acts[index], current_only=True)
            out = self.respond(index, saturate(current[..., None, :] + probe_shifts(n, step)))
            last = out if index == len(self.layers) - 1 else \
                self.forward_from(index + 1, out)[-1]
            cost = self.cost(last, label)
            deltas.append(cost_differences(cost[:n], cost[n:], step))
        return deltas

    def output_current_jacobians(self, acts: list[np.ndarray], step: float
                                 ) -> list[np.ndarray]:
        """Chain DeltaVec rows ``K_l[k, j] ≈ ∂z_L,k/∂a_l,j`` (n_out, n_l) as D_FRAC integers.

        Integer twin of ``equations.output_current_jacobians``: the hidden activity is moved
        by ``±h = ±2**k`` on its own grid (A_FRAC graded values; 0/1 spikes, moved at every
        step, so ``h >= 1``) — the fd step rounded to a power of two so the division is a
        shift — layers ``l+1..L`` run to the saturated output current (Z_FRAC; spiking: its
        mean over the T steps), central differences.
        """
        last = len(self.layers) - 1
        rows = []
        for index in range(last):
            frac = self.in_frac(index + 1)
            k = fd_exponent(step, frac)
            out = acts[index + 1]
            n = out.shape[-1]
            eye = np.eye(n, dtype=np.int64) << k
            shifted = saturate(out[..., None, :] + np.concatenate([eye, -eye]))
            hidden = self.forward_from(index + 1, shifted)[-2] if index + 1 < last else shifted
            values = self.layer_forward(last, hidden, current_only=True)
            if self.spiking:
                values = values.sum(axis=0)
            rows.append(current_differences(values[:n], values[n:], step, frac,
                                            self.num_steps if self.spiking else 1))
        return rows

    def output_delta(self, output: np.ndarray, label: int,
                     slope: np.ndarray | None = None) -> np.ndarray:
        """Exact output δ_L = ``(o − t)·f'(z_L)`` (squared error) as D_FRAC integers, with
        ``f' = 1 − o²`` (tanh output, A_FRAC arithmetic), 1 (linear output), or a spiking
        output's A_FRAC rate slope ``slope = ρ_L`` (``o`` its firing rates)."""
        if self.spiking and slope is None:
            raise ValueError("the exact output δ of a spiking network needs its rate slope "
                             "(slope=None given)")
        err = output_error(self.readout(output), label)
        if not self.spiking:
            if not self.output_tanh:
                return saturate(scale_pow2(err, D_FRAC - A_FRAC))
            slope = tanh_slope(output)
        return error_delta(err, slope)

    def chain_deltas(self, acts: list[np.ndarray], rows: Sequence[np.ndarray],
                     delta_out: np.ndarray, slopes: Sequence[np.ndarray] | None = None
                     ) -> list[np.ndarray]:
        """``δ̂_l = f'(z_l) ⊙ (δ_L @ K_l)`` (hidden layers), ``δ̂_L = δ_L``, D_FRAC integers,
        with ``f' = 1 − a_l²`` (tanh) or the A_FRAC rate slopes ``slopes[l]`` (spiking)
        (integer twin of ``equations.chain_deltas``)."""
        local = [tanh_slope(a) for a in acts[1:-1]] if slopes is None else slopes[:-1]
        hidden = [apply_slope(chain_back(delta_out, k), f)
                  for f, k in zip(local, rows, strict=True)]
        return [*hidden, delta_out]

    def mix_deltavecs(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Refresh ``δ ← (1 − ρ)·δ + ρ·δ_new`` (:func:`mix_deltavecs`, ``config.delta_mix``)."""
        return mix_deltavecs(old, new, self.config.delta_mix)

    def real_deltas(self, deltas: np.ndarray) -> np.ndarray:
        """D_FRAC DeltaVecs in real units."""
        return deltas / 2.0 ** D_FRAC

    def perturbations(self, post: Sequence[np.ndarray], pre: Sequence[np.ndarray]
                      ) -> list[tuple[np.ndarray, np.ndarray, int]]:
        """Every layer's ``θ̃ = (u', v, s)`` from its D_FRAC DeltaVec ``post`` and A_FRAC
        activity ``pre``, scaled to norm ε by one mantissa and one power of two (global
        normalisation, Alg. 1 l. 14: :func:`perturbation_scale`, :func:`scale_post`)."""
        c, s = perturbation_scale(post, [activity_sq_norm(v) for v in pre], self.config.epsilon)
        return [(scale_post(u, c), v, s) for u, v in zip(post, pre, strict=True)]

    def coefficient(self, delta_cost: int, cost0: int) -> tuple[int, int]:
        """``k = (η/ε²)·ΔC·w`` as ``(m, f)`` (:func:`learning_coefficient`; η is folded in)."""
        return learning_coefficient(int(delta_cost), int(cost0), self.rate, self.gamma)

    def update(self, perts: list, coef: tuple[int, int]) -> None:
        """``Θ ← Θ − k·θ̃`` of every layer: SGD (:func:`update_layer`) or the ``"engine"``
        optimizer: with ``config.rms_shift > 0`` the factors ``(k·2**s u, v)`` of ``k·θ̃``
        are first replaced by their per-neuron normalised versions ``(ĝ, â)`` and the step by
        η (:func:`normalized_factors`); then per-layer step exponents and the step schedule
        (:meth:`engine_coefficients`) and, with ``config.momentum_shift > 0``, momentum held
        per synapse (:func:`momentum_update`). With ``config.decay_shift > 0`` the weights
        first decay (:func:`decay_layer`): the step does not depend on them, so together
        ``w ← w − round(w·2**-d) − η t``, the engine's ``dw`` with both terms."""
        if self.mean_squares is not None:
            shift = min(self.config.rms_shift, (self.n_updates + 1).bit_length() - 1)
            steps = [normalized_factors(pert, coef, sq, shift, self.config.activity_eps,
                                        self.config.rms_pre)
                     for pert, sq in zip(perts, self.mean_squares, strict=True)]
            perts = [factors for factors, _ in steps]
            self.mean_squares = [sq for _, sq in steps]
            coef = self.step_size
        if self.config.optimizer == ENGINE and self.config.decay_shift:
            self.layers = [decay_layer(layer, self.config.decay_shift) for layer in self.layers]
        if self.config.optimizer != ENGINE:
            self.layers = [update_layer(layer, pert, coef)
                           for layer, pert in zip(self.layers, perts, strict=True)]
        elif self.momentum is None:
            self.layers = [update_layer(layer, pert, c) for layer, pert, c
                           in zip(self.layers, perts, self.engine_coefficients(coef),
                                  strict=True)]
        else:
            steps = [momentum_update(layer, pert, c, t, self.config.momentum_shift)
                     for layer, pert, c, t in zip(self.layers, perts,
                                                  self.engine_coefficients(coef),
                                                  self.momentum, strict=True)]
            self.layers = [layer for layer, _ in steps]
            self.momentum = [t for _, t in steps]
        self.n_updates += 1

    def optimizer_state(self) -> np.ndarray | None:
        """The engine optimizer's state as a (2, n_weights + n_biases) float64 array (exact:
        all values are integers below 2**53), or None when it has none: row 0 the velocities
        (all ``t_W`` row-major, then all ``t_b``), row 1 the running mean squares
        ``r_0, c_0, r_1, c_1, …`` followed by zeros."""
        if self.momentum is None and self.mean_squares is None:
            return None
        n_weights = sum(layer.wq.size for layer in self.layers)
        state = np.zeros((2, n_weights + sum(layer.bq.size for layer in self.layers)))
        if self.momentum is not None:
            state[0] = np.concatenate([t.ravel() for t, _ in self.momentum]
                                      + [t for _, t in self.momentum])
        if self.mean_squares is not None:
            squares = np.concatenate([part for pair in self.mean_squares for part in pair])
            state[1, :squares.size] = squares
        return state

    def load_optimizer_state(self, state: np.ndarray) -> None:
        """Set the engine optimizer's state from :meth:`optimizer_state`'s array."""
        state = np.asarray(state).astype(np.int64)
        if self.momentum is not None:
            n_weights = sum(layer.wq.size for layer in self.layers)
            weights = np.split(state[0, :n_weights], np.cumsum(
                [layer.wq.size for layer in self.layers])[:-1])
            biases = np.split(state[0, n_weights:], np.cumsum(
                [layer.bq.size for layer in self.layers])[:-1])
            self.momentum = [(w.reshape(layer.wq.shape), b) for w, b, layer
                             in zip(weights, biases, self.layers, strict=True)]
        if self.mean_squares is not None:
            widths = [n for layer in self.layers for n in (layer.bq.size, layer.wq.shape[1])]
            parts = np.split(state[1, :sum(widths)], np.cumsum(widths)[:-1])
            self.mean_squares = list(zip(parts[::2], parts[1::2], strict=True))

    def engine_coefficients(self, coef: tuple[int, int]) -> list[tuple[int, int]]:
        """Each layer's ``k·2**(s_l − h)`` as ``(m, f)``: the per-layer step exponents
        ``s_l`` (``config.layer_eta_shifts``) and ``h`` halvings of the step schedule
        (``n_updates // config.eta_halving``)."""
        cfg = self.config
        halvings = self.n_updates // cfg.eta_halving if cfg.eta_halving else 0
        shifts = cfg.layer_eta_shifts or (0,) * len(self.layers)
        if len(shifts) != len(self.layers):
            raise ValueError(f"layer_eta_shifts={shifts} must give one shift per layer "
                             f"({len(self.layers)})")
        return [(coef[0], coef[1] + halvings - shift) for shift in shifts]


def isqrt(x: np.ndarray) -> np.ndarray:
    """``⌊√x⌋`` of non-negative int64 integers below 2**62, exactly (a float square root
    corrected by one step either way)."""
    x = np.asarray(x, dtype=np.int64)
    root = np.floor(np.sqrt(x.astype(np.float64))).astype(np.int64)
    root -= root * root > x
    root += (root + 1) * (root + 1) <= x
    return root


def shift_saturate(x: np.ndarray, e: int, bits: int) -> np.ndarray:
    """``x·2**e`` saturated to ``bits`` bits (rounded half up for ``e < 0``), without int64
    overflow for a large left shift."""
    x = np.asarray(x, dtype=np.int64)
    if e > 0:
        limit = (1 << (bits - 1)) >> min(e, bits - 1)
        x = np.clip(x, -limit - 1, limit + 1)
    return saturate(scale_pow2(x, e), bits)


def running_mean_square(mean: np.ndarray, value: np.ndarray, shift: int) -> np.ndarray:
    """``r ← r + round((x² − r)·2**-b)``: the running mean of ``x²`` with ``β = 1 − 2**-b``
    (``b = shift``; the caller's ``b = min(b_max, ⌊log₂ t⌋)`` at update ``t`` averages the
    first updates evenly, in place of Adam's bias correction)."""
    return mean + shift_right_round(value * value - mean, shift)


def normalize(value: np.ndarray, mean_square: np.ndarray, frac: int, floor: int = 1
              ) -> np.ndarray:
    """``x / (√r + floor)`` with ``frac`` fractional bits, ``r`` the running mean of ``x²`` on
    the grid of ``x²`` (rounded toward zero, saturated to 24 bits)."""
    quotient = (np.abs(value) << frac) // (isqrt(mean_square) + floor)
    return saturate(np.sign(value) * quotient)


def normalized_factors(pert: tuple[np.ndarray, np.ndarray, int], coef: tuple[int, int],
                       mean_squares: tuple[np.ndarray, np.ndarray], shift: int,
                       activity_eps: float, pre: bool
                       ) -> tuple[tuple[np.ndarray, np.ndarray, int],
                                  tuple[np.ndarray, np.ndarray]]:
    """The engine optimizer's per-neuron normalisation of one layer's rank-one step
    ``k·θ̃ = g ⊗ a``, ``g = k·2**s u`` (an RMSprop/Adafactor-style second moment, factored
    over the neurons because the step is rank one):

    ``r_i ← r_i + (g_i² − r_i)·2**-b``, ``ĝ_i = g_i / (√r_i + 2**-G_FRAC)`` (postsynaptic
    neuron ``i``); with ``pre``, also ``c_j ← c_j + (a_j² − c_j)·2**-b``,
    ``â_j = a_j / (√c_j + ε_a)`` (presynaptic neuron ``j``), else ``â = a``.

    ``g`` is held on G_FRAC bits (saturated to G_BITS, so ``g²`` stays below 2**53 and its
    running mean is exact in a float64 checkpoint), ``a`` on A_FRAC bits. Returns the
    factors as a perturbation ``(ĝ, â, 0)`` (ĝ on D_FRAC, â on A_FRAC bits), so that
    :func:`update_layer` with ``k = η`` applies ``Θ ← Θ − η·ĝ ⊗ â`` (bias ``− η·ĝ``), and
    the new ``(r, c)``.
    """
    (u, a, s), (m, f) = pert, coef
    g = shift_saturate(m * np.asarray(u, dtype=np.int64), s + G_FRAC - f - D_FRAC, G_BITS)
    r = running_mean_square(mean_squares[0], g, shift)
    c = running_mean_square(mean_squares[1], a, shift) if pre else mean_squares[1]
    post = normalize(g, r, D_FRAC)
    if pre:
        a = normalize(a, c, A_FRAC, max(int(to_fixed(activity_eps, A_FRAC)), 1))
    return (post, a, 0), (r, c)


FIXED_CONSTANT_RANGE = (2.0 ** -24, 2.0 ** 14)
"""Range of η, ε, the finite-difference step and η/ε² that the fixed_pt models represent:
:func:`mantissa_shift` pairs whose shifts stay within the int64 arithmetic of the models."""


def check_fixed_config(config: DeltaMGDConfig) -> None:
    """Raise ``ValueError`` unless ``config`` (a ``DeltaMGDConfig``) is what the fixed_pt models
    implement: ``loss="mse"``, ``optimizer`` in FIXED_OPTIMIZERS, no weight decay, no
    activation threshold, ``normalize="global"``."""
    wanted = {"loss": "mse", "weight_decay": 0.0, "activation_threshold": 0.0,
              "normalize": "global"}
    wrong = {key: getattr(config, key) for key, value in wanted.items()
             if getattr(config, key) != value}
    if config.optimizer not in FIXED_OPTIMIZERS:
        wrong["optimizer"] = config.optimizer
    if wrong:
        raise ValueError(f"{wrong}: the fixed_pt models support only {wanted} and optimizer "
                         f"in {FIXED_OPTIMIZERS}")
    low, high = FIXED_CONSTANT_RANGE
    for name in ("eta", "epsilon", "fd_step"):  # held as mantissa-shift pairs (mantissa_shift)
        if not low <= getattr(config, name) <= high:
            raise ValueError(f"{name}={getattr(config, name)} must lie in [{low}, {high}] on the "
                             f"fixed_pt models (their shifts and mantissas hold no more)")
    if not low <= config.eta / config.epsilon ** 2 <= high:
        raise ValueError(f"eta/epsilon**2={config.eta / config.epsilon ** 2} must lie in "
                         f"[{low}, {high}] on the fixed_pt models")


def mantissa_shift(value: float, bits: int = COEF_BITS) -> tuple[int, int]:
    """A real constant as ``(m, f)`` with ``value ≈ m·2**-f`` and ``|m| < 2**(bits−1)``."""
    if value == 0:
        return 0, 0
    f = bits - 2 - int(np.floor(np.log2(abs(value))))
    return int(round(value * 2.0 ** f)), f


def coefficient_constants(eta: float, epsilon: float, gamma: float
                          ) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The constants of :func:`learning_coefficient`: ``η/ε²`` and ``γ`` (``None`` when
    ``γ = 0``, no cost weighting), each as a :func:`mantissa_shift` pair."""
    return mantissa_shift(eta / epsilon ** 2), mantissa_shift(gamma) if gamma > 0 else None


def learning_coefficient(delta_cost_q: int, cost0_q: int, rate: tuple[int, int],
                         gamma: tuple[int, int] | None) -> tuple[int, int]:
    """``k = (η/ε²)·ΔC·w`` (Alg. 1 l. 17, ``w = γ·C0`` or 1) as a COEF_BITS mantissa and shift.

    ``rate`` and ``gamma`` are the model constants from :func:`coefficient_constants`; the product
    of integers is renormalised to COEF_BITS bits (round half up) like a learning engine's
    mantissa-exponent product.
    """
    m, f = rate[0] * int(delta_cost_q), rate[1] + C_FRAC
    if gamma is not None:
        m, f = m * gamma[0] * int(cost0_q), f + gamma[1] + C_FRAC
    excess = max(abs(m).bit_length() - (COEF_BITS - 1), 0)
    if excess:
        m = (m + (1 << (excess - 1))) >> excess  # Python ints: no overflow before the shift
    return m, f - excess
