"""The Skoltech Anomaly Benchmark (SKAB), read from a folder.

SKAB (Katser & Kozitsin, "Skoltech Anomaly Benchmark (SKAB)", Kaggle, 2020,
doi:10.34740/KAGGLE/DSV/1693952) records 8 sensors of a water-circulation testbed at 1 Hz in 34
labelled experiments (``valve1/``, ``valve2/``, ``other/``) and one anomaly-free run. Its
protocol trains a detector on the first :data:`SKAB_TRAIN_ROWS` rows of each experiment and
scores it on the rest (:mod:`astrolava.anomaly_scoring`). The data are GPL-3.0 and are not part
of this package: :func:`load_skab` reads them from a folder laid out as SKAB's ``data/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from astrolava.anomaly_scoring import alarms_from_predictions, binary_scores, nab_scores

SKAB_ROOT_ENV = "ASTROLAVA_SKAB"
"""Environment variable naming the SKAB folder (see :func:`default_skab_root`)."""
SKAB_SENSORS = ("Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure", "Temperature",
                "Thermocouple", "Voltage", "Volume Flow RateRMS")
"""The 8 sensor columns, in the files' order."""
SKAB_GROUPS = ("valve1", "valve2", "other")
"""Sub-folders holding the labelled experiments."""
SKAB_TRAIN_ROWS = 400
"""Rows at the start of each experiment that train a detector (SKAB's proposed leaderboard)."""


@dataclass(frozen=True)
class SkabExperiment:
    """One labelled SKAB experiment.

    Attributes
    ----------
    name : str
        Path of the file relative to the SKAB folder, e.g. ``"valve1/0.csv"`` (the ``file``
        column of the published predictions).
    time : pandas.DatetimeIndex
        Time stamp of each row (1 Hz, with a few gaps).
    x : numpy.ndarray
        Sensor values, shape ``(T, 8)``, float64, columns in :data:`SKAB_SENSORS` order.
    anomaly : numpy.ndarray
        0/1 outlier label of each row, int64.
    changepoint : numpy.ndarray
        1 at the rows where a collective anomaly starts or ends, int64.
    """

    name: str
    time: pd.DatetimeIndex
    x: np.ndarray
    anomaly: np.ndarray
    changepoint: np.ndarray

    @property
    def test(self) -> slice:
        """Rows of the test part (after the first :data:`SKAB_TRAIN_ROWS`)."""
        return slice(SKAB_TRAIN_ROWS, None)

    def scaled(self) -> np.ndarray:
        """The sensors standardised with the training rows: (x − μ)/σ with the mean μ and the
        standard deviation σ of each column over the first :data:`SKAB_TRAIN_ROWS` rows
        (σ = 1 for a column constant there)."""
        train = self.x[:SKAB_TRAIN_ROWS]
        std = train.std(axis=0)
        return (self.x - train.mean(axis=0)) / np.where(std > 0, std, 1.0)


@dataclass(frozen=True)
class SkabDataset:
    """SKAB's labelled experiments and its anomaly-free run.

    Attributes
    ----------
    root : pathlib.Path
        The folder read.
    experiments : tuple of SkabExperiment
        The 34 labelled experiments, sorted by group then file number.
    anomaly_free : numpy.ndarray
        Sensor values of the anomaly-free run, shape ``(9405, 8)``.
    """

    root: Path
    experiments: tuple[SkabExperiment, ...]
    anomaly_free: np.ndarray


def default_skab_root() -> Path:
    """The SKAB folder used when none is named.

    ``$ASTROLAVA_SKAB`` if set; otherwise ``shared/data/skab`` next to the source checkout
    (``<checkout>/../shared/data/skab``, the layout of the project's development machines and
    CI).
    """
    env = os.environ.get(SKAB_ROOT_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "skab"


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"SKAB {what} not found: {path} does not exist. Download SKAB's data folder "
            f"(github.com/waico/SKAB, GPL-3.0) and pass its path as root= or set ${SKAB_ROOT_ENV}.")
    return path


def read_skab_csv(path: Path | str) -> pd.DataFrame:
    """One SKAB file (``;``-separated, a ``datetime`` column) as a frame indexed by time."""
    return pd.read_csv(_require(Path(path), "file"), sep=";", parse_dates=["datetime"],
                       index_col="datetime")


def _experiment_order(path: Path) -> tuple[int, int]:
    return SKAB_GROUPS.index(path.parent.name), int(path.stem)


