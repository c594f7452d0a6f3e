"""Interface of :class:`ThirdFactorLIF`."""

from __future__ import annotations

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.variable import Var
from lava.proc.lif.process import LIF

from astrolava.mgd.engine import EngineSchedule


class ThirdFactorLIF(LIF):
    """Lava's LIF, run in the two passes of a δ-MGD sample, that also feeds a learning synapse.

    Neural dynamics (Lava's ``LIF``, unchanged; fixed_pt is ``PyLifModelBitAcc``)::

        u[t] = u[t-1]·(1 − du) + a_in          v[t] = v[t-1]·(1 − dv) + u[t] + bias
        s[t] = v[t] > vth,  v[t] ← 0 where s[t]

    run only inside the passes of :class:`~astrolava.mgd.engine.EngineSchedule`. At position
    ``p = (t − 1 − offset) mod W``:

    * ``p = 0`` and ``p = P``: ``u``, ``v`` and the spike count are zeroed (a new pass);
    * inside a pass: one LIF step; ``s_out`` carries payload 1 per spike; the clean pass
      counts spikes in ``count``;
    * ``p = report`` (if given): ``s_out`` carries ``2·m·count`` (the learning synapse, in
      ``GradedSpikeCfg.OVERWRITE``, sets ``x1 = m·count``; no spike when ``count = 0``);
    * otherwise (gaps): input ignored, nothing sent.

    Towards the learning synapse of its inputs (``LearningDense.s_in_bap``, ``s_in_y2``,
    ``s_in_y3``): ``bap = 1`` at ``p = latch`` and ``p = update``, ``y2 = 64 + q_u`` at the
    latch (``q_u`` read on ``u_in``), ``y3 = 64 + q_k`` at the update (``q_k`` read on
    ``k_in``), ``y2 = y3 = 64`` otherwise.

    Parameters
    ----------
    shape : tuple of int
    schedule : EngineSchedule
    offset : int >= 0
        Steps between the ``DatasetSource`` sample start and this layer's position 0.
    report : bool
        Send the clean-pass count at position ``T + 1`` (layers presynaptic to a learning
        synapse).
    du, dv, vth, bias_mant, bias_exp, name
        As Lava's ``LIF``.
    """

    def __init__(self, *, shape: tuple[int, ...], schedule: EngineSchedule, offset: int = 0,
                 report: bool = False, du: float = 0, dv: float = 0, vth: float = 10,
                 bias_mant: float = 0, bias_exp: float = 0, name: str | None = None) -> None:
        if int(offset) < 0:
            raise ValueError(f"offset={offset} must be >= 0")
        super().__init__(shape=shape, du=du, dv=dv, vth=vth, bias_mant=bias_mant,
                         bias_exp=bias_exp, name=name, schedule=schedule, offset=int(offset),
                         report=bool(report))
        self.count = Var(shape=shape, init=0)
        self.u_in = InPort(shape=shape)
        self.k_in = InPort(shape=shape)
        self.bap = OutPort(shape=shape)
        self.y2 = OutPort(shape=shape)
        self.y3 = OutPort(shape=shape)
