"""Loihi-compatible fixed-point formats shared by every fixed_pt process model.

Conventions (Loihi 2, see Davies et al. 2021 and Lava's ``PyDenseModelBitAcc``):

* **Weights**: signed 8-bit mantissa ``W_int`` (mixed sign: even values in [-256, 254]) and one
  shared exponent per synapse matrix; the effective weight is ``W_int * 2**weight_exp``.
  Lava's fixed_pt ``Dense`` applies the exponent to the accumulated input as a shift.
* **Neuron state and graded spikes**: signed 24-bit integers; a real value ``v`` is held as
  ``round(v * 2**frac_bits)`` and *saturates* at the 24-bit limits instead of wrapping.
* **Nonlinearities** (tanh, sine) are lookup tables indexed by the integer state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lava.utils.weightutils import SignMode, clip_weights, truncate_weights

STATE_BITS = 24
"""Width of neuron state variables and graded spike payloads on Loihi 2."""
WEIGHT_BITS = 8
"""Width of the synaptic weight mantissa on Loihi."""


def int_range(bits: int) -> tuple[int, int]:
    """Smallest and largest value of a signed two's-complement integer of ``bits`` bits."""
    if bits < 1:
        raise ValueError(f"bits={bits} must be >= 1")
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def saturate(x: np.ndarray | int, bits: int = STATE_BITS) -> np.ndarray:
    """Clip integers to the signed ``bits``-bit range (saturating arithmetic, no wrap-around)."""
    lo, hi = int_range(bits)
    return np.clip(np.asarray(x, dtype=np.int64), lo, hi)


def to_fixed(x: np.ndarray | float, frac_bits: int, bits: int = STATE_BITS) -> np.ndarray:
    """Real value -> saturated integer ``round(x * 2**frac_bits)``."""
    return saturate(np.rint(np.asarray(x, dtype=np.float64) * (1 << frac_bits)), bits)


def from_fixed(q: np.ndarray | int, frac_bits: int) -> np.ndarray:
    """Integer with ``frac_bits`` fractional bits -> float64."""
    return np.asarray(q, dtype=np.float64) / (1 << frac_bits)


@dataclass(frozen=True)
class QuantizedWeights:
    """An 8-bit weight mantissa with a shared exponent: ``w ~= mantissa * 2**weight_exp``."""

    mantissa: np.ndarray
    weight_exp: int

    def dequantize(self) -> np.ndarray:
        return self.mantissa.astype(np.float64) * 2.0 ** self.weight_exp


def weight_exponent(max_abs: float, bits: int = WEIGHT_BITS) -> int:
    """Smallest exponent ``e`` with ``max_abs / 2**e`` inside the mixed-sign mantissa range."""
    if not np.isfinite(max_abs) or max_abs < 0:
        raise ValueError(f"max_abs={max_abs} must be finite and >= 0")
    if max_abs == 0:
        return 0
    _, hi = int_range(bits + 1)  # mixed sign: 8-bit mantissa x 2 = 9-bit range [-256, 254]
    return int(np.ceil(np.log2(max_abs / (hi - 1))))


def quantize_weights(weights: np.ndarray, weight_exp: int | None = None,
                     bits: int = WEIGHT_BITS) -> QuantizedWeights:
    """Quantize float weights to Loihi's 8-bit mantissa and shared exponent.

    The exponent is chosen so the largest weight fills the mantissa (unless given); weights
    are rounded to the nearest point of the mantissa grid, then clipped and truncated to
    Loihi's format by Lava's own ``lava.utils.weightutils``.

    Parameters
    ----------
    weights : numpy.ndarray
        Finite float weights.
    weight_exp : int, optional
        Shared exponent; by default :func:`weight_exponent` of ``max(abs(weights))``.
    bits : int
        Mantissa bits, 1..8 (Loihi's synapse holds at most 8).

    Raises
    ------
    ValueError
        If weights are not finite or ``bits`` is outside 1..8.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(weights)):
        raise ValueError("weights must be finite (found NaN or inf); they cannot be quantized")
    if not 1 <= bits <= WEIGHT_BITS:
        raise ValueError(f"bits={bits} must lie in 1..{WEIGHT_BITS}")
    if weight_exp is None:
        weight_exp = weight_exponent(float(np.abs(weights).max(initial=0.0)), bits)
    # Round to nearest on the grid Loihi can hold (mixed sign: multiples of 2**(9 - bits));
    # Lava's truncation then leaves the values unchanged instead of rounding them all down.
    step = 1 << (WEIGHT_BITS - bits + 1)
    scaled = (np.rint(weights / (2.0 ** weight_exp * step)) * step).astype(np.int32)
    mantissa = clip_weights(scaled, SignMode.MIXED, num_bits=WEIGHT_BITS)
    mantissa = truncate_weights(mantissa, SignMode.MIXED, num_weight_bits=bits)
    return QuantizedWeights(mantissa=np.asarray(mantissa, dtype=np.int32),
                            weight_exp=int(weight_exp))


@dataclass(frozen=True)
class LookupTable:
    """A nonlinearity ``f`` sampled on an integer input grid, for fixed_pt models.

    ``table[k] = round(f((k + lo) / 2**in_frac_bits) * 2**out_frac_bits)`` for every integer
    input ``lo + k`` in ``[lo, hi]``; inputs outside the grid are clamped to its ends (tanh
    saturates there) or wrapped (periodic functions, ``period_bits`` set).
    """

    table: np.ndarray
    lo: int
    period_bits: int | None = None

    @classmethod
    def sample(cls, fn: Callable[[np.ndarray], np.ndarray], in_frac_bits: int,
               out_frac_bits: int, in_lo: float, in_hi: float) -> LookupTable:
        """Tabulate ``fn`` on ``[in_lo, in_hi]`` at resolution ``2**-in_frac_bits``."""
        scale = 1 << in_frac_bits
        lo, hi = int(np.floor(in_lo * scale)), int(np.ceil(in_hi * scale))
        grid = np.arange(lo, hi + 1, dtype=np.float64) / scale
        return cls(table=to_fixed(fn(grid), out_frac_bits), lo=lo)

    @classmethod
    def periodic(cls, fn: Callable[[np.ndarray], np.ndarray], period_bits: int,
                 out_frac_bits: int) -> LookupTable:
        """Tabulate a 2π-periodic ``fn`` over one period of ``2**period_bits`` integer steps."""
        grid = np.arange(1 << period_bits, dtype=np.float64) * (2 * np.pi / (1 << period_bits))
        return cls(table=to_fixed(fn(grid), out_frac_bits), lo=0, period_bits=period_bits)

    def __call__(self, q: np.ndarray) -> np.ndarray:
        idx = np.asarray(q, dtype=np.int64) - self.lo
        if self.period_bits is not None:
            return self.table[idx & ((1 << self.period_bits) - 1)]
        return self.table.take(idx, mode="clip")  # clamped to the grid's ends, one pass


def tanh_table(in_frac_bits: int, out_frac_bits: int, in_max: float = 8.0) -> LookupTable:
    """tanh as a lookup table on ``[-in_max, in_max]`` (tanh(8) = 1 - 2e-7: saturated beyond)."""
    return LookupTable.sample(np.tanh, in_frac_bits, out_frac_bits, -in_max, in_max)


def sine_table(period_bits: int, out_frac_bits: int) -> LookupTable:
    """sin over a phase accumulator of ``period_bits`` bits (phase 2π == 2**period_bits)."""
    return LookupTable.periodic(np.sin, period_bits, out_frac_bits)