def load_skab(root: Path | str | None = None) -> SkabDataset:
    """Read SKAB's 34 labelled experiments and its anomaly-free run.

    Parameters
    ----------
    root : path or None
        The folder holding ``valve1/``, ``valve2/``, ``other/`` and ``anomaly-free/``; None
        reads :func:`default_skab_root`.

    Raises
    ------
    FileNotFoundError
        Naming the first missing folder or file.
    ValueError
        If a file lacks one of the sensor or label columns.
    """
    root = Path(root) if root is not None else default_skab_root()
    _require(root, "folder")
    files = sorted((path for group in SKAB_GROUPS
                    for path in _require(root / group, "folder").glob("*.csv")),
                   key=_experiment_order)
    experiments = []
    for path in files:
        frame = read_skab_csv(path)
        missing = [c for c in (*SKAB_SENSORS, "anomaly", "changepoint") if c not in frame]
        if missing:
            raise ValueError(f"{path} lacks the columns {missing}")
        experiments.append(SkabExperiment(
            name=f"{path.parent.name}/{path.name}", time=pd.DatetimeIndex(frame.index),
            x=frame[list(SKAB_SENSORS)].to_numpy(np.float64),
            anomaly=frame["anomaly"].to_numpy(np.int64),
            changepoint=frame["changepoint"].to_numpy(np.int64)))
    free = read_skab_csv(root / "anomaly-free" / "anomaly-free.csv")
    return SkabDataset(root=root, experiments=tuple(experiments),
                       anomaly_free=free[list(SKAB_SENSORS)].to_numpy(np.float64))


def skab_scores(experiments: tuple[SkabExperiment, ...] | list[SkabExperiment],
                predictions: list[np.ndarray], rolling_max: int = 1,
                alarms: list[np.ndarray] | None = None) -> dict[str, float]:
    """SKAB's six scores of a detector's 0/1 predictions on the test parts.

    Parameters
    ----------
    experiments : sequence of SkabExperiment
        The experiments scored.
    predictions : list of numpy.ndarray
        0/1 outlier prediction of each experiment's last rows: its whole test part, or fewer
        rows (a detector that needs a history first; they align with the end of the file).
    rolling_max : int
        Trailing maximum applied before the change-point alarms are taken as ``|Δ prediction|``
        (:func:`~astrolava.anomaly_scoring.alarms_from_predictions`).
    alarms : list of numpy.ndarray or None
        Change-point alarms of the same rows, if the detector gives its own; default from the
        predictions.

    Returns
    -------
    dict
        ``f1``, ``far``, ``mar`` (pooled, :func:`~astrolava.anomaly_scoring.binary_scores`;
        FAR and MAR as fractions) and ``nab_standard``, ``nab_lowfp``, ``nab_lowfn``
        (:func:`~astrolava.anomaly_scoring.nab_scores`).
    """
    if len(predictions) != len(experiments):
        raise ValueError(f"predictions holds {len(predictions)} experiments; expected "
                         f"{len(experiments)}")
    rows = [len(p) for p in predictions]
    for e, n in zip(experiments, rows, strict=True):
        if not 0 < n <= len(e.time) - SKAB_TRAIN_ROWS:
            raise ValueError(f"{e.name}: {n} predictions for a test part of "
                             f"{len(e.time) - SKAB_TRAIN_ROWS} rows")
    if alarms is None:
        alarms = [alarms_from_predictions(p, rolling_max) for p in predictions]
    out = binary_scores([e.anomaly[-n:] for e, n in zip(experiments, rows, strict=True)],
                        predictions)
    nab = nab_scores([e.time[-n:] for e, n in zip(experiments, rows, strict=True)],
                     [e.changepoint[-n:] for e, n in zip(experiments, rows, strict=True)],
                     alarms)
    return out | {f"nab_{name}": value for name, value in nab.items()}


def prediction_arrays(dataset: SkabDataset, frame: pd.DataFrame) -> list[np.ndarray]:
    """One published prediction frame as arrays in the order of ``dataset.experiments``.

    Checks that each experiment's predictions carry the time stamps of its last rows.
    """
    out = []
    for e in dataset.experiments:
        rows = frame[frame["file"] == e.name]
        if rows.empty or not np.array_equal(rows["datetime"].to_numpy(),
                                            e.time[-len(rows):].to_numpy()):
            raise ValueError(f"the predictions for {e.name} do not match its last rows")
        out.append(rows["prediction"].to_numpy(np.int64))
    return out


def load_skab_predictions(root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The outlier predictions SKAB's authors published for their baselines.

    Returns a frame per baseline (the file name without ``.csv.gz``, e.g. ``"T2-q"``) with the
    columns ``file``, ``datetime`` and ``prediction`` (0/1), read from
    ``<root>/baseline_predictions/``.
    """
    folder = _require((Path(root) if root is not None else default_skab_root())
                      / "baseline_predictions", "folder")
    return {path.name.removesuffix(".csv.gz"): pd.read_csv(path, parse_dates=["datetime"])
            for path in sorted(folder.glob("*.csv.gz"))}
