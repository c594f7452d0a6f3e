"""Integer (Loihi) versions of the rhythmic-sharing equations.

Rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot
adaptive learning in neural networks", arXiv:2502.08644) gives every reservoir link a phase
that modulates its weight; :mod:`astrolava.rhythmic.equations` holds the float64 equations and
this module their integer counterparts, which the fixed_pt Lava models of ``OscillatingDense``,
``AstrocytePhaseNetwork`` and ``ReservoirLIF`` compute with. The formats are those of
:mod:`astrolava.fixed_point` (see its ``FORMATS`` table):

* a phase is an unsigned accumulator of PHASE_BITS bits (2π ≡ ``2**PHASE_BITS``), so wrapping
  is a bit mask; sin and cos come from a table of ``2**SINE_BITS`` entries indexed by the top
  SINE_BITS bits of the phase (rounded);
* sin, cos, the modulation M and the link drive D carry LINK_FRAC_BITS fractional bits;
* node activity arrives as the graded spike of ``GradedTanh``'s fixed_pt model with
  ACTIVITY_FRAC_BITS fractional bits; binary LIF spikes (0/1) enter the links with 0
  fractional bits and the astrocytes through a rate trace (:func:`rate_trace_fixed`);
* LIF nodes (:func:`lif_step_fixed`) are Loihi's integer LIF (Davies et al. 2021; Lava's
  ``PyLifModelBitAcc``): input current in ACTIVITY_FRAC_BITS, voltage in VOLTAGE_FRAC_BITS;
* every intermediate fits in int64 and results saturate at Loihi's 24-bit state width.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from astrolava.fixed_point import (
    ACTIVITY_FRAC_BITS,
    LIF_ACT_SHIFT,
    LIF_DECAY_BITS,
    LINK_FRAC_BITS,
    ORDER_FRAC_BITS,
    PHASE_BITS,
    SINE_BITS,
    lif_step_reset_now,
    saturate,
    scale_pow2,
    shift_right_round,
    sine_table,
    to_fixed,
)
from astrolava.rhythmic.equations import PHASE_MODES, TWO_PI
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams

PHASE_MASK = (1 << PHASE_BITS) - 1
_SINE = sine_table(SINE_BITS, LINK_FRAC_BITS)
_ONE = 1 << LINK_FRAC_BITS


def phase_to_fixed(phases: np.ndarray | float) -> np.ndarray:
    """Phase in radians -> accumulator ``round(φ·2**PHASE_BITS / 2π) mod 2**PHASE_BITS``."""
    q = np.rint(np.asarray(phases, dtype=np.float64) * ((1 << PHASE_BITS) / TWO_PI))
    return q.astype(np.int64) & PHASE_MASK


def phase_from_fixed(q: np.ndarray | int) -> np.ndarray:
    """Accumulator -> phase in [0, 2π)."""
    return (np.asarray(q, dtype=np.int64) & PHASE_MASK) * (TWO_PI / (1 << PHASE_BITS))


def sin_fixed(q: np.ndarray) -> np.ndarray:
    """sin φ with LINK_FRAC_BITS fractional bits, from the table entry nearest to φ."""
    return _SINE(shift_right_round(q, PHASE_BITS - SINE_BITS))


def cos_fixed(q: np.ndarray) -> np.ndarray:
    """cos φ = sin(φ + π/2) from the same table."""
    return sin_fixed(np.asarray(q, dtype=np.int64) + (1 << (PHASE_BITS - 2)))


def isqrt(x: np.ndarray) -> np.ndarray:
    """Element-wise integer square root ⌊√x⌋ of non-negative int64 values."""
    x = np.asarray(x, dtype=np.int64)
    r = np.floor(np.sqrt(x.astype(np.float64))).astype(np.int64)
    r = np.where(r * r > x, r - 1, r)
    return np.where((r + 1) * (r + 1) <= x, r + 1, r)


def link_modulation_fixed(q: np.ndarray, m: float) -> np.ndarray:
    """M = 1 − (m/2)(1 + sin φ) in LINK_FRAC_BITS: ``2**F − (m_q·(2**F + sin_q)) >> (F + 1)``."""
    m_q = int(to_fixed(m, LINK_FRAC_BITS))
    return _ONE - shift_right_round(m_q * (_ONE + sin_fixed(q)), LINK_FRAC_BITS + 1)


def recurrent_input_fixed(activity_q: np.ndarray, phase_q: np.ndarray, rows: np.ndarray,
                          cols: np.ndarray, mantissa: np.ndarray, weight_exp: int, m: float,
                          out_frac_bits: int, in_frac_bits: int = ACTIVITY_FRAC_BITS
                          ) -> np.ndarray:
    """h_i = Σ_ℓ A_ℓ·M_ℓ·n_{cols[ℓ]} on integers, returned with ``out_frac_bits``.

    ``A_ℓ = mantissa_ℓ·2**weight_exp`` (8-bit mantissa), M has LINK_FRAC_BITS and n has
    ``in_frac_bits`` (ACTIVITY_FRAC_BITS for graded activity, 0 for binary spikes), so the
    exact int64 sum carries ``LINK_FRAC_BITS + in_frac_bits − weight_exp`` fractional bits; it is
    shifted right (rounding) to ``out_frac_bits`` and saturated to 24 bits.
    """
    contrib = (mantissa.astype(np.int64) * link_modulation_fixed(phase_q, m)
               * np.asarray(activity_q, dtype=np.int64)[cols])
    total = np.zeros(len(activity_q), dtype=np.int64)
    np.add.at(total, rows, contrib)
    return saturate(scale_pow2(total, out_frac_bits + weight_exp - LINK_FRAC_BITS - in_frac_bits))


def link_drive_fixed(activity_q: np.ndarray, rows: np.ndarray, cols: np.ndarray, eps1: float,
                     eps2: float) -> np.ndarray:
    """D_ℓ = ε1 + ε2·((n_i + 1)/2 + (n_j + 1)/2)/2 with LINK_FRAC_BITS (activity n in
    ACTIVITY_FRAC_BITS).

    ``level_r + level_c = (n_r + n_c)/2 + 1``; the sum of the two activities plus 2·one is
    multiplied by ε2 (LINK_FRAC_BITS) and shifted by ``ACTIVITY_FRAC_BITS + 2``.
    """
    act = np.asarray(activity_q, dtype=np.int64)
    ends = act[rows] + act[cols] + (2 << ACTIVITY_FRAC_BITS)   # 4·mean level, ACTIVITY bits
    e1, e2 = int(to_fixed(eps1, LINK_FRAC_BITS)), int(to_fixed(eps2, LINK_FRAC_BITS))
    return e1 + shift_right_round(e2 * ends, ACTIVITY_FRAC_BITS + 2)


def coupling_term_fixed(phase_q: np.ndarray, coupling: sparse.csr_matrix,
                        gamma: float) -> np.ndarray:
    """sin(Ψ − φ + γ) with LINK_FRAC_BITS: (S·cos φ' − C·sin φ') / ⌊√(C² + S²)⌋, φ' = φ − γ.

    C and S are exact integer sums of the table cosines and sines of the neighbours
    (``coupling`` must hold int64 ones, see ``ReservoirGraph.integer_coupling``); the
    quotient of the LINK_FRAC_BITS² numerator by the LINK_FRAC_BITS norm is an integer division
    (rounded to nearest). Links with no neighbour get 0.
    """
    cos_q, sin_q = cos_fixed(phase_q), sin_fixed(phase_q)
    c, s = coupling @ cos_q, coupling @ sin_q
    shifted = phase_q - phase_to_fixed(gamma)
    num = s * cos_fixed(shifted) - c * sin_fixed(shifted)
    norm = isqrt(c * c + s * s)
    safe = np.where(norm > 0, norm, 1)
    quotient = np.floor_divide(2 * num + safe, 2 * safe)
    return np.where(norm > 0, quotient, 0)


def phase_update_fixed(phase_q: np.ndarray, coupling: sparse.csr_matrix, drive_q: np.ndarray,
                       omega: float, gamma: float, tau: float) -> np.ndarray:
    """φ ← (φ + round(τ·ω) + round(τ·K·D)) mod 2**PHASE_BITS, all in phase units.

    K (coupling term) and D carry LINK_FRAC_BITS each, so K·D has 2·LINK_FRAC_BITS; the
    radians-to-phase gain ``g = round(τ·2**PHASE_BITS / 2π)`` multiplies it before the shift by
    2·LINK_FRAC_BITS.
    """
    gain = int(round(tau * (1 << PHASE_BITS) / TWO_PI))
    step_omega = int(round(tau * omega * (1 << PHASE_BITS) / TWO_PI))
    kd = coupling_term_fixed(phase_q, coupling, gamma) * drive_q
    return (phase_q + step_omega + shift_right_round(kd * gain, 2 * LINK_FRAC_BITS)) & PHASE_MASK


def rotate_fixed(phase_q: np.ndarray, omega: float, tau: float) -> np.ndarray:
    """Uniform rotation φ ← φ + round(τ·ω0) in phase units."""
    return (phase_q + int(round(tau * omega * (1 << PHASE_BITS) / TWO_PI))) & PHASE_MASK


def order_parameter_fixed(phase_q: np.ndarray) -> tuple[int, int]:
    """R (ORDER_FRAC_BITS) and ⟨Φ⟩ (phase units) from the integer sums of table cos and sin.

    R = ⌊√(C² + S²)⌋·2**(ORDER_FRAC_BITS − LINK_FRAC_BITS) / L. ⟨Φ⟩ = atan2(S, C) is evaluated in
    floating point on the two integer sums (a host-side read-out, not a per-link operation).
    """
    c, s = int(cos_fixed(phase_q).sum()), int(sin_fixed(phase_q).sum())
    r = int(isqrt(np.array(c * c + s * s))) << (ORDER_FRAC_BITS - LINK_FRAC_BITS)
    r_q = min((r + len(phase_q) // 2) // len(phase_q), 1 << ORDER_FRAC_BITS)
    return r_q, int(phase_to_fixed(np.arctan2(s, c)))


def advance_phases_fixed(phase_q: np.ndarray, activity_q: np.ndarray, graph: ReservoirGraph,
                         params: RhythmicParams, mode: str = "coupled") -> np.ndarray:
    """Integer counterpart of :func:`astrolava.rhythmic.reservoir.advance_phases`."""
    if mode == "coupled":
        drive = link_drive_fixed(activity_q, graph.rows, graph.cols, params.eps1, params.eps2)
        return phase_update_fixed(phase_q, graph.integer_coupling, drive, params.omega,
                                  params.gamma, params.tau)
    if mode == "rotate":
        return rotate_fixed(phase_q, params.omega, params.tau)
    if mode == "frozen":
        return phase_q
    raise ValueError(f"mode={mode!r} is not allowed; use one of {PHASE_MODES}")


def rate_trace_fixed(trace_q: np.ndarray, spikes: np.ndarray, alpha: float) -> np.ndarray:
    """Integer spike-rate trace r ← r + α·(s − r), r in ACTIVITY_FRAC_BITS, saturated to [0, 1].

    Counterpart of :func:`astrolava.rhythmic.spiking.rate_trace` ((1 − α)·r + α·s): with
    α_q = round(α·2**LINK_FRAC_BITS) and binary spikes s,
    ``r_q ← r_q + round(α_q·((s << ACTIVITY_FRAC_BITS) − r_q) / 2**LINK_FRAC_BITS)``, clipped to
    ``[0, 2**ACTIVITY_FRAC_BITS]`` so that n = 2r − 1 stays in the 12-bit activity format.
    """
    trace_q = np.asarray(trace_q, dtype=np.int64)
    target = np.asarray(spikes, dtype=np.int64) << ACTIVITY_FRAC_BITS
    alpha_q = int(to_fixed(alpha, LINK_FRAC_BITS))
    step = shift_right_round(alpha_q * (target - trace_q), LINK_FRAC_BITS)
    return np.clip(trace_q + step, 0, 1 << ACTIVITY_FRAC_BITS)


def lif_step_fixed(voltage_q: np.ndarray, current_q: np.ndarray, dv: float, threshold: float,
                   bias: float) -> tuple[np.ndarray, np.ndarray]:
    """Integer counterpart of :func:`astrolava.rhythmic.equations.lif_step`: Loihi's LIF.

    :func:`astrolava.fixed_point.lif_step_reset_now` (the arithmetic of Lava's bit-accurate
    ``PyLifModelBitAcc``) with an instantaneous current (du = 4095: the current decays fully
    every step), on real-unit parameters. With the input current I_q in
    ACTIVITY_FRAC_BITS (12), v_q in VOLTAGE_FRAC_BITS (18), dv_q = round(dv·2**12),
    b_q = round(b·2**12) and vth_q = round(threshold·2**12)::

        p   = v_q·(2**12 − dv_q)
        v_q ← sat24(sign(p)·(|p| >> 12) + ((I_q + b_q) << 6))
        s   = [v_q > vth_q << 6];   v_q ← 0 where s = 1

    Parameters
    ----------
    voltage_q : numpy.ndarray
        v_q before the step (integers).
    current_q : numpy.ndarray
        I_q = (A ∘ M) s + W_in u in ACTIVITY_FRAC_BITS (integers).
    dv, threshold, bias : float
        Voltage decay in (0, 1], spike threshold (> 0) and bias b, in real units.

    Returns
    -------
    voltage_q, spikes : numpy.ndarray
        v_q after the step and the spikes as int64 0/1.
    """
    beta_q = (1 << LIF_DECAY_BITS) - int(to_fixed(dv, LIF_DECAY_BITS))
    drive = np.asarray(current_q, dtype=np.int64) + int(to_fixed(bias, ACTIVITY_FRAC_BITS))
    threshold_q = int(to_fixed(threshold, ACTIVITY_FRAC_BITS)) << LIF_ACT_SHIFT
    return lif_step_reset_now(voltage_q, drive << LIF_ACT_SHIFT, beta_q, threshold_q)
