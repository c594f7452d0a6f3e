"""Models of the rhythmic reservoir: the SubProcessModel of :class:`RhythmicReservoirProcess`
(wiring and Var aliases only) and the floating_pt / fixed_pt models of :class:`ReservoirLIF`."""

from __future__ import annotations

import numpy as np
from astrolava.processes.astrocyte_phase_network import AstrocytePhaseNetwork
from astrolava.processes.graded_neuron import GradedTanh
from astrolava.processes.oscillating_dense import OscillatingDense
from astrolava.processes.rhythmic_reservoir.process import ReservoirLIF, RhythmicReservoirProcess
from astrolava.processes.series_input import SeriesInput
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import (
    ACTIVITY_FRAC_BITS,
    LIF_BIAS_BITS,
    LIF_DECAY_BITS,
    LIF_VTH_BITS,
    STATE_BITS,
    VOLTAGE_FRAC_BITS,
)
from astrolava.loihi_report import LOIHI_STOCK
from astrolava.rhythmic.equations import lif_step
from astrolava.rhythmic.fixed import lif_step_fixed


@implements(proc=RhythmicReservoirProcess, protocol=LoihiProtocol)
@requires(CPU)
class SubRhythmicReservoirModel(AbstractSubProcessModel):
    """Builds SeriesInput, GradedTanh (or ReservoirLIF), OscillatingDense,
    AstrocytePhaseNetwork; wires them.

    The run configuration's tag (floating_pt / fixed_pt) selects the children's models.
    """

    def __init__(self, proc: RhythmicReservoirProcess) -> None:
        graph, params = proc.proc_params["graph"], proc.proc_params["params"]
        spiking, lif = proc.proc_params["nodes"] == "lif", proc.proc_params["lif"]
        self.source = SeriesInput(data=proc.proc_params["data"], w_in=graph.w_in)
        self.nodes = (ReservoirLIF(shape=(graph.n_nodes,), dv=lif["dv"],
                                   threshold=lif["threshold"], bias=params.bias) if spiking else
                      GradedTanh(shape=(graph.n_nodes,), bias=params.bias, leak=params.leak,
                                 in_frac_bits=ACTIVITY_FRAC_BITS,
                                 out_frac_bits=ACTIVITY_FRAC_BITS))
        self.links = OscillatingDense(graph=graph, params=params,
                                      in_frac_bits=0 if spiking else ACTIVITY_FRAC_BITS)
        self.astrocytes = AstrocytePhaseNetwork(graph=graph, params=params,
                                                phases=proc.proc_params["phases"],
                                                mode=proc.proc_params["mode"],
                                                rate_alpha=lif["alpha"] if spiking else 0.0)
        self.source.a_out.connect(self.nodes.a_in)
        self.links.a_out.connect(self.nodes.a_in)
        self.nodes.s_out.connect([self.links.s_in, self.astrocytes.s_in])
        self.astrocytes.phase_out.connect(self.links.phase_in)
        self.astrocytes.order_out.connect(proc.order_out)
        self.nodes.s_out.connect(proc.s_out)
        proc.vars.phases.alias(self.astrocytes.phases)
        proc.vars.R.alias(self.astrocytes.R)
        proc.vars.mean_phase.alias(self.astrocytes.mean_phase)
        proc.vars.mode.alias(self.astrocytes.mode)
        proc.vars.n.alias(self.nodes.v if spiking else self.nodes.n)


class AbstractPyReservoirLIFModel(PyLoihiProcessModel):
    """The Vars both precisions share (real units in both) and the step: receive the input
    current, take one LIF step (:meth:`lif`), store v, send the spikes."""

    v: np.ndarray = LavaPyType(np.ndarray, float)
    dv: np.ndarray = LavaPyType(np.ndarray, float)
    threshold: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.v[:], spikes = self.lif(self.a_in.recv())
        self.s_out.send(spikes)

    def lif(self, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(v after the step in real units, spikes) from the input current as received."""
        raise NotImplementedError


@implements(proc=ReservoirLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReservoirLIFModelFloat(AbstractPyReservoirLIFModel):
    """float64: ``astrolava.rhythmic.equations.lif_step`` (v, a_in + b), the reference's code."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def lif(self, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lif_step(self.v, current + self.bias[0], self.dv[0], self.threshold[0])


@implements(proc=ReservoirLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReservoirLIFModelFixed(AbstractPyReservoirLIFModel):
    """Loihi integers: ``astrolava.rhythmic.fixed.lif_step_fixed`` on v_q = v·2**18 (exact)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)

    loihi_formats = {"v": (STATE_BITS, VOLTAGE_FRAC_BITS), "dv": (LIF_DECAY_BITS, LIF_DECAY_BITS),
                     "threshold": (LIF_VTH_BITS, ACTIVITY_FRAC_BITS),
                     "bias": (LIF_BIAS_BITS, ACTIVITY_FRAC_BITS)}
    """Integer formats the real-valued Vars stand for (Loihi's LIF registers: 24-bit v, 12-bit
    decay, 17-bit threshold and 13-bit bias mantissas)."""
    loihi_mapping = LOIHI_STOCK["LIF"]
    loihi_operations = ("Loihi's fixed-function LIF with du = 4095 (the arithmetic of Lava's "
                        "bit-accurate LIF model; maps onto stock LIF neurons)",)

    def lif(self, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scale = 1 << VOLTAGE_FRAC_BITS
        voltage_q, spikes = lif_step_fixed(np.rint(self.v * scale), current, self.dv[0],
                                           self.threshold[0], self.bias[0])
        return voltage_q / scale, spikes
