"""The δ-MGD learning-engine graph without Lava: Loihi formats, emulated in NumPy.

The same network and schedule as ``astrolava.processes.engine_dmgd.EngineNetwork``
(integrate-and-fire inputs, an optional hidden LIF layer, LIF outputs; every weight learned)
and the same integer arithmetic (:mod:`astrolava.mgd.engine`): Lava's bit-accurate LIF
(``PyLifModelBitAcc``: 12-bit decays truncated toward zero, input and threshold shifted by
6 bits), 8-bit weights updated with stochastic rounding, 7-bit traces and third factors,
4-bit learning-rate mantissas; the hidden layer's third factor from chain rows refreshed
every τδ samples. It is the yardstick of the Lava runs and says in seconds what the formats
cost. The stochastic-rounding random numbers (one per learning event and layer, shared by the
layer's synapses, as in Lava's model) come either from the reference's own generator
(``draws="independent"``: runs match the Lava graph statistically) or from the sequence Lava's
model draws (``draws="lava"``, :class:`LavaDraws`: the same numbers at the same steps of a
Lava session).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from astrolava.fixed_point import LIF_ACT_SHIFT, LIF_DECAY_BITS, X_FRAC, lif_decay, to_fixed
from astrolava.mgd.engine import (
    THIRD_FACTOR_TAU,
    TRACE_OFFSET,
    UPDATE_SHIFTS,
    WEIGHT_SHIFT,
    EngineNeurons,
    EngineSchedule,
    apply_update,
    chain_factor,
    count_cost,
    decay_trace,
    global_factor,
    latch_tag,
    perturbation_current,
    perturbation_scale,
    post_factor,
    rate_constant,
    refresh_rows,
)
from astrolava.validation import require_count, require_int, require_positive, require_real

UNITY = 1 << LIF_DECAY_BITS
LIF_DS_OFFSET = 1
"""Lava's ``ds_offset``: added to ``du`` in the current decay (``AbstractPyLifModelFixed``)."""
UV_LIMIT = 1 << 23
"""Bound of Lava's 24-bit signed ``u`` (wrapped) and ``v`` (saturated)."""
INPUT_DU = UNITY - 1
"""The current decay of every layer: the current is the step's synaptic input."""


