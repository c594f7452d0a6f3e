"""Small Lava processes for runtime tests: a step counter, and a source -> relay pair whose
source can be told to raise at a given step (the relay then blocks on its port).

Kept alone in its folder: Lava's model discovery imports every module beside a process.
"""

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol


class Counter(AbstractProcess):
    """Counts time steps in ``count``; raises ``RuntimeError`` at step ``fail_at`` (0 = never)."""

    def __init__(self, fail_at: int = 0) -> None:
        super().__init__()
        self.count = Var(shape=(1,), init=0)
        self.fail_at = Var(shape=(1,), init=fail_at)


@implements(proc=Counter, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCounterModel(PyLoihiProcessModel):
    count: np.ndarray = LavaPyType(np.ndarray, int)
    fail_at: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self) -> None:
        self.count += 1
        if self.time_step == self.fail_at[0]:
            raise RuntimeError("counter failed on purpose")


class Relay(AbstractProcess):
    """Receives a value every step (from a failing Counter-like sender) and stores the last one."""

    def __init__(self) -> None:
        super().__init__()
        self.inp = InPort(shape=(1,))
        self.last = Var(shape=(1,), init=0)


class Source(AbstractProcess):
    """Sends its step count every step; raises at step ``fail_at`` (0 = never)."""

    def __init__(self, fail_at: int = 0) -> None:
        super().__init__()
        self.out = OutPort(shape=(1,))
        self.fail_at = Var(shape=(1,), init=fail_at)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRelayModel(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    last: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.last = self.inp.recv()


@implements(proc=Source, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySourceModel(PyLoihiProcessModel):
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    fail_at: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self) -> None:
        if self.time_step == self.fail_at[0]:
            raise RuntimeError("source failed on purpose")
        self.out.send(np.array([float(self.time_step)]))
