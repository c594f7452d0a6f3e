"""OscillatingDense alone: buffered output equals (A∘M(φ)) n of the previous step."""

import numpy as np
import pytest
from astrolava.processes.oscillating_dense import OscillatingDense
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.fixed_point import quantize_weights
from astrolava.rhythmic import RhythmicParams, make_reservoir_graph, recurrent_input
from astrolava.rhythmic.fixed import phase_to_fixed, recurrent_input_fixed
from astrolava.runtime import LavaSession, sim_config

STEPS = 6


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_matches_equation_with_one_step_delay(tag: str) -> None:
    params = RhythmicParams(n_nodes=20)
    graph = make_reservoir_graph(params, 2, seed=1)
    rng = np.random.default_rng(0)
    activity = np.tanh(rng.standard_normal((graph.n_nodes, STEPS)))
    phases = rng.uniform(0, 2 * np.pi, (graph.n_links, STEPS))
    if tag == "fixed_pt":
        activity = np.rint(activity * 4096).astype(int)
        phases = phase_to_fixed(phases)
    layer = OscillatingDense(graph=graph, params=params)
    s_src, p_src = Source(data=activity), Source(data=phases)
    sink = Sink(shape=(graph.n_nodes,), buffer=STEPS)
    s_src.s_out.connect(layer.s_in)
    p_src.s_out.connect(layer.phase_in)
    layer.a_out.connect(sink.a_in)
    with LavaSession(layer, sim_config(tag)) as session:
        session.run(STEPS)
        out = sink.data.get()
    np.testing.assert_array_equal(out[:, 0], 0)
    for t in range(1, STEPS):
        if tag == "floating_pt":
            # a contiguous column: the one compiled specialisation of recurrent_input
            expected = recurrent_input(np.ascontiguousarray(activity[:, t - 1]),
                                       np.sin(phases[:, t - 1]), graph.rows, graph.cols,
                                       graph.weights, params.m)
            np.testing.assert_allclose(out[:, t], expected, atol=1e-12)
        else:
            w = quantize_weights(graph.weights)
            expected = recurrent_input_fixed(activity[:, t - 1], phases[:, t - 1], graph.rows,
                                             graph.cols, w.mantissa, w.weight_exp, params.m, 12)
            np.testing.assert_array_equal(out[:, t], expected)


def test_node_count_mismatch() -> None:
    graph = make_reservoir_graph(RhythmicParams(n_nodes=20), 2, seed=1)
    with pytest.raises(ValueError, match="n_nodes"):
        OscillatingDense(graph=graph, params=RhythmicParams(n_nodes=21))
    with pytest.raises(ValueError, match="in_frac_bits"):
        OscillatingDense(graph=graph, params=RhythmicParams(n_nodes=20), in_frac_bits=13)
