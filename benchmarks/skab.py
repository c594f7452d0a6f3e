"""SKAB benchmark: SKAB's baselines with and without rhythmic-sharing synchrony features.

The poster's claim (Whitehouse et al., "From Astrocytes to Novel Algorithms", Table 2: a
detector "with RS" against the same detector without) measured on open data: the Skoltech
Anomaly Benchmark (Katser & Kozitsin, "Skoltech Anomaly Benchmark (SKAB)", Kaggle, 2020,
doi:10.34740/KAGGLE/DSV/1693952; GPL-3.0, read from ``$ASTROLAVA_SKAB`` or
``../shared/data/skab``).

Protocol (SKAB's proposed leaderboard). Each of the 34 labelled experiments is split in time:
its first 400 rows train a fresh detector (standardisation, model, threshold), the rest is the
test part. Predictions of every test row are pooled into F1 / FAR / MAR, and the change-point
alarms ``|Δ prediction|`` (Isolation Forest: after a trailing maximum over 30 rows, as SKAB does)
are scored with SKAB's NAB (:mod:`astrolava.anomaly_scoring`).

Features. ``raw``: the 8 sensors. ``raw+synchrony``: the 8 sensors plus
``synchrony_features`` (R, its trailing mean and spread, the mean-phase velocity, the roughness
ρ of R, cos/sin ⟨Φ⟩, the mean and spread over nodes of the node synchrony) of a rhythmic-sharing
reservoir (the published defaults, N = 100) driven by the standardised sensors. The reservoir
first runs once over the training rows (a warm-up whose output is dropped, so the synchrony
of the training rows is not its start-up transient), then over the whole experiment; the
features are causal. Both feature sets are standardised with the training rows.

Detectors (after SKAB's baseline notebooks, not their code): Hotelling's T² with the
F-distribution limit at α = 0.01; T²+Q, PCA keeping 85 % of the variance, an alarm when T² of
the scores or Q (squared prediction error, Jackson–Mudholkar limit) passes its α = 0.01 limit;
Isolation Forest (scikit-learn, 200 trees, the score threshold at the training rows'
quantile 1 − ``IFOREST_CONTAMINATION``); Conv-AE (torch, one thread: two strided Conv1d
encoder layers and three ConvTranspose1d decoder layers on windows of 60 rows; a row is an
outlier when every window ending before it has a mean absolute reconstruction error above
3/2 of the training windows' 99th percentile). And the change-point task alone: the library's
``SynchronyChangeDetector`` run over each whole experiment, its change locations as alarms
(NAB only; it gives no per-row outlier labels).

Each ``raw+synchrony`` row is the mean over ``--seeds`` reservoir seeds (each seed's scores in
``per_seed``). Published rows: SKAB's published predictions scored with the same code.

Writes ``benchmarks/results/skab.json`` ({"rows": [...], "ablation": [...], "protocol": {...},
"provenance": {...}}) and ``skab.png``.

Usage (the runs of the committed JSON: the last on the Conv-AE only, with one seed, since its
68 trainings per seed take ~40 min on the loaded 2-core machine)::

    nice -n 10 .venv/bin/python benchmarks/skab.py --quick      # 6 experiments, 1 seed
    nice -n 10 .venv/bin/python benchmarks/skab.py              # everything, 2 seeds
    nice -n 10 .venv/bin/python benchmarks/skab.py --methods Conv-AE --seeds 1 \
        --cache /work/runs/E/skab_cache      # re-run the same command to resume

``--methods`` runs only the methods named and keeps the other rows of ``skab.json``, re-read
before every write, so runs of different methods can go at the same time (each row records the
provenance of the run that produced it).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

from astrolava.data import SkabExperiment, load_skab, skab_scores  # noqa: E402
from astrolava.data.skab import (  # noqa: E402
    SKAB_TRAIN_ROWS,
    load_skab_predictions,
    prediction_arrays,
)
from astrolava.figures import save_figure  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402
from astrolava.rhythmic import RhythmicParams, RhythmicReservoir, SynchronyChangeDetector  # noqa: E402
from astrolava.rhythmic.detector import synchrony_features  # noqa: E402

torch.set_num_threads(1)

RESULTS = Path(__file__).resolve().parent / "results"
ALPHA = 0.01
"""False-alarm level of the T² and Q limits."""
EXPLAINED = 0.85
"""Fraction of the training variance the PCA of T²+Q keeps."""
IFOREST_CONTAMINATION = 0.01
"""Fraction of training rows above the Isolation Forest's threshold."""
WINDOW_ROWS = 60
"""Rows per window of the Conv-AE (SKAB's N_STEPS)."""
SYNCHRONY_WINDOW = 30
"""Steps of the trailing statistics of the synchrony features."""
SYNCHRONY_COLUMNS = ("R", "mean R", "std R", "dΦ/dt", "ρ", "cos Φ", "sin Φ", "node r mean",
                     "node r std")
