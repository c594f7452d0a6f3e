"""Interface of the astrocyte phase network of rhythmic sharing."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.rhythmic.equations import wrap_phases
from astrolava.rhythmic.graph import ReservoirGraph
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import as_link_phases, mode_code


class AstrocytePhaseNetwork(AbstractProcess):
    """Link phases coupled by the astrocyte graph A_φ and driven by the end nodes' activity.

    Each time step it receives node activity n and advances the phases as in rhythmic sharing
    (Kang & Losert, arXiv:2502.08644; the functions of ``astrolava.rhythmic.equations``)::

        D_ℓ = ε1 + ε2 · mean over the end nodes of link ℓ of (n_i + 1)/2
        Ψ_ℓ = arg Σ_k A_φ[ℓ, k] e^{iφ_k}
        φ_ℓ ← φ_ℓ + τ (ω + sin(Ψ_ℓ − φ_ℓ + γ) D_ℓ)          (mode "coupled")

    (or rotates them uniformly, φ ← φ + τ·ω0, in mode "rotate", or holds them, "frozen"),
    then sends the phases and the order parameter R·e^{i⟨Φ⟩} = (1/L) Σ_ℓ e^{iφ_ℓ}.

    Parameters
    ----------
    graph : ReservoirGraph
        Link end nodes (``rows``, ``cols``) and the astrocyte graph (CSR arrays).
    params : RhythmicParams
        ε1, ε2, ω, γ, τ.
    phases : numpy.ndarray
        Initial phases in radians, shape ``(L,)``.
    mode : str
        One of ``PHASE_MODES``: "coupled", "rotate", "frozen".
    rate_alpha : float
        0 (default): ``s_in`` carries graded activity n. In (0, 1]: ``s_in`` carries spikes
        (e.g. from Lava's ``LIF``); the network keeps the rate trace r ← (1 − α) r + α s and
        drives the links with n = 2r − 1 (``astrolava.rhythmic.SpikingRhythmicReservoir``);
        the fixed_pt model expects integer 0/1 spikes and keeps r with 12 fractional bits.
    name : str, optional

    Ports and Vars
    --------------
    s_in : InPort (N,)
        Node activity (fixed_pt: 12 fractional bits), or spikes if ``rate_alpha`` > 0.
    phase_out : OutPort (L,)
        Phases after the step (floating_pt: radians; fixed_pt: accumulators, 2π = 2**20).
    order_out : OutPort (2,)
        ``[R, ⟨Φ⟩]`` (floating_pt: real; fixed_pt: R with 16 fractional bits, ⟨Φ⟩ as a phase
        accumulator).
    phases : Var (L,)
        Phases in radians in both models (the fixed_pt model restores its exact integer
        accumulators from them each step).
    R, mean_phase : Var (1,)
        Order parameter after the last step, real units.
    mode : Var (1,)
        Index into ``PHASE_MODES``; set it to switch between coupling, rotation and freezing.
    rate : Var (N,)
        Spike-rate trace (spiking input only).
    """

    def __init__(self, *, graph: ReservoirGraph, params: RhythmicParams, phases: np.ndarray,
                 mode: str = "coupled", rate_alpha: float = 0.0,
                 name: str | None = None) -> None:
        super().__init__(graph=graph, params=params, rate_alpha=float(rate_alpha), name=name)
        if not 0.0 <= rate_alpha <= 1.0:
            raise ValueError(f"rate_alpha={rate_alpha} must lie in [0, 1] (0: graded input)")
        phases = wrap_phases(as_link_phases(phases, graph.n_links))
        code = mode_code(mode)
        self.s_in = InPort(shape=(graph.n_nodes,))
        self.phase_out = OutPort(shape=(graph.n_links,))
        self.order_out = OutPort(shape=(2,))
        self.phases = Var(shape=(graph.n_links,), init=phases)
        self.R = Var(shape=(1,), init=0.0)
        self.mean_phase = Var(shape=(1,), init=0.0)
        self.mode = Var(shape=(1,), init=np.array([code]))
        self.rate = Var(shape=(graph.n_nodes,), init=0.0)
