"""Interface of :class:`ThirdFactorLIF`."""

from __future__ import annotations

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.variable import Var
from lava.proc.lif.process import LIF

from astrolava.mgd.engine import EngineSchedule
from astrolava.validation import require_int


class ThirdFactorLIF(LIF):
    """Lava's LIF, run in the two passes of a δ-MGD sample, that also feeds a learning synapse.

    Neural dynamics (Lava's ``LIF``, unchanged; fixed_pt is ``PyLifModelBitAcc``)::

        u[t] = u[t-1]·(1 − du) + a_in          v[t] = v[t-1]·(1 − dv) + u[t] + bias
        s[t] = v[t] > vth,  v[t] ← 0 where s[t]

    run only inside the passes of :class:`~astrolava.mgd.engine.EngineSchedule`. At position
    ``p = (t − 1 − offset(d)) mod W`` of a layer at depth ``d``:

    * ``p = 0`` and ``p = P``: ``u``, ``v`` and the spike count are zeroed (a new pass);
    * inside a pass: one LIF step; ``s_out`` carries payload 1 per spike; the clean pass
      counts spikes in ``count``;
    * ``p = event(d)`` with ``report``: ``s_out`` carries ``2·m·count`` (the learning synapse,
      in ``GradedSpikeCfg.OVERWRITE``, sets ``x1 = m·count``; no spike when ``count = 0``);
    * otherwise (gaps): input ignored, nothing sent.

    Towards the learning synapse of its inputs (``LearningDense.s_in_bap``, ``s_in_y2``,
    ``s_in_y3``): ``bap = 1`` at ``p = event(d)`` (the latch) and ``p = update(d)``,
    ``y2 = 64 + q_u`` at the latch (``q_u`` read on ``u_in``), ``y3 = 64 + q_k`` at the update
    (``q_k`` read on ``k_in``), ``y2 = y3 = 64`` otherwise.

    Parameters
    ----------
    shape : tuple of int
    schedule : EngineSchedule
    depth : int in 0..schedule.n_learned
        Learned layers above this one (0: the output layer; ``n_learned``: the input layer).
    report : bool
        Send the clean-pass count at ``event(depth)`` (layers presynaptic to a learning
        synapse).
    du, dv, vth, bias_mant, bias_exp, name
        As Lava's ``LIF``.
    """

    def __init__(self, *, shape: tuple[int, ...], schedule: EngineSchedule, depth: int = 0,
                 report: bool = False, du: float = 0, dv: float = 0, vth: float = 10,
                 bias_mant: float = 0, bias_exp: float = 0, name: str | None = None) -> None:
        # AbstractProcess must be initialised before anything can raise (its __del__ needs it)
        super().__init__(shape=shape, du=du, dv=dv, vth=vth, bias_mant=bias_mant,
                         bias_exp=bias_exp, name=name, schedule=schedule, report=bool(report))
        self.proc_params.overwrite("depth", require_int("depth", depth, 0, schedule.n_learned))
        self.count = Var(shape=shape, init=0)
        self.u_in = InPort(shape=shape)
        self.k_in = InPort(shape=shape)
        self.bap = OutPort(shape=shape)
        self.y2 = OutPort(shape=shape)
        self.y3 = OutPort(shape=shape)
