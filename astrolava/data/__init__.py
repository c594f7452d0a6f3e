"""Offline datasets: image classification (IDX, digits, CIFAR-10) and dynamical series.

Images train δ-MGD; the regime-switching series (Thomas, Lorenz) and river's annotated
change-point series are the test beds of rhythmic sharing.
"""

from astrolava.data.changepoints import (
    CHANGEPOINT_DATASETS,
    ChangePointSeries,
    aggregate_annotations,
    load_changepoints,
)
from astrolava.data.dynamics import RegimeSeries, lorenz_switching, thomas_switching
from astrolava.data.idx import read_idx
from astrolava.data.images import (
    DATASETS,
    FASHION_MNIST_DIR,
    available_datasets,
    load_cifar10,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
)
from astrolava.data.skab import SkabDataset, SkabExperiment, load_skab, skab_scores

__all__ = [
    "CHANGEPOINT_DATASETS", "ChangePointSeries", "DATASETS", "FASHION_MNIST_DIR", "RegimeSeries",
    "aggregate_annotations", "available_datasets", "load_changepoints", "load_cifar10",
    "load_dataset", "load_digits", "load_fashion_mnist", "load_idx_dataset", "load_mnist",
    "lorenz_switching", "read_idx", "thomas_switching",
    "SkabDataset", "SkabExperiment", "load_skab", "skab_scores",
]