"""The columns of ``synchrony_features(..., angle=True, phases=..., link_nodes=...)``."""
SYNCHRONY_FLOORS = np.array([0.02, 0.02, 0.02, 0.001, 0.1, 0.0, 0.0, 0.02, 0.02])
"""Least spread each synchrony column is standardised by: the noise floors of
``SynchronyChangeDetector`` (0.02 for R, 0.1 for ρ), ω0/10 for dΦ/dt. R sits near 1 through
the training rows, so its own spread there is ~1e-3 and would make any later dip an outlier."""
ABLATION = {"all": tuple(range(9)), "no ⟨Φ⟩ angle": (0, 1, 2, 3, 4, 7, 8), "R, ρ": (0, 4),
            "R": (0,), "ρ": (4,)}
"""Synchrony column subsets of ``--ablation`` (indices into ``SYNCHRONY_COLUMNS``)."""
PUBLISHED = {"Conv_AE": "Conv-AE", "MSET": "MSET", "T2-q": "T²+Q (PCA)", "LSTM_AE": "LSTM-AE",
             "T2": "T²", "Vanilla_LSTM": "Vanilla LSTM", "Vanilla_AE": "Vanilla AE",
             "MSCRED": "MSCRED", "Isolation_Forest": "Isolation Forest",
             "Arima_anomaly_detection": "ArimaFD"}
"""File name of SKAB's published predictions -> method name in the table."""


class HotellingT2:
    """Hotelling's T² = (x − μ)ᵀ S⁻¹ (x − μ) with μ, S of the n training rows (p columns) and
    the limit p(n+1)(n−1) / (n(n−p)) · F_{1−α}(p, n−p) (Montgomery, "Statistical Quality
    Control", §11.3)."""

    def fit(self, train: np.ndarray) -> HotellingT2:
        n, p = train.shape
        self.mean = train.mean(axis=0)
        self.precision = np.linalg.pinv(np.cov(train, rowvar=False))
        self.limit = p * (n + 1) * (n - 1) / (n * (n - p)) * stats.f.ppf(1 - ALPHA, p, n - p)
        return self

    def statistic(self, x: np.ndarray) -> np.ndarray:
        d = x - self.mean
        return np.einsum("ij,jk,ik->i", d, self.precision, d)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.statistic(x) > self.limit).astype(np.int64)


class T2Q:
    """PCA monitoring: T² of the k principal scores (k keeps ``EXPLAINED`` of the variance) and
    Q = ‖x − x̂‖², the squared error of the reconstruction from them, with the Jackson–Mudholkar
    limit Q_α = θ₁ (c_α √(2θ₂h₀²)/θ₁ + 1 + θ₂h₀(h₀−1)/θ₁²)^{1/h₀}, θ_j = Σ_{i>k} λ_iʲ,
    h₀ = 1 − 2θ₁θ₃/(3θ₂²) (Jackson & Mudholkar, Technometrics 21, 1979). An outlier when
    either passes its limit."""

    def fit(self, train: np.ndarray) -> T2Q:
        full = PCA().fit(train)
        k = int(np.searchsorted(np.cumsum(full.explained_variance_ratio_), EXPLAINED) + 1)
        self.pca = PCA(n_components=k).fit(train)
        self.t2 = HotellingT2().fit(self.pca.transform(train))
        rest = full.explained_variance_[k:]
        t1, t2, t3 = (np.sum(rest ** j) for j in (1, 2, 3))
        if t1 <= 0:
            self.q_limit = np.inf
            return self
        h0 = 1 - 2 * t1 * t3 / (3 * t2 ** 2)
        c = stats.norm.ppf(1 - ALPHA)
        self.q_limit = t1 * (c * np.sqrt(2 * t2 * h0 ** 2) / t1 + 1
                             + t2 * h0 * (h0 - 1) / t1 ** 2) ** (1 / h0)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        scores = self.pca.transform(x)
        q = np.sum((x - self.pca.inverse_transform(scores)) ** 2, axis=1)
        return ((self.t2.statistic(scores) > self.t2.limit) | (q > self.q_limit)).astype(np.int64)


