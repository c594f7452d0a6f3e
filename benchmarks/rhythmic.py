"""Rhythmic-sharing benchmark: change detection, speed, Lava agreement (and recall).

Detection. Regime-switching series of the families ``FAMILIES`` (Thomas b: 0.29 limit cycle ↔
0.18 chaos at step 0.5 and in Kang & Losert's protocol at step 1; Lorenz ρ: 28 ↔ 160 at steps
0.01, 0.02 and 0.05) and river's annotated change-point series (Turing benchmark, annotators'
union). The synchrony detector reads each series as generated and scales it itself (its
defaults); the other methods see it standardised over the whole series. Each method's main
hyper-parameter is chosen on *tuning* seeds (0, 1 and 10..17 of every family) by mean F1 and
then evaluated on *test* seeds (2..6) and on the river series, none of which was used for
tuning or for designing the synchrony detector (its score, defaults and input scaling were
developed on the tuning seeds only); the Thomas protocol (``thomas-dt1``) also on the fresh
test seeds ``PROTOCOL_TEST_SEEDS`` (100..119), reported as a group of their own; F1,
precision, recall with a tolerance margin (100 steps for the generated series, 10 for
river's), and the mean delay from the true change to the alarm. Methods: the synchrony
detector of ``astrolava.rhythmic`` with its defaults ("(defaults)": ``fit`` scales each
column by the whole series' mean and standard deviation; the score takes the envelope of R,
its roughness and the roughness of the scaled input), the defaults with the scaling estimated
on the warm-up only ("(defaults, warm-up scaling)": strictly online, as ``update`` runs), the
synchrony terms alone with a tuned window and threshold ("rhythmic-sharing", and its
spiking-reservoir variant), "+input" with the input term added and a tuned window and
threshold, and "input-roughness (no synchrony)", that input term alone, to show what synchrony
adds (``SCORES``); ruptures PELT and BinSeg (l2 cost, penalty tuned), river ADWIN,
PageHinkley and KSWIN (one detector per input column, alarms merged), ruptures PELT on the
input plus ``synchrony_features`` ("+RS"), and ADWIN / PageHinkley run on the synchrony
features instead of the input ("on RS features").

Speed. Steps/s of the sparse reference, of the published formulation
(:mod:`astrolava.rhythmic.published`: dense N×N modulation, scipy sparse A_φ, incidence
matrix) and of the spiking reference on the same 7,500-step Thomas-protocol series with one
BLAS thread, at several N, each run ``--speed-repeats`` times, interleaved, timed by the
thread's CPU time, the fastest run counting; with the load bound of one core
(:func:`step_bound`). And the Lava hierarchical process (floating_pt, fixed_pt) on Lava's CPU
simulator (wall-clock).

Lava. max |R_lava − R_reference| over 2,000 steps for both tags.

Recall. Trains a readout (on the node activities and their squares) on a two-regime Thomas
series, recalls each regime and compares the closed-loop output distribution with both regimes
(Wasserstein). Methods (``RECALL_METHODS``): ``rotate`` (published ω0 = 0.01; rotate the phases
closed loop until ⟨Φ⟩ reaches the context's target, then freeze); ``snapshot`` (ω0 = 0.0015, so
the training series spans about one turn of ⟨Φ⟩; load the context's stored teacher-forced n
and φ, freeze); ``gated`` (ω0 = 0.0015, a phase-gated readout W_out(⟨Φ⟩), rotate to the target
⟨Φ⟩ of the context, freeze: only the target is stored) and its control ``gated-m0`` (the same
with link modulation m = 0, so the phases do not act on the reservoir at all).

Writes ``benchmarks/results/rhythmic.json`` ({"detection": [...], "speed": [...],
"lava": [...], "detection_protocol": {...}, "provenance": {...}}; every row also has its
own ``provenance``), ``rhythmic_recall.json`` (with attractor statistics of recalled vs true
regimes) and PNGs ``rhythmic_recall.png``, ``rhythmic_thomas.png``, ``rhythmic_thomas-dt1.png``,
``rhythmic_lorenz.png``, ``rhythmic_f1.png``, ``rhythmic_speed.png``.

Usage::

    nice -n 5 .venv/bin/python benchmarks/rhythmic.py
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/rhythmic.py --speed-only
    nice -n 5 .venv/bin/python benchmarks/rhythmic.py --detection-only \
        --methods "rhythmic-sharing (defaults)" --cache /work/runs/rhythmic/scores.jsonl \
        --series-cache /work/runs/rhythmic/series

``--protocol-test-seeds 0`` leaves out the fresh protocol test seeds.

``--speed-only`` keeps the "detection" rows of the existing ``rhythmic.json`` and
``rhythmic_recall.json`` and rewrites "speed", "lava" and ``rhythmic_speed.png``;
``--detection-only`` keeps "speed", "lava" and the recall files and rewrites "detection",
"detection_protocol" and the detection PNGs. Both re-read ``rhythmic.json`` right before
writing and replace only their own keys (the two may run at the same time).
``--recall-only`` rewrites only ``rhythmic_recall.json`` and ``rhythmic_recall.png``.
``--methods`` re-runs only the detection methods named (the rows of the others are kept with
their own provenance); ``--cache`` keeps every score computed in a JSON-lines file and reads it
first, so an interrupted detection run resumes where it stopped (use one cache per code
version); ``--series-cache`` keeps the generated series (tens of seconds of integration each).

How the detector's defaults and the recall methods were chosen (the variants tried on the tuning
seeds and their scores) and how long the runs take: ``docs/experiments/rhythmic.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import matplotlib
from numba import njit
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import ruptures  # noqa: E402
from astrolava.processes.rhythmic_reservoir import RhythmicReservoirProcess  # noqa: E402
from lava.proc.io.sink import RingBuffer as Sink  # noqa: E402
from river import drift  # noqa: E402

from astrolava.data import (  # noqa: E402
    CHANGEPOINT_DATASETS,
    load_changepoints,
    lorenz_switching,
    thomas_switching,
)
from astrolava.data.dynamics import THOMAS_PROTOCOL  # noqa: E402
from astrolava.figures import save_figure  # noqa: E402
from astrolava.fixed_point import ORDER_FRAC_BITS  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, require_provenance, run_started  # noqa: E402
from astrolava.rhythmic import (  # noqa: E402
    RhythmicParams,
    RhythmicReservoir,
    SpikingRhythmicReservoir,
    SynchronyChangeDetector,
    attractor_distances,
    context_mid_phases,
    context_phases,
    context_snapshots,
    detection_scores,
    fit_next_step,
    make_reservoir_graph,
    recall,
    recall_snapshot,
    synchrony_features,
)
from astrolava.rhythmic.detector import (  # noqa: E402
    DEFAULT_SCALE_FROM,
    DEFAULT_SMOOTHING,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
)
from astrolava.rhythmic.plots import plot_synchrony  # noqa: E402
from astrolava.rhythmic.published import PublishedRhythmicReservoir  # noqa: E402
from astrolava.rhythmic.series import standardize  # noqa: E402
from astrolava.runtime import LavaSession, sim_config  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SYNTH_MARGIN = 100
RIVER_MARGIN = 10
TUNE_SEEDS = [0, 1, *range(10, 18)]
"""Seeds of the generated series used to choose settings (and to design the detector)."""
PROTOCOL_TEST_SEEDS = list(range(100, 120))
"""Fresh test seeds of the Thomas protocol (``thomas-dt1``), never used to design or tune: five
test series measure a family's mean F1 only to about ±0.03–0.04, 25 to about ±0.01–0.02.
Their rows form the group :data:`FRESH_PROTOCOL`."""
PROTOCOL = "thomas-dt1"
"""The family of Kang & Losert's Thomas protocol."""
FRESH_PROTOCOL = f"{PROTOCOL} (seeds ≥ 100)"
"""The ``family`` of the rows of :data:`PROTOCOL_TEST_SEEDS`; every other row's ``family`` is
its series family (``river`` for river's series)."""
RECALL_METHODS = {
    "rotate": {"omega": 0.01, "ridge": 0.3, "gated": False, "m": 0.6, "target": "min-error"},
    "snapshot": {"omega": 0.0015, "ridge": 0.3, "gated": False, "m": 0.6, "target": "middle"},
    "gated": {"omega": 0.0015, "ridge": 0.1, "gated": True, "m": 0.6, "target": "middle"},
    "gated-m0": {"omega": 0.0015, "ridge": 0.1, "gated": True, "m": 0.0, "target": "middle"},
}
"""Settings of each recall method: ω0, ridge of the readout on [n; n ∘ n], phase-gated readout
(features ⊗ [1, cos⟨Φ⟩, sin⟨Φ⟩]), link modulation depth m and target ⟨Φ⟩ ("min-error":
:func:`context_phases`, "middle": :func:`context_mid_phases`, the middle of the context's longest
stretch). Chosen on Thomas seeds 10..17 (the recall rows are seeds 0..2); the counts of every
setting tried are in ``docs/experiments/rhythmic.md``."""
SHORT_WINDOW = 25
"""Longest detector window, roughness smoothing and synchrony-feature window on the short river
series (hundreds of steps, changes tens of steps apart)."""
MERGE_GAP = 50
"""Alarms of per-column river detectors closer than this are one change."""


