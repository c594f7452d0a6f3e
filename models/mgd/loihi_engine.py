"""The δ-MGD learning-engine graph without Lava: Loihi formats, emulated in NumPy.

The same network and schedule as ``astrolava.processes.engine_dmgd.EngineNetwork`` (integrate-
and-fire inputs, one learned layer of LIF outputs) and the same integer arithmetic
(:mod:`astrolava.mgd.engine`): Lava's bit-accurate LIF (``PyLifModelBitAcc``: 12-bit decays
truncated toward zero, input and threshold shifted by 6 bits), 8-bit weights updated with
stochastic rounding, 7-bit traces and third factors, 4-bit learning-rate mantissas. It is the
yardstick of the Lava runs and says in seconds what the formats cost. The stochastic-rounding
random numbers come from its own generator (one per learning event, shared by all synapses,
as in Lava's model), so runs match the Lava graph statistically, not bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrolava.fixed_point import LIF_ACT_SHIFT, LIF_DECAY_BITS, X_FRAC, lif_decay, to_fixed
from astrolava.mgd.engine import (
    EngineSchedule,
    apply_update,
    count_cost,
    global_factor,
    latch_tag,
    perturbation_current,
    perturbation_scale,
    post_factor,
    rate_constant,
)

UNITY = 1 << LIF_DECAY_BITS
INPUT_DU = UNITY - 1
"""The input layer's current decay (as ``EngineNetwork``)."""


@dataclass(frozen=True)
class EngineParams:
    """Hyper-parameters of the learning-engine δ-MGD net (``EngineNetwork``'s arguments).

    Parameters
    ----------
    pass_steps : int
        ``T``.
    eta, epsilon : float
        Learning rate and perturbation norm (weight LSBs).
    input_vth, output_vth, output_dv : int
        LIF registers (``EngineNeurons``).
    """

    pass_steps: int = 20
    eta: float = 2000.0
    epsilon: float = 200.0
    input_vth: int = 255
    output_vth: int = 1024
    output_dv: int = 0

    @property
    def schedule(self) -> EngineSchedule:
        return EngineSchedule(self.pass_steps)


def initial_weights(n_out: int, n_in: int, seed: int, scale: int = 8) -> np.ndarray:
    """Even 8-bit weights ``2·U{−scale..scale}`` (mixed sign mode keeps even values)."""
    return 2 * np.random.default_rng(seed).integers(-scale, scale + 1, size=(n_out, n_in))


def lif_pass(current: np.ndarray, du: int, dv: int, vth: int) -> np.ndarray:
    """Spikes of Lava's fixed_pt LIF from rest for ``current[t]`` (synaptic-input units).

    ``u ← trunc(u·(2**12 − du)/2**12) + (a << 6)``, ``v ← trunc(v·(2**12 − dv)/2**12) + u``,
    ``s = v > vth << 6``, ``v ← 0`` where ``s`` (``PyLifModelBitAcc``, bias 0, no wrap).

    Parameters
    ----------
    current : numpy.ndarray of int, shape (T, ..., n)

    Returns
    -------
    numpy.ndarray of int64, same shape: 0/1 spikes.
    """
    current = np.asarray(current, dtype=np.int64)
    u = np.zeros(current.shape[1:], dtype=np.int64)
    v = np.zeros_like(u)
    spikes = np.zeros_like(current)
    for t, a in enumerate(current):
        u = lif_decay(u, UNITY - du) + (a << LIF_ACT_SHIFT)
        v = lif_decay(v, UNITY - dv) + u
        fired = v > (vth << LIF_ACT_SHIFT)
        v = np.where(fired, 0, v)
        spikes[t] = fired
    return spikes


class EngineReference:
    """δ-MGD through the learning engine's formats, one sample at a time (Alg. 1, single
    learned layer, post factor = output error, global factor ``ΔC``).

    Parameters
    ----------
    weights : numpy.ndarray of int, shape (n_out, n_in)
    params : EngineParams
    seed : int
        Seed of the stochastic-rounding random numbers.
    """

    def __init__(self, weights: np.ndarray, params: EngineParams, seed: int = 0) -> None:
        self.weights = np.asarray(weights, dtype=np.int64).copy()
        self.params = params
        self.schedule = params.schedule
        self.tag = np.zeros_like(self.weights)
        self.rate = rate_constant(params.eta, params.epsilon)
        self.rng = np.random.default_rng(seed)

    def input_spikes(self, x: np.ndarray) -> np.ndarray:
        """The input layer's spikes for samples ``x`` in [0, 1] (``(T, ..., n_in)``)."""
        payload = to_fixed(x, X_FRAC)
        current = np.broadcast_to(payload, (self.schedule.pass_steps, *payload.shape))
        return lif_pass(current, INPUT_DU, 0, self.params.input_vth)

    def output_spikes(self, s_in: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        """The output layer's spikes for input spikes ``s_in`` (plus a node input ``extra``)."""
        current = s_in @ self.weights.T
        if extra is not None:
            current = current + extra
        return lif_pass(current, INPUT_DU, self.params.output_dv, self.params.output_vth)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class of each sample: argmax of the clean-pass output counts (first on ties)."""
        return np.argmax(self.output_spikes(self.input_spikes(x)).sum(axis=0), axis=-1)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y)))

    def learn(self, x: np.ndarray, label: int) -> int:
        """One sample: clean pass, latch, perturbed pass, update. Returns the clean-pass class."""
        sched = self.schedule
        s_in = self.input_spikes(x)
        counts = self.output_spikes(s_in).sum(axis=0)
        v = s_in.sum(axis=0)
        x1 = sched.count_scale * v
        q_u = post_factor(counts, label, sched)
        self.tag = latch_tag(self.tag, x1, v > 0, q_u, self.rng.random())
        scale = perturbation_scale(q_u, x1, self.params.epsilon)
        extra = np.stack([perturbation_current(scale, q_u, x1, s) for s in s_in])
        cost0 = count_cost(counts, label, sched.pass_steps)
        cost = count_cost(self.output_spikes(s_in, extra).sum(axis=0), label, sched.pass_steps)
        q_k = np.full(len(q_u), global_factor(cost - cost0, scale, self.rate))
        self.weights = apply_update(self.weights, self.tag, q_k, self.rng.random())
        self.tag = latch_tag(self.tag, x1, v > 0, np.zeros_like(q_u), self.rng.random())
        return int(np.argmax(counts))

    def train(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> float:
        """Learn the samples ``order`` in turn; returns the clean-pass training accuracy."""
        correct = sum(self.learn(x[i], int(y[i])) == y[i] for i in order)
        return correct / max(len(order), 1)
