"""Mapping a :class:`NetworkSpec` onto Loihi's integer formats (fixed_pt graphs).

The registers and their widths are Loihi 2's (Davies et al., "Advancing neuromorphic computing
with Loihi: a survey of results and outlook", Proc. IEEE 109(5), 2021) as Lava's bit-accurate
``PyDenseModelBitAcc`` and ``PyLifModelBitAcc`` model them; the constants live in
:mod:`astrolava.fixed_point`.

Rate graph (``GradedTanh`` layers): a graded payload with ``F_prev`` fractional bits enters a
``Dense`` whose 8-bit mantissa ``m`` and exponent ``e`` give ``W ~= m * 2**e`` (from
``astrolava.fixed_point.quantize_weights``). Lava's fixed_pt ``Dense`` computes
``(m @ x_q) << weight_exp``; with ``weight_exp = e - F_prev + F_act`` that is
``round_down(W x * 2**F_act)``, the pre-activation on the ``GradedTanh`` input grid.

Spiking graph (Lava ``LIF``, ``PyLifModelBitAcc``): the ``Dense`` with ``weight_exp = e + F``
delivers ``W s * 2**F``; the LIF shifts its input left by LIF_ACT_SHIFT = 6, so ``u`` and ``v``
hold ``2**(F+6)`` per real unit; the threshold register is also shifted by 6, so
``vth = threshold * 2**F``; the bias is ``bias_mant << bias_exp`` on the ``v`` grid; the
decays are 12-bit: ``du = 4095`` (Lava's model adds 1, so the current decays fully and is
replaced each step) and ``dv = round((1 - beta) * 4096)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrolava.fixed_point import (
    LIF_ACT_SHIFT,
    LIF_BIAS_BITS,
    LIF_BIAS_EXP_MAX,
    LIF_DECAY_BITS,
    LIF_VTH_BITS,
    STATE_BITS,
    int_range,
    quantize_weights,
)


@dataclass(frozen=True)
class FixedPointFormat:
    """Fractional bits used by a fixed_pt deployment.

    Parameters
    ----------
    input_frac_bits : int in 0..22
        Graded input payload ``round(x * 2**input_frac_bits)`` (rate nets).
    act_frac_bits : int in 0..20
        ``GradedTanh`` input and output grid (rate nets): pre-activations within
        ``+-2**(23 - act_frac_bits)`` are representable.
    lif_frac_bits : int in 0..16
        One real unit of LIF current is ``2**lif_frac_bits`` at the ``Dense`` output; currents
        up to ``2**(17 - lif_frac_bits)`` and thresholds below ``2**(17 - lif_frac_bits)``
        are representable.
    """

    input_frac_bits: int = 8
    act_frac_bits: int = 12
    lif_frac_bits: int = 11

    def __post_init__(self) -> None:
        for name, hi in (("input_frac_bits", STATE_BITS - 2), ("act_frac_bits", 20),
                         ("lif_frac_bits", LIF_VTH_BITS - 1)):
            value = getattr(self, name)
            if int(value) != value or not 0 <= value <= hi:
                raise ValueError(f"{name}={value} must be an integer in 0..{hi}")


@dataclass(frozen=True)
class FixedDense:
    """Integer ``Dense`` parameters: ``a_out = (mantissa @ s_in) << weight_exp``."""

    mantissa: np.ndarray
    weight_exp: int


@dataclass(frozen=True)
class FixedLIF:
    """Integer parameters of a Lava LIF layer (see the module docstring for the units)."""

    du: int
    dv: int
    vth: int
    bias_mant: np.ndarray
    bias_exp: np.ndarray


def check_input_range(parameter: str, weights: np.ndarray, bias: np.ndarray, input_max: float,
                      limit: float, limit_note: str) -> None:
    """Refuse weights whose worst-case input ``sum_j |W_ij| * input_max + |b_i|`` exceeds ``limit``.

    Raises
    ------
    ValueError
        Naming ``parameter``, the worst case reached and the representable range.
    """
    worst = float((np.abs(weights).sum(axis=1) * input_max + np.abs(bias)).max())
    if worst > limit:
        raise ValueError(f"{parameter}: sum_j |W_ij| * {input_max:g} + |b_i| reaches {worst:.4g}; "
                         f"the fixed_pt graph represents inputs within +-{limit:g} "
                         f"({limit_note})")


def dense_fixed(weights: np.ndarray, in_frac_bits: int, out_frac_bits: int) -> FixedDense:
    """``Dense`` whose integer output carries ``out_frac_bits`` for inputs with ``in_frac_bits``.

    Implements ``weight_exp = e - in_frac_bits + out_frac_bits`` for ``W ~= m * 2**e``.
    """
    q = quantize_weights(weights)
    return FixedDense(q.mantissa, q.weight_exp - in_frac_bits + out_frac_bits)


def rate_layer_fixed(layer: int, weights: np.ndarray, bias: np.ndarray, input_max: float,
                     in_frac_bits: int, fmt: FixedPointFormat) -> FixedDense:
    """``Dense`` of a GradedTanh layer, after checking its pre-activations fit 24 bits."""
    limit = 2.0 ** (STATE_BITS - 1 - fmt.act_frac_bits)
    check_input_range(f"layers.{layer}.weight", weights, bias, input_max, limit,
                      f"24-bit state with act_frac_bits={fmt.act_frac_bits}")
    return dense_fixed(weights, in_frac_bits, fmt.act_frac_bits)


def lif_layer_fixed(layer: int, weights: np.ndarray, bias: np.ndarray, beta: float,
                    threshold: float, fmt: FixedPointFormat) -> tuple[FixedDense, FixedLIF]:
    """``Dense`` and ``LIF`` registers of one spiking layer (spike inputs in {0, 1}).

    Raises
    ------
    ValueError
        If the threshold, the bias, the decay or the largest input current cannot be held by
        the LIF registers (each message names the parameter and its range).
    """
    F = fmt.lif_frac_bits
    vth = int(round(threshold * 2 ** F))
    if vth > 2 ** LIF_VTH_BITS - 1:
        raise ValueError(f"threshold={threshold} cannot be represented: threshold * 2**{F} must "
                         f"be <= {2 ** LIF_VTH_BITS - 1} (lower lif_frac_bits)")
    dv = int(round((1.0 - beta) * 2 ** LIF_DECAY_BITS))
    if dv > 2 ** LIF_DECAY_BITS - 1:
        raise ValueError(f"beta={beta} cannot be represented: the 12-bit dv = (1 - beta) * 4096 "
                         f"must be <= 4095, i.e. beta >= {0.5 / 2 ** LIF_DECAY_BITS:.3g}")
    v_unit = 2.0 ** (F + LIF_ACT_SHIFT)
    check_input_range(f"layers.{layer}.weight", weights, bias, 1.0,
                      2.0 ** (STATE_BITS - 1) / v_unit,
                      f"24-bit LIF current with lif_frac_bits={F}")
    mant_lo, mant_hi = int_range(LIF_BIAS_BITS)
    scaled = bias * v_unit
    bias_exp = np.clip(np.ceil(np.log2(np.maximum(np.abs(scaled), 1.0) / mant_hi)),
                       0, None).astype(int)
    if bias_exp.max(initial=0) > LIF_BIAS_EXP_MAX:
        raise ValueError(f"layers.{layer}.bias cannot be represented: |b| * 2**{F + LIF_ACT_SHIFT}"
                         f" must be <= {mant_hi} * 2**{LIF_BIAS_EXP_MAX}, i.e. "
                         f"|b| <= {mant_hi * 2 ** LIF_BIAS_EXP_MAX / v_unit:.4g}")
    bias_mant = np.clip(np.rint(scaled / 2.0 ** bias_exp), mant_lo, mant_hi).astype(int)
    lif = FixedLIF(du=2 ** LIF_DECAY_BITS - 1, dv=dv, vth=vth, bias_mant=bias_mant,
                   bias_exp=bias_exp)
    return dense_fixed(weights, 0, F), lif


def rate_error_bound(weights: list[np.ndarray], input_max: float,
                     fmt: FixedPointFormat) -> float:
    """Worst-case ``max |a_fixed - a_float|`` at the output of a fixed_pt rate graph.

    With ``Ŵ`` the quantized weights, ``Fx = input_frac_bits``, ``Fa = act_frac_bits`` and
    tanh 1-Lipschitz, the error ``ε_l`` of layer ``l``'s activations obeys::

        ε_0 = 2**-(Fx+1)                                     (input rounding)
        ε_l = max_i [sum_j |W_ij - Ŵ_ij| x_max + sum_j |Ŵ_ij| ε_{l-1}]
              + 2**-(Fa+1)  (bias rounding) + 2**-Fa  (Dense shift, rounds down)
              + 2**-(Fa+1)  (tanh table rounding)

    where ``x_max`` is ``input_max`` for the first layer and 1 after a tanh.
    """
    eps, x_max = 2.0 ** -(fmt.input_frac_bits + 1), input_max
    rounding = 2.0 * 2.0 ** -fmt.act_frac_bits
    for w in weights:
        w_hat = quantize_weights(w).dequantize()
        eps = float((np.abs(w - w_hat).sum(axis=1) * x_max
                     + np.abs(w_hat).sum(axis=1) * eps).max()) + rounding
        x_max = 1.0
    return eps
