"""AstrocytePhaseNetwork alone against advance_phases, in every mode."""

import numpy as np
import pytest
from astrolava.processes.astrocyte_phase_network import AstrocytePhaseNetwork
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.rhythmic import RhythmicParams, advance_phases, make_reservoir_graph
from astrolava.rhythmic.fixed import advance_phases_fixed, phase_from_fixed, phase_to_fixed
from astrolava.runtime import LavaSession, sim_config

STEPS = 8


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
@pytest.mark.parametrize("mode", ["coupled", "rotate", "frozen"])
def test_matches_reference(tag: str, mode: str) -> None:
    params = RhythmicParams(n_nodes=20)
    graph = make_reservoir_graph(params, 2, seed=3)
    rng = np.random.default_rng(1)
    activity = np.tanh(rng.standard_normal((graph.n_nodes, STEPS)))
    phases0 = rng.uniform(0, 2 * np.pi, graph.n_links)
    if tag == "fixed_pt":
        activity = np.rint(activity * 4096).astype(int)
    net = AstrocytePhaseNetwork(graph=graph, params=params, phases=phases0, mode=mode)
    src = Source(data=activity)
    sink = Sink(shape=(graph.n_links,), buffer=STEPS)
    src.s_out.connect(net.s_in)
    net.phase_out.connect(sink.a_in)
    with LavaSession(net, sim_config(tag)) as session:
        session.run(STEPS)
        out = sink.data.get()
    expected = phases0 if tag == "floating_pt" else phase_to_fixed(phases0)
    advance = advance_phases if tag == "floating_pt" else advance_phases_fixed
    for t in range(STEPS):
        expected = advance(expected, activity[:, t], graph, params, mode)
        if tag == "floating_pt":
            np.testing.assert_allclose(out[:, t], expected, atol=1e-12)
        else:
            np.testing.assert_array_equal(out[:, t], expected)
    if tag == "fixed_pt":
        assert np.abs(phase_from_fixed(out[:, -1]) - phase_from_fixed(expected)).max() == 0


def test_bad_arguments() -> None:
    params = RhythmicParams(n_nodes=20)
    graph = make_reservoir_graph(params, 2, seed=3)
    with pytest.raises(ValueError, match="phases"):
        AstrocytePhaseNetwork(graph=graph, params=params, phases=np.zeros(3))
    with pytest.raises(ValueError, match="mode"):
        AstrocytePhaseNetwork(graph=graph, params=params, phases=np.zeros(graph.n_links),
                              mode="spin")
