"""A sink that records a message only in the last step of every pass of ``num_steps`` steps
(``LIFLayer.slope_out`` sends only then).

Kept alone in its folder: Lava's model discovery imports every module beside a process.
"""

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol


class PassSink(AbstractProcess):
    """``data[p]``: the message of the last step of pass ``p``."""

    def __init__(self, *, n: int, num_steps: int, passes: int) -> None:
        super().__init__(num_steps=num_steps)
        self.a_in = InPort(shape=(n,))
        self.data = Var(shape=(passes, n), init=np.zeros((passes, n)))


@implements(proc=PassSink, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt", "fixed_pt")
class PyPassSink(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        steps = self.proc_params["num_steps"]
        if self.time_step % steps == 0:
            self.data[self.time_step // steps - 1] = self.a_in.recv()
