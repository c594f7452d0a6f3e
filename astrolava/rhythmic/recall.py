"""Recall of a stored context by mean-phase control.

The recall scheme of rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm
for zero-shot adaptive learning in neural networks", arXiv:2502.08644): after a teacher-forced
run over a series with several contexts and a readout fitted on all of it, each context gets a
target mean phase ⟨Φ⟩. To recall a context the reservoir runs closed loop (u ← W_out·n) with the
phases rotating uniformly (φ += τ·ω0) until ⟨Φ⟩ reaches the target, then the phases are frozen
and the closed loop continues (:func:`recall`).

Targets: :func:`context_phases` takes ⟨Φ⟩ at the step of the context where the readout's
smoothed one-step error is smallest, :func:`context_mid_phases` ⟨Φ⟩ at the middle step of the
context's longest stretch. With a phase-gated readout
(:class:`~astrolava.rhythmic.readout.RidgeReadout`, W_out turning with ⟨Φ⟩, three times the
readout's parameters) and ω0 small enough that the training series spans about one turn of ⟨Φ⟩,
the mean phase selects the context: the gated readout learns each context's dynamics in that
context's range of ⟨Φ⟩, so it acts as a readout indexed by a slow clock; what is stored per
context is one target ⟨Φ⟩.

:func:`context_snapshots` and :func:`recall_snapshot` are the warm-started variant: each context
stores the teacher-forced node activity n and link phases φ at the middle step of its longest
stretch (whose ⟨Φ⟩ is that context's mean phase); recall loads them, freezes the phases and
runs the closed loop.

How the methods compare on the benchmark's series, and the settings tried:
``docs/experiments/rhythmic.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import wasserstein_distance

from astrolava.rhythmic.detector import rolling_mean
from astrolava.rhythmic.equations import wrap_angle
from astrolava.rhythmic.readout import RidgeReadout, closed_loop
from astrolava.rhythmic.reservoir import ReservoirTrace, RhythmicReservoir
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir


def circular_distance(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """The distance of two phases on the circle, ``|a − b|`` wrapped to [0, π]."""
    return np.abs(wrap_angle(np.asarray(a) - np.asarray(b)))


def context_phases(trace: ReservoirTrace, u: np.ndarray, contexts: np.ndarray,
                   readout: RidgeReadout, warmup: int, window: int = 50) -> dict[int, float]:
    """Target ⟨Φ⟩ of each context: its value where the one-step error is smallest.

    The one-step error e(t) = ‖W_out·n(t) − u(t+1)‖ is averaged over a trailing ``window``;
    steps before ``warmup + window`` are ignored.
    """
    if len(contexts) != len(u) or len(trace.states) != len(u):
        raise ValueError("trace, u and contexts must have the same number of steps")
    error = np.linalg.norm(readout.predict(trace.states[:-1], trace.mean_phase[:-1]) - u[1:],
                           axis=1)
    smooth = rolling_mean(np.append(error, error[-1]), window)
    valid = np.arange(len(u)) >= warmup + window
    targets = {}
    for context in np.unique(contexts):
        steps = np.flatnonzero((contexts == context) & valid)
        if len(steps) == 0:
            raise ValueError(f"context {context} has no step after the warm-up")
        targets[int(context)] = float(trace.mean_phase[steps[np.argmin(smooth[steps])]])
    return targets


def recall(reservoir: RhythmicReservoir, readout: RidgeReadout, target_phase: float,
           n_steps: int, max_rotation_steps: int | None = None) -> tuple[np.ndarray, int]:
    """Rotate the phases (closed loop) until ⟨Φ⟩ is within τ·ω0 of the target, freeze, generate.

    Returns the ``n_steps`` closed-loop outputs after freezing and the number of rotation
    steps taken. Raises ``RuntimeError`` if the target is not reached in
    ``max_rotation_steps`` (default: one full turn, 2π/(τ·ω0) steps, plus 10 %).
    """
    p = reservoir.params
    if p.omega == 0:
        raise ValueError("params.omega = 0: the phases cannot rotate to a target")
    limit = max_rotation_steps or int(1.1 * 2 * np.pi / abs(p.tau * p.omega)) + 1
    for step in range(1, limit + 1):
        _, _, psi = closed_loop(reservoir, readout, 1, mode="rotate")
        if circular_distance(psi[-1], target_phase) <= abs(p.tau * p.omega):
            outputs, _, _ = closed_loop(reservoir, readout, n_steps, mode="frozen")
            return outputs, step
    raise RuntimeError(f"⟨Φ⟩ did not reach {target_phase:.3f} within {limit} rotation steps")


@dataclass(frozen=True)
class ContextSnapshot:
    """Teacher-forced reservoir state stored for one context.

    Attributes
    ----------
    step : int
        Index of the stored step in the training series.
    mean_phase : float
        ⟨Φ⟩ of ``phases`` (the context's target mean phase).
    activity : numpy.ndarray
        Node activity n after that step, ``(N,)``.
    phases : numpy.ndarray
        Link phases φ after that step, ``(L,)``.
    """

    step: int
    mean_phase: float
    activity: np.ndarray
    phases: np.ndarray


def middle_steps(contexts: np.ndarray, warmup: int) -> dict[int, int]:
    """Middle step of each context's longest stretch.

    A stretch is a run of consecutive steps ``t >= warmup`` with the same context; the middle
    step is ``first + len // 2`` of the longest one (the earliest if several are longest).
    """
    contexts = np.asarray(contexts)
    middles = {}
    for context in np.unique(contexts):
        steps = np.flatnonzero((contexts == context) & (np.arange(len(contexts)) >= warmup))
        if len(steps) == 0:
            raise ValueError(f"context {context} has no step after the warm-up")
        stretches = np.split(steps, np.flatnonzero(np.diff(steps) > 1) + 1)
        longest = max(stretches, key=len)
        middles[int(context)] = int(longest[len(longest) // 2])
    return middles


def context_mid_phases(trace: ReservoirTrace, contexts: np.ndarray,
                       warmup: int) -> dict[int, float]:
    """Target ⟨Φ⟩ of each context: its value at the :func:`middle_steps` step."""
    if len(contexts) != len(trace.states):
        raise ValueError("trace and contexts must have the same number of steps")
    return {context: float(trace.mean_phase[t])
            for context, t in middle_steps(contexts, warmup).items()}


def context_snapshots(trace: ReservoirTrace, contexts: np.ndarray,
                      warmup: int) -> dict[int, ContextSnapshot]:
    """Teacher-forced state at the :func:`middle_steps` step of each context.

    ``trace`` must come from ``run(..., record_phases=True)``.
    """
    if trace.phases is None:
        raise ValueError("trace has no phases: run the reservoir with record_phases=True")
    if len(contexts) != len(trace.states):
        raise ValueError("trace and contexts must have the same number of steps")
    return {context: ContextSnapshot(t, float(trace.mean_phase[t]), trace.states[t].copy(),
                                     trace.phases[t].copy())
            for context, t in middle_steps(contexts, warmup).items()}


def recall_snapshot(reservoir: RhythmicReservoir, readout: RidgeReadout,
                    snapshot: ContextSnapshot, n_steps: int) -> np.ndarray:
    """Load a context's stored n and φ, freeze the phases, generate ``n_steps`` closed-loop
    outputs u ← W_out·n (returned, ``(n_steps, d)``). Tanh reservoirs only: a spiking one's
    recorded states are rate traces, not its node activity (spikes)."""
    if isinstance(reservoir, SpikingRhythmicReservoir):
        raise TypeError("recall_snapshot needs a tanh RhythmicReservoir; a "
                        "SpikingRhythmicReservoir's snapshot would hold rates, not spikes")
    reservoir.activity, reservoir.phases = snapshot.activity, snapshot.phases  # both copy
    return closed_loop(reservoir, readout, n_steps, mode="frozen")[0]


def attractor_distances(generated: np.ndarray, x: np.ndarray,
                        contexts: np.ndarray) -> dict[int, float]:
    """Mean over dimensions of the Wasserstein distance between generated and true values.

    Compares the distribution of every coordinate of ``generated`` with that of ``x`` within
    each context; the smallest distance names the attractor the closed loop stays on.
    """
    return {int(c): float(np.mean([wasserstein_distance(generated[:, k], x[contexts == c, k])
                                   for k in range(x.shape[1])]))
            for c in np.unique(contexts)}
