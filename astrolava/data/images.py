"""Image classification datasets, loaded offline from local files.

All loaders return ``(X, y)`` with ``X`` float32 of shape ``(n, features)`` scaled to [0, 1]
and ``y`` int64 class labels.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from astrolava.data.idx import read_idx

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
"""Where Debian's ``dataset-fashion-mnist`` package installs the IDX files."""

N_CLASSES = 10
"""Classes of MNIST, Fashion-MNIST and CIFAR-10."""
_SPLITS = ("train", "test")
_IDX_PREFIX = {"train": "train", "test": "t10k"}


def _check_split(split: str) -> None:
    if split not in _SPLITS:
        raise ValueError(f"split={split!r} is not allowed; use one of {_SPLITS}")


def _find(root: Path, stem: str, parameter: str) -> Path:
    """Return ``root/stem`` or ``root/stem.gz``, or raise naming the missing path."""
    for name in (stem, stem + ".gz"):
        if (root / name).is_file():
            return root / name
    raise FileNotFoundError(
        f"{parameter}={str(root)!r}: neither {stem} nor {stem}.gz found there"
    )


def load_idx_dataset(root: str | Path, split: str = "train",
                     parameter: str = "root") -> tuple[np.ndarray, np.ndarray]:
    """Load an MNIST-layout IDX dataset (``train-images-idx3-ubyte[.gz]`` etc.) from ``root``.

    Parameters
    ----------
    root : str or Path
        Folder holding the four IDX files.
    split : {"train", "test"}
        Which half to load.
    parameter : str
        Name of the caller's parameter, used in error messages.

    Returns
    -------
    X : numpy.ndarray, float32, shape (n, rows * cols), values in [0, 1]
    y : numpy.ndarray, int64, shape (n,)
    """
    _check_split(split)
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{parameter}={str(root)!r} is not a directory")
    prefix = _IDX_PREFIX[split]
    image_path = _find(root, f"{prefix}-images-idx3-ubyte", parameter)
    label_path = _find(root, f"{prefix}-labels-idx1-ubyte", parameter)
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{image_path}: holds {images.dtype} of shape {images.shape}; MNIST "
                         f"images are uint8 of shape (n, rows, cols)")
    if labels.ndim != 1 or labels.size and not 0 <= labels.min() <= labels.max() < N_CLASSES:
        raise ValueError(f"{label_path}: labels must be one integer in [0, {N_CLASSES - 1}] per "
                         f"image; it holds shape {labels.shape}, values in "
                         f"[{labels.min()}, {labels.max()}]")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{root}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images.reshape(len(images), -1).astype(np.float32) / 255.0, labels.astype(np.int64)


def load_fashion_mnist(split: str = "train",
                       root: str | Path = FASHION_MNIST_DIR) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao et al. 2017): 28x28 grey images, 10 classes, 60k train / 10k test.

    Reads Debian's ``dataset-fashion-mnist`` files (``apt-get install dataset-fashion-mnist``)
    unless ``root`` points elsewhere.
    """
    return load_idx_dataset(root, split, parameter="root")


def load_mnist(root: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST from the user's local IDX files (never downloaded)."""
    return load_idx_dataset(root, split, parameter="root")


CIFAR_BATCH_BYTES = (30_730_000, 31_100_000)
"""Size range of a CIFAR-10 python batch (pickle protocol 2 of 10,000 3072-byte images,
their labels and file names: about 31.0 MB each)."""
CIFAR_BATCH_ROWS = 10_000
"""Images in each CIFAR-10 python batch."""
_PICKLE_PROTOCOL_2 = b"\x80\x02"


