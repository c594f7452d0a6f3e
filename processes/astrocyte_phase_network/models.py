"""Process models of :class:`AstrocytePhaseNetwork`: floating_pt and fixed_pt."""

from __future__ import annotations

import numpy as np
from astrolava.processes.astrocyte_phase_network.process import AstrocytePhaseNetwork
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import ACTIVITY_FRAC_BITS, ORDER_FRAC_BITS, STATE_BITS
from astrolava.rhythmic.equations import order_parameter, rate_activity, rate_trace
from astrolava.rhythmic.fixed import (
    advance_phases_fixed,
    order_parameter_fixed,
    phase_from_fixed,
    phase_to_fixed,
    rate_trace_fixed,
)
from astrolava.rhythmic.reservoir import PHASE_MODES, advance_phases


class AbstractPyAstrocytePhaseNetworkModel(PyLoihiProcessModel):
    """The Vars and parameters both precisions share (Vars hold real units in both) and the
    step: receive activity (spikes: through the rate trace, :meth:`rate_drive`), advance the
    phases in the current mode (:meth:`advance`), send the phases and the order parameter."""

    phases: np.ndarray = LavaPyType(np.ndarray, float)
    R: np.ndarray = LavaPyType(np.ndarray, float)
    mean_phase: np.ndarray = LavaPyType(np.ndarray, float)
    mode: np.ndarray = LavaPyType(np.ndarray, int)
    rate: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.graph, self.params = proc_params["graph"], proc_params["params"]
        self.rate_alpha = proc_params["rate_alpha"]

    def run_spk(self) -> None:
        activity = self.s_in.recv()
        if self.rate_alpha > 0:
            activity = self.rate_drive(activity)
        phase_message, order_message = self.advance(activity, PHASE_MODES[int(self.mode[0])])
        self.phase_out.send(phase_message)
        self.order_out.send(order_message)

    def rate_drive(self, spikes: np.ndarray) -> np.ndarray:
        """Update the rate trace r with the spikes; the node signal 2r − 1 that drives the links."""
        raise NotImplementedError

    def advance(self, activity: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Advance the phases and set R, ⟨Φ⟩; the ``phase_out`` and ``order_out`` messages."""
        raise NotImplementedError


@implements(proc=AstrocytePhaseNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyAstrocytePhaseNetworkModelFloat(AbstractPyAstrocytePhaseNetworkModel):
    """float64 phases, advanced by ``astrolava.rhythmic.advance_phases``.

    The rate trace, the phase step and the order parameter are the compiled functions of
    ``astrolava.rhythmic.equations`` that the reference reservoir's loop runs.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    phase_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    order_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def rate_drive(self, spikes: np.ndarray) -> np.ndarray:
        spikes = np.ascontiguousarray(spikes, dtype=np.float64)  # the reference's specialisation
        self.rate[:] = rate_trace(self.rate, spikes, self.rate_alpha)
        return rate_activity(self.rate)

    def advance(self, activity: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        self.phases[:] = advance_phases(self.phases, activity, self.graph, self.params, mode)
        self.R[0], self.mean_phase[0] = order_parameter(self.phases)
        return self.phases, np.array([self.R[0], self.mean_phase[0]])


@implements(proc=AstrocytePhaseNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAstrocytePhaseNetworkModelFixed(AbstractPyAstrocytePhaseNetworkModel):
    """Integer phase accumulators modulo 2**20, sine table, drive and coupling in Q16.

    Each step: accumulators ``q = phase_to_fixed(phases)`` (exact, the Var holds
    ``phase_from_fixed(q)``), then ``astrolava.rhythmic.fixed.advance_phases_fixed`` (sums of
    table sines, integer norm and division, products shifted by 24 into phase units), then
    R (16 fractional bits) and ⟨Φ⟩ from the integer sums (``order_parameter_fixed``).

    Spiking input (``rate_alpha`` > 0): ``s_in`` carries binary spikes (Lava ``LIF``,
    fixed_pt); the rate trace r is kept with 12 fractional bits
    (``astrolava.rhythmic.fixed.rate_trace_fixed``, the Var holds r in real units, exactly)
    and the links are driven by n = 2r − 1 in the same 12-bit activity format.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    phase_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    order_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)

    def rate_drive(self, spikes: np.ndarray) -> np.ndarray:
        one = 1 << ACTIVITY_FRAC_BITS
        trace_q = rate_trace_fixed(np.rint(self.rate * one), spikes, self.rate_alpha)
        self.rate[:] = trace_q / one
        return 2 * trace_q - one

    def advance(self, activity: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        q = advance_phases_fixed(phase_to_fixed(self.phases), activity,
                                 self.graph, self.params, mode)
        self.phases[:] = phase_from_fixed(q)
        r_q, psi_q = order_parameter_fixed(q)
        self.R[0] = r_q / (1 << ORDER_FRAC_BITS)
        self.mean_phase[0] = phase_from_fixed(psi_q)
        return q, np.array([r_q, psi_q])
