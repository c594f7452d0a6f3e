"""Offline datasets: image classification (IDX, digits, CIFAR-10) and dynamical series."""

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

__all__ = [
    "DATASETS", "FASHION_MNIST_DIR", "available_datasets", "load_cifar10", "load_dataset",
    "load_digits", "load_fashion_mnist", "load_idx_dataset", "load_mnist", "read_idx",
]

from astrolava.data.changepoints import (  # noqa: E402
    CHANGEPOINT_DATASETS,
    ChangePointSeries,
    aggregate_annotations,
    load_changepoints,
)
from astrolava.data.dynamics import (  # noqa: E402
    RegimeSeries,
    lorenz_switching,
    thomas_switching,
)

__all__ += [
    "CHANGEPOINT_DATASETS", "ChangePointSeries", "RegimeSeries", "aggregate_annotations",
    "load_changepoints", "lorenz_switching", "thomas_switching",
]