# ---------------------------------------------------------------- methods: x -> (cps, alarms)

Detections = tuple[list[int], list[int]]


def short_params(short: bool) -> RhythmicParams:
    """Published defaults; warm-up 100 instead of 200 on the short river series."""
    return RhythmicParams(warmup=100 if short else 200)


@cache
def synchrony_signals(key: tuple, nodes: str, short: bool, scale_from: str = DEFAULT_SCALE_FROM
                      ) -> tuple[np.ndarray, np.ndarray]:
    """R(t), ⟨Φ⟩(t) of the detector's reservoir, with its default input scaling estimated on
    ``scale_from``, on the series as generated or read, ``RAW[key]`` (computed once)."""
    det = SynchronyChangeDetector(params=short_params(short), nodes=nodes,
                                  scale_from=scale_from).fit(RAW[key])
    return np.asarray(det.R_), np.asarray(det.mean_phase_)


SERIES: dict[tuple, np.ndarray] = {}
"""Standardised series by key (the input of the other detectors), so the reservoir runs once
per series however many settings are scored."""
RAW: dict[tuple, np.ndarray] = {}
"""The same series as generated or read: the synchrony detector scales its input itself."""


SCORES = {"defaults": {}, "synchrony": {"input_weight": 0.0},
          "synchrony+input": {"input_weight": 1.0},
          "input": {"input_weight": 1.0, "level_weight": 0.0, "roughness_weight": 0.0}}
