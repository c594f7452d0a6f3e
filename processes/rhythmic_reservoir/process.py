"""Interface of the hierarchical rhythmic-sharing reservoir."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import mode_code
from astrolava.rhythmic.spiking import LIF_DEFAULTS


class RhythmicReservoirProcess(AbstractProcess):
    """Series input, graded tanh nodes, oscillating links and the astrocyte phase network.

    The children (built by the SubProcessModel) and their wiring::

        SeriesInput ──a_out──▶ GradedTanh ◀──a_out── OscillatingDense
                                   │ s_out            ▲ s_in   ▲ phase_in
                                   ├──────────────────┘        │
                                   └──▶ AstrocytePhaseNetwork ─┘ ──order_out──▶

    At step t the nodes compute n(t) = λ n(t−1) + (1 − λ) tanh((A∘M(φ(t−1))) n(t−1) +
    W_in u(t−1) + b), then the astrocytes advance φ(t) with the drive of n(t): the same
    order of operations as ``astrolava.rhythmic.RhythmicReservoir.step``.

    Parameters
    ----------
    graph : ReservoirGraph
        Links, W_in and the astrocyte graph.
    params : RhythmicParams
        Equation constants.
    data : numpy.ndarray
        Input series u, shape ``(T, n_inputs)`` (repeats after T steps).
    phases : numpy.ndarray
        Initial link phases (radians), shape ``(L,)``.
    mode : str
        Initial phase mode, one of ``PHASE_MODES``.
    nodes : str
        ``"tanh"``: ``GradedTanh`` nodes. ``"lif"``: Lava's ``LIF`` (du = 1, the reference's
        ``lif_step``) whose spikes drive the links, the astrocytes keeping a rate trace, as
        ``SpikingRhythmicReservoir``. Both run with floating_pt and fixed_pt models.
    lif : dict, optional
        ``dv``, ``threshold``, ``alpha`` of the LIF variant (defaults of
        ``SpikingRhythmicReservoir``).
    tag : str
        ``"floating_pt"`` (default) or ``"fixed_pt"``: the tag of the run configuration this
        graph will run with. Lava's ``LIF`` takes its parameters in real units for the one and
        as Loihi integer mantissas for the other (``astrolava.rhythmic.spiking.lava_lif_params``),
        so ``nodes="lif"`` must be built for the tag it runs with; tanh nodes ignore it.
    name : str, optional

    Ports and Vars
    --------------
    order_out : OutPort (2,)
        ``[R, ⟨Φ⟩]`` every step (see ``AstrocytePhaseNetwork``).
    s_out : OutPort (N,)
        Node activity every step (for a readout).
    phases, R, mean_phase, mode : Var
        Aliases of the astrocyte network's Vars.
    n : Var (N,)
        Alias of the nodes' state (``GradedTanh.n``, integers with 12 fractional bits in
        fixed_pt; ``LIF.v`` for ``nodes="lif"``, 18 fractional bits in fixed_pt).
    """

    def __init__(self, *, graph: ReservoirGraph, params: RhythmicParams, data: np.ndarray,
                 phases: np.ndarray, mode: str = "coupled", nodes: str = "tanh",
                 lif: dict | None = None, tag: str = "floating_pt",
                 name: str | None = None) -> None:
        lif = {**LIF_DEFAULTS, **(lif or {})}
        super().__init__(graph=graph, params=params, data=np.asarray(data, dtype=float),
                         phases=np.asarray(phases, dtype=float), mode=mode, nodes=nodes,
                         lif=lif, tag=tag, name=name)
        if tag not in ("floating_pt", "fixed_pt"):
            raise ValueError(f"tag={tag!r} is not allowed; use 'floating_pt' or 'fixed_pt'")
        code = mode_code(mode)
        if nodes not in ("tanh", "lif"):
            raise ValueError(f"nodes={nodes!r} is not allowed; use 'tanh' or 'lif'")
        if set(lif) != set(LIF_DEFAULTS):
            raise ValueError(f"lif has keys {sorted(lif)}; allowed: {sorted(LIF_DEFAULTS)}")
        self.order_out = OutPort(shape=(2,))
        self.s_out = OutPort(shape=(graph.n_nodes,))
        self.phases = Var(shape=(graph.n_links,), init=np.mod(phases, 2 * np.pi))
        self.R = Var(shape=(1,), init=0.0)
        self.mean_phase = Var(shape=(1,), init=0.0)
        self.mode = Var(shape=(1,), init=np.array([code]))
        self.n = Var(shape=(graph.n_nodes,), init=0.0)
