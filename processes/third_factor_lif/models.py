"""Process models of :class:`ThirdFactorLIF`: Lava's LIF models (floating_pt ``PyLifModelFloat``,
fixed_pt ``PyLifModelBitAcc``) run on the δ-MGD sample schedule."""

from __future__ import annotations

import numpy as np
from astrolava.processes.third_factor_lif.process import ThirdFactorLIF
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.lif.models import (
    AbstractPyLifModelFixed,
    AbstractPyLifModelFloat,
    PyLifModelBitAcc,
    PyLifModelFloat,
)

from astrolava.mgd.engine import TRACE_OFFSET, EngineSchedule


class ThirdFactorSchedule:
    """Schedule shared by both models; the LIF step is the parent Lava model's."""

    loihi_mapping = ("microcode neuron: Lava's LIF plus a pass counter (resets u, v at the "
                     "start of each pass, gates the gaps), a spike counter with a graded count "
                     "report, and the bap/y2/y3 outputs to the learning engine")
    loihi_operations = ("per sample out: 2T spikes at most, 1 graded count report (8-bit), "
                        "2 bap pulses, 2 third-factor values (7-bit)",)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.schedule: EngineSchedule = proc_params["schedule"]
        self.depth: int = proc_params["depth"]
        self.report: bool = proc_params["report"]

    def lif_step(self, a_in: np.ndarray) -> np.ndarray:
        """One step of the parent LIF model; returns the spikes."""
        raise NotImplementedError

    def run_spk(self) -> None:
        sched = self.schedule
        a_in = self.a_in.recv()
        u_in, k_in = self.u_in.recv(), self.k_in.recv()
        p = (self.time_step - 1 - sched.offset(self.depth)) % sched.window
        latch, update = sched.event(self.depth), sched.update(self.depth)
        out = np.zeros(self.s_out.shape, dtype=self.count.dtype)
        if p in (0, sched.perturbed_start):
            self.u[:] = 0
            self.v[:] = 0
            if p == 0:
                self.count[:] = 0
        phase = sched.phase(p)
        if phase != "gap":
            spikes = self.lif_step(a_in)
            out[spikes] = 1
            if phase == "clean":
                self.count[spikes] += 1
        elif self.report and p == latch:
            out = 2 * sched.count_scale * self.count
        bap = np.full(out.shape, int(p in (latch, update)))
        y2 = TRACE_OFFSET + (u_in if p == latch else np.zeros_like(u_in))
        y3 = TRACE_OFFSET + (k_in if p == update else 0 * k_in)
        self.s_out.send(out)
        self.bap.send(bap)
        self.y2.send(y2)
        self.y3.send(y3)


@implements(proc=ThirdFactorLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyThirdFactorLIFModelFloat(ThirdFactorSchedule, AbstractPyLifModelFloat):
    """Float LIF (``PyLifModelFloat``'s threshold) on the sample schedule."""

    vth: float = LavaPyType(float, float)
    spiking_activation = PyLifModelFloat.spiking_activation

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    u_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    k_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    count: np.ndarray = LavaPyType(np.ndarray, float)

    def lif_step(self, a_in: np.ndarray) -> np.ndarray:
        self.subthr_dynamics(activation_in=a_in)
        spikes = self.spiking_activation()
        self.reset_voltage(spike_vector=spikes)
        return spikes


@implements(proc=ThirdFactorLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyThirdFactorLIFModelFixed(ThirdFactorSchedule, AbstractPyLifModelFixed):
    """Bit-accurate LIF (``PyLifModelBitAcc``'s threshold and spike) on the sample schedule;
    8-bit graded reports, 7-bit third factors."""

    vth: int = LavaPyType(int, np.int32, precision=17)
    scale_threshold = PyLifModelBitAcc.scale_threshold
    spiking_activation = PyLifModelBitAcc.spiking_activation

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=8)
    u_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    k_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=1)
    y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=6)

    def lif_step(self, a_in: np.ndarray) -> np.ndarray:
        self.scale_bias()
        if not self.isthrscaled:
            self.scale_threshold()
        self.subthr_dynamics(activation_in=a_in)
        spikes = self.spiking_activation()
        self.reset_voltage(spike_vector=spikes)
        return spikes
