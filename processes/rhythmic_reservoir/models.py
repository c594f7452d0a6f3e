"""SubProcessModel of :class:`RhythmicReservoirProcess`: wiring and Var aliases only."""

from __future__ import annotations

from astrolava.processes.astrocyte_phase_network import AstrocytePhaseNetwork
from astrolava.processes.graded_neuron import GradedTanh
from astrolava.processes.oscillating_dense import OscillatingDense
from astrolava.processes.rhythmic_reservoir.process import RhythmicReservoirProcess
from astrolava.processes.series_input import SeriesInput
from lava.magma.core.decorator import implements, requires
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.lif.process import LIF

from astrolava.rhythmic.fixed import ACTIVITY_FRAC_BITS
from astrolava.rhythmic.spiking import lava_lif_params


@implements(proc=RhythmicReservoirProcess, protocol=LoihiProtocol)
@requires(CPU)
class SubRhythmicReservoirModel(AbstractSubProcessModel):
    """Builds SeriesInput, GradedTanh (or LIF), OscillatingDense, AstrocytePhaseNetwork; wires them.

    The run configuration's tag (floating_pt / fixed_pt) selects the children's models; LIF
    nodes take their parameters in the encoding of the process's ``tag``.
    """

    def __init__(self, proc: RhythmicReservoirProcess) -> None:
        graph, params = proc.proc_params["graph"], proc.proc_params["params"]
        spiking, lif = proc.proc_params["nodes"] == "lif", proc.proc_params["lif"]
        self.source = SeriesInput(data=proc.proc_params["data"], w_in=graph.w_in)
        self.nodes = (LIF(shape=(graph.n_nodes,),
                          **lava_lif_params(lif["dv"], lif["threshold"], params.bias,
                                            proc.proc_params["tag"])) if spiking else
                      GradedTanh(shape=(graph.n_nodes,), bias=params.bias, leak=params.leak))
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