@dataclass(frozen=True)
class EngineParams:
    """Hyper-parameters of the learning-engine δ-MGD net (``EngineNetwork``'s arguments).

    Parameters
    ----------
    pass_steps : int
        ``T``.
    eta, epsilon : float
        Learning rate and perturbation norm per layer (weight LSBs).
    hidden : tuple of int
        Hidden widths: ``()`` or ``(H,)``.
    tau_delta : int >= 1
        Chain-row refresh period in samples (hidden nets).
    delta_mix : float in (0, 1]
        ρ of the refresh.
    neurons : EngineNeurons
        LIF registers.
    eta_halvings : tuple of int
        Epochs (counted from 0) from which η is halved once more: the exponent of the rate
        constant ``η/ε²`` is lowered by one, its mantissa kept (set from the host between
        epochs).
    hidden_eta_shift : int
        The hidden layer's η is ``η·2**hidden_eta_shift`` (its own rate exponent).
    update_shift : int in 7..12
        ``s`` of the weight rule ``ΔW = −t·q_k / 2**s``
        (:func:`~astrolava.mgd.engine.dw_rule`) in the first epoch: with ``q_k`` clipped to 7
        bits it sets the largest step.
    shift_raises : tuple of int
        Epochs (counted from 0) from which ``s`` is raised by one more, halving the largest
        step (each Lava session is built with its epoch's rule, :meth:`update_shift_of`);
        ``update_shift + len(shift_raises)`` must stay within 7..12.
    """

    pass_steps: int = 20
    eta: float = 2000.0
    epsilon: float = 200.0
    hidden: tuple[int, ...] = ()
    tau_delta: int = 100
    delta_mix: float = 1.0
    neurons: EngineNeurons = field(default_factory=EngineNeurons)
    eta_halvings: tuple[int, ...] = ()
    hidden_eta_shift: int = 0
    update_shift: int = WEIGHT_SHIFT
    shift_raises: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        require_int("update_shift", self.update_shift, *UPDATE_SHIFTS)
        for epoch in self.shift_raises:
            require_int("shift_raises", epoch, 0)
        if self.update_shift + len(self.shift_raises) > UPDATE_SHIFTS[1]:
            raise ValueError(f"shift_raises={self.shift_raises} raises update_shift="
                             f"{self.update_shift} to {self.update_shift + len(self.shift_raises)}"
                             f"; the rule expresses {UPDATE_SHIFTS[0]}..{UPDATE_SHIFTS[1]}")
        require_positive("eta", self.eta)
        require_positive("epsilon", self.epsilon)
        require_count("tau_delta", self.tau_delta)
        require_real("delta_mix", self.delta_mix, 0.0, 1.0, low_open=True)

    @property
    def schedule(self) -> EngineSchedule:
        """The time steps of a sample for this net (``pass_steps`` and its learned layers)."""
        return EngineSchedule(self.pass_steps, n_learned=len(self.hidden) + 1)

    def sizes(self, n_in: int, n_out: int) -> list[int]:
        """Layer widths ``[n_in, *hidden, n_out]``."""
        return [int(n_in), *map(int, self.hidden), int(n_out)]

    def layer_etas(self, epoch: int = 0) -> list[float]:
        """η of every learned layer (input side first) in ``epoch``:
        ``η_l = η·2**(s_l − h)`` with ``h`` the number of :attr:`eta_halvings` ``<= epoch``
        and ``s_l`` :attr:`hidden_eta_shift` for the hidden layer, 0 for the output layer."""
        eta = self.eta * 2.0 ** -sum(int(epoch) >= e for e in self.eta_halvings)
        return [eta * 2.0 ** self.hidden_eta_shift] * len(self.hidden) + [eta]

    def update_shift_of(self, epoch: int = 0) -> int:
        """The update shift ``s`` in ``epoch``: :attr:`update_shift` plus the number of
        :attr:`shift_raises` ``<= epoch``."""
        return self.update_shift + sum(int(epoch) >= e for e in self.shift_raises)


HIDDEN_PARAMS = {
    "digits": EngineParams(pass_steps=20, eta=2000.0, epsilon=200.0, tau_delta=100,
                           delta_mix=1.0, update_shift=11,
                           neurons=EngineNeurons(hidden_vth=512, output_vth=512)),
    "fashion-mnist": EngineParams(pass_steps=20, eta=2000.0, epsilon=200.0, tau_delta=100,
                                  delta_mix=1.0,
                                  neurons=EngineNeurons(hidden_vth=128, output_vth=512)),
}
"""The hidden net's parameters per dataset (``hidden`` set by :func:`engine_params`), chosen
by ``benchmarks/loihi_engine_sweep.py`` on a validation split of the training data: digits
6 seeds, 4 epochs (the benchmark trains 4; update shift 11 and η 2000 the best of η 1000/2000
× shift 10/11 before the y-trace decay fix, all four within 1.5 pp before and after it; no
update-shift schedule, ``shift_raises``, passed the adoption rule written before its sweep:
more than 1 pp above this preset and above it on 5 of 6 seeds); Fashion-MNIST seed 0, one
epoch."""


def engine_params(hidden: tuple[int, ...], dataset: str = "digits") -> EngineParams:
    """The benchmark's hyper-parameters (T = 20): :data:`HIDDEN_PARAMS` of ``dataset`` with a
    hidden layer; without one η 2000, ε 200, thresholds 1024 (any dataset)."""
    if not hidden:
        return EngineParams(pass_steps=20, eta=2000.0, epsilon=200.0)
    if dataset not in HIDDEN_PARAMS:
        raise ValueError(f"dataset={dataset!r} has no parameters; choose one of "
                         f"{sorted(HIDDEN_PARAMS)}")
    return replace(HIDDEN_PARAMS[dataset], hidden=tuple(hidden))


def initial_weights(sizes: Sequence[int], seed: int, scale: int = 8) -> list[np.ndarray]:
    """Even 8-bit weights ``2·U{−scale..scale}`` of every layer, ``(n_{l+1}, n_l)`` (mixed
    sign mode keeps even values)."""
    rng = np.random.default_rng(seed)
    return [2 * rng.integers(-scale, scale + 1, size=(n_out, n_in))
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]


