"""δ-MGD on Loihi 2's learning engine: the sample schedule, the three-factor rule and its
integer arithmetic, shared by the Lava graph (``astrolava.processes.engine_dmgd``) and the
torch reference in Loihi formats (``astrolava.models.mgd.loihi_engine``).

The rule (O'Loughlin et al., δ-MGD, Alg. 1; the update ``ΔW_ij = −η·k·θ̃_ij`` with the rank-one
perturbation ``θ̃_ij = c·u_j·a_i``) is written for Lava's ``Loihi3FLearningRule`` with the
synaptic tag as the latch of Lava's reward-modulated STDP (``lava.proc.learning_rules``):

* at the end of the clean pass (bap pulse ``y0``, ``y2 = 64 + q_u``, ``y3 = 64``)
  ``dt = 2^-1·y0·x0·x1·(y2 − 64) − y0·t``: the tag takes ``θ̃`` up to the scale ``c``;
* when ``k`` arrives after the perturbed pass (``y0``, ``y2 = 64``, ``y3 = 64 + q_k``)
  ``dw = −2^-(s−5)·y0·t·(y3 − 64)`` (update shift ``s``, default 10: ``2^-5``) and ``dt``
  clears the tag.

Traces and third factors are 7-bit unsigned, so the signed ``q_u`` and ``q_k`` ride on the
offset :data:`TRACE_OFFSET`; ``x1`` is the presynaptic spike count times ``m`` (a graded
spike that overwrites the trace, ``GradedSpikeCfg.OVERWRITE``), ``x0`` gates it.

The output layer's ``q_u`` is its error (:func:`post_factor`); a hidden layer's is the chain
DeltaVec ``Kᵀδ_L`` (:func:`chain_factor`, paper Fig. 4) with the chain rows ``K`` refreshed
every τδ samples (:func:`refresh_rows`). Every layer's ``θ̃_l`` has norm ε and all share the
global ``ΔC`` of one perturbed pass.

The arithmetic below is that of Lava's ``LearningRuleApplierBitApprox`` and
``LearningConnectionModelBitApproximate`` (lava-nc 0.10): each product is multiplied out,
shifted right by ``max(0, Σ factor widths + 4 − 15)`` and left by the scale exponent, added
to the variable shifted onto the 16-bit accumulator, stochastically rounded with one random
number per learning epoch, shifted back and saturated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrolava.fixed_point import (
    LEARN_ACC_BITS,
    LIF_DECAY_BITS,
    LIF_VTH_BITS,
    TRACE_BITS,
    scale_pow2,
)
from astrolava.mgd.fixed import mantissa_shift, mix_deltavecs
from astrolava.validation import require_int

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
WEIGHT_SHIFT = 10
"""The default update shift ``s``: the update divides ``t·q_k`` by ``2**s``."""
UPDATE_SHIFTS = (7, 12)
"""Update shifts the rule can express: ``2^-(s−5)`` is a weight-accumulator scale with
exponent ``12 − s`` in 0..5 (the product is shifted right by 5 first)."""


def dw_rule(update_shift: int = WEIGHT_SHIFT) -> str:
    """Weight rule ``dw = −2^-(s−5)·y0·t·(y3 − 64)``: ``ΔW = −t·q_k / 2**s`` (``−k·θ̃`` up to
    scale) at the bap that carries ``k``; ``s`` in :data:`UPDATE_SHIFTS`."""
    s = require_int("update_shift", update_shift, *UPDATE_SHIFTS)
    return f"-2^-{s - 5} * y0 * t * (y3 - 64)"


DW_RULE = dw_rule()
"""The weight rule with the default shift (``-2^-5 * y0 * t * (y3 - 64)``)."""
TRACE_TAU = 255
"""Decay constant given to x1: 8 bits unsigned, the width of Lava's tau registers
(``precision=8``; ``astrolava.loihi_report`` judges registers signed and flags it). Lava's
bit-approximate model zeroes a trace whose tau is 0 inside the epoch history. x1 is written
by the count report and read by the latch in the same one-step epoch, after one step of
stochastic decay (:func:`decay_trace`): the latched x1 is the report or one below it."""
THIRD_FACTOR_TAU = (1 << 16) - 1
"""Decay constant of the y traces that ``Loihi3FLearningRule`` fixes (``uint16`` max): y2 and
y3 are written each step and read after one step of stochastic decay (:func:`decay_trace`),
which lowers them by one with probability ``frac(y·(1 − e^(−1/τ)))`` ≈ 0.1 %."""
CHAIN_FRAC = 8
"""Fraction bits of the chain rows ``K`` (weights ``<< CHAIN_FRAC``) on the embedded CPU."""
TAG_SHIFT = 5
"""``tag = (x1·q_u >> 4) / 2`` rounded: the latch divides ``x1·q_u`` by ``2**TAG_SHIFT``."""


@dataclass(frozen=True)
class EngineSchedule:
    """Positions, within one sample window, of the passes and the learning events of a net
    with ``n_learned`` learned layers.

    A layer's *depth* ``d`` counts the learned layers above it (output layer 0, the last
    hidden layer 1, ..., the input layer ``n_learned``). Each layer counts positions in its own
    frame: it starts ``offset(d)`` steps after the ``DatasetSource`` sample (one ``Dense`` hop
    to the input layer, one synapse hop per layer after it), so a layer at position ``q``
    integrates the spikes its presynaptic layer sent at its own position ``q``.

    * clean pass ``q ∈ [0, T)``, perturbed pass ``q ∈ [P, P + T)`` with ``P = T + n_learned + 1``;
    * ``event(d) = T + d``: a layer at depth ``d`` latches its incoming tags (bap with ``q_u``)
      and, if it feeds a learning synapse, sends its count report (it reaches the synapse with
      the bap of the layer above, at that layer's ``event(d − 1)``);
    * ``update(d) = P + T + 1 + d``: the bap that carries ``q_k``; window
      ``W = update(n_learned − 1) + 2``.

    The synapse applies an update in the learning phase of the step in which the bap arrives,
    after its spike phase has integrated that step's presynaptic spikes; the presynaptic
    layer's next sample starts ``W − update(d)`` steps after the update of the layer at depth
    ``d``, so ``W >= update(d) + 2`` for every ``d`` lets the next sample's first spikes meet
    the updated weights.

    Parameters
    ----------
    pass_steps : int in 2..63
        ``T``, the steps of one pass (rate code length).
    n_learned : int in 1..2
        Learned layers: 1 (input → output) or 2 (input → hidden → output).
    """

    pass_steps: int
    n_learned: int = 1

    def __post_init__(self) -> None:
        require_int("pass_steps", self.pass_steps, 2, 63)
        if require_int("n_learned", self.n_learned) not in (1, 2):
            raise ValueError(f"n_learned={self.n_learned} must be 1 or 2 (one hidden layer at "
                             "most: its chain rows are the output synapse's weights)")

    @property
    def perturbed_start(self) -> int:
        """``P``: first position of the perturbed pass."""
        return self.pass_steps + self.n_learned + 1

    def offset(self, depth: int) -> int:
        """Steps from the ``DatasetSource`` sample start to position 0 of a layer at ``depth``."""
        return self.n_learned + 1 - int(depth)

    def event(self, depth: int) -> int:
        """Position of the latch and of the count report of a layer at ``depth``."""
        return self.pass_steps + int(depth)

    def update(self, depth: int) -> int:
        """Position of the weight update (bap with ``q_k``) of a layer at ``depth``."""
        return self.perturbed_start + self.pass_steps + 1 + int(depth)

    @property
    def window(self) -> int:
        """``W``: steps per sample."""
        return self.update(self.n_learned - 1) + 2

    @property
    def count_scale(self) -> int:
        """``m``: x1 is ``m`` times the presynaptic spike count (largest with ``m·T <= 127``)."""
        return ((1 << TRACE_BITS) - 1) // self.pass_steps

    @property
    def error_scale(self) -> int:
        """``s_u``: ``q_u = s_u·e`` for an output error ``e ∈ [−T, T]`` spikes."""
        return Q_MAX // self.pass_steps

    def phase(self, position: int) -> str:
        """``"clean"``, ``"perturbed"`` or ``"gap"`` for a position (any layer's frame)."""
        p = int(position) % self.window
        if p < self.pass_steps:
            return "clean"
        if self.perturbed_start <= p < self.perturbed_start + self.pass_steps:
            return "perturbed"
        return "gap"

    def total_steps(self, n_samples: int) -> int:
        """Lava steps that stream ``n_samples`` samples and apply all their updates."""
        return self.offset(0) + int(n_samples) * self.window


@dataclass(frozen=True)
class EngineNeurons:
    """Integer LIF registers of the layers (Lava ``LIF``; thresholds in synaptic-input units,
    before Lava's 6-bit shift; decays on 12 bits, 0 = integrate-and-fire).

    Parameters
    ----------
    input_vth : int
        Threshold of the input layer (integrate-and-fire, current = the pixel's payload
        ``round(x·2**8)`` every step): it fires about ``T·x·256/input_vth`` times per pass.
    hidden_vth, output_vth : int
        Thresholds of the hidden and the output layer.
    dv : int
        Voltage decay of the learned layers.
    """

    input_vth: int = 255
    hidden_vth: int = 1024
    output_vth: int = 1024
    dv: int = 0

    def __post_init__(self) -> None:
        for name in ("input_vth", "hidden_vth", "output_vth"):  # Loihi's 17-bit vth register
            require_int(name, getattr(self, name), 1, (1 << LIF_VTH_BITS) - 1)
        require_int("dv", self.dv, 0, (1 << LIF_DECAY_BITS) - 1)

    def vth(self, depth: int, n_learned: int) -> int:
        """Threshold of the layer at ``depth``."""
        if depth == n_learned:
            return self.input_vth
        return self.output_vth if depth == 0 else self.hidden_vth


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


def refresh_rows(rows: np.ndarray, weights: np.ndarray, delta_mix: float) -> np.ndarray:
    """Chain rows ``K ← (1 − ρ)·K + ρ·W_L`` on :data:`CHAIN_FRAC` fraction bits.

    ``K[k, j] = ∂z_L,k/∂a_j`` of the last hidden layer is the output synapse's weight
    ``W_L[k, j]`` exactly (the output current is linear in the hidden spikes: what node
    perturbation of the hidden outputs measures, paper Fig. 4), so the refresh reads the
    weights (``astrolava.mgd.fixed.mix_deltavecs``: ρ on 12 bits, rounded, 24-bit saturated).
    """
    return mix_deltavecs(rows, np.asarray(weights, dtype=np.int64) << CHAIN_FRAC, delta_mix)


def chain_factor(rows: np.ndarray, counts: np.ndarray, label: int, pass_steps: int
                 ) -> np.ndarray:
    """``q_u = round(Q_MAX·u / max|u|)`` with ``u = −Kᵀe``: a hidden layer's third factor,
    the chain DeltaVec ``Kᵀδ_L`` of the output error (descent sign), scaled to 7 signed bits
    (only its direction matters: :func:`perturbation_scale` sets the norm). Zero if ``u = 0``.
    """
    u = -output_error(counts, label, pass_steps) @ np.asarray(rows, dtype=np.int64)
    top = int(np.abs(u).max(initial=0))
    if top == 0:
        return np.zeros_like(u)
    return (2 * Q_MAX * u + top) // (2 * top)


def perturbation_scale(q_u: np.ndarray, x1: np.ndarray, epsilon: float) -> tuple[int, int]:
    """``c = ε / (‖q_u‖·‖x1‖)`` as a :func:`~astrolava.mgd.fixed.mantissa_shift` pair
    ``(m, f)``, ``c ≈ m·2**-f``, so that ``θ̃ = c·q_u ⊗ x1`` has Frobenius norm ``ε`` (weight
    LSBs); ``(0, 0)`` when either factor vanishes (no perturbation, no update)."""
    norm = float(np.linalg.norm(q_u)) * float(np.linalg.norm(x1))
    return (0, 0) if norm == 0.0 else mantissa_shift(float(epsilon) / norm)


def perturbation_current(scale: tuple[int, int], q_u: np.ndarray, x1: np.ndarray,
                         spikes: np.ndarray) -> np.ndarray:
    """``Σ_i θ̃_ij s_i = c·q_u_j·(x1·s)``: the perturbed pass as a node input, in integer
    synaptic-input units (rounded half up), for presynaptic spikes ``s`` of shape
    ``(..., n_pre)`` (one step or a whole pass); shape ``(..., n_post)``."""
    m, f = scale
    total = np.asarray(spikes, dtype=np.int64) @ np.asarray(x1, dtype=np.int64)
    return scale_pow2(m * total[..., None] * np.asarray(q_u, dtype=np.int64), -f)


def rate_constant(eta: float, epsilon: float) -> tuple[int, int]:
    """``η/ε²`` as a :func:`~astrolava.mgd.fixed.mantissa_shift` pair (set once, from the host)."""
    return mantissa_shift(float(eta) / float(epsilon) ** 2)


def global_factor(delta_cost2: int, scale: tuple[int, int], rate: tuple[int, int],
                  update_shift: int = WEIGHT_SHIFT) -> int:
    """``q_k = round(η/ε²·ΔC·c·2**(5 + s))`` clipped to 7 signed bits, ``ΔC = delta_cost2 / 2``,
    ``s`` the update shift.

    With the latch (``t ≈ x1·q_u / 2**5``) and the update (``ΔW ≈ −t·q_k / 2**s``) this gives
    ``ΔW ≈ −η·(ΔC/ε²)·θ̃``, the δ-MGD step (paper Alg. 1, ``k = ΔC/ε²``), as long as ``q_k``
    is not clipped; a clipped ``q_k`` caps the step at ``|ΔW| ≈ 64·|t| / 2**s``, so ``s``
    sets the largest step and η the slope below it.
    """
    (m, f), (a, g) = scale, rate
    value = scale_pow2(a * m * int(delta_cost2), TAG_SHIFT + update_shift - 1 - f - g)
    return int(np.clip(value, Q_MIN, Q_MAX))


def stochastic_round(values: np.ndarray, grid_bits: int, random: float | np.ndarray
                     ) -> np.ndarray:
    """``floor(v / 2**g) + [r < frac]``: Lava's stochastic rounding with one shared ``r`` (or
    one per entry, an array broadcast against ``values``)."""
    scaled = np.asarray(values, dtype=np.float64) / (1 << grid_bits)
    floor = np.floor(scaled)
    return (floor + (random < scaled - floor)).astype(np.int64)


def decay_trace(x1: np.ndarray, random: float, tau: int = TRACE_TAU) -> np.ndarray:
    """x1 as the latch reads it: one step of Lava's stochastic trace decay,
    ``floor(x1·e^(−1/τ)) + [r < frac]`` with one shared ``r``.

    The count report overwrites x1 and the latch reads it in the same one-step learning
    epoch, but ``LearningConnectionModelBitApproximate._compute_trace_histories`` decays the
    trace to the epoch's step first (with its own trace-decay random number), so a latched x1
    is one LSB below the report when ``r`` exceeds the fraction (x1 = 120 with τ = 255: with
    probability 0.47)."""
    return stochastic_round(np.exp(-1 / tau) * np.asarray(x1, dtype=np.int64), 0, random)


def _accumulate(var: np.ndarray, products: list[np.ndarray], var_bits: int,
                random: float) -> np.ndarray:
    """Add products to a synaptic variable on the accumulator, round and shift back.

    The variable sits ``LEARN_ACC_BITS − var_bits`` bits up on the accumulator (Lava's
    ``W_ACCUMULATOR_S − W_SYN_VAR_S``, equal to the unsigned widths' difference); the
    accumulator saturates to ``[−2**B − 1, 2**B − 1]``, the bounds Lava's
    ``_apply_learning_rules`` uses (its lower bound is one below the symmetric one)."""
    shift = LEARN_ACC_BITS - var_bits
    lim = 1 << LEARN_ACC_BITS
    acc = np.asarray(var, dtype=np.int64) << shift
    for product in products:
        acc = np.clip(acc + np.clip(product, -lim - 1, lim - 1), -lim - 1, lim - 1)
    return stochastic_round(acc, shift, random)


def latch_tag(tag: np.ndarray, x1: np.ndarray, x0: np.ndarray, q_u: np.ndarray,
              random: float) -> np.ndarray:
    """The tag after :data:`DT_RULE` at a bap: ``t ← (x0·x1·q_u >> 4)·2^6 − t·2^7`` on the
    accumulator, i.e. ``t ≈ x0·x1·q_u / 32`` (shape ``(n_post, n_pre)``), saturated to
    ``[−2**8 − 1, 2**8 − 1]`` as Lava's ``_saturate_synaptic_variable`` saturates ``tag_1``
    (one below the symmetric lower bound, copied as it is)."""
    lim = 1 << TAG_BITS
    xq = (np.asarray(q_u, dtype=np.int64)[:, None]
          * (np.asarray(x1, dtype=np.int64) * np.asarray(x0, dtype=np.int64))[None, :])
    products = [(xq >> 4) << 6, -np.asarray(tag, dtype=np.int64) << 7]
    return np.clip(_accumulate(tag, products, TAG_BITS, random), -lim - 1, lim - 1)


def apply_update(weights: np.ndarray, tag: np.ndarray, q_k: np.ndarray,
                 random: float, update_shift: int = WEIGHT_SHIFT) -> np.ndarray:
    """The weights after :func:`dw_rule` at a bap: ``W ← W − ((t·q_k) >> 5)·2^(12 − s)`` on
    the accumulator (``ΔW ≈ −t·q_k / 2**s``), saturated to mixed-sign 8 bits ``[−256, 255]``."""
    product = (-np.asarray(tag, dtype=np.int64) * np.asarray(q_k, dtype=np.int64)[:, None]
               ) >> 5 << (12 - update_shift)
    new = _accumulate(weights, [product], WEIGHT_LEARN_BITS, random)
    return np.clip(new, -(1 << WEIGHT_LEARN_BITS), (1 << WEIGHT_LEARN_BITS) - 1)