class _ArraysOnly(pickle.Unpickler):
    """Unpickler that rebuilds NumPy arrays and nothing else (no other class or function)."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"),
               ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"), ("_codecs", "encode")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one CIFAR-10 python batch, after checking its size and header
    before unpickling and its content after."""
    size = path.stat().st_size
    low, high = CIFAR_BATCH_BYTES
    with open(path, "rb") as f:
        head = f.read(2)
        if not low <= size <= high or head != _PICKLE_PROTOCOL_2:
            raise ValueError(f"{path}: not a CIFAR-10 python batch ({size} bytes, header "
                             f"{head!r}; a batch is a protocol-2 pickle of {low}-{high} bytes)")
        f.seek(0)
        try:
            batch = _ArraysOnly(f, encoding="bytes").load()
        except Exception as err:  # noqa: BLE001 - any unpickling failure: a corrupt file
            raise ValueError(f"{path}: corrupt CIFAR-10 batch ({type(err).__name__}: "
                             f"{err})") from err
    try:
        data = np.asarray(batch[b"data"])
        labels = np.asarray(batch[b"labels"])
    except (KeyError, TypeError) as err:
        raise ValueError(f"{path}: not a CIFAR-10 batch (no {err} entry)") from err
    if data.shape != (CIFAR_BATCH_ROWS, 3072) or data.dtype != np.uint8:
        raise ValueError(f"{path}: data is {data.dtype} {data.shape}; a CIFAR-10 batch holds "
                         f"uint8 ({CIFAR_BATCH_ROWS}, 3072)")
    if labels.shape != (CIFAR_BATCH_ROWS,) or labels.dtype.kind not in "iu" or not (
            0 <= labels.min() and labels.max() < N_CLASSES):
        raise ValueError(f"{path}: labels must be {CIFAR_BATCH_ROWS} integers in "
                         f"[0, {N_CLASSES - 1}]")
    return data.astype(np.float32) / 255.0, labels.astype(np.int64)


def load_cifar10(root: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 from the user's local copy of the python batches (``cifar-10-batches-py``).

    The batches are Python pickles: load trusted files only. Before unpickling, each file's
    name (``data_batch_1`` ... ``data_batch_5``, ``test_batch``), size and pickle header
    are checked against CIFAR-10's; unpickling rebuilds NumPy arrays and plain containers
    only; the content is then checked (10,000 uint8 images of 3072 bytes, labels in 0..9).

    Returns ``X`` of shape (n, 3072) in the stored channel-major order, scaled to [0, 1].

    Raises
    ------
    FileNotFoundError
        When a batch is missing.
    ValueError
        Naming the file, when a batch does not pass these checks.
    """
    _check_split(split)
    root = Path(root)
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    xs, ys = [], []
    for name in names:
        path = root / name
        if not path.is_file():
            raise FileNotFoundError(f"root={str(root)!r}: CIFAR-10 batch {name} not found there")
        X, y = _cifar_batch(path)
        xs.append(X)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


def load_digits(split: str = "train", test_fraction: float = 0.25,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes), split reproducibly.

    Parameters
    ----------
    split : {"train", "test"}
    test_fraction : float in (0, 1)
        Share of the images held out as the test split (stratified).
    seed : int
        Seed of the split.
    """
    from sklearn.datasets import load_digits as sk_digits
    from sklearn.model_selection import train_test_split

    _check_split(split)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction={test_fraction} must lie in (0, 1)")
    X, y = sk_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_fraction, random_state=seed, stratify=y)
    X_out, y_out = (X_tr, y_tr) if split == "train" else (X_te, y_te)
    return (X_out / 16.0).astype(np.float32), y_out.astype(np.int64)


DATASETS = {
    "fashion-mnist": load_fashion_mnist,
    "digits": load_digits,
}
"""Datasets available offline with no arguments but the split."""


def load_dataset(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load one of :data:`DATASETS` by name."""
    if name not in DATASETS:
        raise ValueError(f"dataset={name!r} is unknown; choose one of {sorted(DATASETS)}")
    return DATASETS[name](split)


def available_datasets() -> dict[str, bool]:
    """Which offline datasets can be loaded on this machine (for ``astrolava info``)."""
    return {
        "fashion-mnist": all((FASHION_MNIST_DIR / f"{p}-images-idx3-ubyte.gz").is_file()
                             for p in _IDX_PREFIX.values()),
        "digits": True,
    }
