"""A one-Var Lava process that counts steps and can be told to raise at a given step.

Kept alone in its folder: Lava's model discovery imports every module beside a process.
"""

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.type import LavaPyType
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
