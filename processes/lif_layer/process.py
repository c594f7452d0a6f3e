"""Interface of the LIF layer of the hierarchical spiking δ-MGD graph."""

from __future__ import annotations

import numpy as np
from astrolava.processes.probe_rows import row_ports
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.config import require_count, require_in_range, require_positive


class LIFLayer(AbstractProcess):
    """Leaky integrate-and-fire neurons, reset to rest at the start of every pass.

    Each time step, for the summed synaptic current ``a_in = z[t]`` (paper §VI, snntorch
    ``Leaky`` with reset to zero; ``astrolava.mgd.equations.NetworkSpec``)::

        v[t] = β·v[t−1]·(1 − s[t−1]) + z[t]
        s[t] = H(v[t] − ϑ)              (sent on s_out as 0/1 spikes)

    and ``v = s = 0`` before the first step of every pass of ``num_steps`` steps, so each pass
    (clean + probes, perturbed) starts from rest like the fused model's passes. The shape may
    carry a leading axis of independent rows, each row its own set of neurons.

    With ``n_probes > 0`` (the hierarchical ``DeltaMGDNetwork``) the layer of ``n`` neurons has
    ``1 + n_probes`` rows (the pass and the node-perturbation probes), which arrive and leave
    as row messages (:mod:`astrolava.processes.probe_rows`): row 0 and a flag on
    ``a_in`` / ``s_out`` every step, the probe rows on ``probe_in`` / ``probe_out`` only when
    the flag is set; only the rows received are stepped.

    With ``slopes=True`` (chain DeltaVecs) it also traces the rate slope ``ρ = ∂r/∂b`` of
    row 0 under the ATan surrogate (``astrolava.mgd.equations.slope_trace_step``; fixed_pt:
    ``astrolava.mgd.fixed.slope_trace_step``) and sends ``ρ`` on ``slope_out`` in the last
    step of every pass: the slope ``f'(z)`` its synapse applies locally.

    The floating_pt model is :func:`astrolava.mgd.equations.lif_step`; the fixed_pt
    model is :func:`astrolava.fixed_point.lif_step_reset_next` (Z_FRAC 24-bit saturated potential,
    β on 12 bits, ϑ on the Z_FRAC grid).

    On Loihi 2 this is close to the fixed-function CUBA LIF neuron with ``du = 4095`` (the
    current passes straight into ``v``), ``dv = 4096 − β_q`` and ``vth = ϑ_q``, reset to
    zero on a spike, but not equal to it: ``v`` is zeroed at the step after a spike (as
    snntorch does) where Loihi's is zeroed in the same step, and ``v`` resets at every pass
    boundary; so ``loihi_report`` lists it as a
    model that needs a microcode neuron (stock Lava's ``LIF`` is not used for the same
    reasons: it would not hold the fused model's arithmetic).

    Parameters
    ----------
    shape : tuple of int
    num_steps : int >= 1
        Steps of one pass (the rate code length ``T``); ``v`` and ``s`` reset every T steps.
    beta : float in [0, 1]
        Decay of ``v`` per step.
    threshold : float > 0
        ``ϑ`` in current units.
    n_probes : int >= 0
        Probe rows of a row-message layer (``shape = (n,)``); 0: plain ports of ``shape``.
    slopes : bool
        Trace and send the rate slope of row 0 (``shape = (n,)``).
    name : str, optional

    Ports
    -----
    a_in, s_out : ``shape``, or ``(n + 1,)`` (row 0 and the flag) with ``n_probes``
    probe_in, probe_out : ``(n_probes, n)`` (with ``n_probes``; else ``(1, 1)``, unused)
    slope_out : ``(n,)`` the rate slope ``ρ`` of row 0 in the last step of every pass (with
        ``slopes``)
    """

    def __init__(self, *, shape: tuple[int, ...], num_steps: int, beta: float = 0.9,
                 threshold: float = 1.0, n_probes: int = 0, slopes: bool = False,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        shape = tuple(int(n) for n in np.atleast_1d(shape))
        if not shape or min(shape) < 1:
            raise ValueError(f"shape={shape} must be a non-empty tuple of sizes >= 1")
        if int(n_probes) != n_probes or n_probes < 0 or (n_probes and len(shape) != 1):
            raise ValueError(f"n_probes={n_probes} must be an integer >= 0, and 0 unless "
                             f"shape={shape} is (n,)")
        if slopes and len(shape) != 1:
            raise ValueError(f"slopes=True needs shape=(n,); got shape={shape}")
        require_count("num_steps", num_steps)
        require_in_range("beta", beta, 0, 1)
        require_positive("threshold", threshold)
        for key, value in (("shape", shape), ("num_steps", int(num_steps)),
                           ("beta", float(beta)), ("threshold", float(threshold)),
                           ("n_probes", int(n_probes)), ("slopes", bool(slopes))):
            self.proc_params.overwrite(key, value)
        self.a_in, self.probe_in, self.s_out, self.probe_out, state = row_ports(shape, n_probes)
        self.slope_out = OutPort(shape=shape[-1:])
        self.v = Var(shape=state, init=0)
        self.s = Var(shape=state, init=0)
