"""The learning-engine δ-MGD graph: stock synapses, :class:`ThirdFactorLIF` neurons, and the
embedded-CPU astrocytes and global cost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.engine_dmgd.process import EngineAstrocyte, EngineCost
from astrolava.processes.third_factor_lif import ThirdFactorLIF
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.learning.learning_rule import Loihi3FLearningRule
from lava.proc.dense.process import Dense, LearningDense

from astrolava.fixed_point import REPORT_BITS, X_FRAC
from astrolava.mgd.engine import (
    DT_RULE,
    TRACE_TAU,
    WEIGHT_LEARN_BITS,
    WEIGHT_SHIFT,
    EngineNeurons,
    EngineSchedule,
    dw_rule,
)
from astrolava.runtime import LavaSession, sim_config
from astrolava.validation import require_array, require_labels

WEIGHT_RANGE = (-(1 << WEIGHT_LEARN_BITS), (1 << WEIGHT_LEARN_BITS) - 1)
"""Mixed-sign 8-bit learned weights (``LearningDense`` saturates to this range)."""
INPUT_DU = 4095
"""The current decay of every layer: the current is the step's synaptic input."""


def engine_learning_rule(seed: int, x1_tau: int = TRACE_TAU,
                         update_shift: int = WEIGHT_SHIFT) -> Loihi3FLearningRule:
    """The tag-latching three-factor rule (:data:`~astrolava.mgd.engine.DT_RULE`,
    :func:`~astrolava.mgd.engine.dw_rule` with ``update_shift``), one learning epoch per
    step, x1 decaying with ``x1_tau`` (default :data:`~astrolava.mgd.engine.TRACE_TAU`)."""
    return Loihi3FLearningRule(dt=DT_RULE, dw=dw_rule(update_shift), x1_tau=int(x1_tau),
                               t_epoch=1,
                               rng_seed=int(seed))


