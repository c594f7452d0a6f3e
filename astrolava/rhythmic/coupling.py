"""The astrocyte graph A_φ in sliced blocks, and the compiled sum of neighbour phasors over it.

The coupling field of rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired
paradigm for zero-shot adaptive learning in neural networks", arXiv:2502.08644),

    C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k},

costs one gather per entry of the binary link–link graph A_φ (about N/2 per link), and is the
bulk of a reservoir step. Its rows are stored here in *sliced blocks* (sliced ELLPACK): the links
sorted by neighbour count are cut into groups of ``LANES``; a group's neighbour lists are stored
column by column in a ``(rows, LANES)`` array, the shorter lists padded with the index of a zero
slot. :func:`coupling_field` then sums the ``LANES`` rows of a group at once: each entry is one
index load and one 16-byte load of the pair (cos φ_k, sin φ_k), added into the row's own pair of
accumulators. Every row is still summed in its own neighbour order, and adding the padding's
(+0, +0) changes no sum, so the field equals a row-by-row sum in CSR order bit for bit. The
groups' independent accumulators keep the adds off one dependency chain, and no N×N or L×L
array is formed.

The phases' trigonometry is passed in one interleaved array ``trig`` of length 2L + 2:
``trig[2ℓ] = cos φ_ℓ``, ``trig[2ℓ + 1] = sin φ_ℓ``, and ``trig[2L:]`` = (0, 0), the padding slot
(:func:`astrolava.rhythmic.equations.phasors`).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

LANES = 8
"""Rows of A_φ summed together (the links of one block)."""


def coupling_blocks(indptr: np.ndarray, indices: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A_φ, given in CSR form, as sliced blocks for :func:`coupling_field`.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        A_φ in CSR form: the neighbours of link ℓ are ``indices[indptr[ℓ]:indptr[ℓ + 1]]``.

    Returns
    -------
    order : numpy.ndarray
        int64, ``(G·LANES,)`` for G blocks: the link whose row is lane j of block g is
        ``order[g·LANES + j]`` (−1 for the padding lanes of the last block). Links are sorted
        by decreasing neighbour count, so the lists of a block have nearly equal lengths.
    starts : numpy.ndarray
        int64, ``(G + 1,)``: block g is ``index[starts[g]:starts[g + 1]]``.
    index : numpy.ndarray
        ``(starts[G], LANES)``, uint16 (uint32 when 2L + 1 > 65535): ``index[starts[g] + i, j]``
        is 2k for the i-th neighbour k of lane j's link (the offset of cos φ_k in ``trig``), or
        2L (the zero slot) past the end of its list.
    """
    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    n_links = len(indptr) - 1
    if n_links < 1 or indptr[0] != 0 or indptr[-1] != len(indices) or np.any(np.diff(indptr) < 0):
        raise ValueError("indptr must start at 0, not decrease and end at len(indices), with "
                         "at least one link")
    if len(indices) and (indices.min() < 0 or indices.max() >= n_links):
        raise ValueError(f"indices must lie in 0..{n_links - 1} (the links)")
    degree = np.diff(indptr)
    n_blocks = -(-n_links // LANES)
    order = np.full(n_blocks * LANES, -1, dtype=np.int64)
    order[:n_links] = np.argsort(-degree, kind="stable")
    lane_degree = np.where(order >= 0, degree[np.maximum(order, 0)], 0)
    starts = np.concatenate([[0], np.cumsum(lane_degree.reshape(n_blocks, LANES).max(axis=1))])
    dtype = np.uint16 if 2 * n_links < np.iinfo(np.uint16).max else np.uint32
    index = np.full((starts[-1], LANES), 2 * n_links, dtype=dtype)
    real = order >= 0
    slots = np.flatnonzero(real)
    links = order[real]
    # entry i of the list of the link in slot s goes to row starts[s // LANES] + i, column s % LANES
    counts = degree[links]
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    slot = np.repeat(slots, counts)
    index[starts[slot // LANES] + within, slot % LANES] = 2 * indices[
        np.repeat(indptr[links], counts) + within]
    return order, starts.astype(np.int64), index


@intrinsic
def block_sums(typingctx, trig, index, start, stop):
    """Σ over rows ``start..stop − 1`` of ``index`` of the pairs of ``trig`` each lane names.

    Returns ``LANES`` pairs as one flat tuple (C_0, S_0, C_1, S_1, …). Each row loads the lanes'
    indices as 64-bit words and adds the 16-byte pair (cos φ_k, sin φ_k) at ``trig[2k]`` into
    the lane's 2-wide accumulator, rows in order: per lane the adds of a sequential sum.
    """
    sig = types.UniTuple(types.float64, 2 * LANES)(trig, index, start, stop)

    def codegen(context, builder, signature, args):
        trig_array = context.make_array(signature.args[0])(context, builder, args[0])
        index_array = context.make_array(signature.args[1])(context, builder, args[1])
        i32, i64 = ir.IntType(32), ir.IntType(64)
        width = signature.args[1].dtype.bitwidth
        per_word = 64 // width
        pair = ir.VectorType(ir.DoubleType(), 2)
        zero = ir.Constant(pair, [0.0, 0.0])
        mask = ir.Constant(i64, (1 << width) - 1)
        first_row, stop_row = args[2], args[3]
        entry = builder.block
        loop = builder.append_basic_block("blocks.row")
        done = builder.append_basic_block("blocks.done")
        builder.cbranch(builder.icmp_signed("<", first_row, stop_row), loop, done)
        builder.position_at_end(loop)
        row = builder.phi(i64)
        sums = [builder.phi(pair) for _ in range(LANES)]
        words = builder.bitcast(builder.gep(index_array.data,
                                            [builder.mul(row, ir.Constant(i64, LANES))]),
                                i64.as_pointer())
        added = []
        for lane in range(LANES):
            if lane % per_word == 0:
                word = builder.load(builder.gep(words, [ir.Constant(i64, lane // per_word)]),
                                    align=width // 8)
            shift = ir.Constant(i64, width * (lane % per_word))
            offset = builder.and_(builder.lshr(word, shift), mask)
            value = builder.load(builder.bitcast(builder.gep(trig_array.data, [offset]),
                                                 pair.as_pointer()), align=8)
            added.append(builder.fadd(sums[lane], value))
        next_row = builder.add(row, ir.Constant(i64, 1))
        builder.cbranch(builder.icmp_signed("<", next_row, stop_row), loop, done)
        row.add_incoming(first_row, entry)
        row.add_incoming(next_row, loop)
        for total, new in zip(sums, added, strict=True):
            total.add_incoming(zero, entry)
            total.add_incoming(new, loop)
        builder.position_at_end(done)
        finals = []
        for new in added:
            final = builder.phi(pair)
            final.add_incoming(zero, entry)
            final.add_incoming(new, loop)
            finals.append(final)
        flat = [builder.extract_element(final, ir.Constant(i32, part))
                for final in finals for part in (0, 1)]
        return context.make_tuple(builder, signature.return_type, flat)

    return sig, codegen


@njit(cache=True)
def coupling_field(trig: np.ndarray, blocks: tuple, field: np.ndarray) -> None:
    """The astrocyte field of every link, C_ℓ + iS_ℓ = Σ_k A_φ[ℓ, k]·e^{iφ_k}, in place.

    Parameters
    ----------
    trig : numpy.ndarray
        (cos φ, sin φ) interleaved, length 2L + 2, the last pair zero.
    blocks : tuple
        A_φ from :func:`coupling_blocks`.
    field : numpy.ndarray
        Receives C_ℓ at ``field[2ℓ]`` and S_ℓ at ``field[2ℓ + 1]``, length 2L. Every sum
        runs over the neighbours in their CSR order.
    """
    order, starts, index = blocks
    for block in range(len(starts) - 1):
        sums = block_sums(trig, index, starts[block], starts[block + 1])
        for lane in range(LANES):
            link = order[block * LANES + lane]
            if link >= 0:
                field[2 * link] = sums[2 * lane]
                field[2 * link + 1] = sums[2 * lane + 1]
