"""A sink for row messages (``astrolava.processes.probe_rows``) that records every step's rows.

Kept alone in its folder: Lava's model discovery imports every module beside a process.
"""

import numpy as np
from astrolava.processes.probe_rows import recv_rows
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol


class RowSink(AbstractProcess):
    """``data[t]``: the rows received in step ``t`` (rows not sent stay NaN)."""

    def __init__(self, *, n: int, n_probes: int, steps: int) -> None:
        super().__init__()
        self.a_in = InPort(shape=(n + 1,))
        self.probe_in = InPort(shape=(n_probes, n))
        self.data = Var(shape=(steps, 1 + n_probes, n),
                        init=np.full((steps, 1 + n_probes, n), np.nan))


@implements(proc=RowSink, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRowSink(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        rows = recv_rows(self.a_in, self.probe_in)
        self.data[self.time_step - 1, :len(rows)] = rows
