"""The compiled time loop of the reference reservoirs (tanh and LIF nodes).

:func:`run_series` drives a reservoir through a whole input series in one numba-compiled loop
(no Python call per step) built from the equation functions of
:mod:`astrolava.rhythmic.equations`; cos φ and sin φ are evaluated once per step, into one
interleaved array, and shared by the modulation of the next step, the astrocyte coupling field
(summed over A_φ in sliced blocks, :mod:`astrolava.rhythmic.coupling`) and the order parameter.
:class:`~astrolava.rhythmic.reservoir.RhythmicReservoir` calls it for ``run`` and ``step``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from astrolava.rhythmic.equations import (
    fill_phasors,
    lif_step,
    mean_field,
    node_update,
    phasors,
    rate_activity,
    rate_trace,
    recurrent_input,
    step_phases,
)

TANH_NODES, LIF_NODES = 0, 1
"""Node-type codes of :func:`run_series`."""


@njit(cache=True)
def run_series(drive_in: np.ndarray, phases: np.ndarray, state: np.ndarray, links: tuple,
               consts: tuple, nodes: int, mode: int, features: np.ndarray, r: np.ndarray,
               psi: np.ndarray, record: np.ndarray) -> None:
    """Advance a reservoir through ``len(drive_in)`` steps in place.

    One step, from node state and link phases φ (cos φ, sin φ cached), each line a function of
    :mod:`astrolava.rhythmic.equations`:

    1. h = (A ∘ M(φ)) n + W_in u(t) (``recurrent_input``);
    2. nodes: tanh, n ← ``node_update`` (n, h), which also drives the links; or LIF,
       (v, s) ← ``lif_step`` (v, h + b), r ← ``rate_trace`` (r, s), the links carrying the
       spikes s and being driven by n = ``rate_activity`` (r);
    3. φ ← ``step_phases`` (φ, n) in ``mode``; cos φ, sin φ refreshed (``fill_phasors``);
    4. R, ⟨Φ⟩ ← ``mean_field`` (cos φ, sin φ).

    Parameters
    ----------
    drive_in : numpy.ndarray
        W_in u(t) for every step, shape ``(T, N)``.
    phases : numpy.ndarray
        φ, shape ``(L,)``, updated in place.
    state : numpy.ndarray
        Node state ``(3, N)``, updated in place: row 0 the signal the links carry (tanh
        activity n or LIF spikes s), rows 1 and 2 the LIF voltage v and rate trace r (unused
        for tanh nodes).
    links : tuple
        ``(rows, cols, weights, blocks)``: link lists and A_φ in sliced blocks
        (``ReservoirGraph.coupling_blocks``).
    consts : tuple
        ``(m, leak, bias, eps1, eps2, omega, gamma, tau, dv, threshold, alpha)`` (the last
        three for LIF nodes only).
    nodes : int
        ``TANH_NODES`` or ``LIF_NODES``.
    mode : int
        Phase mode code (``equations.COUPLED``, ``ROTATE``, ``FROZEN``).
    features, r, psi : numpy.ndarray
        Receive after each step the readout's features (n, or r for LIF nodes) ``(T, N)``,
        R and ⟨Φ⟩ ``(T,)``.
    record : numpy.ndarray
        Receives φ after each step, ``(T, L)``; pass an array with 0 rows to skip.
    """
    rows, cols, weights, blocks = links
    m, leak, bias, eps1, eps2, omega, gamma, tau, dv, threshold, alpha = consts
    trig = phasors(phases)
    n_links = len(phases)
    cos_phi, sin_phi = trig[0:2 * n_links:2], trig[1:2 * n_links:2]
    for t in range(len(drive_in)):
        net = recurrent_input(state[0], sin_phi, rows, cols, weights, m) + drive_in[t]
        if nodes == LIF_NODES:
            voltage, spikes = lif_step(state[1], net + bias, dv, threshold)
            state[0] = spikes
            state[1] = voltage
            state[2] = rate_trace(state[2], spikes, alpha)
            features[t] = state[2]
            link_signal = rate_activity(state[2])
        else:
            state[0] = node_update(state[0], net, leak, bias)
            features[t] = state[0]
            link_signal = state[0]
        phases[:] = step_phases(phases, trig, link_signal, rows, cols, blocks, eps1, eps2, omega,
                                gamma, tau, mode)
        fill_phasors(phases, trig)
        r[t], psi[t] = mean_field(cos_phi, sin_phi)
        if len(record):
            record[t] = phases
