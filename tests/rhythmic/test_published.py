"""The published formulation (dense modulation, sparse A_φ, incidence matrix) against the
reference equations."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.data.dynamics import THOMAS_PROTOCOL
from astrolava.rhythmic import RhythmicParams, RhythmicReservoir, make_reservoir_graph
from astrolava.rhythmic.published import PublishedRhythmicReservoir, incidence_matrix


@pytest.mark.parametrize("gamma", [0.0, 0.3])
def test_published_loop_agrees_with_the_reference(gamma: float) -> None:
    """Same graph, seed and raw protocol series: R, ⟨Φ⟩, phases and activity agree to
    rounding over 300 steps."""
    params = RhythmicParams(n_nodes=40, gamma=gamma)
    graph = make_reservoir_graph(params, 3, seed=4)
    u = thomas_switching(seed=1, **{**THOMAS_PROTOCOL, "n_steps": 300}).x
    reference = RhythmicReservoir(graph, params, seed=4)
    trace = reference.run(u)
    published = PublishedRhythmicReservoir(graph, params, seed=4)
    r, psi = published.run(u)
    np.testing.assert_allclose(r, trace.R, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.cos(psi), np.cos(trace.mean_phase), rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.exp(1j * published.phases), np.exp(1j * reference.phases),
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(published.activity, trace.states[-1], rtol=0, atol=1e-9)


def test_incidence_matrix_counts_a_self_loop_once() -> None:
    graph = make_reservoir_graph(RhythmicParams(n_nodes=30, mean_degree=8), 2, seed=0)
    b = incidence_matrix(graph).toarray()
    assert b.shape == (30, graph.n_links)
    ends = b.sum(axis=0)
    np.testing.assert_array_equal(ends, np.where(graph.rows == graph.cols, 1, 2))
    np.testing.assert_array_equal(b[graph.rows, np.arange(graph.n_links)], 1)
    np.testing.assert_array_equal(b[graph.cols, np.arange(graph.n_links)], 1)


def test_published_loop_checks_its_input() -> None:
    params = RhythmicParams(n_nodes=20)
    graph = make_reservoir_graph(params, 3, seed=0)
    with pytest.raises(ValueError, match="expected"):
        PublishedRhythmicReservoir(graph, params).run(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="n_nodes"):
        PublishedRhythmicReservoir(graph, RhythmicParams(n_nodes=21))
