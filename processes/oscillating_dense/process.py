"""Interface of the oscillating (phase-modulated) recurrent link layer."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.fixed_point import ACTIVITY_FRAC_BITS
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams


class OscillatingDense(AbstractProcess):
    """The recurrent links of a rhythmic-sharing reservoir, each modulated by its phase.

    Each time step it sends the input it accumulated in the previous step (like Lava's
    ``Dense``, which keeps recurrent loops free of deadlock), then receives node activity n
    and link phases φ and accumulates the input through the phase-modulated links of rhythmic
    sharing (Kang & Losert, arXiv:2502.08644; ``astrolava.rhythmic.equations.recurrent_input``)::

        a_out[i] = Σ_{ℓ: rows[ℓ] = i} A_ℓ · (1 − (m/2)(1 + sin φ_ℓ)) · n[cols[ℓ]]

    Only the L links are stored and touched; no N×N matrix is formed.

    Parameters
    ----------
    graph : ReservoirGraph
        Link lists ``rows``, ``cols``, ``weights`` (A_ℓ) and the node count N.
    params : RhythmicParams
        Supplies the modulation depth ``m`` in [0, 1].
    in_frac_bits : int
        fixed_pt only: fractional bits of ``s_in``; ``ACTIVITY_FRAC_BITS`` (12, default) for
        graded activity, 0 for binary spikes (Lava ``LIF``).
    name : str, optional

    Ports and Vars
    --------------
    s_in : InPort (N,)
        Node activity (fixed_pt: integers with ``in_frac_bits`` fractional bits).
    phase_in : InPort (L,)
        Link phases (floating_pt: radians; fixed_pt: accumulators, 2π = 2**PHASE_BITS).
    a_out : OutPort (N,)
        Recurrent input of every node (fixed_pt: 12 fractional bits, as ``GradedTanh`` expects).
    weights : Var (L,)
        A_ℓ in real units; the fixed_pt model quantizes them to an 8-bit mantissa and a shared
        exponent every step (``astrolava.fixed_point.quantize_weights``).
    m : Var (1,)
        Modulation depth.
    """

    def __init__(self, *, graph: ReservoirGraph, params: RhythmicParams,
                 in_frac_bits: int = ACTIVITY_FRAC_BITS, name: str | None = None) -> None:
        super().__init__(graph=graph, params=params, in_frac_bits=int(in_frac_bits), name=name)
        if not 0 <= in_frac_bits <= ACTIVITY_FRAC_BITS:
            raise ValueError(f"in_frac_bits={in_frac_bits} must lie in 0..{ACTIVITY_FRAC_BITS}")
        if graph.n_nodes != params.n_nodes:
            raise ValueError(f"graph has {graph.n_nodes} nodes but params.n_nodes="
                             f"{params.n_nodes}")
        self.s_in = InPort(shape=(graph.n_nodes,))
        self.phase_in = InPort(shape=(graph.n_links,))
        self.a_out = OutPort(shape=(graph.n_nodes,))
        self.weights = Var(shape=(graph.n_links,), init=np.asarray(graph.weights, dtype=float))
        self.m = Var(shape=(1,), init=np.array([params.m]))
