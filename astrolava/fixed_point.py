"""Loihi's integer formats, their constants, and the integer arithmetic every fixed_pt model shares.

Conventions (Loihi 2: Davies et al., "Advancing neuromorphic computing with Loihi: a survey of
results and outlook", Proc. IEEE 109(5), 2021; Lava's bit-accurate models ``PyDenseModelBitAcc``
and ``PyLifModelBitAcc``):

* **Weights**: signed 8-bit mantissa ``W_int`` (mixed sign: even values in [-256, 254]) and one
  shared exponent per synapse matrix; the effective weight is ``W_int * 2**weight_exp``.
  Lava's fixed_pt ``Dense`` applies the exponent to the accumulated input as a shift.
* **Neuron state and graded spikes**: signed 24-bit integers; a real value ``v`` is held as
  ``round(v * 2**frac_bits)`` and *saturates* at the 24-bit limits instead of wrapping.
* **Nonlinearities** (tanh, sine) are lookup tables indexed by the integer state.
* **LIF**: 12-bit decays applied as ``sign(p)·(|p| >> 12)`` (truncation toward zero), input and
  threshold shifted left by 6 bits onto the voltage grid.

Every format constant is listed, with its width, fractional bits and use, in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lava.utils.weightutils import SignMode, clip_weights, truncate_weights

from astrolava.validation import require_int

# Loihi 2 hardware (Davies et al. 2021; Lava's bit-accurate Dense and LIF models).
STATE_BITS = 24
"""Width of neuron state variables and graded spike payloads on Loihi 2."""
WEIGHT_BITS = 8
"""Width of the synaptic weight mantissa on Loihi."""
LIF_DECAY_BITS = 12
"""Width of the LIF decay registers ``du``/``dv`` (unsigned, 0..4095; unity is ``2**12``)."""
LIF_ACT_SHIFT = 6
"""Left shift that aligns the LIF input and threshold with the voltage (Lava's ``act_shift``)."""
LIF_VTH_BITS = 17
"""Width of the unsigned LIF threshold register (``vth`` <= 131071)."""
LIF_BIAS_BITS = 13
"""Width of the signed LIF bias mantissa (-4096..4095)."""
LIF_BIAS_EXP_MAX = 7
"""Largest LIF bias exponent (3 unsigned bits)."""

# δ-MGD on Loihi (O'Loughlin et al., δ-Multiplexed Gradient Descent; astrolava.mgd.fixed).
X_FRAC = 8
"""Fractional bits of graded δ-MGD input samples (``DatasetSource`` fixed_pt default)."""
Z_FRAC = 16
"""Fractional bits of δ-MGD currents, biases and LIF potentials (|z| up to 128 in 24 bits)."""
A_FRAC = 16
"""Fractional bits of δ-MGD activities (tanh output, firing rates) sent as graded spikes."""
C_FRAC = 18
"""Fractional bits of the δ-MGD cost (C up to 32 in 24 bits)."""
D_FRAC = 16
"""Fractional bits of DeltaVec components (|δ| up to 128 in 24 bits)."""
TAG_BITS = 8
"""Extra low-order weight bits kept by the learning rule (Loihi 2's synaptic tag)."""
RATIO_FRAC = LIF_DECAY_BITS
"""Fractional bits of δ-MGD ratios: the LIF β and the DeltaVec mix ρ (like Loihi's decays)."""
SQ_FRAC = 12
"""Fractional bits of the ‖v‖² a synapse reports to its astrocyte (up to 2,047 inputs of
magnitude <= 1 in 24 bits; larger sums saturate)."""
SLOPE_FRAC = 10
"""Fractional bits of ``U − ϑ`` indexing the surrogate-slope table (σ' changes by at most
0.2 % of its peak per step)."""
COEF_BITS = 16
"""Width of the mantissa of the learning coefficient k (a mantissa and a shift)."""
SCALE_BITS = 8
"""Width of the mantissa that scales the perturbation to amplitude ε."""

# Loihi 2's learning engine (lava-nc 0.10 lava/magma/core/learning/constants.py; δ-MGD through
# stock LearningDense synapses, astrolava.mgd.engine).
TRACE_BITS = 7
"""Width of the learning engine's traces x1, x2 and third factors y1..y3 (unsigned)."""
LEARN_SCALE_BITS = 4
"""Width of the mantissa of a learning-rule product's scale (times a power of two)."""
LEARN_ACC_BITS = 15
"""Unsigned width of the learning engine's accumulator (sign extra)."""
REPORT_BITS = 8
"""Payload bits of the graded count reports into a learning synapse (x1 = payload / 2)."""

# Rhythmic sharing on Loihi (Kang & Losert, arXiv:2502.08644; astrolava.rhythmic.fixed).
PHASE_BITS = 20
"""Width of a link's phase accumulator: 2π is ``2**PHASE_BITS`` (wrapping is a bit mask)."""
SINE_BITS = 16
"""Entries of the sine table: ``2**SINE_BITS`` per period (step 9.6e-5 rad)."""
LINK_FRAC_BITS = 16
"""Fractional bits of the link quantities sin φ, cos φ, the modulation M and the drive D."""
ACTIVITY_FRAC_BITS = 12
"""Fractional bits of reservoir node activity (graded spikes of ``GradedTanh``, fixed_pt)."""
SERIES_FRAC_BITS = 12
"""Fractional bits of the input series u before the input weights (``SeriesInput``, fixed_pt)."""
ORDER_FRAC_BITS = 16
"""Fractional bits of the order parameter R on the fixed_pt output."""
VOLTAGE_FRAC_BITS = ACTIVITY_FRAC_BITS + LIF_ACT_SHIFT
"""Fractional bits of the reservoir LIF membrane voltage (18: the input shifted by 6)."""


@dataclass(frozen=True)
class FixedFormat:
    """One integer format: a row of the fixed-point formats table.

    Parameters
    ----------
    name : str
        The quantity held in this format.
    bits : int
        Total width in bits (including the sign bit when ``signed``).
    frac_bits : int or None
        Fractional bits (the value is ``integer / 2**frac_bits``); None when a per-matrix
        exponent or a shift sets the scale instead.
    signed : bool
        Two's complement (True) or unsigned (False).
    used_in : str
        The modules that compute in this format.
    meaning : str
        What the integer stands for, and how its scale is chosen.
    constants : tuple of str
        The constants of this module that define the format.
    """

    name: str
    bits: int
    frac_bits: int | None
    signed: bool
    used_in: str
    meaning: str
    constants: tuple[str, ...]


_MGD = "astrolava.mgd.fixed, processes (δ-MGD fixed_pt models)"
_ENGINE = "learning-engine δ-MGD (LearningDense, ThirdFactorLIF, astrolava.mgd.engine)"
_RHYTHMIC = "astrolava.rhythmic.fixed, processes (rhythmic-sharing fixed_pt models)"
_LIF = "astrolava.deploy.fixed, astrolava.rhythmic.fixed, Lava LIF"

FORMATS: tuple[FixedFormat, ...] = (
    FixedFormat("neuron state, graded spike", STATE_BITS, None, True, "every fixed_pt model",
                "24-bit saturating state; each quantity below fixes its fractional bits",
                ("STATE_BITS",)),
    FixedFormat("weight mantissa", WEIGHT_BITS, None, True,
                "astrolava.fixed_point.quantize_weights, Lava Dense",
                "w = mantissa·2**weight_exp, one exponent per matrix (mixed sign: even values "
                "in [-256, 254])", ("WEIGHT_BITS",)),
    FixedFormat("LIF decay du, dv", LIF_DECAY_BITS, LIF_DECAY_BITS, False, _LIF,
                "each step keeps (2**12 − dv)/2**12 of v, truncated toward zero",
                ("LIF_DECAY_BITS",)),
    FixedFormat("LIF threshold vth", LIF_VTH_BITS, None, False, _LIF,
                "compared with v after a left shift by 6 (the input's shift)",
                ("LIF_VTH_BITS", "LIF_ACT_SHIFT")),
    FixedFormat("LIF bias mantissa", LIF_BIAS_BITS, None, True, _LIF,
                "bias = mantissa << bias_exp on the voltage grid, bias_exp in 0..7",
                ("LIF_BIAS_BITS", "LIF_BIAS_EXP_MAX")),
    FixedFormat("δ-MGD input x", STATE_BITS, X_FRAC, True, _MGD,
                "graded input sample (spiking networks: 0/1 spikes, 0 fractional bits)",
                ("X_FRAC",)),
    FixedFormat("δ-MGD current z, bias b, LIF potential", STATE_BITS, Z_FRAC, True, _MGD,
                "dendritic current W a + b + θ̃ and the LIF membrane potential", ("Z_FRAC",)),
    FixedFormat("δ-MGD activity a", STATE_BITS, A_FRAC, True, _MGD,
                "tanh table output or firing rate, and the LIF rate slope ρ", ("A_FRAC",)),
    FixedFormat("δ-MGD cost C", STATE_BITS, C_FRAC, True, _MGD, "per-sample cost",
                ("C_FRAC",)),
    FixedFormat("DeltaVec δ", STATE_BITS, D_FRAC, True, _MGD,
                "DeltaVec components and the perturbation direction u", ("D_FRAC",)),
    FixedFormat("learned weight (mantissa + tag)", WEIGHT_BITS + TAG_BITS, None, True, _MGD,
                "(mantissa << TAG_BITS) + tag; the forward pass uses the mantissa",
                ("TAG_BITS",)),
    FixedFormat("ratio β, ρ", RATIO_FRAC + 1, RATIO_FRAC, False, _MGD,
                "LIF β and the DeltaVec mix ρ, 1.0 = 2**12", ("RATIO_FRAC",)),
    FixedFormat("‖v‖² message", STATE_BITS, SQ_FRAC, True, _MGD,
                "squared norm of a layer's input, synapse to astrocyte", ("SQ_FRAC",)),
    FixedFormat("surrogate-slope index U − ϑ", STATE_BITS, SLOPE_FRAC, True, _MGD,
                "index of the surrogate-slope table σ'", ("SLOPE_FRAC",)),
    FixedFormat("learning coefficient k", COEF_BITS, None, True, _MGD,
                "k = m·2**-f: a COEF_BITS mantissa m and a shift f", ("COEF_BITS",)),
    FixedFormat("perturbation scale c", SCALE_BITS, None, False, _MGD,
                "u' = u·c / 2**(SCALE_BITS − 1) and an exponent s give ‖θ̃‖ = ε",
                ("SCALE_BITS",)),
    FixedFormat("learning-engine trace / third factor", TRACE_BITS, None, False, _ENGINE,
                "x1 = m·(spike count); y2 = 64 + q_u, y3 = 64 + q_k (signed on an offset)",
                ("TRACE_BITS",)),
    FixedFormat("learning-rule scale mantissa", LEARN_SCALE_BITS, None, True, _ENGINE,
                "each product's scale m·2**e (2^-1 and −2^-5 in the δ-MGD rule)",
                ("LEARN_SCALE_BITS",)),
    FixedFormat("learning-engine accumulator", LEARN_ACC_BITS + 1, None, True, _ENGINE,
                "weight or tag shifted up, plus the products; stochastically rounded back",
                ("LEARN_ACC_BITS",)),
    FixedFormat("graded count report", REPORT_BITS, None, False, _ENGINE,
                "2·m·(clean-pass spike count), overwrites x1 (GradedSpikeCfg.OVERWRITE)",
                ("REPORT_BITS",)),
    FixedFormat("link phase φ", PHASE_BITS, PHASE_BITS, False, _RHYTHMIC,
                "phase in turns (2π = 2**20), modulo one turn", ("PHASE_BITS",)),
    FixedFormat("sine table index", SINE_BITS, SINE_BITS, False, _RHYTHMIC,
                "the top SINE_BITS bits of the phase (rounded)", ("SINE_BITS",)),
    FixedFormat("sin φ, cos φ, modulation M, drive D", STATE_BITS, LINK_FRAC_BITS, True,
                _RHYTHMIC, "per-link quantities of the phase dynamics", ("LINK_FRAC_BITS",)),
    FixedFormat("reservoir activity n", STATE_BITS, ACTIVITY_FRAC_BITS, True, _RHYTHMIC,
                "graded spike of GradedTanh, LIF input current and spike-rate trace",
                ("ACTIVITY_FRAC_BITS",)),
    FixedFormat("input series u", STATE_BITS, SERIES_FRAC_BITS, True, _RHYTHMIC,
                "one sample of the driving series, before W_in", ("SERIES_FRAC_BITS",)),
    FixedFormat("order parameter R", STATE_BITS, ORDER_FRAC_BITS, False, _RHYTHMIC,
                "R in [0, 1] of the link phases", ("ORDER_FRAC_BITS",)),
    FixedFormat("reservoir LIF voltage v", STATE_BITS, VOLTAGE_FRAC_BITS, True, _RHYTHMIC,
                "membrane voltage: the input grid shifted left by LIF_ACT_SHIFT",
                ("VOLTAGE_FRAC_BITS",)),
)
"""Every integer format of the fixed_pt models, one row each (the documentation's table)."""


def int_range(bits: int) -> tuple[int, int]:
    """Smallest and largest value of a signed two's-complement integer of ``bits`` bits."""
    if bits < 1:
        raise ValueError(f"bits={bits} must be >= 1")
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def saturate(x: np.ndarray | int | float, bits: int = STATE_BITS) -> np.ndarray:
    """Clip to the signed ``bits``-bit range (saturating arithmetic, no wrap-around), int64.

    Floats are clipped before they are cast, so ``1e30`` and ``+inf`` give the largest value
    and ``-inf`` the smallest; integers of any width (Python ints, uint64) are clipped
    exactly. The result never has the opposite sign of ``x``.

    Raises
    ------
    ValueError
        If ``x`` holds NaN (it has no integer value) or ``bits`` is outside 1..64.
    """
    if not 1 <= bits <= 64:
        raise ValueError(f"bits={bits} must lie in 1..64")
    lo, hi = int_range(bits)
    x = np.asarray(x)
    if x.dtype.kind == "f":
        if np.isnan(x).any():
            raise ValueError("x holds NaN, which has no fixed-point value")
        top, bottom = x >= float(hi), x <= float(lo)  # float(hi) >= hi; float(lo) == lo
        inner = np.where(top | bottom, 0.0, x).astype(np.int64)
        return np.where(top, hi, np.where(bottom, lo, inner))
    if x.dtype.kind in "uO":  # uint64 above 2**63 - 1, Python ints beyond int64
        x = np.asarray(np.clip(x, lo, hi))
    elif x.dtype.kind not in "ib":
        raise TypeError(f"x must hold numbers, not {x.dtype}")
    return np.clip(x.astype(np.int64), lo, hi)


def to_fixed(x: np.ndarray | float, frac_bits: int, bits: int = STATE_BITS) -> np.ndarray:
    """Real value -> saturated integer ``round(x * 2**frac_bits)`` (rounded and clipped in
    float, so no magnitude wraps around or changes sign; NaN raises a ``ValueError``)."""
    with np.errstate(over="ignore"):  # a product beyond float64 is inf, then saturated
        scaled = np.rint(np.asarray(x, dtype=np.float64) * 2.0 ** frac_bits)
    return saturate(scaled, bits)


def from_fixed(q: np.ndarray | int, frac_bits: int) -> np.ndarray:
    """Integer with ``frac_bits`` fractional bits -> float64."""
    return np.asarray(q, dtype=np.float64) / (1 << frac_bits)


def shift_right_round(x: np.ndarray | int, n: int) -> np.ndarray:
    """``x / 2**n`` rounded half up (ties toward +∞), int64.

    Computed as ``(x >> n) + ((x >> (n − 1)) & 1)``, which equals ``(x + 2**(n−1)) >> n``
    without forming the sum, so it cannot overflow for any int64 ``x``.

    Raises
    ------
    ValueError
        If ``n`` is negative (use :func:`scale_pow2` for a shift of either sign).
    """
    if n < 0:
        raise ValueError(f"n={n} must be >= 0 for a right shift")
    x = saturate(x, 64)
    if n == 0:
        return x
    if n > 63:  # |x| < 2**63 <= 2**(n-1): every x rounds to 0
        return np.zeros_like(x)
    return (x >> n) + ((x >> (n - 1)) & 1)


def scale_pow2(x: np.ndarray | int, e: int) -> np.ndarray:
    """``x·2**e`` as int64: a left shift saturated to the int64 range for ``e >= 0`` (never
    wrapping or changing sign), :func:`shift_right_round` by ``−e`` (rounded half up) for
    ``e < 0``."""
    if e < 0:
        return shift_right_round(x, -e)
    x = saturate(x, 64)
    lo, hi = int_range(64)
    if e > 62:
        return np.where(x > 0, hi, np.where(x < 0, lo, 0))
    return np.where(x > hi >> e, hi, np.where(x < lo >> e, lo, x << e))


def lif_decay(v: np.ndarray, beta_q: int) -> np.ndarray:
    """Loihi's voltage decay ``sign(p)·(|p| >> 12)`` with ``p = v·β_q`` (truncation toward zero).

    ``β_q = 2**12 − dv`` is the retained fraction on LIF_DECAY_BITS bits (``dv`` Loihi's 12-bit
    decay register); the arithmetic of Lava's ``PyLifModelBitAcc``.
    """
    product = np.asarray(v, dtype=np.int64) * beta_q
    return np.sign(product) * (np.abs(product) >> LIF_DECAY_BITS)


def lif_step_reset_next(v: np.ndarray, fired: np.ndarray, current: np.ndarray, beta_q: int,
                        threshold_q: int) -> tuple[np.ndarray, np.ndarray]:
    """One integer LIF step, reset at the next step (snntorch's ``Leaky``, reset to zero).

    ``v ← sat24(lif_decay(v·(1 − s), β_q) + z)``, ``s ← [v > ϑ_q]``: the spike of step t
    leaves ``v`` above threshold at t and zeroes it before the decay of step t+1, as
    ``snntorch.Leaky(reset_mechanism="zero")`` does. Used by δ-MGD's spiking networks
    (O'Loughlin et al.), whose surrogate slope reads ``v`` at the spike step.

    Parameters
    ----------
    v, fired : numpy.ndarray
        Potential and 0/1 spikes of the previous step (integers).
    current : numpy.ndarray
        Input current ``z`` on the grid of ``v``.
    beta_q : int
        Retained fraction β on LIF_DECAY_BITS bits (:func:`lif_decay`).
    threshold_q : int
        Threshold on the grid of ``v``.

    Returns
    -------
    v, spikes : numpy.ndarray
        The new potential and 0/1 spikes (int64).
    """
    decayed = lif_decay(np.asarray(v, dtype=np.int64) * (1 - np.asarray(fired)), beta_q)
    v = saturate(decayed + current)
    return v, (v > threshold_q).astype(np.int64)


def lif_step_reset_now(v: np.ndarray, current: np.ndarray, beta_q: int, threshold_q: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """One integer LIF step, reset in the step the spike fires (Loihi's and Lava's LIF).

    ``v ← sat24(lif_decay(v, β_q) + z)``, ``s ← [v > ϑ_q]``, ``v ← 0`` where ``s = 1``: the
    spike of step t zeroes ``v`` at t. Used by the rhythmic-sharing spiking reservoir.

    Both conventions give the same spike trains for the same inputs (after a spike at t,
    ``v`` at t+1 is ``z`` either way); they differ only in ``v`` at the spike step.

    Parameters
    ----------
    v, current, beta_q, threshold_q
        As in :func:`lif_step_reset_next`; ``v`` is zero where the previous step spiked.

    Returns
    -------
    v, spikes : numpy.ndarray
        The new potential (0 where a spike fired) and 0/1 spikes (int64).
    """
    v = saturate(lif_decay(v, beta_q) + current)
    spikes = v > threshold_q
    return np.where(spikes, 0, v), spikes.astype(np.int64)


@dataclass(frozen=True)
class QuantizedWeights:
    """An 8-bit weight mantissa with a shared exponent: ``w ~= mantissa * 2**weight_exp``."""

    mantissa: np.ndarray
    weight_exp: int

    def dequantize(self) -> np.ndarray:
        """The float64 weights ``mantissa * 2**weight_exp`` the integers stand for."""
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
    weight_exp = require_int("weight_exp", weight_exp, -1000, 1000)
    # Round to nearest on the grid Loihi can hold (mixed sign: multiples of 2**(9 - bits));
    # Lava's truncation then leaves the values unchanged instead of rounding them all down.
    step = 1 << (WEIGHT_BITS - bits + 1)
    with np.errstate(over="ignore"):  # a quotient beyond float64 is inf, then saturated
        grid = np.rint(weights / (2.0 ** weight_exp * step)) * step
    scaled = saturate(grid, WEIGHT_BITS + 1).astype(np.int32)  # clipped before the cast
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
        """Table entries for the integer inputs ``q`` (clamped, or wrapped if periodic)."""
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