class IForest:
    """Isolation Forest; an outlier when the anomaly score passes the training rows'
    1 − ``IFOREST_CONTAMINATION`` quantile."""

    def fit(self, train: np.ndarray) -> IForest:
        self.forest = IsolationForest(n_estimators=200, contamination=IFOREST_CONTAMINATION,
                                      random_state=0).fit(train)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.forest.predict(x) == -1).astype(np.int64)


class ConvAE:
    """Convolutional autoencoder of windows of ``WINDOW_ROWS`` rows (SKAB's Conv-AE layout):
    Conv1d(d→32, 7, stride 2) → ReLU → Dropout(0.2) → Conv1d(32→16, 7, stride 2) → ReLU →
    ConvTranspose1d(16→16) → ReLU → Dropout(0.2) → ConvTranspose1d(16→32) → ReLU →
    Conv1d(32→d, 7), trained with Adam (lr 1e-3) on the mean squared error, batch 32, with 10 %
    of the windows held out for early stopping (patience 5, at most 100 epochs). A window's
    residual is its mean absolute error; row i is an outlier when every window ending at rows
    i − 60 … i − 2 (SKAB's loop) has a residual above 3/2 of the training residuals' 99th
    percentile."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def _net(self, d: int) -> torch.nn.Module:
        k, p = 7, 3
        return torch.nn.Sequential(
            torch.nn.Conv1d(d, 32, k, stride=2, padding=p), torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.Conv1d(32, 16, k, stride=2, padding=p), torch.nn.ReLU(),
            torch.nn.ConvTranspose1d(16, 16, k, stride=2, padding=p, output_padding=1),
            torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.ConvTranspose1d(16, 32, k, stride=2, padding=p, output_padding=1),
            torch.nn.ReLU(), torch.nn.Conv1d(32, d, k, padding=p))

    @staticmethod
    def windows(x: np.ndarray) -> torch.Tensor:
        w = np.lib.stride_tricks.sliding_window_view(x, WINDOW_ROWS, axis=0)
        return torch.tensor(np.ascontiguousarray(w), dtype=torch.float32)  # (n, d, 60)

    def residuals(self, x: np.ndarray) -> np.ndarray:
        self.net.eval()
        with torch.no_grad():
            w = self.windows(x)
            return (self.net(w) - w).abs().mean(dim=(1, 2)).numpy()

    def fit(self, train: np.ndarray) -> ConvAE:
        torch.manual_seed(self.seed)
        w = self.windows(train)
        order = torch.randperm(len(w))
        n_val = max(len(w) // 10, 1)
        val, fit = w[order[:n_val]], w[order[n_val:]]
        self.net = self._net(train.shape[1])
        opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        best, best_state, waited = np.inf, None, 0
        for _ in range(100):
            self.net.train()
            for batch in fit[torch.randperm(len(fit))].split(32):
                opt.zero_grad()
                torch.nn.functional.mse_loss(self.net(batch), batch).backward()
                opt.step()
            self.net.eval()
            with torch.no_grad():
                loss = float(torch.nn.functional.mse_loss(self.net(val), val))
            if loss < best:
                best, waited = loss, 0
                best_state = {k: v.clone() for k, v in self.net.state_dict().items()}
            else:
                waited += 1
                if waited >= 5:
                    break
        self.net.load_state_dict(best_state)
        self.limit = 1.5 * np.quantile(self.residuals(train), 0.99)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        high = self.residuals(x) > self.limit
        out = np.zeros(len(x), np.int64)
        for i in range(WINDOW_ROWS - 1, len(x) - WINDOW_ROWS + 1):
            out[i] = np.all(high[i - WINDOW_ROWS + 1:i])
        return out


DETECTORS: dict[str, Callable[[int], object]] = {
    "T²": lambda seed: HotellingT2(),
    "T²+Q (PCA)": lambda seed: T2Q(),
    "Isolation Forest": lambda seed: IForest(),
    "Conv-AE": ConvAE,
}
"""Method name -> factory of a fresh detector (the seed matters for the Conv-AE only)."""
CHANGE_DETECTOR = "Synchrony change detector"
"""Name of the change-point-only row (``run_change_detector``)."""
ROLLING_MAX = {"Isolation Forest": 30}
"""Trailing maximum before ``|Δ prediction|`` (SKAB's Isolation Forest notebook)."""


SYNCHRONY_CACHE: dict[tuple[str, int], np.ndarray] = {}
"""Synchrony features computed so far, by (experiment, reservoir seed)."""


def synchrony(e: SkabExperiment, seed: int) -> np.ndarray:
    """Synchrony features of every row of an experiment (see the module docstring)."""
    if (e.name, seed) not in SYNCHRONY_CACHE:
        SYNCHRONY_CACHE[e.name, seed] = reservoir_synchrony(e.scaled(), seed)
    return SYNCHRONY_CACHE[e.name, seed]


def reservoir_synchrony(u: np.ndarray, seed: int) -> np.ndarray:
    """Synchrony features of a reservoir warmed up on the training rows of ``u``, then driven
    by all of ``u``."""
    reservoir = RhythmicReservoir.from_params(RhythmicParams(), u.shape[1], seed)
    reservoir.run(u[:SKAB_TRAIN_ROWS])
    trace = reservoir.run(u, record_phases=True)
    g = reservoir.graph
    return synchrony_features(trace.R, trace.mean_phase, SYNCHRONY_WINDOW, angle=True,
                              phases=trace.phases, link_nodes=(g.rows, g.cols))


def features(e: SkabExperiment, kind: str, seed: int,
             columns: tuple[int, ...] = ABLATION["all"]) -> np.ndarray:
    """Detector input of every row, standardised with the training rows (the synchrony
    ``columns`` with their spread floored at ``SYNCHRONY_FLOORS``)."""
    x = e.scaled()
    if kind == "raw":
        return x
    sync = synchrony(e, seed)[:, columns]
    train = sync[:SKAB_TRAIN_ROWS]
    spread = np.maximum(train.std(axis=0), SYNCHRONY_FLOORS[list(columns)])
    return np.hstack([x, (sync - train.mean(axis=0)) / np.where(spread > 0, spread, 1.0)])


def run_detector(method: str, kind: str, experiments: tuple, seed: int,
                 columns: tuple[int, ...] = ABLATION["all"], cache: Path | None = None) -> dict:
    """Train and test one detector on every experiment; SKAB's scores.

    With a ``cache`` folder each experiment's test predictions are stored there and read
    back by a later run with the same method, features, columns and seed (a stopped run
    resumes at the experiment it reached)."""
    predictions = []
    for e in experiments:
        tag = re.sub(r"[^A-Za-z0-9]+", "_", f"{method} {kind} {columns} {seed} {e.name}")
        path = cache / f"{tag}.npy" if cache is not None else None
        if path is not None and path.exists():
            predictions.append(np.load(path))
            continue
        x = features(e, kind, seed, columns)
        det = DETECTORS[method](seed).fit(x[:SKAB_TRAIN_ROWS])
        predictions.append(det.predict(x)[SKAB_TRAIN_ROWS:])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, predictions[-1])
    return skab_scores(experiments, predictions, ROLLING_MAX.get(method, 1))


