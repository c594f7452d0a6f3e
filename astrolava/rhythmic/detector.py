"""Unsupervised, online change detection from link synchrony.

In rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for zero-shot
adaptive learning in neural networks", arXiv:2502.08644) the order parameter of the link phases
reveals a change of context with no training and no labels: a change of the input dynamics
changes how synchronised the link phases become, so the order parameter R(t) shifts level and,
more reliably, changes how much it fluctuates (R is smooth while the input is periodic and
jitters while it is chaotic). :class:`SynchronyChangeDetector` watches both with two-window
statistics; :func:`synchrony_features` hands the same signals to any other detector.
"""

from __future__ import annotations

import math
from collections import deque
from functools import reduce

import numpy as np

from astrolava.rhythmic.equations import wrap_angle
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import RhythmicReservoir
from astrolava.rhythmic.series import SCALE_FROM, SCALINGS, column_scale, validate_series
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir

DEFAULT_SCALING = "standard"
"""Default input scaling of :class:`SynchronyChangeDetector` (:func:`column_scale`)."""
DEFAULT_SCALE_FROM = "series"
"""Default rows :meth:`SynchronyChangeDetector.fit` estimates the scaling on: the whole series,
an offline look at two numbers per column (a warm-up in one regime mis-scales the others:
Thomas and Lorenz regimes differ in spread up to fourfold and Lorenz's in mean z by 125);
:meth:`~SynchronyChangeDetector.update`, the online detector, always uses the warm-up."""
DEFAULT_INPUT_GAIN = 2.0
"""Default spread of each scaled input column: twice the column's standard deviation, about the
raw amplitude of the Thomas series of Kang & Losert."""
DEFAULT_WINDOW = 75
"""Default window w of :class:`SynchronyChangeDetector` (steps)."""
DEFAULT_THRESHOLD = 5.0
"""Default alarm level of :class:`SynchronyChangeDetector` (units of the pooled spreads)."""
DEFAULT_REFERENCE = 150
"""Default longest reference window L of :class:`SynchronyChangeDetector` (steps)."""
DEFAULT_ENVELOPE = 25
"""Default m of :class:`SynchronyChangeDetector`: the level term watches the trailing maximum
of R over m steps (:class:`TrailingMaximum`), which ignores R's brief dips in chaos."""
DEFAULT_INPUT_WEIGHT = 1.0
"""Default c_u of :class:`SynchronyChangeDetector`: the log roughness of each scaled input
column weighs like the level of R ("synchrony + input")."""
DEFAULT_SETTLE = 100
"""Default steps between a reported change and the start of the fresh reference."""
DEFAULT_SMOOTHING = 100
"""Default k of :class:`SynchronyChangeDetector`, steps of the mean ``|ΔR|`` in the roughness ρ."""
ROUGHNESS_OFFSET = 1e-5
"""Added to the mean ``|ΔR|`` before the logarithm of :func:`synchrony_roughness` (flat R)."""
NODES = {"tanh": RhythmicReservoir, "lif": SpikingRhythmicReservoir}
"""Reservoir node types: graded tanh (the paper's) or leaky integrate-and-fire with a rate trace."""


