"""A process that does nothing but pass one number on per time step: a chain of them measures
Lava's own per-step cost for a graph of that many processes (``benchmarks/lava_hierarchical.py``).

Kept alone in its folder: Lava imports every module next to a process to find its models.
"""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol


class Relay(AbstractProcess):
    """``s_out[t] = a_in[t] + 1`` (the first of a chain sends 1: its ``a_in`` is unconnected);
    with ``learning_phase`` it asks for an (empty) learning phase in every step."""

    def __init__(self, *, first: bool = False, learning_phase: bool = False,
                 name: str | None = None) -> None:
        super().__init__(first=bool(first), learning_phase=bool(learning_phase), name=name)
        self.a_in = InPort(shape=(1,))
        self.s_out = OutPort(shape=(1,))


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRelay(PyLoihiProcessModel):
    """One receive (but in the first), one send per step; a learning phase that does nothing
    if asked for."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.first: bool = proc_params["first"]
        self.learning_phase: bool = proc_params["learning_phase"]

    def run_spk(self) -> None:
        value = np.zeros(1) if self.first else self.a_in.recv()
        self.s_out.send(value + 1)

    def lrn_guard(self) -> bool:
        return self.learning_phase

    def run_lrn(self) -> None:
        """Nothing: the phase itself is what is measured."""


def relay_chain(n_processes: int, learning_phase: bool = False) -> list[Relay]:
    """``n_processes`` relays connected in a chain (``learning_phase``: see :class:`Relay`)."""
    chain = [Relay(first=i == 0, learning_phase=learning_phase) for i in range(n_processes)]
    for upstream, downstream in zip(chain[:-1], chain[1:], strict=True):
        upstream.s_out.connect(downstream.a_in)
    return chain