def run_change_detector(experiments: tuple, seed: int) -> dict:
    """The synchrony change detector on each whole experiment, its synchrony terms alone (the
    defaults otherwise; ``input_weight=0``: no input roughness); NAB of its change locations
    in the test parts."""
    alarms, empty = [], []
    for e in experiments:
        det = SynchronyChangeDetector(seed=seed, input_weight=0.0).fit(e.scaled())
        a = np.zeros(len(e.x), np.int64)
        a[np.asarray(det.change_points_, int)] = 1
        alarms.append(a[SKAB_TRAIN_ROWS:])
        empty.append(np.zeros(len(e.x) - SKAB_TRAIN_ROWS, np.int64))
    scores = skab_scores(experiments, empty, alarms=alarms)
    return scores | {"f1": None, "far": None, "mar": None}


def mean_row(per_seed: list[dict]) -> dict:
    keys = per_seed[0].keys()
    return {k: (None if per_seed[0][k] is None else float(np.mean([s[k] for s in per_seed])))
            for k in keys}


def published_rows(dataset) -> list[dict]:
    rows = []
    for name, frame in load_skab_predictions(dataset.root).items():
        s = skab_scores(dataset.experiments, prediction_arrays(dataset, frame),
                        30 if name == "Isolation_Forest" else 1)
        rows.append({"method": PUBLISHED[name], "features": "raw", **s,
                     "source": "published-predictions"})
    return rows


