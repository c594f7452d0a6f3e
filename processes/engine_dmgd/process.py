"""Interfaces of the two embedded-CPU processes of the learning-engine δ-MGD graph."""

from __future__ import annotations

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.engine import EngineSchedule


def _check_positive(name: str, value: float) -> float:
    if not float(value) > 0:
        raise ValueError(f"{name}={value} must be > 0")
    return float(value)


class EngineAstrocyte(AbstractProcess):
    """The astrocyte of one learning synapse: the post factor ``q_u`` and the perturbation.

    Per sample (positions of :class:`~astrolava.mgd.engine.EngineSchedule`, output layer):

    * counts the clean-pass output spikes on ``post_in``; at ``q = T − 1``
      ``q_u = s_u·(n − T·onehot(y))`` (:func:`~astrolava.mgd.engine.post_factor`), sent on
      ``u_out`` from the next step on (the neuron reads it at the latch);
    * reads the input layer's count report ``2·m·v`` on ``pre_in`` (``x1 = m·v``) and sets the
      scale ``c = ε / (‖q_u‖·‖x1‖)`` (mantissa and shift, sent on ``scale_out`` to the cost);
    * during the perturbed pass sends the node input ``c·q_u_j·(x1·s(t))`` on ``current_out``
      (into the output neurons' ``a_in``, aligned with the learning synapse's output).

    Every model sends first and then receives (a one-step delay, like ``Dense``), so the
    loops through the neurons do not deadlock. On Loihi 2 this is embedded-CPU work.

    Parameters
    ----------
    n_pre, n_post : int
    schedule : EngineSchedule
    epsilon : float > 0
        Frobenius norm of the perturbation θ̃, in weight LSBs.
    """

    def __init__(self, *, n_pre: int, n_post: int, schedule: EngineSchedule, epsilon: float,
                 name: str | None = None) -> None:
        super().__init__(schedule=schedule, epsilon=_check_positive("epsilon", epsilon),
                         n_post=int(n_post), name=name)
        self.pre_in = InPort(shape=(n_pre,))
        self.post_in = InPort(shape=(n_post,))
        self.label_in = InPort(shape=(1,))
        self.u_out = OutPort(shape=(n_post,))
        self.current_out = OutPort(shape=(n_post,))
        self.scale_out = OutPort(shape=(2,))
        self.q_u = Var(shape=(n_post,), init=0)
        self.x1 = Var(shape=(n_pre,), init=0)


class EngineCost(AbstractProcess):
    """The global cost: ``C₀`` and ``C̃`` from the output counts, and the global factor ``q_k``.

    ``2C = Σ_j (n_j − T·onehot(y)_j)²`` for the clean and the perturbed pass; at the last
    perturbed step ``q_k = round(η/ε²·ΔC·c·2**15)`` (7 bits signed,
    :func:`~astrolava.mgd.engine.global_factor`) is formed and sent on ``k_out`` (broadcast to
    every output neuron, read at the update). Also records the clean pass: ``n_seen``,
    ``n_correct`` (argmax of the counts) and ``cost2_sum``. Embedded-CPU work on Loihi 2.

    Parameters
    ----------
    n_post : int
    schedule : EngineSchedule
    eta, epsilon : float > 0
        Learning rate (weight LSBs per unit of ``ΔC/ε²·θ̃``) and perturbation norm.
    """

    def __init__(self, *, n_post: int, schedule: EngineSchedule, eta: float, epsilon: float,
                 name: str | None = None) -> None:
        super().__init__(schedule=schedule, eta=_check_positive("eta", eta),
                         epsilon=_check_positive("epsilon", epsilon), name=name)
        self.post_in = InPort(shape=(n_post,))
        self.label_in = InPort(shape=(1,))
        self.scale_in = InPort(shape=(2,))
        self.k_out = OutPort(shape=(n_post,))
        self.n_seen = Var(shape=(1,), init=0)
        self.n_correct = Var(shape=(1,), init=0)
        self.cost2_sum = Var(shape=(1,), init=0)