def phase_velocity(mean_phase: np.ndarray) -> np.ndarray:
    """Rotation speed of the mean phase, d⟨Φ⟩/dt, from wrapped first differences (0 at t = 0)."""
    phase = np.asarray(mean_phase, float)
    return wrap_angle(np.diff(phase, prepend=phase[:1]))


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` samples (fewer at the start)."""
    c = np.cumsum(np.concatenate([[0.0], np.asarray(x, float)]))
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def synchrony_roughness(R: np.ndarray, smoothing: int) -> np.ndarray:
    """Log roughness of the order parameter, ``ρ(t) = ln(mean_k |R(τ) − R(τ−1)| + 1e-5)``.

    The mean runs over the trailing ``smoothing`` = k steps τ ∈ (t − k, t] (fewer at the start;
    the first difference is 0). ρ is low while R is smooth (periodic input) and high while R
    jitters (chaotic input); the logarithm makes its within-regime spread comparable across
    regimes. Causal.
    """
    if smoothing < 1:
        raise ValueError(f"smoothing={smoothing} must be >= 1")
    R = np.asarray(R, float)
    if len(R) == 0:
        return np.empty(0)
    step = np.abs(np.diff(R, prepend=R[0]))
    return np.log(rolling_mean(step, smoothing) + ROUGHNESS_OFFSET)


def synchrony_features(R: np.ndarray, mean_phase: np.ndarray, window: int = 50, *,
                       angle: bool = False, phases: np.ndarray | None = None,
                       link_nodes: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Features of synchrony for other detectors, shape ``(T, 5)`` and up to ``(T, 9)``.

    Columns: R(t); the trailing mean of R; the trailing standard deviation of R (both over
    ``window`` steps); the trailing mean of the mean-phase velocity d⟨Φ⟩/dt; the log roughness
    ρ of R (:func:`synchrony_roughness` with ``smoothing = window``). With ``angle`` two more:
    cos⟨Φ⟩(t) and sin⟨Φ⟩(t) (the mean phase as a point on the circle). With the link phases and
    their end nodes two more: the mean and the standard deviation over the nodes i of the node
    synchrony::

        r_i(t) = |Σ_{ℓ ∋ i} e^{iφ_ℓ(t)}| / d_i,

    the order parameter of the d_i links that start or end at node i (a self-loop counts once;
    nodes without a link are left out). All are causal.

    Parameters
    ----------
    R, mean_phase : numpy.ndarray
        Order parameter R(t) and mean phase ⟨Φ⟩(t), shape ``(T,)``.
    window : int
        Steps of the trailing statistics (>= 1).
    angle : bool
        Add cos⟨Φ⟩ and sin⟨Φ⟩.
    phases : numpy.ndarray or None
        Link phases φ(t), shape ``(T, L)`` (``RhythmicReservoir.run(..., record_phases=True)``).
    link_nodes : (numpy.ndarray, numpy.ndarray) or None
        End nodes of each link (``graph.rows``, ``graph.cols``); needed with ``phases``.
    """
    if window < 1:
        raise ValueError(f"window={window} must be >= 1")
    if (phases is None) != (link_nodes is None):
        raise ValueError("phases and link_nodes must be given together")
    R, mean_phase = np.asarray(R, float), np.asarray(mean_phase, float)
    mean_r = rolling_mean(R, window)
    std_r = np.sqrt(np.maximum(rolling_mean(R * R, window) - mean_r ** 2, 0.0))
    velocity = rolling_mean(phase_velocity(mean_phase), window)
    columns = [R, mean_r, std_r, velocity, synchrony_roughness(R, window)]
    if angle:
        columns += [np.cos(mean_phase), np.sin(mean_phase)]
    if phases is not None:
        phases = np.asarray(phases, float)
        rows, cols = (np.asarray(v, np.int64) for v in link_nodes)
        if phases.shape != (len(R), len(rows)) or len(cols) != len(rows):
            raise ValueError(f"phases has shape {phases.shape}; expected (T, L) = "
                             f"({len(R)}, {len(rows)}) with one pair of end nodes per link")
        n_nodes = int(max(rows.max(), cols.max())) + 1
        incidence = np.zeros((len(rows), n_nodes))
        incidence[np.arange(len(rows)), rows] = 1.0
        incidence[np.arange(len(rows)), cols] = 1.0  # a self-loop is set once
        degree = incidence.sum(axis=0)
        linked = degree > 0
        node_r = (np.abs(np.exp(1j * phases) @ incidence[:, linked]) / degree[linked])
        columns += [node_r.mean(axis=1), node_r.std(axis=1)]
    return np.column_stack(columns)


def moment_shift(mean_ref: float, var_ref: float, mean_recent: float, var_recent: float,
                 noise_floor: float) -> float:
    """Standardised difference of two windows from their means m and variances v.

    With m₁, v₁ of the reference window and m₂, v₂ of the recent one::

        s = |m₂ − m₁| / (√((v₁ + v₂)/2) + noise_floor)

    The pooled spread keeps a regime whose synchrony fluctuates (chaos) from raising alarms on
    its own dips; ``noise_floor`` bounds the score of flat signals.
    """
    spread = math.sqrt(max((var_ref + var_recent) / 2.0, 0.0))
    return float(abs(mean_recent - mean_ref) / (spread + noise_floor))


def shift_score(reference: np.ndarray, recent: np.ndarray, noise_floor: float) -> float:
    """Standardised difference of a reference window and the recent window: the
    :func:`moment_shift` of their means and variances."""
    return moment_shift(reference.mean(), reference.var(), recent.mean(), recent.var(),
                        noise_floor)


class RunningMoments:
    """A series that grows one sample at a time, with the mean and variance of any stretch in
    O(1) from prefix sums.

    With c the first finite sample, S₁(t) = Σ_{τ<t} (x_τ − c) and S₂(t) = Σ_{τ<t} (x_τ − c)²;
    over [a, b) with n = b − a: mean = c + (S₁(b) − S₁(a))/n and
    variance = (S₂(b) − S₂(a))/n − ((S₁(b) − S₁(a))/n)² (the offset c keeps the sums small, so
    the difference of sums loses little precision). NaN samples add 0 to the sums and are
    counted; a stretch holding one has no moments. The sums are Python floats in lists (one
    sample costs a few list appends, not a NumPy call).
    """

    def __init__(self) -> None:
        self._s1 = [0.0]  # S₁(t), t = 0 … size
        self._s2 = [0.0]  # S₂(t)
        self._nans = [0]  # NaN samples before t
        self._offset: float | None = None

    def __len__(self) -> int:
        return len(self._s1) - 1

    def append(self, value: float) -> None:
        """Add one sample at the end."""
        value = float(value)
        if math.isnan(value):
            d, d2, nan = 0.0, 0.0, 1
        else:
            if self._offset is None:
                self._offset = value
            d = value - self._offset
            d2, nan = d * d, 0
        self._s1.append(self._s1[-1] + d)
        self._s2.append(self._s2[-1] + d2)
        self._nans.append(self._nans[-1] + nan)

    def moments(self, start: int, stop: int) -> tuple[float, float] | None:
        """(mean, variance) of the samples ``start`` … ``stop − 1``; None if one is NaN."""
        if self._nans[stop] - self._nans[start]:
            return None
        n = stop - start
        mean = (self._s1[stop] - self._s1[start]) / n
        s2 = self._s2[stop] - self._s2[start]
        return self._offset + mean, s2 / n - mean * mean


class TrailingMaximum:
    """Upper envelope of a signal fed one sample at a time,
    ``R̂(t) = max{R(τ) : t − m < τ ≤ t, R(τ) not NaN}`` (NaN while R(t) is NaN).

    In rhythmic sharing R stays near 1 while the input is chaotic, with dips of tens of steps,
    and decays smoothly while it is periodic (Kang & Losert, arXiv:2502.08644): the envelope
    ignores dips shorter than m steps and follows a decay once it has lasted m steps.
    """

    def __init__(self, m: int) -> None:
        self._last: deque[float] = deque(maxlen=int(m))  # last m samples, NaN included

    def append(self, value: float) -> float:
        """Add one sample; returns R̂ after it."""
        value = float(value)
        self._last.append(value)
        if math.isnan(value):
            return math.nan
        return max(v for v in self._last if not math.isnan(v))


class TrailingRoughness:
    """Log roughness of a signal fed one sample at a time: the online form of
    :func:`synchrony_roughness`, ``ρ(t) = ln(mean_k |x(τ) − x(τ−1)| + 1e-5)`` over the last k
    samples (the first difference is 0)."""

    def __init__(self, smoothing: int) -> None:
        self._steps: deque[float] = deque(maxlen=int(smoothing))  # last k |Δx|
        self._last = 0.0

    def append(self, value: float) -> float:
        """Add one sample; returns ρ after it."""
        self._steps.append(abs(value - self._last) if self._steps else 0.0)
        self._last = value
        return math.log(sum(self._steps) / len(self._steps) + ROUGHNESS_OFFSET)


class SynchronyChangeDetector:
    """Online change-point detector on the order parameter of a rhythmic-sharing reservoir.

    Per sample (river style, :meth:`update`): the sample is scaled (``scaling``, estimated on
    the warm-up), drives the reservoir, and the score

        s(t) = √((a·s_R(t))² + (c·s_ρ(t))² + Σ_j (c_u·s_ρu,j(t))²)

    is updated, where s_R and s_ρ are the shift scores (:func:`shift_score`: the difference of
    the means of the recent window [t−w, t) and of the reference window [max(t₀, t−w−L), t−w),
    in units of their pooled spread) of the upper envelope R̂ of R (:class:`TrailingMaximum`,
    the maximum of R over the last m = ``envelope`` samples; m = 1 is R itself) and of the log
    roughness ρ of R (:func:`synchrony_roughness`), a = ``level_weight``,
    c = ``roughness_weight``; s = 0 while the reference holds fewer than w samples. The terms
    s_ρu,j, weighted by c_u = ``input_weight``, are the shift scores of the same log roughness
    of each scaled input column u_j ("synchrony + input"): chaos makes the input jitter and a
    limit cycle makes it smooth, and since a gain on u adds a constant to ρ_u, the term does not
    depend on the input scaling. c_u = 0 is synchrony alone, and a = c = 0 leaves the input
    alone (an ablation without synchrony). The reference
    start t₀ is the first sample after the warm-up (or 0 for synchrony without one) at first,
    and ``settle`` steps after the last reported change (re-armed on a fresh reference), so
    the reference spans up to L steps of the current regime: a long reference learns how much
    a chaotic regime's synchrony fluctuates and its dips stop raising alarms. An excursion of s
    above ``threshold`` is one change: once its peak is passed (s falls below half the peak or the
    threshold, or 2w steps have gone by) the detector reports the location
    ``argmax s − w + 1 − response_delay`` (the first sample of the recent window at the peak,
    less the lag of R) and the alarm time. scikit-learn style, :meth:`fit` runs a whole
    series and :meth:`predict` returns its change points.

    The defaults were chosen on generated Thomas and Lorenz series (five families, among
    them Kang & Losert's Thomas protocol and Lorenz at three time steps) of tuning seeds only
    (0, 1, 10–17, and 20–39 of the protocol); ``benchmarks/rhythmic.py`` scores other seeds
    and river's series. ``docs/experiments/rhythmic.md`` lists the variants tried and their
    scores.

    Parameters
    ----------
    window : int
        w, steps per window (>= 2).
    threshold : float
        Alarm level for s (> 0), in units of the windows' pooled spreads.
    reference : int
        L, the most steps of the reference window (>= ``window``).
    settle : int
        Steps after a reported change before the fresh reference starts (>= 0).
    noise_floor : float
        Added to the spread of R̂ (> 0), in units of R; it bounds s_R on flat stretches of R.
    smoothing : int
        k, steps of the trailing mean of ``|ΔR|`` in the roughness ρ (>= 1).
    roughness_floor : float
        Added to the spread of ρ and of each input's ρ (> 0), in units of ρ (natural log).
    roughness_weight : float
        c, weight of the roughness score s_ρ (>= 0).
    level_weight : float
        a, weight of the level score s_R (>= 0).
    input_weight : float
        c_u, weight of each input column's roughness score s_ρu,j (>= 0); 0 = synchrony only.
        a + c + c_u must be > 0. With c_u > 0, :meth:`observe` and :meth:`fit_synchrony` need
        the scaled input u (:meth:`fit` and :meth:`update` pass it themselves).
    envelope : int
        m, samples of the trailing maximum of R that the level score watches (>= 1; 1 = R).
    response_delay : int
        Steps by which R lags a change of the input (>= 0), subtracted from the location.
    min_gap : int or None
        Smallest distance between two reported changes; default 2w.
    params : RhythmicParams or None
        Reservoir constants (published defaults if None); its ``warmup`` steps (>= 2) scale the
        input and precede any alarm.
    seed : int
        Seeds the reservoir graph and phases.
    scaling : str
        How each input column is scaled before it drives the reservoir,
        u = g·(x − c)/s with the centre c and spread s of
        :func:`~astrolava.rhythmic.series.column_scale`: ``"robust"`` (median and
        interquartile range / 1.349), ``"standard"`` (mean and standard deviation),
        ``"range"`` (midrange and half-range) or ``"none"`` (u = g·x, for series already
        scaled).
    scale_from : str
        Rows c and s are estimated on: ``"warmup"``, the first ``params.warmup`` samples (the
        detector stays online: :meth:`fit` and :meth:`update` give the same result), or
        ``"series"``, the whole series given to :meth:`fit` (an offline preprocessing step;
        the detection itself stays causal; :meth:`update` on its own always uses the
        warm-up).
    input_gain : float
        g (> 0), the spread of each scaled column. The reservoir's tanh nodes and link
        drive respond to the input's amplitude, so g sets how far the input pushes them.
    nodes : str
        ``"tanh"`` (rate reservoir) or ``"lif"`` (spiking reservoir, see ``NODES``).

    Attributes
    ----------
    change_points_ : list of int
        Estimated change locations (sample indices).
    alarm_times_ : list of int
        Index of the sample at which each change was reported.
    change_scores_ : list of float
        Peak score of each change.
    R_, mean_phase_, roughness_, scores_ : list of float
        Synchrony, ρ and score after every sample (NaN during the warm-up).
    """

    def __init__(self, window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD,
                 reference: int = DEFAULT_REFERENCE, settle: int = DEFAULT_SETTLE,
                 noise_floor: float = 0.02,
                 min_gap: int | None = None, smoothing: int = DEFAULT_SMOOTHING,
                 roughness_floor: float = 0.1, roughness_weight: float = 0.7,
                 response_delay: int = 25, level_weight: float = 1.0,
                 input_weight: float = DEFAULT_INPUT_WEIGHT, envelope: int = DEFAULT_ENVELOPE,
                 params: RhythmicParams | None = None, seed: int = 0,
                 scaling: str = DEFAULT_SCALING, scale_from: str = DEFAULT_SCALE_FROM,
                 input_gain: float = DEFAULT_INPUT_GAIN, nodes: str = "tanh") -> None:
        self.window = window
        self.scaling = scaling
        self.scale_from = scale_from
        self.input_gain = input_gain
        self.nodes = nodes
        self.threshold = threshold
        self.reference = reference
        self.settle = settle
        self.noise_floor = noise_floor
        self.min_gap = min_gap
        self.smoothing = smoothing
        self.roughness_floor = roughness_floor
        self.roughness_weight = roughness_weight
        self.response_delay = response_delay
        self.level_weight = level_weight
        self.input_weight = input_weight
        self.envelope = envelope
        self.params = params if params is not None else RhythmicParams()
        self.seed = seed
        self._validate()
        self.reset()

    def _validate(self) -> None:
        if not (isinstance(self.window, int | np.integer) and self.window >= 2):
            raise ValueError(f"window={self.window} must be an integer >= 2")
        for name in ("threshold", "noise_floor", "roughness_floor"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"{name}={value} must be finite and > 0")
        if not (isinstance(self.reference, int | np.integer) and self.reference >= self.window):
            raise ValueError(f"reference={self.reference} must be an integer >= window="
                             f"{self.window}")
        if not (isinstance(self.settle, int | np.integer) and self.settle >= 0):
            raise ValueError(f"settle={self.settle} must be an integer >= 0")
        for name in ("smoothing", "envelope"):
            value = getattr(self, name)
            if not (isinstance(value, int | np.integer) and value >= 1):
                raise ValueError(f"{name}={value} must be an integer >= 1")
        if not self.roughness_weight >= 0:
            raise ValueError(f"roughness_weight={self.roughness_weight} must be >= 0")
        for name in ("level_weight", "input_weight"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name}={getattr(self, name)} must be >= 0")
        if not self.level_weight + self.roughness_weight + self.input_weight > 0:
            raise ValueError("level_weight + roughness_weight + input_weight must be > 0 (all "
                             "three are 0: nothing to score)")
        if not (isinstance(self.response_delay, int | np.integer) and self.response_delay >= 0):
            raise ValueError(f"response_delay={self.response_delay} must be an integer >= 0")
        if self.min_gap is not None and not (isinstance(self.min_gap, int | np.integer)
                                             and self.min_gap >= 1):
            raise ValueError(f"min_gap={self.min_gap} must be None or an integer >= 1")
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling={self.scaling!r} is not allowed; use one of {SCALINGS}")
        if self.scale_from not in SCALE_FROM:
            raise ValueError(f"scale_from={self.scale_from!r} is not allowed; use one of "
                             f"{SCALE_FROM}")
        if not (np.isfinite(self.input_gain) and self.input_gain > 0):
            raise ValueError(f"input_gain={self.input_gain} must be a finite number > 0")
        if self.nodes not in NODES:
            raise ValueError(f"nodes={self.nodes!r} is not allowed; use one of {tuple(NODES)}")
        if self.params.warmup < 2:
            raise ValueError(f"params.warmup={self.params.warmup} must be >= 2 (it scales "
                             "the input)")

    def reset(self) -> SynchronyChangeDetector:
        """Forget everything seen so far."""
        self.change_points_: list[int] = []
        self.alarm_times_: list[int] = []
        self.change_scores_: list[float] = []
        self.R_: list[float] = []
        self.mean_phase_: list[float] = []
        self.roughness_: list[float] = []
        self.scores_: list[float] = []
        self._roughness = TrailingRoughness(self.smoothing)  # ρ of R
        self._envelope = TrailingMaximum(self.envelope)  # R̂, the level term's signal
        self._input_roughness: list[TrailingRoughness] = []  # ρ of each input column
        self._moments = [RunningMoments(), RunningMoments()]  # of R̂, roughness_, input ρ
        self.drift_detected = False
        self._buffer: list[np.ndarray] = []
        self._reservoir: RhythmicReservoir | None = None
        self._scale: tuple[np.ndarray, np.ndarray] | None = None
        self._preset_scale: tuple[np.ndarray, np.ndarray] | None = None
        self._excursion: tuple[int, float] | None = None  # (time of max, max score)
        self._excursion_start = -1
        self._anchor = 0  # first sample the reference window may use
        return self

    def update(self, x: np.ndarray | float) -> SynchronyChangeDetector:
        """Feed one sample (shape ``(d,)`` or a scalar); sets ``drift_detected``."""
        x = np.atleast_1d(np.asarray(x, float))
        if not np.all(np.isfinite(x)):
            raise ValueError("x contains NaN or inf values")
        width = self._buffer[0].size if self._buffer else (
            None if self._scale is None else self._scale[0].size)
        if width is not None and x.size != width:
            raise ValueError(f"x has {x.size} columns; this detector was fed {width} "
                             "columns before (call reset() to start on another series)")
        self.drift_detected = False
        if self._scale is None:
            self._buffer.append(x)
            self._record(np.nan, np.nan, np.nan, [np.nan])
            self.scores_.append(np.nan)
            self._anchor = len(self.R_)  # the reference starts after the warm-up
            if len(self._buffer) == self.params.warmup:
                self._start()
            return self
        self._drive(x[None])
        return self

    def _start(self) -> None:
        """End of the warm-up: fix the input scaling and run the reservoir over the buffer."""
        warm = np.vstack(self._buffer)
        if self._preset_scale is None and np.all(np.ptp(warm, axis=0) == 0):
            raise ValueError("the warm-up samples are constant: nothing to scale or model")
        self._scale = self._preset_scale or column_scale(warm, self.scaling)
        self._reservoir = NODES[self.nodes].from_params(self.params, warm.shape[1], self.seed)
        self._drive(warm, observe=False)
        self._buffer = []

    def _drive(self, x: np.ndarray, observe: bool = True) -> None:
        """Scale samples ``(T, d)``, drive the reservoir with them and score R, ⟨Φ⟩ after each.

        The reservoir's compiled loop returns the R, ⟨Φ⟩ it computed from the phases' cos/sin:
        several samples in one ``run``, a single sample (``update``) in one ``step``.
        """
        u = self.input_gain * (x - self._scale[0]) / self._scale[1]
        if len(u) == 1:
            synchrony = [self._reservoir.step(u[0])]
        else:
            trace = self._reservoir.run(u)
            synchrony = zip(trace.R, trace.mean_phase, strict=True)
        if observe:
            for (r, psi), row in zip(synchrony, u, strict=True):
                self.observe(r, psi, row)

    def observe(self, r: float, mean_phase: float, u: np.ndarray | None = None
                ) -> SynchronyChangeDetector:
        """Score one synchrony sample (R, ⟨Φ⟩) computed elsewhere, e.g. by the Lava process.

        ``u`` is the scaled input sample that drove the reservoir to it, needed when
        ``input_weight > 0`` (the default). :meth:`update` calls it with the reservoir's own
        order parameter and the scaled sample.
        """
        self.drift_detected = False
        r = float(r)
        inputs: list[float] = []
        if self.input_weight > 0:
            if u is None:
                raise ValueError(f"input_weight={self.input_weight} > 0 needs the input "
                                 "sample u")
            u = np.atleast_1d(np.asarray(u, float))
            if not self._input_roughness:
                self._input_roughness = [TrailingRoughness(self.smoothing) for _ in u]
                self._moments += [RunningMoments() for _ in u]
                for moments in self._moments[2:]:  # align with the samples seen so far
                    for _ in self.R_:
                        moments.append(np.nan)
            if len(u) != len(self._input_roughness):
                raise ValueError(f"u has {len(u)} columns; earlier samples had "
                                 f"{len(self._input_roughness)}")
            inputs = [np.nan if np.isnan(r) else rough.append(v)
                      for rough, v in zip(self._input_roughness, u, strict=True)]
        rho = np.nan if np.isnan(r) else self._roughness.append(r)
        self._record(r, float(mean_phase), self._envelope.append(r), [rho, *inputs])
        if np.isnan(r):  # warm-up: the reference starts after it
            self._anchor = len(self.R_)
        self._score()
        return self

    def _record(self, r: float, mean_phase: float, level: float, roughness: list[float]
                ) -> None:
        """Append one sample of R, ⟨Φ⟩ to the lists and of the level signal R̂ and the
        roughness of R (then of the inputs) to the running moments (NaN for a signal not
        given)."""
        self.R_.append(r)
        self.mean_phase_.append(mean_phase)
        self.roughness_.append(roughness[0])
        values = [level, *roughness]
        for k, moments in enumerate(self._moments):
            moments.append(values[k] if k < len(values) else np.nan)

    def fit_synchrony(self, R: np.ndarray, mean_phase: np.ndarray, u: np.ndarray | None = None
                      ) -> SynchronyChangeDetector:
        """Detect changes in precomputed R(t), ⟨Φ⟩(t) (no reservoir is run).

        NaN marks samples without synchrony yet (a warm-up); they score 0. ``u`` (``(T, d)``
        or ``(T,)``), the scaled input that drove the reservoir (:meth:`scale_input`), is
        needed when ``input_weight > 0`` (the default).
        """
        R, mean_phase = np.asarray(R, float), np.asarray(mean_phase, float)
        if R.shape != mean_phase.shape or R.ndim != 1:
            raise ValueError("R and mean_phase must be 1-D arrays of the same length")
        rows = (validate_series(u, len(R), "u", allow_constant=True) if u is not None
                else [None] * len(R))
        if len(rows) != len(R):
            raise ValueError(f"u has {len(rows)} steps; R has {len(R)}")
        known = R[~np.isnan(R)]
        if not (np.all(np.isfinite(known)) and np.all((known >= 0) & (known <= 1 + 1e-9))):
            raise ValueError("R must lie in [0, 1] (NaN allowed for warm-up samples)")
        self.reset()
        for r, psi, row in zip(R, mean_phase, rows, strict=True):
            self.observe(r, psi, row)
        self._finish()
        return self

    def _finish(self) -> None:
        if self._excursion is not None:
            self._emit(len(self.R_) - 1)

    def _score(self) -> None:
        w, now = self.window, len(self.R_)
        start = max(self._anchor, now - w - self.reference)
        score = 0.0
        if now - w - start >= w:
            reference = [m.moments(start, now - w) for m in self._moments]
            recent = [m.moments(now - w, now) for m in self._moments]
            if all(m is not None for m in reference + recent):
                terms = [(self.level_weight, self.noise_floor),
                         (self.roughness_weight, self.roughness_floor)]
                terms += [(self.input_weight, self.roughness_floor)] * (len(reference) - 2)
                score = float(reduce(np.hypot, [
                    weight * moment_shift(*ref, *new, floor)
                    for (weight, floor), ref, new in zip(terms, reference, recent, strict=True)]))
        self.scores_.append(score)
        t = now - 1
        if self._excursion is None:
            if score > self.threshold:
                self._excursion, self._excursion_start = (t, score), t
            return
        if score > self._excursion[1]:
            self._excursion = (t, score)
        if (score <= max(self.threshold, self._excursion[1] / 2)
                or t - self._excursion_start >= 2 * w):
            self._emit(t)

    def _emit(self, t: int) -> None:
        peak, peak_score = self._excursion
        self._excursion = None
        location = max(peak - self.window + 1 - self.response_delay, 0)
        gap = self.min_gap if self.min_gap is not None else 2 * self.window
        if self.change_points_ and location - self.change_points_[-1] < gap:
            return
        self._anchor = location + self.settle
        self.change_points_.append(location)
        self.alarm_times_.append(t)
        self.change_scores_.append(peak_score)
        self.drift_detected = True

    def scale_input(self, x: np.ndarray) -> np.ndarray:
        """``x`` (``(T, d)``) as :meth:`fit` feeds it to the reservoir: g·(x − c)/s with c, s
        of ``scaling`` estimated on the warm-up rows or the whole of ``x`` (``scale_from``)."""
        x = validate_series(x, self.params.warmup, "x")
        rows = x if self.scale_from == "series" else x[:self.params.warmup]
        centre, spread = column_scale(rows, self.scaling)
        return self.input_gain * (x - centre) / spread

    def fit(self, x: np.ndarray) -> SynchronyChangeDetector:
        """Run a whole series ``(T, d)`` (or ``(T,)``) from a fresh state.

        With ``scale_from="warmup"`` the same as :meth:`update` on every row, except that the
        rows after the warm-up go through the reservoir in one compiled run; with
        ``scale_from="series"`` (the default) the input scaling is first estimated on all of
        ``x``, an offline step (the detection itself stays causal).
        """
        x = validate_series(x, self.params.warmup + 2 * self.window, "x")
        self.reset()
        if self.scale_from == "series":
            if np.all(np.ptp(x, axis=0) == 0):
                raise ValueError("the samples of x are constant: nothing to scale or model")
            self._preset_scale = column_scale(x, self.scaling)
        warmup = self.params.warmup
        for row in x[:warmup]:
            self.update(row)
        self._drive(x[warmup:])
        self._finish()
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Change points of ``x`` (fits a fresh detector on it first)."""
        return np.asarray(self.fit(x).change_points_, dtype=np.int64)
