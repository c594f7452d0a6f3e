"""Random reservoir topology."""

import numpy as np
import pytest

from astrolava.rhythmic import RhythmicParams, make_reservoir_graph
from astrolava.rhythmic.graph import (
    ReservoirGraph,
    block_input_matrix,
    random_coupling,
    random_links,
)


def test_published_defaults_give_expected_graph() -> None:
    p = RhythmicParams()
    g = make_reservoir_graph(p, n_inputs=3, seed=0)
    assert abs(g.n_links / p.n_nodes - p.mean_degree) < 2.0
    radius = np.abs(np.linalg.eigvals(g.dense_recurrent())).max()
    assert radius == pytest.approx(0.6)
    assert g.coupling.shape == (g.n_links, g.n_links)
    assert g.coupling.nnz == round(g.n_links * p.n_nodes / 2)   # k_phi = N/2
    assert np.all(g.coupling.diagonal() == 0)
    assert np.all(np.diff(g.rows) >= 0)


def test_block_input_matrix() -> None:
    w = block_input_matrix(6, 3, 1.2, np.random.default_rng(0))
    assert np.count_nonzero(w) == 6
    assert np.all(np.flatnonzero(w[:, 0]) == [0, 1]) and np.all(np.flatnonzero(w[:, 2]) == [4, 5])
    assert np.abs(w).max() <= 1.2


def test_random_coupling_csr_is_consistent() -> None:
    indptr, indices = random_coupling(50, 4.0, np.random.default_rng(1))
    assert indptr[-1] == len(indices) == 200
    src = np.repeat(np.arange(50), np.diff(indptr))
    assert np.all(src != indices)
    assert len(set(zip(src.tolist(), indices.tolist(), strict=True))) == 200


def test_no_links_raises() -> None:
    with pytest.raises(ValueError, match="no links"):
        random_links(3, 1e-9, 0.6, np.random.default_rng(0))


@pytest.mark.parametrize("kwargs", [{"m": 1.5}, {"m": -0.1}, {"leak": 1.0}, {"tau": 0.0},
                                    {"n_nodes": 0}, {"ridge": -1.0}])
def test_params_validation(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RhythmicParams(**kwargs)


@pytest.mark.parametrize(("change", "match"), [
    ({"rows": np.array([0, 3])}, r"rows must hold node indices in 0\.\.2"),
    ({"cols": np.array([-1, 0])}, "cols must hold node indices"),
    ({"w_in": np.zeros((2, 1))}, r"w_in has shape \(2, 1\)"),
    ({"w_in": np.zeros(3)}, "w_in has shape"),
    ({"coupling_indptr": np.array([0, 1])}, "coupling_indptr has length 2"),
    ({"n_nodes": 0}, "n_nodes=0"),
])
def test_graph_refuses_inconsistent_arrays(change: dict, match: str) -> None:
    arrays = {"rows": np.array([0, 2]), "cols": np.array([1, 2]),
              "weights": np.array([0.5, -0.5]), "w_in": np.ones((3, 1)),
              "coupling_indptr": np.array([0, 1, 2]), "coupling_indices": np.array([1, 0]),
              "n_nodes": 3}
    ReservoirGraph(**arrays)
    with pytest.raises(ValueError, match=match):
        ReservoirGraph(**{**arrays, **change})
