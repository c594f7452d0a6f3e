"""loihi_report on small graphs: formats, ranges reached, stock vs astrolava, misfits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astrolava.models.mgd.loihi_engine import initial_weights
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.delta_mgd_network import DeltaMGDNetwork, network_run_config
from astrolava.processes.engine_dmgd import EngineNetwork
from astrolava.processes.rhythmic_reservoir import ReservoirLIF
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.dense.process import Dense
from lava.proc.io.source import RingBuffer
from lava.proc.lif.process import LIF

from astrolava.cli import main
from astrolava.data import load_dataset
from astrolava.loihi_report import limits_markdown, loihi_report, signed_bits
from astrolava.mgd import DeltaMGDConfig
from astrolava.mgd.engine import EngineSchedule
from astrolava.runtime import LavaSession, sim_config


def test_signed_bits():
    assert signed_bits(0) == 1
    assert signed_bits(1) == 2
    assert signed_bits(127) == 8
    assert signed_bits(128) == 9


def test_stock_processes_and_declared_widths():
    source = RingBuffer(data=np.array([[1, 0, 1]] * 2, dtype=np.int32))
    dense = Dense(weights=np.array([[100, -60], [2, 3]]))
    lif = LIF(shape=(2,), du=4095, dv=0, vth=10_000)
    source.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    with LavaSession(lif, sim_config("fixed_pt")) as session:
        session.run(3)
        report = loihi_report(lif)
    by_class = {p.process_class: p for p in report.processes}
    assert set(by_class) == {"RingBuffer", "Dense", "LIF"}
    assert by_class["Dense"].origin == "stock Lava"
    assert "neurocore" in by_class["Dense"].loihi_mapping
    assert "host" in by_class["RingBuffer"].loihi_mapping
    weights = next(v for v in by_class["Dense"].variables if v.name == "weights")
    assert (weights.declared_bits, weights.lo, weights.hi) == (8, -60.0, 100.0)
    assert weights.bits_needed == 8 and weights.fits


def test_astrolava_model_reproducing_stock_arithmetic_names_its_loihi_resource():
    """ReservoirLIF's fixed_pt model is Loihi's integer LIF: mapped like stock LIF."""
    source = RingBuffer(data=np.array([[1, 0, 1]] * 2, dtype=np.int32))
    dense = Dense(weights=np.array([[100, -60], [2, 3]]))
    lif = ReservoirLIF(shape=(2,), dv=0.1, threshold=0.5)
    source.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    with LavaSession(lif, sim_config("fixed_pt")) as session:
        session.run(3)
        report = loihi_report(lif)
    entry = next(p for p in report.processes if p.process_class == "ReservoirLIF")
    assert entry.origin.startswith("astrolava")
    assert entry.loihi_mapping == "fixed-function LIF neurons on a neurocore"


def small_network(n: int = 20) -> tuple[DeltaMGDNetwork, DatasetSource]:
    rng = np.random.default_rng(0)
    net = DeltaMGDNetwork(weights=[rng.normal(0, 0.3, (5, 6)), rng.normal(0, 0.3, (3, 5))],
                          biases=[np.zeros(5), np.zeros(3)],
                          config=DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=5))
    source = DatasetSource(data=rng.uniform(0, 1, (n, 6)), labels=rng.integers(0, 3, n))
    source.x.connect(net.x_in)
    source.label.connect(net.label_in)
    return net, source


def test_fixed_point_network_ranges_are_the_values_reached():
    net, _ = small_network()
    with LavaSession(net, network_run_config("fixed_pt")) as session:
        session.run(20)
        biases = net.biases.get()
        report = loihi_report(net)
    proc = next(p for p in report.processes if p.process_class == "DeltaMGDNetwork")
    assert proc.origin.startswith("astrolava")
    assert proc.operations
    entry = next(v for v in proc.variables if v.name == "biases")
    assert (entry.lo, entry.hi) == (biases.min(), biases.max())
    assert entry.bits_needed == signed_bits(np.abs(biases).max() * 2 ** entry.frac_bits)
    assert entry.fits
    assert any("split over neurocores" in m for m in report.misfits)


def test_float_and_hierarchical_graphs_list_their_misfits():
    net, _ = small_network()
    with LavaSession(net, network_run_config("floating_pt", hierarchical=True)) as session:
        session.run(2 * 20)
        report = loihi_report(net)
    classes = {p.process_class for p in report.processes}
    assert {"TripartiteSynapse", "Astrocyte", "GlobalCost", "GradedTanh"} <= classes
    assert "DeltaMGDNetwork" not in classes  # the parent is not a leaf
    assert any(m.endswith(".weights: no Loihi format declared (float, or an integer of "
                          "unstated width)") for m in report.misfits)


def test_report_needs_a_run():
    net, _ = small_network()
    with pytest.raises(ValueError, match="has not run"):
        loihi_report(net)


def test_cli(capsys):
    assert main(["loihi-report", "--samples", "10", "--hidden", "8"]) == 0
    out = capsys.readouterr().out
    assert "# Loihi 2 report" in out and "What would not fit Loihi 2" in out


def test_cli_hierarchical_spiking_graph(capsys):
    """The hierarchical spiking graph on integers: LIF layers report as astrolava models (their
    rounding and per-pass reset are not the fixed-function LIF's), potentials within 24 bits."""
    assert main(["loihi-report", "--samples", "3", "--hidden", "8", "--network", "spiking",
                 "--hierarchical", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    layers = [p for p in report["processes"] if p["process_class"] == "LIFLayer"]
    assert len(layers) == 2  # hidden and output layer
    for layer in layers:
        assert layer["loihi_mapping"].startswith("needs a Loihi 2 microcode neuron")
        v = next(var for var in layer["variables"] if var["name"] == "v")
        assert v["declared_bits"] == 24 and v["fits"]
    classes = {p["process_class"] for p in report["processes"]}
    assert {"TripartiteSynapse", "Astrocyte", "GlobalCost", "DatasetSource"} <= classes


class WideTraceSynapse(AbstractProcess):
    """A synapse that keeps a 24-bit presynaptic trace for learning."""

    def __init__(self) -> None:
        super().__init__()
        self.pre_trace = Var(shape=(3,), init=np.array([5, 70_000, -3]))


@implements(proc=WideTraceSynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyWideTraceSynapseModel(PyLoihiProcessModel):
    pre_trace: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        pass


def test_a_24_bit_learning_trace_is_flagged():
    proc = WideTraceSynapse()
    with LavaSession(proc, sim_config("fixed_pt")) as session:
        session.run(1)
        report = loihi_report(proc)
    (entry,) = report.processes[0].variables
    assert entry.role == "trace" and entry.fits  # its values fit its own 24 bits...
    assert any("pre_trace: declared 24-bit trace; Loihi 2 holds 7" in m
               for m in report.misfits)  # ...but not Loihi 2's 7-bit trace
    assert "| trace | 7 | False |" in limits_markdown()


def test_learning_engine_graph_says_what_runs_where():
    X, y = load_dataset("digits", "train")
    sched = EngineSchedule(4, n_learned=2)
    net = EngineNetwork(data=X[:2], labels=y[:2], weights=initial_weights([64, 8, 10], 0),
                        schedule=sched, eta=2000.0, epsilon=200.0)
    with net.session() as session:
        net.train(session, 1)
        report = loihi_report(net.source)
    by_class = {p.process_class: p for p in report.processes}
    assert by_class["LearningDense"].loihi_mapping.startswith("synapses with the on-chip")
    assert by_class["Dense"].origin == "stock Lava"
    assert by_class["ThirdFactorLIF"].loihi_mapping.startswith("microcode neuron")
    assert by_class["EngineAstrocyte"].loihi_mapping.startswith("embedded CPU")
    assert by_class["EngineCost"].loihi_mapping.startswith("embedded CPU")
    # the learning engine's own state fits; the trace decay constants do not: Lava's
    # Loihi3FLearningRule sets y1..y3 tau to 65535 (not a parameter), and x1's TRACE_TAU = 255
    # is 8 bits unsigned, 9 as the report counts registers (signed)
    synapse = {m.split(":")[0].split(".")[1] for m in report.misfits
               if m.startswith(net.synapses[-1].name)}
    assert synapse == {"x1_tau", "y1_tau", "y2_tau", "y3_tau"}


def test_cli_learning_engine_graph(capsys):
    assert main(["loihi-report", "--learning-engine", "--samples", "2", "--hidden", "8"]) == 0
    out = capsys.readouterr().out
    assert out.count("EngineAstrocyte, model") == 2  # one per learned layer
    assert out.count("LearningDense, model") == 2
    assert "weight reads (9-bit) from the output synapse" in out
    with pytest.raises(SystemExit, match="one hidden width"):
        main(["loihi-report", "--learning-engine", "--samples", "2", "--hidden", "8", "8"])
