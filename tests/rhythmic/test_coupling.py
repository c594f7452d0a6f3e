"""A_φ in sliced blocks: the layout on a hand-made graph, the coupling field equal bit for bit to
a row-by-row sum in CSR order, bad input; the branch-free sine–cosine of the phases."""

import math

import numpy as np
import pytest

from astrolava.rhythmic import RhythmicParams, make_reservoir_graph
from astrolava.rhythmic.coupling import LANES, coupling_blocks, coupling_field
from astrolava.rhythmic.equations import cos_sin, phasors, unit_phasor


def csr_field(trig: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Σ_k A_φ[ℓ, k] (cos φ_k, sin φ_k), each row summed in Python in its CSR order."""
    field = np.zeros(2 * (len(indptr) - 1))
    for link in range(len(indptr) - 1):
        c = s = 0.0
        for k in indices[indptr[link]:indptr[link + 1]]:
            c += trig[2 * k]
            s += trig[2 * k + 1]
        field[2 * link], field[2 * link + 1] = c, s
    return field


def field_of(trig: np.ndarray, blocks: tuple) -> np.ndarray:
    field = np.full(len(trig) - 2, np.nan)
    coupling_field(trig, blocks, field)
    return field


def test_blocks_layout_hand_computed() -> None:
    # link 0 <- {1, 2}, link 1 <- {} (uncoupled), link 2 <- {0}: sorted by degree 0, 2, 1
    order, starts, index = coupling_blocks(np.array([0, 2, 2, 3]), np.array([1, 2, 0]))
    np.testing.assert_array_equal(order, [0, 2, 1] + [-1] * (LANES - 3))
    np.testing.assert_array_equal(starts, [0, 2])
    assert index.dtype == np.uint16
    pad = 6                                   # 2L: the zero pair of trig
    np.testing.assert_array_equal(index[:, :3], [[2, 0, pad], [4, pad, pad]])
    assert np.all(index[:, 3:] == pad)


@pytest.mark.parametrize("n_nodes", [12, 100])
def test_field_equals_row_sums_bit_for_bit(n_nodes: int) -> None:
    graph = make_reservoir_graph(RhythmicParams(n_nodes=n_nodes, mean_degree=4), 2, seed=3)
    trig = phasors(np.random.default_rng(0).uniform(0.0, 2 * np.pi, graph.n_links))
    expected = csr_field(trig, graph.coupling_indptr, graph.coupling_indices)
    np.testing.assert_array_equal(field_of(trig, graph.coupling_blocks), expected)


def test_field_with_uneven_and_empty_rows_and_wide_index() -> None:
    """Rows of 0..9 neighbours (several blocks, padding in every block), and a graph of
    40,000 links whose index needs uint32."""
    rng = np.random.default_rng(1)
    degree = rng.integers(0, 10, 37)
    indptr = np.concatenate([[0], np.cumsum(degree)])
    indices = rng.integers(0, 37, indptr[-1])
    trig = phasors(rng.uniform(0.0, 2 * np.pi, 37))
    np.testing.assert_array_equal(field_of(trig, coupling_blocks(indptr, indices)),
                                  csr_field(trig, indptr, indices))
    n_links = 40_000
    indptr = np.zeros(n_links + 1, dtype=np.int64)
    indptr[1:4] = [3, 3, 5]
    indptr[4:] = 5
    indices = np.array([39_999, 7, 20_000, 0, 39_999])
    blocks = coupling_blocks(indptr, indices)
    assert blocks[2].dtype == np.uint32
    trig = phasors(rng.uniform(0.0, 2 * np.pi, n_links))
    np.testing.assert_array_equal(field_of(trig, blocks), csr_field(trig, indptr, indices))


@pytest.mark.parametrize(("indptr", "indices", "match"), [
    ([0, 2, 1], [0, 1], "indptr"),
    ([1, 2], [0, 0], "indptr"),
    ([0], [], "indptr"),
    ([0, 1, 2], [0, 2], "indices"),
    ([0, 1, 2], [-1, 0], "indices"),
])
def test_blocks_refuse_malformed_csr(indptr: list, indices: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coupling_blocks(np.array(indptr), np.array(indices))


def test_unit_phasor_matches_the_c_library_to_rounding() -> None:
    """On a grid over [−2π, 2π] and at the quadrant boundaries: within 1.5e-16 of libm's
    cos/sin (both are within about one rounding of the exact value there)."""
    x = np.concatenate([np.linspace(-2 * np.pi, 2 * np.pi, 20_001),
                        np.arange(-4, 5) * (np.pi / 2), np.arange(-8, 9) * (np.pi / 4)])
    cos_x, sin_x = cos_sin(x)
    assert np.abs(cos_x - [math.cos(v) for v in x]).max() <= 1.5e-16
    assert np.abs(sin_x - [math.sin(v) for v in x]).max() <= 1.5e-16
    assert unit_phasor(0.0) == (1.0, 0.0)
    trig = phasors(x[:5])
    np.testing.assert_array_equal(trig[0:10:2], cos_x[:5])
    np.testing.assert_array_equal(trig[1:10:2], sin_x[:5])
    np.testing.assert_array_equal(trig[10:], [0.0, 0.0])
