"""Interfaces of the hierarchical rhythmic-sharing reservoir and of its LIF nodes."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.rhythmic.equations import wrap_phases
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import as_link_phases, mode_code
from astrolava.rhythmic.spiking import LIF_DEFAULTS, check_lif_params


class ReservoirLIF(AbstractProcess):
    """LIF nodes of the spiking reservoir, with parameters in real units for both models.

    Each step (``astrolava.rhythmic.equations.lif_step``, instantaneous current)::

        v ← (1 − dv)·v + a_in + b;   s = [v > threshold];   v ← 0 where s = 1

    The run configuration's tag selects the arithmetic: floating_pt calls ``lif_step`` (the
    reference's compiled function); fixed_pt computes Loihi's integer LIF
    (``astrolava.rhythmic.fixed.lif_step_fixed``: ``a_in`` with 12 fractional bits, v with 18,
    12-bit decay), the same numbers as Lava's bit-accurate ``LIF`` model with du = 4095.

    Parameters
    ----------
    shape : tuple of int
        Number of nodes, ``(N,)``.
    dv : float
        Voltage decay per step, in (0, 1].
    threshold : float
        Spike threshold (> 0).
    bias : float
        Bias current b.
    name : str, optional

    Ports and Vars
    --------------
    a_in : InPort (N,)
        Input current (fixed_pt: integers with 12 fractional bits).
    s_out : OutPort (N,)
        Spikes, 0/1.
    v : Var (N,)
        Membrane voltage in real units in both models (the fixed_pt model restores its exact
        integer voltage from it every step).
    dv, threshold, bias : Var (1,)
        The parameters, real units.
    """

    def __init__(self, *, shape: tuple[int], dv: float, threshold: float, bias: float = 0.0,
                 name: str | None = None) -> None:
        super().__init__(shape=shape, name=name)
        check_lif_params(dv=dv, threshold=threshold)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=0.0)
        self.dv = Var(shape=(1,), init=np.array([dv], dtype=float))
        self.threshold = Var(shape=(1,), init=np.array([threshold], dtype=float))
        self.bias = Var(shape=(1,), init=np.array([bias], dtype=float))


class RhythmicReservoirProcess(AbstractProcess):
    """Series input, tanh or LIF nodes, oscillating links and the astrocyte phase network.

    The rhythmic-sharing reservoir of Kang & Losert ("Rhythmic sharing: A bio-inspired paradigm
    for zero-shot adaptive learning in neural networks", arXiv:2502.08644) as a Lava process
    graph; the equations are those of ``astrolava.rhythmic.equations``.

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
        The topology the children share: link lists, input matrix W_in and astrocyte graph A_φ.
    params : RhythmicParams
        The constants of the equations (the reference reservoir's).
    data : numpy.ndarray
        Input series u, shape ``(T, n_inputs)`` (repeats after T steps).
    phases : numpy.ndarray
        Initial link phases (radians), shape ``(L,)``.
    mode : str
        Initial phase mode, one of ``PHASE_MODES``.
    nodes : str
        ``"tanh"``: ``GradedTanh`` nodes. ``"lif"``: :class:`ReservoirLIF` nodes whose spikes
        drive the links, the astrocytes keeping a rate trace, as ``SpikingRhythmicReservoir``.
        Both run with floating_pt and fixed_pt models; the run configuration's tag selects
        them (one process graph runs with either).
    lif : dict, optional
        ``dv``, ``threshold``, ``alpha`` of the LIF variant (defaults of
        ``SpikingRhythmicReservoir``).
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
        fixed_pt; ``ReservoirLIF.v`` for ``nodes="lif"``, real units in both models).
    """

    def __init__(self, *, graph: ReservoirGraph, params: RhythmicParams, data: np.ndarray,
                 phases: np.ndarray, mode: str = "coupled", nodes: str = "tanh",
                 lif: dict | None = None, name: str | None = None) -> None:
        lif = {**LIF_DEFAULTS, **(lif or {})}
        super().__init__(graph=graph, params=params, data=np.asarray(data, dtype=float),
                         phases=np.asarray(phases, dtype=float), mode=mode, nodes=nodes,
                         lif=lif, name=name)
        code = mode_code(mode)
        if nodes not in ("tanh", "lif"):
            raise ValueError(f"nodes={nodes!r} is not allowed; use 'tanh' or 'lif'")
        if set(lif) != set(LIF_DEFAULTS):
            raise ValueError(f"lif has keys {sorted(lif)}; allowed: {sorted(LIF_DEFAULTS)}")
        check_lif_params(**lif)
        self.order_out = OutPort(shape=(2,))
        self.s_out = OutPort(shape=(graph.n_nodes,))
        self.phases = Var(shape=(graph.n_links,),
                          init=wrap_phases(as_link_phases(phases, graph.n_links)))
        self.R = Var(shape=(1,), init=0.0)
        self.mean_phase = Var(shape=(1,), init=0.0)
        self.mode = Var(shape=(1,), init=np.array([code]))
        self.n = Var(shape=(graph.n_nodes,), init=0.0)