def lif_pass(current: np.ndarray, du: int, dv: int, vth: int) -> np.ndarray:
    """Spikes of Lava's fixed_pt LIF from rest for ``current[t]`` (synaptic-input units).

    ``u ← wrap24(trunc(u·(2**12 − du − 1)/2**12) + (a << 6))``,
    ``v ← sat24(trunc(v·(2**12 − dv)/2**12) + u)``, ``s = v > vth << 6``, ``v ← 0`` where
    ``s`` (``PyLifModelBitAcc``, bias 0: its current decay adds ``ds_offset = 1`` to ``du``,
    so ``du = 4095`` clears the current every step; ``u`` wraps and ``v`` saturates at 24
    signed bits).

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
        u = lif_decay(u, UNITY - du - LIF_DS_OFFSET) + (a << LIF_ACT_SHIFT)
        u = np.where(u > UV_LIMIT, u - 2 * UV_LIMIT, u)
        u = np.where(u <= -UV_LIMIT, u + 2 * UV_LIMIT, u)
        v = np.clip(lif_decay(v, UNITY - dv) + u, 1 - UV_LIMIT, UV_LIMIT - 1)
        fired = v > (vth << LIF_ACT_SHIFT)
        v = np.where(fired, 0, v)
        spikes[t] = fired
    return spikes


class LavaDraws:
    """One random-number stream of a ``LearningDense`` in Lava's fixed_pt model.

    ``LearningConnectionModelBitApproximate`` draws one ``random()`` from each of its
    generators when it is built and ``per_step`` more every time step: the stochastic
    rounding of the synaptic variables from ``default_rng(rng_seed + 4)`` (``ConnVarRandom``,
    the project's patch of lava-nc 0.10; the stock model seeds it 2), one per learning epoch,
    i.e. per step with ``t_epoch = 1``; the x-trace decay from ``default_rng(rng_seed)``
    (``TraceRandom``), advanced twice per step (``recv_traces``). The number used at session
    step ``s`` (1, 2, ...) is the ``per_step·s``-th draw after the first; every Lava session
    starts the sequence anew.

    Parameters
    ----------
    seed : int
        The generator's seed.
    per_step : int
        Draws per time step.
    """

    def __init__(self, seed: int, per_step: int = 1) -> None:
        self.rng = np.random.default_rng(int(seed))
        self.per_step = int(per_step)
        self.index = 0
        self.value = float(self.rng.random())

    def at(self, step: int) -> float:
        """The number used at session step ``step`` (steps must not decrease)."""
        index = self.per_step * int(step)
        if index < self.index:
            raise ValueError(f"step={step} lies before the last step drawn")
        if index > self.index:
            self.value = float(self.rng.random(index - self.index)[-1])
            self.index = index
        return self.value


LAVA_EVENT_DELAY = 1
"""Steps from a neuron's position-0 step minus one to its synapse's learning epoch for a bap
the neuron sends at that position (:meth:`EngineReference.random`)."""
DRAWS = ("independent", "lava")
"""Sources of the reference's stochastic-rounding numbers (:class:`EngineReference`)."""


class EngineReference:
    """δ-MGD through the learning engine's formats, one sample at a time (Alg. 1 with chain
    DeltaVecs: the output layer's third factor is its error, a hidden layer's ``Kᵀδ_L``; one
    global factor ``ΔC``, each layer's ``θ̃_l`` of norm ε).

    Parameters
    ----------
    weights : sequence of numpy.ndarray of int
        Per learned layer, shape ``(n_{l+1}, n_l)`` (one or two layers).
    params : EngineParams
    seed : int
        Seed of the stochastic-rounding random numbers (with ``draws="lava"``: the Lava
        graph's ``seed``, layer ``l``'s rule seeded ``seed + l``).
    draws : {"independent", "lava"}
        ``"independent"``: one number per learning event and layer from
        ``numpy.random.default_rng(seed)``; ``"lava"``: the numbers Lava's model uses at the
        same session steps (:class:`LavaDraws`; :meth:`new_session` starts a session, as each
        ``EngineNetwork`` session does).
    """

    def __init__(self, weights: Sequence[np.ndarray], params: EngineParams,
                 seed: int = 0, draws: str = "independent") -> None:
        self.weights = [np.asarray(w, dtype=np.int64).copy() for w in weights]
        self.params = params
        self.schedule = EngineSchedule(params.pass_steps, n_learned=len(self.weights))
        if len(self.weights) != len(params.hidden) + 1:
            raise ValueError(f"weights hold {len(self.weights)} layers; params.hidden="
                             f"{params.hidden} needs {len(params.hidden) + 1}")
        if draws not in DRAWS:
            raise ValueError(f"draws={draws!r} must be one of {DRAWS}")
        self.tags = [np.zeros_like(w) for w in self.weights]
        self.rows = np.zeros_like(self.weights[-1]) if len(self.weights) > 1 else None
        self.start_epoch(0)
        self.seed, self.draws = int(seed), draws
        self.rng = np.random.default_rng(seed)
        self.n_samples = 0
        self.new_session()

    def new_session(self, seed: int | None = None) -> None:
        """Start the Lava draws anew, from the rules' ``seed`` if given (the session's
        ``EngineNetwork`` seed), and count samples from the session's first, as a new
        ``EngineNetwork`` session does; no effect on independent draws."""
        if seed is not None:
            self.seed = int(seed)
        layers = range(len(self.weights))
        self.lava = {"round": [LavaDraws(self.seed + i + 4) for i in layers],
                     "trace": [LavaDraws(self.seed + i, per_step=2) for i in layers],
                     "third": [LavaDraws(self.seed + i + 2, per_step=2) for i in layers]}
        self.session_samples = 0

    def random(self, index: int, position: int, stream: str = "round") -> float:
        """The random number of layer ``index``'s learning event at ``position`` of the
        current sample (the frame of the layer's neurons,
        :class:`~astrolava.mgd.engine.EngineSchedule`): ``stream`` ``"round"`` for the
        stochastic rounding of tags and weights, ``"trace"`` for the decay of x1, ``"third"``
        for the decay of the third factors y2 and y3 (Lava's y ``TraceRandom``, seeded
        ``rng_seed + 2``)."""
        if self.draws == "independent":
            return float(self.rng.random())
        sched = self.schedule
        depth = len(self.weights) - 1 - index
        step = (sched.offset(depth) + sched.window * self.session_samples + position
                + LAVA_EVENT_DELAY)
        return self.lava[stream][index].at(step)

    def epoch_rates(self, epoch: int) -> list[tuple[int, int]]:
        """The rate constants ``η_l/ε²`` of every layer in ``epoch``
        (:meth:`EngineParams.layer_etas`)."""
        return [rate_constant(eta, self.params.epsilon)
                for eta in self.params.layer_etas(epoch)]

    def start_epoch(self, epoch: int) -> None:
        """Learn with the rate constants (:meth:`epoch_rates`) and the update shift
        (:meth:`EngineParams.update_shift_of`) of ``epoch`` from now on."""
        self.rates = self.epoch_rates(epoch)
        self.update_shift = self.params.update_shift_of(epoch)

    def input_spikes(self, x: np.ndarray) -> np.ndarray:
        """The input layer's spikes for samples ``x`` in [0, 1] (``(T, ..., n_in)``)."""
        payload = to_fixed(x, X_FRAC)
        current = np.broadcast_to(payload, (self.schedule.pass_steps, *payload.shape))
        return lif_pass(current, INPUT_DU, 0, self.params.neurons.input_vth)

    def forward(self, s_in: np.ndarray, extra: Sequence[np.ndarray | None] | None = None
                ) -> list[np.ndarray]:
        """Spikes of every layer ``[s_0, ..., s_L]`` for input spikes ``s_0``, each learned
        layer ``l`` with an optional node input ``extra[l](s_{l})`` (a function of its
        presynaptic spikes, ``(T, n_l) → (T, n_{l+1})``)."""
        neurons, n_layers = self.params.neurons, len(self.weights)
        spikes = [s_in]
        for index, w in enumerate(self.weights):
            current = spikes[-1] @ w.T
            if extra is not None and extra[index] is not None:
                current = current + extra[index](spikes[-1])
            vth = neurons.vth(n_layers - 1 - index, n_layers)
            spikes.append(lif_pass(current, INPUT_DU, neurons.dv, vth))
        return spikes

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class of each sample: argmax of the clean-pass output counts (first on ties)."""
        return np.argmax(self.forward(self.input_spikes(x))[-1].sum(axis=0), axis=-1)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y)))

    @staticmethod
    def third_factor(q: np.ndarray, random: float) -> np.ndarray:
        """A third factor as the rule reads it: ``y = 64 + q`` after one step of the y traces'
        stochastic decay (:data:`~astrolava.mgd.engine.THIRD_FACTOR_TAU`), minus 64."""
        offset = TRACE_OFFSET + np.asarray(q, dtype=np.int64)
        return decay_trace(offset, random, THIRD_FACTOR_TAU) - TRACE_OFFSET

    def learn(self, x: np.ndarray, label: int) -> int:
        """One sample: clean pass, latch, perturbed pass, update. Returns the clean-pass class."""
        return self.learn_spikes(self.input_spikes(x), label)

    def learn_spikes(self, s_in: np.ndarray, label: int) -> int:
        """:meth:`learn` for the input layer's spikes ``s_in`` (``(T, n_in)``)."""
        sched, n_layers = self.schedule, len(self.weights)
        if self.rows is not None and self.n_samples % self.params.tau_delta == 0:
            self.rows = refresh_rows(self.rows, self.weights[-1], self.params.delta_mix)
        self.n_samples += 1
        clean = self.forward(s_in)
        counts = [s.sum(axis=0) for s in clean]
        factors = [chain_factor(self.rows, counts[-1], label, sched.pass_steps)
                   for _ in range(n_layers - 1)] + [post_factor(counts[-1], label, sched)]
        x1 = [sched.count_scale * c for c in counts[:-1]]
        scales = [perturbation_scale(q, x, self.params.epsilon) for q, x in zip(factors, x1,
                                                                                 strict=True)]
        depths = [n_layers - 1 - index for index in range(n_layers)]
        for index in range(n_layers):
            latch = sched.event(depths[index])
            latched = decay_trace(x1[index], self.random(index, latch, "trace"))
            q_u = self.third_factor(factors[index], self.random(index, latch, "third"))
            self.tags[index] = latch_tag(self.tags[index], latched, counts[index] > 0, q_u,
                                         self.random(index, latch))

        def node_input(index: int):
            return lambda pre: perturbation_current(scales[index], factors[index], x1[index],
                                                    pre)

        perturbed = self.forward(clean[0], [node_input(i) for i in range(n_layers)])
        cost0 = count_cost(counts[-1], label, sched.pass_steps)
        delta = count_cost(perturbed[-1].sum(axis=0), label, sched.pass_steps) - cost0
        for index in range(n_layers):
            q_k = np.full(len(factors[index]),
                          global_factor(delta, scales[index], self.rates[index],
                                        self.update_shift))
            at = sched.update(depths[index])
            update = self.random(index, at)
            q_k = self.third_factor(q_k, self.random(index, at, "third"))
            self.weights[index] = apply_update(self.weights[index], self.tags[index], q_k,
                                               update, self.update_shift)
            self.tags[index] = latch_tag(self.tags[index], x1[index], counts[index] > 0,
                                         np.zeros_like(factors[index]), self.random(index, at))
        self.session_samples += 1
        return int(np.argmax(counts[-1]))

    def train(self, x: np.ndarray, y: np.ndarray, order: np.ndarray, epoch: int = 0) -> float:
        """Learn the samples ``order`` in turn with the rates and update shift of ``epoch``
        (:meth:`start_epoch`); returns the clean-pass training accuracy."""
        self.start_epoch(epoch)
        s_in = self.input_spikes(np.asarray(x)[order])
        correct = sum(self.learn_spikes(s_in[:, n], int(y[i])) == y[i]
                      for n, i in enumerate(order))
        return correct / max(len(order), 1)
