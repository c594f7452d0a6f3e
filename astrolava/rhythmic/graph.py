"""Random reservoir topology in sparse (link-list) form: A, W_in and the astrocyte graph A_φ."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from astrolava.rhythmic.coupling import coupling_blocks
from astrolava.rhythmic.params import RhythmicParams
from astrolava.validation import require_count


@dataclass(frozen=True)
class ReservoirGraph:
    """The fixed matrices of a rhythmic-sharing reservoir, links stored as lists.

    Attributes
    ----------
    rows, cols : numpy.ndarray
        Post- and presynaptic node of every link ℓ (int64, length L, sorted by row then column):
        link ℓ is the nonzero entry ``A[rows[ℓ], cols[ℓ]]``.
    weights : numpy.ndarray
        ``A[rows[ℓ], cols[ℓ]]`` (float64, length L).
    w_in : numpy.ndarray
        Input matrix, shape ``(N, n_inputs)``.
    coupling_indptr, coupling_indices : numpy.ndarray
        The binary link–link graph A_φ in CSR form: the neighbours of link ℓ are
        ``coupling_indices[coupling_indptr[ℓ]:coupling_indptr[ℓ + 1]]``.
    n_nodes : int
        N.
    """

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    w_in: np.ndarray
    coupling_indptr: np.ndarray
    coupling_indices: np.ndarray
    n_nodes: int

    def __post_init__(self) -> None:
        require_count("n_nodes", self.n_nodes)
        if len(self.rows) == 0:
            raise ValueError("the reservoir graph has no links (L = 0); raise mean_degree")
        if not (len(self.rows) == len(self.cols) == len(self.weights)):
            raise ValueError("rows, cols and weights must have the same length L")
        for name in ("rows", "cols"):
            ends = getattr(self, name)
            if ends.min() < 0 or ends.max() >= self.n_nodes:
                raise ValueError(f"{name} must hold node indices in 0..{self.n_nodes - 1} "
                                 f"(n_nodes={self.n_nodes}); they lie in "
                                 f"{ends.min()}..{ends.max()}")
        if np.ndim(self.w_in) != 2 or len(self.w_in) != self.n_nodes:
            raise ValueError(f"w_in has shape {np.shape(self.w_in)}; expected (n_nodes, "
                             f"n_inputs) with n_nodes={self.n_nodes}")
        if len(self.coupling_indptr) != len(self.rows) + 1:
            raise ValueError(f"coupling_indptr has length {len(self.coupling_indptr)}; "
                             f"expected L + 1 = {len(self.rows) + 1}")

    @property
    def n_links(self) -> int:
        """L, the number of links (nonzero entries of A)."""
        return len(self.rows)

    @property
    def n_inputs(self) -> int:
        """Columns of W_in: the input dimension d."""
        return self.w_in.shape[1]

    @cached_property
    def coupling_blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A_φ in the sliced blocks the compiled coupling field sums over
        (:func:`astrolava.rhythmic.coupling.coupling_blocks`)."""
        return coupling_blocks(self.coupling_indptr, self.coupling_indices)

    @cached_property
    def coupling(self) -> sparse.csr_matrix:
        """A_φ as an L×L sparse 0/1 float64 matrix."""
        return self._coupling(np.float64)

    @cached_property
    def integer_coupling(self) -> sparse.csr_matrix:
        """A_φ with int64 ones, for exact integer sums in fixed_pt models."""
        return self._coupling(np.int64)

    def _coupling(self, dtype: type) -> sparse.csr_matrix:
        data = np.ones(len(self.coupling_indices), dtype=dtype)
        return sparse.csr_matrix((data, self.coupling_indices, self.coupling_indptr),
                                 shape=(self.n_links, self.n_links))

    def dense_recurrent(self) -> np.ndarray:
        """A as a dense N×N matrix (for the dense formulation and for checks)."""
        a = np.zeros((self.n_nodes, self.n_nodes))
        a[self.rows, self.cols] = self.weights
        return a


def random_links(n_nodes: int, mean_degree: float, spectral_radius: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Erdős–Rényi A: P(link) = mean_degree/N, weights U(±1) scaled to ``spectral_radius``.

    Returns ``rows, cols, weights`` sorted by row then column.
    """
    mask = rng.random((n_nodes, n_nodes)) < mean_degree / n_nodes
    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        raise ValueError(f"mean_degree={mean_degree} gave a reservoir with no links for "
                         f"n_nodes={n_nodes}; raise mean_degree")
    weights = rng.uniform(-1.0, 1.0, len(rows))
    dense = np.zeros((n_nodes, n_nodes))
    dense[rows, cols] = weights
    radius = np.abs(np.linalg.eigvals(dense)).max()
    if radius > 0:
        weights = weights * (spectral_radius / radius)
    return rows.astype(np.int64), cols.astype(np.int64), weights


def block_input_matrix(n_nodes: int, n_inputs: int, scale: float,
                       rng: np.random.Generator) -> np.ndarray:
    """Block W_in: input k drives nodes ``[k·N/d, (k+1)·N/d)`` with weights U(±scale)."""
    if n_inputs < 1 or n_inputs > n_nodes:
        raise ValueError(f"n_inputs={n_inputs} must lie in 1..n_nodes={n_nodes}")
    w_in = np.zeros((n_nodes, n_inputs))
    block = (np.arange(n_nodes) * n_inputs) // n_nodes
    w_in[np.arange(n_nodes), block] = rng.uniform(-scale, scale, n_nodes)
    return w_in


def random_coupling(n_links: int, mean_degree: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Directed random A_φ without self-coupling, average out-degree ``mean_degree`` (CSR arrays).

    Draws ``round(L·mean_degree)`` distinct ordered pairs (ℓ, k), ℓ ≠ k, uniformly, so memory
    grows with the number of edges and not with L².
    """
    max_edges = n_links * (n_links - 1)
    n_edges = min(int(round(n_links * mean_degree)), max_edges)
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < n_edges:
        src = rng.integers(0, n_links, 2 * n_edges)
        dst = rng.integers(0, n_links - 1, 2 * n_edges)
        dst = dst + (dst >= src)  # skip the diagonal
        keys = np.unique(np.concatenate([keys, src * n_links + dst]))
    keys = np.sort(rng.choice(keys, n_edges, replace=False)) if len(keys) > n_edges else keys
    src, dst = keys // n_links, keys % n_links
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n_links))])
    return indptr.astype(np.int64), dst.astype(np.int64)


def make_reservoir_graph(params: RhythmicParams, n_inputs: int, seed: int = 0) -> ReservoirGraph:
    """Draw A, the block W_in and A_φ from one seed, with the sizes and scales of ``params``.

    The ingredients of Kang & Losert (arXiv:2502.08644): a sparse random recurrent matrix
    scaled to a spectral radius (:func:`random_links`), a block input matrix
    (:func:`block_input_matrix`) and a random link–link graph (:func:`random_coupling`).
    """
    rng = np.random.default_rng(seed)
    rows, cols, weights = random_links(params.n_nodes, params.mean_degree,
                                       params.spectral_radius, rng)
    w_in = block_input_matrix(params.n_nodes, n_inputs, params.input_scale, rng)
    indptr, indices = random_coupling(len(rows), params.k_phi, rng)
    return ReservoirGraph(rows=rows, cols=cols, weights=weights, w_in=w_in,
                          coupling_indptr=indptr, coupling_indices=indices,
                          n_nodes=params.n_nodes)
