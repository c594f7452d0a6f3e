"""Regime-switching dynamical series with ground-truth switch times (Thomas, Lorenz).

A series alternates between two parameter values of a chaotic flow at irregular, seeded switch
times; the flow is integrated with :func:`scipy.integrate.solve_ivp` (continuing from the last
state at every switch) and sampled every ``dt`` time units. A Thomas series switching at
irregular times between a limit cycle and a chaotic attractor is the test bed of rhythmic
sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot adaptive
learning in neural networks", arXiv:2502.08644).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from astrolava.validation import require_int, require_positive, require_seed

THOMAS_LIMIT_CYCLE_B = 0.29
"""Thomas damping with a stable limit cycle (the limit-cycle regime of Kang & Losert)."""
THOMAS_CHAOTIC_B = 0.18
"""Thomas damping inside the chaotic range (chaos sets in below b ≈ 0.208)."""
LORENZ_CHAOTIC_RHO = 28.0
"""Lorenz ρ of the classic chaotic attractor (σ = 10, β = 8/3)."""
LORENZ_PERIODIC_RHO = 160.0
"""Lorenz ρ with a stable periodic orbit (σ = 10, β = 8/3)."""
THOMAS_PROTOCOL = {"b_values": (THOMAS_CHAOTIC_B, THOMAS_LIMIT_CYCLE_B), "dt": 1.0,
                   "segment_range": (200, 800), "n_steps": 7500}
"""Arguments of :func:`thomas_switching` for the protocol of Kang & Losert's Thomas experiment:
step 1, chaos (b = 0.18) and limit cycle (b = 0.29) alternating in segments of 200–800 steps,
7,500 steps (about 14 switches)."""


@dataclass(frozen=True)
class RegimeSeries:
    """A multivariate series whose generating parameter switches at known times.

    Attributes
    ----------
    x : numpy.ndarray
        Samples, shape ``(n_steps, n_dims)``, float64.
    switch_times : numpy.ndarray
        Indices ``t`` (int64, increasing) where sample ``t`` is the first one of a new regime.
    regimes : numpy.ndarray
        Regime index (into ``values``) of every sample, shape ``(n_steps,)``.
    values : tuple of float
        The parameter value of each regime (Thomas ``b`` or Lorenz ``ρ``).
    dt : float
        Sampling interval in the flow's time units.
    """

    x: np.ndarray
    switch_times: np.ndarray
    regimes: np.ndarray
    values: tuple[float, ...]
    dt: float


def thomas_rhs(state: np.ndarray, b: float) -> np.ndarray:
    """Thomas' cyclically symmetric flow.

    dx/dt = sin y − b·x,  dy/dt = sin z − b·y,  dz/dt = sin x − b·z.
    """
    x, y, z = state
    return np.array([np.sin(y) - b * x, np.sin(z) - b * y, np.sin(x) - b * z])


def lorenz_rhs(state: np.ndarray, rho: float, sigma: float = 10.0,
               beta: float = 8.0 / 3.0) -> np.ndarray:
    """Lorenz flow: dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = x·y − β·z."""
    x, y, z = state
    return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])


def switch_schedule(n_steps: int, segment_range: tuple[int, int],
                    rng: np.random.Generator) -> np.ndarray:
    """Irregular switch times: segment lengths drawn uniformly from ``segment_range`` (inclusive).

    Returns the first index of every segment after the first (the last segment is cut at
    ``n_steps`` and dropped if it would be shorter than half the minimum length).
    """
    lo, hi = segment_range
    if not 1 <= lo <= hi:
        raise ValueError(f"segment_range={segment_range} must satisfy 1 <= min <= max")
    times, t = [], 0
    while True:
        t += int(rng.integers(lo, hi + 1))
        if t > n_steps - lo // 2:
            break
        times.append(t)
    return np.asarray(times, dtype=np.int64)


MAX_SERIES_STEPS = 10 ** 7
"""Longest series generated (about 240 MB of float64 for three dimensions, minutes of
integration); longer requests are refused instead of running for hours or days."""


def _switching_series(rhs: Callable[..., np.ndarray], values: Sequence[float], x0: np.ndarray,
                      n_steps: int, dt: float, segment_range: tuple[int, int], burn_in: float,
                      seed: int) -> RegimeSeries:
    """Integrate ``rhs(state, value)`` piecewise, switching ``value`` at a seeded schedule."""
    require_int("n_steps", n_steps, 2, MAX_SERIES_STEPS)
    require_positive("dt", dt)
    require_seed("seed", seed)
    if len(values) < 2:
        raise ValueError(f"values={values} must hold at least two regimes")
    rng = np.random.default_rng(seed)
    switches = switch_schedule(n_steps, segment_range, rng)
    bounds = np.concatenate([[0], switches, [n_steps]])
    regimes = np.empty(n_steps, dtype=np.int64)
    state = np.asarray(x0, dtype=np.float64) + 1e-3 * rng.standard_normal(len(x0))
    if burn_in > 0:
        state = solve_ivp(lambda _, s: rhs(s, values[0]), (0.0, burn_in), state,
                          rtol=1e-9, atol=1e-9).y[:, -1]
    x = np.empty((n_steps, len(state)))
    for k, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        regime = k % len(values)
        regimes[start:stop] = regime
        t_eval = np.arange(stop - start + 1) * dt
        sol = solve_ivp(lambda _, s, v=values[regime]: rhs(s, v), (0.0, t_eval[-1]), state,
                        t_eval=t_eval, rtol=1e-9, atol=1e-9)
        x[start:stop] = sol.y[:, :-1].T
        state = sol.y[:, -1]
    return RegimeSeries(x=x, switch_times=switches, regimes=regimes,
                        values=tuple(float(v) for v in values), dt=float(dt))


def thomas_switching(n_steps: int = 6000, b_values: Sequence[float] = (THOMAS_LIMIT_CYCLE_B,
                                                                       THOMAS_CHAOTIC_B),
                     dt: float = 0.5, segment_range: tuple[int, int] = (700, 1500),
                     seed: int = 0) -> RegimeSeries:
    """Thomas series whose damping ``b`` alternates between regimes at irregular times.

    Integrates dx/dt = sin y − b·x (cyclic in x → y → z), starting on the attractor of the first
    regime (200 time units of burn-in), with ``b`` switched at the times of :func:`switch_schedule`.

    Parameters
    ----------
    n_steps : int
        Number of samples (>= 2).
    b_values : sequence of float
        Damping of each regime, cycled in order; default limit cycle 0.29 then chaos 0.18.
    dt : float
        Sampling interval (> 0); the limit cycle takes about 60 samples at ``dt = 0.5``.
    segment_range : (int, int)
        Inclusive range of segment lengths in samples.
    seed : int
        Seeds the schedule and a 1e-3 perturbation of the initial state.
    """
    if any(not 0 < b < 1 for b in b_values):
        raise ValueError(f"b_values={tuple(b_values)} must lie in (0, 1)")
    return _switching_series(thomas_rhs, b_values, np.array([0.1, 0.0, -0.1]), n_steps, dt,
                             segment_range, burn_in=200.0, seed=seed)


def lorenz_switching(n_steps: int = 6000, rho_values: Sequence[float] = (LORENZ_CHAOTIC_RHO,
                                                                         LORENZ_PERIODIC_RHO),
                     dt: float = 0.02, segment_range: tuple[int, int] = (700, 1500),
                     seed: int = 0) -> RegimeSeries:
    """Lorenz series (σ = 10, β = 8/3) whose ρ alternates between regimes at irregular times.

    Parameters
    ----------
    n_steps : int
        Number of samples (>= 2).
    rho_values : sequence of float
        ρ of each regime, cycled in order; default chaotic 28 then periodic 160.
    dt : float
        Sampling interval (> 0).
    segment_range : (int, int)
        Inclusive range of segment lengths in samples.
    seed : int
        Seeds the schedule and a 1e-3 perturbation of the initial state.
    """
    if any(not rho > 0 for rho in rho_values):
        raise ValueError(f"rho_values={tuple(rho_values)} must be > 0")
    return _switching_series(lorenz_rhs, rho_values, np.array([1.0, 1.0, 20.0]), n_steps, dt,
                             segment_range, burn_in=20.0, seed=seed)