"""Weights of the detector's score terms (level of R's envelope, R roughness, input roughness)
per variant: the defaults (all three), synchrony alone, synchrony plus the roughness of the
scaled input (c_u = 1, the defaults' weights with a tuned window and threshold), and the input
roughness alone (the ablation that shows what synchrony adds)."""


def synchrony(key: tuple, setting: tuple[int, float], nodes: str = "tanh",
              short: bool = False, score: str = "synchrony",
              scale_from: str = DEFAULT_SCALE_FROM) -> Detections:
    """The rhythmic-sharing detector with the score terms ``SCORES[score]`` and its input
    scaling estimated on ``scale_from``; window and roughness smoothing at most
    ``SHORT_WINDOW`` on the short river series."""
    window, threshold = setting
    det = SynchronyChangeDetector(window=min(window, SHORT_WINDOW) if short else window,
                                  threshold=threshold,
                                  smoothing=SHORT_WINDOW if short else DEFAULT_SMOOTHING,
                                  **SCORES[score])
    det.fit_synchrony(*synchrony_signals(key, nodes, short, scale_from),
                      scaled_input(key, short, scale_from) if det.input_weight > 0 else None)
    return det.change_points_, det.alarm_times_


def scaled_input(key: tuple, short: bool, scale_from: str = DEFAULT_SCALE_FROM) -> np.ndarray:
    """The series ``RAW[key]`` as the detector scales it for its reservoir (the input of the
    input-roughness terms)."""
    return SynchronyChangeDetector(params=short_params(short),
                                   scale_from=scale_from).scale_input(RAW[key])


def ruptures_method(algo: str, x: np.ndarray, pen: float) -> Detections:
    model = {"pelt": ruptures.Pelt, "binseg": ruptures.Binseg}[algo](model="l2", min_size=20,
                                                                      jump=5)
    cps = [int(c) for c in model.fit(x).predict(pen=pen)[:-1]]
    return cps, cps


def synchrony_feature_matrix(key: tuple, short: bool) -> np.ndarray:
    """Standardised ``synchrony_features`` of a series (warm-up rows repeat the first row)."""
    r, psi = synchrony_signals(key, "tanh", short)
    warm = short_params(short).warmup
    feats = synchrony_features(r[warm:], psi[warm:], SHORT_WINDOW if short else 50)
    return standardize(np.vstack([np.repeat(feats[:1], warm, axis=0), feats]))


def ruptures_with_synchrony(key: tuple, pen: float, short: bool = False) -> Detections:
    """PELT on the input plus the synchrony features ("+RS")."""
    return ruptures_method("pelt", np.hstack([SERIES[key], synchrony_feature_matrix(key, short)]),
                           pen)


def river_method(name: str, x: np.ndarray, value: float) -> Detections:
    alarms: list[int] = []
    for k in range(x.shape[1]):
        det = {"adwin": lambda: drift.ADWIN(delta=value),
               "pagehinkley": lambda: drift.PageHinkley(threshold=value),
               "kswin": lambda: drift.KSWIN(alpha=value, seed=0)}[name]()
        for t, v in enumerate(x[:, k]):
            det.update(float(v))
            if det.drift_detected:
                alarms.append(t)
    merged: list[int] = []
    for t in sorted(alarms):
        if not merged or t - merged[-1] > MERGE_GAP:
            merged.append(t)
    return merged, merged