class EngineNetwork:
    """``n_in`` integrate-and-fire inputs → [stock ``LearningDense`` → LIF layer] per learned
    layer (a hidden layer, optional, then the outputs), trained by δ-MGD through Loihi 2's
    learning engine.

    Processes: ``DatasetSource`` (graded pixels) → ``Dense`` (identity, stock) →
    :class:`ThirdFactorLIF` inputs (report counts) → ``LearningDense`` with
    :func:`engine_learning_rule` (graded spikes overwrite x1) → :class:`ThirdFactorLIF`
    (bap, y2, y3 back to the synapse; a hidden layer also reports its counts to the next
    ``LearningDense``) → ... → outputs. Each learned layer has an :class:`EngineAstrocyte`
    (q_u, q_k, perturbation current into its neurons' ``a_in``; a hidden layer's reads the
    output synapse's weights for its chain rows); :class:`EngineCost` sends ``2ΔC`` to all of
    them. Runs in fixed_pt.

    Parameters
    ----------
    data, labels : numpy.ndarray
        Training samples in [0, 1] and class indices.
    weights : sequence of numpy.ndarray of int
        Initial 8-bit weights (integers in [−256, 255]) of each learned layer,
        ``(n_{l+1}, n_l)``: one matrix (no hidden layer) or two.
    schedule : EngineSchedule
        With ``n_learned`` equal to the number of weight matrices.
    eta : float or sequence of float
        Learning rate, one for every learned layer or one per learned layer (input side
        first).
    epsilon : float
    neurons : EngineNeurons, optional
        Default ``EngineNeurons()``.
    tau_delta : int
        Chain-row refresh period (hidden layer).
    delta_mix : float
        ρ of the refresh.
    seed : int
        Seed of the learning rules' randoms (layer ``l`` gets ``seed + l``).
    shuffle_seed : int, optional
        A fresh sample order every epoch (``DatasetSource``).
    samples_seen : int >= 0
        Samples learned before this graph's first (a run resumed from a checkpoint; the
        chain-row refreshes keep their τδ grid).
    rows : numpy.ndarray of int, optional
        The hidden layer's chain rows at the start (a resumed run's, :meth:`rows`; default
        zeros).
    update_shift : int in 7..12
        ``s`` of the weight rule ``ΔW = −t·q_k / 2**s`` (:func:`~astrolava.mgd.engine.dw_rule`).
    """

    def __init__(self, *, data: np.ndarray, labels: np.ndarray,
                 weights: Sequence[np.ndarray], schedule: EngineSchedule,
                 eta: float | Sequence[float], epsilon: float, neurons: EngineNeurons | None = None,
                 tau_delta: int = 100, delta_mix: float = 1.0, seed: int = 0,
                 shuffle_seed: int | None = None, samples_seen: int = 0,
                 rows: np.ndarray | None = None, update_shift: int = WEIGHT_SHIFT) -> None:
        neurons = EngineNeurons() if neurons is None else neurons
        matrices = [require_array(f"weights[{index}]", w, ndim=2, integer=True,
                                  low=WEIGHT_RANGE[0], high=WEIGHT_RANGE[1])
                    for index, w in enumerate(weights)]
        sizes = [matrices[0].shape[1], *(w.shape[0] for w in matrices)]
        if len(matrices) != schedule.n_learned:
            raise ValueError(f"weights hold {len(matrices)} layers; schedule.n_learned="
                             f"{schedule.n_learned}")
        for index, w in enumerate(matrices):
            if w.shape[1] != sizes[index]:
                raise ValueError(f"weights[{index}] has shape {w.shape}; it must take "
                                 f"{sizes[index]} inputs")
        labels = require_labels("labels", labels, n_samples=np.shape(data)[0],
                                n_classes=sizes[-1])
        etas = ([float(eta)] * len(matrices) if np.ndim(eta) == 0
                else [float(e) for e in eta])
        if len(etas) != len(matrices):
            raise ValueError(f"eta holds {len(etas)} rates; the net learns {len(matrices)} "
                             "layers")
        if np.shape(data)[1] != sizes[0]:
            raise ValueError(f"data has {np.shape(data)[1]} features; weights take {sizes[0]}")
        self.schedule = schedule
        self.initial_weights = matrices
        n_learned = len(matrices)
        self.source = DatasetSource(data=data, labels=labels, steps_per_sample=schedule.window,
                                    encoding="graded", frac_bits=X_FRAC,
                                    shuffle_seed=shuffle_seed)
        self.input_dense = Dense(weights=np.eye(sizes[0], dtype=np.int64),
                                 num_message_bits=24)
        self.layers = [ThirdFactorLIF(shape=(n,), schedule=schedule, depth=n_learned - index,
                                      report=index < n_learned, du=INPUT_DU,
                                      dv=0 if index == 0 else neurons.dv,
                                      vth=neurons.vth(n_learned - index, n_learned))
                       for index, n in enumerate(sizes)]
        self.synapses = [LearningDense(weights=w, learning_rule=engine_learning_rule(
                                           seed + i, update_shift=update_shift),
                                       num_message_bits=REPORT_BITS,
                                       graded_spike_cfg=GradedSpikeCfg.OVERWRITE)
                         for i, w in enumerate(matrices)]
        self.astrocytes = [EngineAstrocyte(n_pre=sizes[i], n_post=sizes[i + 1],
                                           n_out=sizes[-1], schedule=schedule,
                                           depth=n_learned - 1 - i, eta=etas[i],
                                           epsilon=epsilon,
                                           tau_delta=tau_delta, delta_mix=delta_mix,
                                           samples_seen=samples_seen,
                                           update_shift=update_shift,
                                           rows=rows if i < n_learned - 1 else None)
                           for i in range(n_learned)]
        self.cost = EngineCost(n_post=sizes[-1], schedule=schedule)
        self._connect()
        self.steps_run = 0
        self.samples_run = 0

    def _connect(self) -> None:
        src, outputs = self.source, self.layers[-1]
        src.x.connect(self.input_dense.s_in)
        self.input_dense.a_out.connect(self.layers[0].a_in)
        for index, (syn, astro) in enumerate(zip(self.synapses, self.astrocytes, strict=True)):
            pre, post = self.layers[index], self.layers[index + 1]
            pre.s_out.connect([syn.s_in, astro.pre_in])
            syn.a_out.connect(post.a_in)
            post.bap.connect(syn.s_in_bap)
            post.y2.connect(syn.s_in_y2)
            post.y3.connect(syn.s_in_y3)
            astro.u_out.connect(post.u_in)
            astro.k_out.connect(post.k_in)
            astro.current_out.connect(post.a_in)
            if index < len(self.synapses) - 1:
                astro.w_ref.connect_var(self.synapses[-1].weights)
        outputs.s_out.connect([self.cost.post_in, *(a.out_in for a in self.astrocytes)])
        src.label.connect([self.cost.label_in, *(a.label_in for a in self.astrocytes)])
        self.cost.cost_out.connect([a.cost_in for a in self.astrocytes])

    def session(self) -> LavaSession:
        """A fixed_pt session of the graph (use as a context manager)."""
        return LavaSession(self.source, sim_config("fixed_pt"))

    def weights(self) -> list[np.ndarray]:
        """The learned weights of every layer, read from the running session (int64)."""
        return [syn.weights.get().astype(np.int64) for syn in self.synapses]

    def rows(self) -> np.ndarray | None:
        """The hidden layer's chain rows, read from the running session (None without one)."""
        return (self.astrocytes[0].rows.get().astype(np.int64) if len(self.astrocytes) > 1
                else None)

    def train(self, session: LavaSession, n_samples: int) -> None:
        """Stream ``n_samples`` more samples, up to the step of their last weight update
        (:meth:`~astrolava.mgd.engine.EngineSchedule.total_steps` minus one: the next step
        would start the next sample, and a hidden layer's astrocyte refresh its rows for it).

        ``LearningDense`` truncates its initial weights to even values (mixed sign mode drops
        the lowest bit of the 8-bit mantissa), while learned weights take every integer; so the
        first call runs one step (no spike reaches a synapse before the second), then writes
        the exact initial weights, and a run resumed from learned weights goes on from them."""
        self.samples_run += int(n_samples)
        if self.steps_run == 0:
            session.run(1)
            for syn, w in zip(self.synapses, self.initial_weights, strict=True):
                syn.weights.set(w)
            self.steps_run = 1
        target = self.schedule.total_steps(self.samples_run) - 1
        session.run(target - self.steps_run)
        self.steps_run = target
