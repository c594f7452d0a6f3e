"""δ-MGD on Loihi 2's learning engine: the sample schedule, the three-factor rule and its
integer arithmetic, shared by the Lava graph (``astrolava.processes.engine_dmgd``) and the
torch reference in Loihi formats (``astrolava.models.mgd.loihi_engine``).

The rule (O'Loughlin et al., δ-MGD, Alg. 1; the update ``ΔW_ij = −η·k·θ̃_ij`` with the rank-one
perturbation ``θ̃_ij = c·u_j·a_i``) is written for Lava's ``Loihi3FLearningRule`` with the
synaptic tag as the latch of Lava's reward-modulated STDP (``lava.proc.learning_rules``):

* at the end of the clean pass (bap pulse ``y0``, ``y2 = 64 + q_u``, ``y3 = 64``)
  ``dt = 2^-1·y0·x0·x1·(y2 − 64) − y0·t``: the tag takes ``θ̃`` up to the scale ``c``;
* when ``k`` arrives after the perturbed pass (``y0``, ``y2 = 64``, ``y3 = 64 + q_k``)
  ``dw = −2^-5·y0·t·(y3 − 64)`` and ``dt`` clears the tag.

Traces and third factors are 7-bit unsigned, so the signed ``q_u`` and ``q_k`` ride on the
offset :data:`TRACE_OFFSET`; ``x1`` is the presynaptic spike count times ``m`` (a graded
spike that overwrites the trace, ``GradedSpikeCfg.OVERWRITE``), ``x0`` gates it.

The arithmetic below is that of Lava's ``LearningRuleApplierBitApprox`` and
``LearningConnectionModelBitApproximate`` (lava-nc 0.10): each product is multiplied out,
shifted right by ``max(0, Σ factor widths + 4 − 15)`` and left by the scale exponent, added
to the variable shifted onto the 16-bit accumulator, stochastically rounded with one random
number per learning epoch, shifted back and saturated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrolava.fixed_point import LEARN_ACC_BITS, TRACE_BITS, scale_pow2
from astrolava.mgd.fixed import mantissa_shift

TRACE_OFFSET = 1 << (TRACE_BITS - 1)
"""Zero of a signed value carried on an unsigned 7-bit trace: ``y = 64 + q``, ``q ∈ [−64, 63]``."""
Q_MIN, Q_MAX = -TRACE_OFFSET, (1 << TRACE_BITS) - 1 - TRACE_OFFSET
"""Range of a signed third factor on the offset trace."""
WEIGHT_LEARN_BITS = 8
"""Unsigned width of a learned weight (``W_WEIGHTS_U``; signed 9 bits in mixed sign mode)."""
TAG_BITS = 8
"""Unsigned width of the synaptic tag ``t`` (``W_TAG_1_U``)."""

DT_RULE = "2^-1 * y0 * x0 * x1 * (y2 - 64) - y0 * t"
"""Tag rule: latch ``θ̃/c`` at the bap of the clean pass, clear it at the next bap."""
DW_RULE = "-2^-5 * y0 * t * (y3 - 64)"
"""Weight rule: ``ΔW = −k·θ̃`` (up to scale) at the bap that carries ``k``."""
TRACE_TAU = 65535
"""Decay constant given to x1 (Lava's bit-approximate model zeroes a trace whose tau is 0
inside the epoch history, so x1 needs a long one; ``exp(−1/65535)`` changes x1 by at most
one LSB, rarely)."""
TAG_SHIFT = 5
"""``tag = (x1·q_u >> 4) / 2`` rounded: the latch divides ``x1·q_u`` by ``2**TAG_SHIFT``."""
WEIGHT_SHIFT = 10
"""``ΔW = −(t·q_k >> 5) / 32`` rounded: the update divides ``t·q_k`` by ``2**WEIGHT_SHIFT``."""


@dataclass(frozen=True)
class EngineSchedule:
    """Positions, within one sample window, of the passes and the two learning events.

    Positions count the steps of the output layer (its window starts two steps after the
    ``DatasetSource`` sample: one ``Dense`` hop to the input layer, one learning-synapse hop
    to the output layer). The input layer runs one step earlier, so the output neuron at
    position ``q`` integrates the input spikes of position ``q``.

    * clean pass ``q ∈ [0, T)``, perturbed pass ``q ∈ [P, P + T)`` with ``P = T + 2``;
    * latch at ``q = T`` (the input layer reports its count at its position ``T + 1``);
    * update at ``q = P + T``; window ``W = 2T + 3``.

    Parameters
    ----------
    pass_steps : int in 2..63
        ``T``, the steps of one pass (rate code length).
    """

    pass_steps: int

    def __post_init__(self) -> None:
        if not 2 <= int(self.pass_steps) <= 63:
            raise ValueError(f"pass_steps={self.pass_steps} must lie in 2..63")

    @property
    def perturbed_start(self) -> int:
        """``P``: first position of the perturbed pass."""
        return self.pass_steps + 2

    @property
    def latch(self) -> int:
        """Output-layer position of the latch (bap with ``q_u``)."""
        return self.pass_steps

    @property
    def update(self) -> int:
        """Output-layer position of the weight update (bap with ``q_k``)."""
        return self.perturbed_start + self.pass_steps

    @property
    def window(self) -> int:
        """``W``: steps per sample."""
        return self.update + 1

    @property
    def count_scale(self) -> int:
        """``m``: x1 is ``m`` times the presynaptic spike count (largest with ``m·T <= 127``)."""
        return ((1 << TRACE_BITS) - 1) // self.pass_steps

    @property
    def error_scale(self) -> int:
        """``s_u``: ``q_u = s_u·e`` for an output error ``e ∈ [−T, T]`` spikes."""
        return Q_MAX // self.pass_steps

    def phase(self, position: int) -> str:
        """``"clean"``, ``"perturbed"`` or ``"gap"`` for an output-layer position."""
        p = int(position) % self.window
        if p < self.pass_steps:
            return "clean"
        if self.perturbed_start <= p < self.perturbed_start + self.pass_steps:
            return "perturbed"
        return "gap"

    def total_steps(self, n_samples: int) -> int:
        """Lava steps that stream ``n_samples`` samples and apply all their updates."""
        return 2 + int(n_samples) * self.window


@dataclass(frozen=True)
class EngineNeurons:
    """Integer LIF constants of the two layers (Lava ``LIF`` registers).

    Parameters
    ----------
    input_vth : int
        Threshold of the input layer (integrate-and-fire, ``dv = 0``): a pixel ``x`` of
        payload ``round(x·2**8)`` fires about ``T·x·256/input_vth`` times per pass.
    output_vth : int
        Threshold of the output layer (in synaptic-input units, before Lava's 6-bit shift).
    output_dv : int
        Voltage decay of the output layer (12 bits; 0 = integrate-and-fire).
    """

    input_vth: int = 255
    output_vth: int = 1024
    output_dv: int = 0


def output_error(counts: np.ndarray, label: int, pass_steps: int) -> np.ndarray:
    """``e = n − T·onehot(label)``: output spike counts minus the target count (int64)."""
    err = np.asarray(counts, dtype=np.int64).copy()
    err[int(label)] -= int(pass_steps)
    return err


def count_cost(counts: np.ndarray, label: int, pass_steps: int) -> int:
    """``2C = Σ_j e_j²`` in spike counts (twice the squared-error cost, an integer)."""
    err = output_error(counts, label, pass_steps)
    return int(np.dot(err, err))


def post_factor(counts: np.ndarray, label: int, schedule: EngineSchedule) -> np.ndarray:
    """``q_u = −s_u·e``: the astrocyte's third factor, the output error in 7-bit signed units
    with the sign of descent.

    Any sign gives the same expected update (``ΔW = −η·ΔC/ε²·θ̃`` is even in θ̃), but LIF
    outputs only respond to a push above threshold: along −e a silent neuron that should
    fire is driven up, so ΔC measures it; along +e it would stay silent and ΔC = 0.
    """
    return np.clip(-schedule.error_scale * output_error(counts, label, schedule.pass_steps),
                   Q_MIN, Q_MAX)


def perturbation_scale(q_u: np.ndarray, x1: np.ndarray, epsilon: float) -> tuple[int, int]:
    """``c = ε / (‖q_u‖·‖x1‖)`` as a :func:`~astrolava.mgd.fixed.mantissa_shift` pair
    ``(m, f)``, ``c ≈ m·2**-f``, so that ``θ̃ = c·q_u ⊗ x1`` has Frobenius norm ``ε`` (weight
    LSBs); ``(0, 0)`` when either factor vanishes (no perturbation, no update)."""
    norm = float(np.linalg.norm(q_u)) * float(np.linalg.norm(x1))
    return (0, 0) if norm == 0.0 else mantissa_shift(float(epsilon) / norm)


def perturbation_current(scale: tuple[int, int], q_u: np.ndarray, x1: np.ndarray,
                         spikes: np.ndarray) -> np.ndarray:
    """``Σ_i θ̃_ij s_i = c·q_u_j·(x1·s)``: the perturbed pass as a node input, in integer
    synaptic-input units (rounded half up)."""
    m, f = scale
    total = int(np.dot(np.asarray(x1, dtype=np.int64), np.asarray(spikes, dtype=np.int64)))
    return scale_pow2(m * total * np.asarray(q_u, dtype=np.int64), -f)


def rate_constant(eta: float, epsilon: float) -> tuple[int, int]:
    """``η/ε²`` as a :func:`~astrolava.mgd.fixed.mantissa_shift` pair (set once, from the host)."""
    return mantissa_shift(float(eta) / float(epsilon) ** 2)


def global_factor(delta_cost2: int, scale: tuple[int, int], rate: tuple[int, int]) -> int:
    """``q_k = round(η/ε²·ΔC·c·2**15)`` clipped to 7 signed bits, ``ΔC = delta_cost2 / 2``.

    With the latch (``t ≈ x1·q_u / 2**5``) and the update (``ΔW ≈ −t·q_k / 2**10``) this gives
    ``ΔW ≈ −η·(ΔC/ε²)·θ̃``, the δ-MGD step (paper Alg. 1, ``k = ΔC/ε²``).
    """
    (m, f), (a, g) = scale, rate
    value = scale_pow2(a * m * int(delta_cost2), TAG_SHIFT + WEIGHT_SHIFT - 1 - f - g)
    return int(np.clip(value, Q_MIN, Q_MAX))


def stochastic_round(values: np.ndarray, grid_bits: int, random: float) -> np.ndarray:
    """``floor(v / 2**g) + [r < frac]``: Lava's stochastic rounding with one shared ``r``."""
    scaled = np.asarray(values, dtype=np.float64) / (1 << grid_bits)
    floor = np.floor(scaled)
    return (floor + (random < scaled - floor)).astype(np.int64)


def _accumulate(var: np.ndarray, products: list[np.ndarray], var_bits: int,
                random: float) -> np.ndarray:
    """Add products to a synaptic variable on the accumulator, round and shift back."""
    shift = LEARN_ACC_BITS + 1 - (var_bits + 1)
    lim = 1 << LEARN_ACC_BITS
    acc = np.asarray(var, dtype=np.int64) << shift
    for product in products:
        acc = np.clip(acc + np.clip(product, -lim - 1, lim - 1), -lim - 1, lim - 1)
    grid = LEARN_ACC_BITS - var_bits
    return stochastic_round(acc, grid, random) << grid >> shift


def latch_tag(tag: np.ndarray, x1: np.ndarray, x0: np.ndarray, q_u: np.ndarray,
              random: float) -> np.ndarray:
    """The tag after :data:`DT_RULE` at a bap: ``t ← (x0·x1·q_u >> 4)·2^6 − t·2^7`` on the
    accumulator, i.e. ``t ≈ x0·x1·q_u / 32`` (shape ``(n_post, n_pre)``)."""
    lim = 1 << TAG_BITS
    xq = (np.asarray(q_u, dtype=np.int64)[:, None]
          * (np.asarray(x1, dtype=np.int64) * np.asarray(x0, dtype=np.int64))[None, :])
    products = [(xq >> 4) << 6, -np.asarray(tag, dtype=np.int64) << 7]
    return np.clip(_accumulate(tag, products, TAG_BITS, random), -lim - 1, lim - 1)


def apply_update(weights: np.ndarray, tag: np.ndarray, q_k: np.ndarray,
                 random: float) -> np.ndarray:
    """The weights after :data:`DW_RULE` at a bap: ``W ← W − ((t·q_k) >> 5)·2^2`` on the
    accumulator (``ΔW ≈ −t·q_k / 2**10``), saturated to mixed-sign 8 bits ``[−256, 255]``."""
    product = (-np.asarray(tag, dtype=np.int64) * np.asarray(q_k, dtype=np.int64)[:, None]
               ) >> 5 << 2
    new = _accumulate(weights, [product], WEIGHT_LEARN_BITS, random)
    return np.clip(new, -(1 << WEIGHT_LEARN_BITS), (1 << WEIGHT_LEARN_BITS) - 1)