def plot(rows: list[dict], all_outlier_f1: float, path: Path) -> None:
    """F1 and NAB standard of every row: ours (raw, raw+synchrony, the change detector) above
    the published predictions, with the best published score and, for F1, the score of calling
    every test row an outlier."""
    colors = {"raw": "tab:gray", "raw+synchrony": "tab:orange", "synchrony": "tab:green"}
    offsets = {"raw": -0.2, "raw+synchrony": 0.2, "synchrony": 0.0}
    ordered = ([r for r in rows if r["source"] == "ours"]
               + [r for r in rows if r["source"] != "ours"])
    names = list(dict.fromkeys(f"{r['method']} [{r['source'][:9]}]" for r in ordered))
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharey=True)
    for ax, key, label in ((axes[0], "f1", "F1 (pooled outliers)"),
                           (axes[1], "nab_standard", "NAB standard (change points)")):
        for r in ordered:
            if r[key] is not None:
                i = names.index(f"{r['method']} [{r['source'][:9]}]")
                ax.barh(i + offsets[r["features"]], r[key], 0.4, color=colors[r["features"]],
                        label=r["features"])
        best = max(r[key] for r in rows if r["source"] == "published-predictions")
        ax.axvline(best, color="k", ls="--", lw=1, label="best published")
        if key == "f1":
            ax.axvline(all_outlier_f1, color="tab:red", ls=":", lw=1.5,
                       label="every row an outlier")
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0].invert_yaxis()
    handles = {}
    for ax in axes:
        handles.update(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    fig.legend(handles.values(), handles.keys(), fontsize=8, loc="lower center", ncol=5)
    fig.suptitle("SKAB test parts: detectors with and without rhythmic-sharing synchrony")
    save_figure(fig, path, dpi=120, rect=(0, 0.06, 1, 1))


def write(rows: list[dict], ablation: list[dict], all_outlier_f1: float, started: dict) -> None:
    """Write the JSON (after every row, so a stopped run leaves the rows it finished)."""
    out = {"rows": rows, "ablation": ablation,
           "protocol": {"train_rows": SKAB_TRAIN_ROWS, "alpha": ALPHA, "explained": EXPLAINED,
                        "iforest_contamination": IFOREST_CONTAMINATION,
                        "window_rows": WINDOW_ROWS, "synchrony_window": SYNCHRONY_WINDOW,
                        "synchrony_columns": list(SYNCHRONY_COLUMNS),
                        "synchrony_floors": SYNCHRONY_FLOORS.tolist(),
                        "reservoir": "RhythmicParams() defaults (N = 100)",
                        "all_outlier_f1": all_outlier_f1},
           "provenance": provenance(started)}
    RESULTS.mkdir(exist_ok=True)
    partial = RESULTS / "skab.json.partial"
    partial.write_text(json.dumps(out, indent=1) + "\n")
    partial.replace(RESULTS / "skab.json")  # atomic: a concurrent reader sees a whole file
    plot(rows, all_outlier_f1, RESULTS / "skab.png")


def report(row: dict) -> None:
    f1 = "  –  " if row["f1"] is None else f"{row['f1']:.3f}"
    far = "  –  " if row["far"] is None else f"{row['far']:.3f}"
    mar = "  –  " if row["mar"] is None else f"{row['mar']:.3f}"
    print(f"{row['method']:26s} {row['features']:14s} F1 {f1} FAR {far} MAR {mar} "
          f"NAB {row['nab_standard']:.2f} / {row['nab_lowfp']:.2f} / {row['nab_lowfn']:.2f}",
          flush=True)


def earlier_results(methods: list[str]) -> tuple[list[dict], list[dict]]:
    """Rows and ablation entries of ``skab.json`` for the methods this run does not repeat
    (a row without its own provenance gets the file's)."""
    path = RESULTS / "skab.json"
    if not path.exists():
        return [], []
    old = json.loads(path.read_text())
    keep = [dict(r, provenance=r.get("provenance", old["provenance"])) for r in old["rows"]
            if r["source"] == "ours" and r["method"] not in methods]
    kept_ablation = [dict(r, provenance=r.get("provenance", old["provenance"]))
                     for r in old.get("ablation", []) if r["method"] not in methods]
    return keep, kept_ablation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="SKAB folder")
    parser.add_argument("--seeds", type=int, default=2,
                        help="reservoir seeds (and Conv-AE seeds, raw and with synchrony)")
    parser.add_argument("--quick", action="store_true",
                        help="6 experiments, 1 seed, results not written")
    parser.add_argument("--methods", nargs="*", default=[*DETECTORS, CHANGE_DETECTOR],
                        help="methods to run; the rows of the others are kept from skab.json")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder of per-experiment predictions (resumes a stopped run)")
    parser.add_argument("--plot-only", action="store_true",
                        help="redraw skab.png from skab.json")
    args = parser.parse_args()
    if args.plot_only:
        data = json.loads((RESULTS / "skab.json").read_text())
        plot(data["rows"], data["protocol"]["all_outlier_f1"], RESULTS / "skab.png")
        return
    started = run_started()
    dataset = load_skab(args.root)
    experiments = dataset.experiments[::6] if args.quick else dataset.experiments
    seeds = range(1 if args.quick else args.seeds)
    published = [] if args.quick else [dict(r, provenance=provenance(started))
                                        for r in published_rows(dataset)]
    rows: list[dict] = []  # this run's
    ablation: list[dict] = []
    everything = skab_scores(experiments, [np.ones(len(e.x) - SKAB_TRAIN_ROWS, np.int64)
                                           for e in experiments])["f1"]
    print(f"F1 of calling every test row an outlier: {everything:.3f}")

    def save() -> None:
        """Merge this run's rows with the others in skab.json as it is now, and write."""
        if not args.quick:
            kept, kept_ablation = earlier_results(args.methods)
            write(published + kept + rows, kept_ablation + ablation, everything, started)

    def add(row: dict) -> None:
        rows.append(row | {"seeds": len(row["per_seed"]), "provenance": provenance(started)})
        report(row)
        save()

    if CHANGE_DETECTOR in args.methods:
        per_seed = [run_change_detector(experiments, s) for s in seeds]
        add({"method": CHANGE_DETECTOR, "features": "synchrony", **mean_row(per_seed),
             "source": "ours", "per_seed": per_seed})
    for method in progress([m for m in args.methods if m in DETECTORS], desc="detectors"):
        for kind in ("raw", "raw+synchrony"):
            runs = seeds if kind == "raw+synchrony" or method == "Conv-AE" else [0]
            per_seed = [run_detector(method, kind, experiments, s, cache=args.cache)
                        for s in runs]
            add({"method": method, "features": kind, **mean_row(per_seed), "source": "ours",
                 "per_seed": per_seed})
        if method == "Conv-AE":
            continue
        for name, columns in ABLATION.items():
            per_seed = [run_detector(method, "raw+synchrony", experiments, s, columns,
                                     args.cache) for s in seeds]
            ablation.append({"method": method, "synchrony_columns": name, **mean_row(per_seed),
                             "seeds": len(per_seed), "provenance": provenance(started)})
            print(f"  ablation {name:14s} F1 {ablation[-1]['f1']:.3f} "
                  f"NAB {ablation[-1]['nab_standard']:.2f}", flush=True)
        save()


if __name__ == "__main__":
    main()
