"""The learning-engine δ-MGD graph: stock synapses, :class:`ThirdFactorLIF` neurons, and the
embedded-CPU astrocyte and global cost."""

from __future__ import annotations

import numpy as np
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.engine_dmgd.process import EngineAstrocyte, EngineCost
from astrolava.processes.third_factor_lif import ThirdFactorLIF
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.learning.learning_rule import Loihi3FLearningRule
from lava.proc.dense.process import Dense, LearningDense

from astrolava.fixed_point import REPORT_BITS, X_FRAC
from astrolava.mgd.engine import DT_RULE, DW_RULE, TRACE_TAU, EngineNeurons, EngineSchedule
from astrolava.runtime import LavaSession, sim_config

INPUT_DU = 4095
"""The input layer's current decay: the current is the sample's payload each step."""


def engine_learning_rule(seed: int) -> Loihi3FLearningRule:
    """The tag-latching three-factor rule (:data:`~astrolava.mgd.engine.DT_RULE`,
    :data:`~astrolava.mgd.engine.DW_RULE`), one learning epoch per step."""
    return Loihi3FLearningRule(dt=DT_RULE, dw=DW_RULE, x1_tau=TRACE_TAU, t_epoch=1,
                               rng_seed=int(seed))


class EngineNetwork:
    """``n_in`` integrate-and-fire inputs → stock ``LearningDense`` → ``n_out`` LIF outputs,
    trained by δ-MGD through Loihi 2's learning engine.

    Processes: ``DatasetSource`` (graded pixels) → ``Dense`` (identity, stock) →
    :class:`ThirdFactorLIF` inputs (report counts) → ``LearningDense`` with
    :func:`engine_learning_rule` (graded spikes overwrite x1) → :class:`ThirdFactorLIF`
    outputs (bap, y2, y3 back to the synapse); :class:`EngineAstrocyte` (q_u, perturbation
    current into the outputs' ``a_in``) and :class:`EngineCost` (q_k). Runs in fixed_pt.

    Parameters
    ----------
    data, labels : numpy.ndarray
        Training samples in [0, 1] and class indices.
    weights : numpy.ndarray of int, shape (n_out, n_in)
        Initial 8-bit weights (even, in [−256, 254]).
    schedule : EngineSchedule
    eta, epsilon : float
    neurons : EngineNeurons, optional
        Default ``EngineNeurons()``.
    seed : int
        Seed of the learning rule's trace randoms.
    shuffle_seed : int, optional
        A fresh sample order every epoch (``DatasetSource``).
    """

    def __init__(self, *, data: np.ndarray, labels: np.ndarray, weights: np.ndarray,
                 schedule: EngineSchedule, eta: float, epsilon: float,
                 neurons: EngineNeurons | None = None, seed: int = 0,
                 shuffle_seed: int | None = None) -> None:
        neurons = EngineNeurons() if neurons is None else neurons
        n_out, n_in = np.shape(weights)
        if np.shape(data)[1] != n_in:
            raise ValueError(f"data has {np.shape(data)[1]} features; weights take {n_in}")
        self.schedule = schedule
        self.source = DatasetSource(data=data, labels=labels, steps_per_sample=schedule.window,
                                    encoding="graded", frac_bits=X_FRAC,
                                    shuffle_seed=shuffle_seed)
        self.input_dense = Dense(weights=np.eye(n_in, dtype=np.int64),
                                 num_message_bits=24)
        self.inputs = ThirdFactorLIF(shape=(n_in,), schedule=schedule, offset=1, report=True,
                                     du=INPUT_DU, dv=0, vth=neurons.input_vth)
        self.synapse = LearningDense(weights=np.asarray(weights, dtype=np.int64),
                                     learning_rule=engine_learning_rule(seed),
                                     num_message_bits=REPORT_BITS,
                                     graded_spike_cfg=GradedSpikeCfg.OVERWRITE)
        self.outputs = ThirdFactorLIF(shape=(n_out,), schedule=schedule, offset=2,
                                      du=INPUT_DU, dv=neurons.output_dv,
                                      vth=neurons.output_vth)
        self.astrocyte = EngineAstrocyte(n_pre=n_in, n_post=n_out, schedule=schedule,
                                         epsilon=epsilon)
        self.cost = EngineCost(n_post=n_out, schedule=schedule, eta=eta, epsilon=epsilon)
        self._connect()
        self.steps_run = 0

    def _connect(self) -> None:
        src, syn, out = self.source, self.synapse, self.outputs
        src.x.connect(self.input_dense.s_in)
        self.input_dense.a_out.connect(self.inputs.a_in)
        self.inputs.s_out.connect([syn.s_in, self.astrocyte.pre_in])
        syn.a_out.connect(out.a_in)
        out.bap.connect(syn.s_in_bap)
        out.y2.connect(syn.s_in_y2)
        out.y3.connect(syn.s_in_y3)
        out.s_out.connect([self.astrocyte.post_in, self.cost.post_in])
        src.label.connect([self.astrocyte.label_in, self.cost.label_in])
        self.astrocyte.u_out.connect(out.u_in)
        self.astrocyte.current_out.connect(out.a_in)
        self.astrocyte.scale_out.connect(self.cost.scale_in)
        self.cost.k_out.connect(out.k_in)

    def session(self) -> LavaSession:
        """A fixed_pt session of the graph (use as a context manager)."""
        return LavaSession(self.source, sim_config("fixed_pt"))

    def train(self, session: LavaSession, n_samples: int) -> None:
        """Stream ``n_samples`` more samples; the first call also runs the 2-step lead-in."""
        steps = self.schedule.window * int(n_samples) + (2 if self.steps_run == 0 else 0)
        session.run(steps)
        self.steps_run += steps