def methods() -> dict[str, tuple[Callable[..., Detections], list]]:
    """Method name -> (function(series key, setting, short), grid of settings to tune on)."""
    pens = [3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    grid = [(w, th) for w in (50, 100, 150) for th in (2.0, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0)]
    return {
        "rhythmic-sharing": (lambda k, v, short: synchrony(k, v, "tanh", short), grid),
        "rhythmic-sharing (defaults)": (
            lambda k, v, short: synchrony(k, v, "tanh", short, "defaults"),
            [(DEFAULT_WINDOW, DEFAULT_THRESHOLD)]),
        "rhythmic-sharing (defaults, warm-up scaling)": (
            lambda k, v, short: synchrony(k, v, "tanh", short, "defaults", scale_from="warmup"),
            [(DEFAULT_WINDOW, DEFAULT_THRESHOLD)]),
        "rhythmic-sharing-lif": (lambda k, v, short: synchrony(k, v, "lif", short), grid),
        "rhythmic-sharing+input": (
            lambda k, v, short: synchrony(k, v, "tanh", short, "synchrony+input"), grid),
        "input-roughness (no synchrony)": (
            lambda k, v, short: synchrony(k, v, "tanh", short, "input"), grid),
        "ruptures-pelt": (lambda k, v, short: ruptures_method("pelt", SERIES[k], v), pens),
        "ruptures-binseg": (lambda k, v, short: ruptures_method("binseg", SERIES[k], v), pens),
        "ruptures-pelt+RS": (lambda k, v, short: ruptures_with_synchrony(k, v, short), pens),
        "river-adwin": (lambda k, v, short: river_method("adwin", SERIES[k], v),
                        [0.002, 0.02, 0.2]),
        "river-pagehinkley": (lambda k, v, short: river_method("pagehinkley", SERIES[k], v),
                              [10.0, 50.0, 200.0]),
        "river-kswin": (lambda k, v, short: river_method("kswin", SERIES[k], v),
                        [1e-3, 1e-4, 1e-5]),
        "river-adwin on RS features": (
            lambda k, v, short: river_method("adwin", synchrony_feature_matrix(k, short), v),
            [0.002, 0.02, 0.2]),
        "river-pagehinkley on RS features": (
            lambda k, v, short: river_method("pagehinkley", synchrony_feature_matrix(k, short),
                                             v), [10.0, 50.0, 200.0]),
    }


# ---------------------------------------------------------------- datasets

FAMILIES: dict[str, Callable] = {
    "thomas": thomas_switching,
    "lorenz": lorenz_switching,
    "thomas-dt1": partial(thomas_switching, **THOMAS_PROTOCOL),
    "lorenz-dt0.01": partial(lorenz_switching, n_steps=7500, dt=0.01, segment_range=(200, 800)),
    "lorenz-dt0.05": partial(lorenz_switching, n_steps=7500, dt=0.05, segment_range=(200, 800)),
}
"""Generated series families. ``thomas-dt1`` is Kang & Losert's Thomas protocol (step 1, chaos
b = 0.18 and limit cycle b = 0.29 in segments of 200–800 steps, 7,500 steps); the two Lorenz
families sample the same flow at half and 2.5 times the step of ``lorenz``, with segments of
200–800 steps."""


SERIES_CACHE: list[Path] = []
"""Folder of generated series (``--series-cache``), one ``<family>-seed<seed>.npz`` each: the
integration takes tens of seconds per series, the detectors a second."""


def synthetic(system: str, seed: int) -> tuple[tuple, np.ndarray]:
    """Register a generated series (raw and standardised), from the series cache if there;
    returns its key and switch times."""
    stored = SERIES_CACHE[0] / f"{system}-seed{seed}.npz" if SERIES_CACHE else None
    if stored is not None and stored.exists():
        with np.load(stored) as data:
            x, switch_times = data["x"], data["switch_times"]
    else:
        s = FAMILIES[system](seed=seed)
        x, switch_times = s.x, s.switch_times
        if stored is not None:
            np.savez(stored, x=x, switch_times=switch_times)
    RAW[(system, seed)] = x
    SERIES[(system, seed)] = standardize(x)
    return (system, seed), switch_times


def river_series(min_len: int) -> dict[str, tuple[tuple, np.ndarray]]:
    """Register river's annotated series of at least ``min_len`` steps (annotators' union)."""
    out = {}
    for name in sorted(CHANGEPOINT_DATASETS):
        s = load_changepoints(name, how="union")
        if len(s.x) >= min_len:
            RAW[("river", name)] = s.x
            SERIES[("river", name)] = standardize(s.x)
            out[name] = (("river", name), s.change_points)
    return out


EVALUATIONS: dict[str, dict] = {}
"""Scores already computed, by ``"method|series|setting"`` (``--cache``: read at the start,
appended to as the run goes, so an interrupted run resumes where it stopped)."""


def evaluate(method: str, fn: Callable[..., Detections], setting, key: tuple,
             truth: np.ndarray, margin: int, cache_file: Path | None,
             short: bool = False) -> dict[str, float]:
    """Scores of ``method`` with ``setting`` on the series ``key``, from the cache if there."""
    name = f"{method}|{'/'.join(map(str, key))}|{setting}"
    if name not in EVALUATIONS:
        cps, alarms = fn(key, setting, short)
        EVALUATIONS[name] = detection_scores(truth, cps, margin, alarms)
        if cache_file is not None:
            with cache_file.open("a") as out:
                out.write(json.dumps({"key": name, "scores": EVALUATIONS[name]}) + "\n")
    return EVALUATIONS[name]


def detection(tune_seeds: list[int], test_seeds: list[int], names: list[str],
              cache_file: Path | None = None, protocol_seeds: list[int] = PROTOCOL_TEST_SEEDS
              ) -> tuple[list[dict], dict]:
    """Detection rows and chosen settings of the methods ``names``.

    Each method's setting is the one of its grid with the best mean F1 over the tuning seeds
    of every family; the rows are the test seeds of every family, the protocol's
    ``protocol_seeds`` and river's series.
    """
    tune = [synthetic(family, seed) for family in FAMILIES for seed in tune_seeds]
    test = {f"{family}-seed{seed}": (family, synthetic(family, seed)) for family in FAMILIES
            for seed in test_seeds}
    test.update({f"{PROTOCOL}-seed{seed}": (FRESH_PROTOCOL, synthetic(PROTOCOL, seed))
                 for seed in protocol_seeds})
    rivers = river_series(min_len=500)
    rows, chosen = [], {}
    for name in progress(names, desc="methods"):
        fn, grid = methods()[name]
        score = partial(evaluate, name, fn, cache_file=cache_file)
        f1 = [np.mean([score(g, k, t, SYNTH_MARGIN)["f1"] for k, t in tune]) for g in grid]
        setting = grid[int(np.argmax(f1))]
        chosen[name] = {"setting": setting, "tuning_f1": float(max(f1))}
        for ds, (group, (k, truth)) in test.items():
            rows.append({"dataset": ds, "family": group, "method": name,
                         **score(setting, k, truth, SYNTH_MARGIN)})
        for ds, (k, truth) in rivers.items():
            rows.append({"dataset": f"river-{ds}", "family": "river", "method": name,
                         **score(setting, k, truth, RIVER_MARGIN, short=True)})
    return rows, chosen


# ---------------------------------------------------------------- speed, Lava, recall

@njit(cache=True)
def multiply_chain(x: int, k: int, n: int) -> int:
    """n dependent steps x ← k·x + 1 (an integer multiply and an add: 4 cycles each on x86)."""
    for _ in range(n):
        x = x * k + 1
    return x


def core_clock_hz(n: int = 50_000_000, repeats: int = 5) -> float:
    """The core's clock, from the fastest of ``repeats`` timings of :func:`multiply_chain`."""
    multiply_chain(1, 3, 10)
    best = min(timed(partial(multiply_chain, 1, 3, n)) for _ in range(repeats))
    return 4 * n / best


LOADS_PER_CYCLE = 4
"""Loads one core can issue per cycle (AMD Zen 5; Zen 4 and recent Intel cores issue 3)."""


def step_bound(n_links: int, coupling_entries: int, clock_hz: float) -> float:
    """Steps/s one core cannot exceed on the loads a step needs, whatever the code.

    Each step reads, for every entry of A_φ, the neighbour's phasor (cos φ, sin φ): one 16-byte
    load at best (the column indices can come several to a load, and are not counted), and for
    every link its two end nodes, weight, phase and their activities, cos φ and sin φ (8
    loads): with the core issuing ``LOADS_PER_CYCLE`` loads per cycle,
    steps/s ≤ f·LOADS_PER_CYCLE / (nnz(A_φ) + 8·L). The bound counts no arithmetic and no
    sin/cos, so it is above what any implementation reaches.
    """
    return clock_hz * LOADS_PER_CYCLE / (coupling_entries + 8 * n_links)


def timed(run: Callable[[], object], clock: Callable[[], float] = time.thread_time) -> float:
    """Seconds of one call: CPU seconds of this thread by default (on a shared machine the
    time the thread ran, not the time it waited for a core; one BLAS thread runs in it), or
    wall-clock seconds with ``clock=time.perf_counter`` (work in other processes)."""
    start = clock()
    run()
    return clock() - start


def speed(sizes: list[int], n_steps: int, repeats: int) -> list[dict]:
    """Best-of-``repeats`` steps/s (thread CPU time) of each implementation, runs interleaved,
    one BLAS thread.

    Every implementation runs the same series: the Thomas protocol (``thomas-dt1``, seed 0,
    ``n_steps`` steps) scaled as the detector scales it. The sparse reference's row also gives
    :func:`step_bound` at the core's clock (:func:`core_clock_hz`) and the speed-up over the
    published formulation.
    """
    u = SynchronyChangeDetector().scale_input(
        FAMILIES["thomas-dt1"](seed=0, n_steps=n_steps).x)
    impls = (("reference-sparse", RhythmicReservoir),
             ("published-formulation", PublishedRhythmicReservoir),
             ("reference-spiking", SpikingRhythmicReservoir))
    clock = core_clock_hz()
    rows = []
    with threadpool_limits(limits=1):
        for n in progress(sizes, desc="speed"):
            params = RhythmicParams(n_nodes=n)
            graph = make_reservoir_graph(params, 3, seed=0)
            RhythmicReservoir(graph, params).run(u[:10])  # compile outside the timing
            best = dict.fromkeys((impl for impl, _ in impls), 0.0)
            for _ in range(repeats):
                for impl, cls in impls:
                    best[impl] = max(best[impl], n_steps / timed(partial(cls(graph, params).run,
                                                                         u)))
            entries = len(graph.coupling_indices)
            common = {"n_nodes": n, "n_links": graph.n_links, "coupling_entries": entries,
                      "n_steps": n_steps, "series": "thomas-dt1 seed 0", "blas_threads": 1}
            bound = step_bound(graph.n_links, entries, clock)
            rows.append({"impl": "reference-sparse", "steps_per_s": best["reference-sparse"],
                         **common, "clock_hz": clock, "bound_steps_per_s": bound,
                         "fraction_of_bound": best["reference-sparse"] / bound,
                         "speedup_over_published": (best["reference-sparse"]
                                                    / best["published-formulation"])})
            rows += [{"impl": impl, "steps_per_s": best[impl], **common}
                     for impl in ("published-formulation", "reference-spiking")]
    return rows


def speed_and_lava(args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    """Speed rows (references, then Lava at N = 100) and Lava-vs-reference agreement rows."""
    speed_rows = speed(args.sizes, args.speed_steps, args.speed_repeats)
    lava_rows = []
    for tag in ("floating_pt", "fixed_pt"):
        r_lava, r_ref, rate = lava_run(tag, args.lava_steps)
        lava_rows.append({"tag": tag, "max_abs_R_error": float(np.abs(r_lava - r_ref).max())})
        graph = make_reservoir_graph(RhythmicParams(), 3, seed=0)
        speed_rows.append({"impl": f"lava-{tag}", "steps_per_s": rate, "n_nodes": 100,
                           "n_links": graph.n_links})
    plot_speed(speed_rows, RESULTS / "rhythmic_speed.png")
    return speed_rows, lava_rows


def print_speed(speed_rows: list[dict], lava_rows: list[dict]) -> None:
    for r in speed_rows:
        print(f"{r['impl']:22s} N={r['n_nodes']:4d} L={r['n_links']:6d} "
              f"{r['steps_per_s']:9.1f} steps/s")
        if "bound_steps_per_s" in r:
            print(f"{'':22s} bound {r['bound_steps_per_s']:9.1f} steps/s at "
                  f"{r['clock_hz'] / 1e9:.2f} GHz ({r['fraction_of_bound']:.0%} of it); "
                  f"{r['speedup_over_published']:.1f}x the published formulation")
    for r in lava_rows:
        print(f"lava {r['tag']}: max |R error| = {r['max_abs_R_error']:.2e}")


def lava_run(tag: str, n_steps: int) -> tuple[np.ndarray, np.ndarray, float]:
    """R(t) of the Lava hierarchical process and of the reference, and Lava steps/s."""
    u = standardize(thomas_switching(n_steps=n_steps, segment_range=(700, 900), seed=0).x)
    params = RhythmicParams()
    res = RhythmicReservoir.from_params(params, 3, seed=0)
    proc = RhythmicReservoirProcess(graph=res.graph, params=params, data=u,
                                    phases=res.phases.copy())
    sink = Sink(shape=(2,), buffer=n_steps)
    proc.order_out.connect(sink.a_in)
    with LavaSession(proc, sim_config(tag)) as session:
        session.run(1)  # compile and start outside the timed run
        rate = (n_steps - 1) / timed(lambda: session.run(n_steps - 1), time.perf_counter)
        out = sink.data.get()[0]
    scale = 1 << ORDER_FRAC_BITS if tag == "fixed_pt" else 1
    return out / scale, res.run(u).R, rate


def attractor_statistics(x: np.ndarray) -> dict[str, list[float]]:
    """Per-coordinate mean, standard deviation, 5th and 95th percentile of a trajectory."""
    return {"mean": x.mean(axis=0).tolist(), "std": x.std(axis=0).tolist(),
            "p05": np.percentile(x, 5, axis=0).tolist(),
            "p95": np.percentile(x, 95, axis=0).tolist()}


def recall_experiment(seed: int = 0) -> tuple[dict, dict]:
    """Recall each regime of a two-regime Thomas series by every method of
    ``RECALL_METHODS``; JSON row and trajectories to plot (``paths[method][context]``).

    Besides the Wasserstein distances, every recall reports the attractor statistics
    (:func:`attractor_statistics`) of the generated steps 500..1500 and of the true regime,
    and their ratio of standard deviations (≈ 1 when the closed loop keeps the regime's
    spread, ≈ 0 when it collapses onto a fixed point or a small cycle).
    """
    s = thomas_switching(n_steps=4000, segment_range=(1200, 1600), seed=seed)
    mean, std = s.x.mean(axis=0), s.x.std(axis=0)
    u = (s.x - mean) / std
    rows, paths, one_step = [], {}, {}
    for method, spec in RECALL_METHODS.items():
        params = RhythmicParams(ridge=spec["ridge"], omega=spec["omega"], m=spec["m"])
        res = RhythmicReservoir.from_params(params, 3, seed=seed)
        trace = res.run(u, record_phases=method == "snapshot")
        w = params.warmup
        readout = fit_next_step(trace.states, u, w, params.ridge, quadratic=True,
                                mean_phase=trace.mean_phase if spec["gated"] else None)
        one_step[method] = float(np.sqrt(np.mean(
            (readout.predict(trace.states[w:-1], trace.mean_phase[w:-1]) - u[w + 1:]) ** 2)))
        if spec["target"] == "middle":
            targets = context_mid_phases(trace, s.regimes, w)
        else:
            targets = context_phases(trace, u, s.regimes, readout, w)
        if method == "snapshot":
            starts = context_snapshots(trace, s.regimes, w)
        paths[method] = {}
        for context, target in targets.items():
            clone = RhythmicReservoir(res.graph, params)
            clone.activity, clone.phases = res.activity.copy(), res.phases.copy()
            if method == "snapshot":
                generated, steps = recall_snapshot(clone, readout, starts[context], 1500), 0
            else:
                generated, steps = recall(clone, readout, target, n_steps=1500)
            generated = generated[500:] * std + mean
            true = s.x[s.regimes == context]
            distances = attractor_distances(generated, s.x, s.regimes)
            gen_stats, true_stats = attractor_statistics(generated), attractor_statistics(true)
            rows.append({"method": method, **spec, "context": context,
                         "b": s.values[context], "target_phase": target,
                         "rotation_steps": steps, "wasserstein_to_regime": distances,
                         "nearest_regime": min(distances, key=distances.get),
                         "generated_stats": gen_stats, "true_stats": true_stats,
                         "std_ratio": (np.array(gen_stats["std"])
                                       / np.array(true_stats["std"])).tolist(),
                         "generated_range_x": [float(generated[:, 0].min()),
                                               float(generated[:, 0].max())]})
            paths[method][context] = (generated, true, s.values[context])
    return {"seed": seed, "one_step_rmse_standardised": one_step, "recalls": rows}, paths


def plot_recall(paths: dict[int, dict], path: Path) -> None:
    """x–y portraits of each recalled regime (colour) over the true regime (grey), one row per
    seed, one column per (method, regime)."""
    seeds = sorted(paths)
    panels = [(method, context) for method in RECALL_METHODS for context in (0, 1)]
    fig, axes = plt.subplots(len(seeds), len(panels), figsize=(4 * len(panels), 3.6 * len(seeds)),
                             squeeze=False)
    for row, seed in enumerate(seeds):
        for col, (method, context) in enumerate(panels):
            generated, true, b = paths[seed][method][context]
            ax = axes[row, col]
            ax.plot(true[:, 0], true[:, 1], lw=0.3, color="0.6", label="true regime")
            ax.plot(generated[:, 0], generated[:, 1], lw=0.6, color=f"C{context}",
                    label="recalled (closed loop)")
            ax.set_title(f"seed {seed}, {method}, regime b = {b}", fontsize=9)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
    axes[0, 0].legend(fontsize=7)
    save_figure(fig, path, dpi=90)


# ---------------------------------------------------------------- figures

def plot_f1(rows: list[dict], path: Path) -> None:
    names = sorted({r["method"] for r in rows})
    groups = list(dict.fromkeys(r["family"] for r in rows))
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(13, 4.5))
    for k, group in enumerate(groups):
        vals = [np.mean([r["f1"] for r in rows if r["method"] == m
                         and r["family"] == group] or [np.nan]) for m in names]
        ax.bar(np.arange(len(names)) + width * (k - (len(groups) - 1) / 2), vals, width,
               label=group)
    ax.set_xticks(np.arange(len(names)), names, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel("mean F1 (held-out series)")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def plot_speed(rows: list[dict], path: Path) -> None:
    """Steps/s of every implementation with the load bound of one core (left) and the sparse
    reference's speed-up over the published formulation, against the issue's 10× (right)."""
    fig, (ax, ax_ratio) = plt.subplots(1, 2, figsize=(10, 4))
    for impl in sorted({r["impl"] for r in rows}):
        pts = [(r["n_nodes"], r["steps_per_s"]) for r in rows if r["impl"] == impl]
        ax.plot(*zip(*pts, strict=True), "o-", label=impl)
    bound = [(r["n_nodes"], r["bound_steps_per_s"]) for r in rows if "bound_steps_per_s" in r]
    ratio = [(r["n_nodes"], r["speedup_over_published"]) for r in rows
             if "speedup_over_published" in r]
    if bound:
        ax.plot(*zip(*bound, strict=True), "k--", label="load bound (one core)")
        ax_ratio.plot(*zip(*ratio, strict=True), "o-", color="C3")
    ax_ratio.axhline(10.0, color="k", ls=":", label="10×")
    ax.set_xlabel("N nodes")
    ax.set_ylabel("steps / s (one core, one BLAS thread)")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax_ratio.set_xlabel("N nodes")
    ax_ratio.set_ylabel("reference-sparse / published-formulation")
    ax_ratio.set_ylim(bottom=0)
    ax_ratio.legend(fontsize=8)
    save_figure(fig, path)


def update_results(record: dict, **keys: object) -> None:
    """Replace ``keys`` in ``rhythmic.json``, re-read right before writing (other keys kept).

    Rows of list-valued keys without a ``provenance`` get ``record`` (rows copied from an
    earlier run keep theirs); ``record`` becomes the file's ``provenance``."""
    for value in keys.values():
        for row in value if isinstance(value, list) else ():
            row.setdefault("provenance", record)
    path = RESULTS / "rhythmic.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    result.update(keys, provenance=record)
    path.write_text(json.dumps(result, indent=1))


def run_detection(args: argparse.Namespace, started: dict) -> dict:
    """Detection rows of the methods ``args.methods`` (all by default), their PNGs and the
    protocol written to ``rhythmic.json`` (rows of other methods kept, with their own
    provenance); returns the chosen settings of every method in the file."""
    names = args.methods or list(methods())
    unknown = sorted(set(names) - set(methods()))
    if unknown:
        raise SystemExit(f"--methods: unknown {unknown}; use {list(methods())}")
    cache_file = Path(args.cache) if args.cache else None
    if args.series_cache:
        SERIES_CACHE.append(Path(args.series_cache))
        SERIES_CACHE[0].mkdir(parents=True, exist_ok=True)
    if cache_file is not None and cache_file.exists():
        for line in cache_file.read_text().splitlines():
            entry = json.loads(line)
            EVALUATIONS[entry["key"]] = entry["scores"]
    test_seeds = list(range(2, 2 + args.test_seeds))
    protocol_seeds = PROTOCOL_TEST_SEEDS[:args.protocol_test_seeds]
    rows, chosen = detection(TUNE_SEEDS, test_seeds, names, cache_file, protocol_seeds)
    if "rhythmic-sharing (defaults)" in names:
        for system in ("thomas", PROTOCOL, "lorenz"):
            key, truth = synthetic(system, 2)
            det = SynchronyChangeDetector().fit_synchrony(
                *synchrony_signals(key, "tanh", False), scaled_input(key, False))
            plot_synchrony(RAW[key], np.asarray(det.R_), np.asarray(det.mean_phase_),
                           RESULTS / f"rhythmic_{system}.png", truth, det.change_points_,
                           f"{system} (seed 2): R(t), ⟨Φ⟩(t), true changes and the "
                           "defaults' detections")
    path = RESULTS / "rhythmic.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    kept = [r for r in previous.get("detection", []) if r["method"] not in names]
    require_provenance(kept, "rhythmic.json (rows of methods not re-run)")
    chosen = {**{m: v for m, v in previous.get("detection_protocol", {}).get("chosen", {}).items()
                 if m not in names}, **chosen}
    rows = kept + rows
    plot_f1(rows, RESULTS / "rhythmic_f1.png")
    update_results(provenance(started), detection=rows, detection_protocol={
        "tune_seeds": TUNE_SEEDS, "test_seeds": test_seeds, "families": list(FAMILIES),
        "protocol_test_seeds": protocol_seeds,
        "note": "settings chosen by mean F1 on the tune seeds of every family; rows are test "
                "seeds and river series only, never used for tuning or for designing the "
                "synchrony detector or its input scaling",
        "chosen": chosen})
    for name in names:
        by_family: dict[str, list[float]] = {}
        for r in rows:
            if r["method"] == name:
                by_family.setdefault(r["family"], []).append(r["f1"])
        print(f"{name:33s} setting={chosen[name]['setting']!s:14s} " + " ".join(
            f"{f}={np.mean(v):.3f}" for f, v in by_family.items()))
    return chosen


def run_recall(chosen: dict, started: dict) -> None:
    """Recall experiment of seeds 0..2: ``rhythmic_recall.json`` (with the detectors' tuned
    settings, ``chosen``, and the run's ``provenance``) and ``rhythmic_recall.png``."""
    recalls = {seed: recall_experiment(seed) for seed in (0, 1, 2)}
    rows = [row for row, _ in recalls.values()]
    (RESULTS / "rhythmic_recall.json").write_text(json.dumps(
        {"tuned_settings": chosen, "recall": rows, "provenance": provenance(started)},
        indent=1))
    plot_recall({seed: paths for seed, (_, paths) in recalls.items()},
                RESULTS / "rhythmic_recall.png")
    for row in rows:
        for rec in row["recalls"]:
            distances = {k: round(v, 2) for k, v in rec["wasserstein_to_regime"].items()}
            print(f"recall seed {row['seed']} {rec['method']} context {rec['context']}: nearest "
                  f"regime {rec['nearest_regime']}, Wasserstein {distances}, "
                  f"std ratio {np.round(rec['std_ratio'], 2).tolist()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-seeds", type=int, default=5, help="test seeds per system")
    parser.add_argument("--protocol-test-seeds", type=int, default=len(PROTOCOL_TEST_SEEDS),
                        help="fresh protocol test seeds (100, 101, ...) of thomas-dt1")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--speed-steps", type=int, default=7500)
    parser.add_argument("--speed-repeats", type=int, default=3)
    parser.add_argument("--lava-steps", type=int, default=2000)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--speed-only", action="store_true",
                      help="rerun speed and Lava rows only; keep the detection rows")
    mode.add_argument("--detection-only", action="store_true",
                      help="rerun detection rows only; keep speed, Lava and recall results")
    mode.add_argument("--recall-only", action="store_true",
                      help="rerun the recall experiment only")
    parser.add_argument("--methods", nargs="+", metavar="METHOD",
                        help="detection methods to (re-)run; the rows of the others are kept")
    parser.add_argument("--cache", metavar="JSONL",
                        help="file of scores already computed: read first, appended to "
                             "(resumes an interrupted detection run)")
    parser.add_argument("--series-cache", metavar="DIR",
                        help="folder of generated series: read if there, written if not")
    args = parser.parse_args()
    started = run_started()
    RESULTS.mkdir(exist_ok=True)
    if args.recall_only:
        run_recall(json.loads((RESULTS / "rhythmic.json").read_text())["detection_protocol"]
                   ["chosen"], started)
        return
    if not args.speed_only:
        chosen = run_detection(args, started)
        if args.detection_only:
            return
        run_recall(chosen, started)
    speed_rows, lava_rows = speed_and_lava(args)
    update_results(provenance(started), speed=speed_rows, lava=lava_rows)
    print_speed(speed_rows, lava_rows)


if __name__ == "__main__":
    main()
