"""IDX reader and image loaders, on the real Debian Fashion-MNIST files and on written files."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from astrolava.data import (
    FASHION_MNIST_DIR,
    load_cifar10,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    read_idx,
)

needs_fashion = pytest.mark.skipif(
    not (FASHION_MNIST_DIR / "t10k-labels-idx1-ubyte.gz").is_file(),
    reason="apt-get install dataset-fashion-mnist (scripts/setup.sh does)")


def _write_idx(path: Path, array: np.ndarray, compress: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_roundtrip(tmp_path: Path, compress: bool) -> None:
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("a.idx.gz" if compress else "a.idx")
    _write_idx(path, array, compress)
    np.testing.assert_array_equal(read_idx(path), array)


def test_read_idx_rejects_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "bad"
    path.write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


def test_read_idx_rejects_truncated_payload(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"\x00" * 3)
    with pytest.raises(ValueError, match="does not match"):
        read_idx(path)


@needs_fashion
def test_fashion_mnist_test_split() -> None:
    X, y = load_fashion_mnist("test")
    assert X.shape == (10_000, 784) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 1_000))
    np.testing.assert_array_equal(y[:5], [9, 2, 1, 1, 6])  # first labels of the official t10k file


@needs_fashion
def test_fashion_mnist_train_split_is_balanced() -> None:
    _, y = load_fashion_mnist("train")
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 6_000))


def test_mnist_from_user_files(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", images, compress=False)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(5), compress=True)
    X, y = load_mnist(tmp_path, "test")
    np.testing.assert_allclose(X, images.reshape(5, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, np.arange(5))


def test_missing_dataset_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="root=.*nowhere"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="data_batch_1"):
        load_cifar10(tmp_path)


def test_cifar10_from_user_batches(tmp_path: Path) -> None:
    import pickle

    data = np.random.default_rng(1).integers(0, 256, size=(4, 3072), dtype=np.uint8)
    with open(tmp_path / "test_batch", "wb") as f:
        pickle.dump({b"data": data, b"labels": [0, 1, 2, 3]}, f)
    X, y = load_cifar10(tmp_path, "test")
    np.testing.assert_allclose(X, data / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, [0, 1, 2, 3])


def test_digits_split_is_disjoint_and_complete() -> None:
    X_tr, y_tr = load_digits("train")
    X_te, y_te = load_digits("test")
    assert len(X_tr) + len(X_te) == 1797 and X_tr.shape[1] == 64
    assert X_tr.max() <= 1.0 and set(np.unique(y_te)) == set(range(10))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"split": "validation"}, "split='validation'"),
    ({"test_fraction": 1.5}, "test_fraction=1.5"),
])
def test_digits_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_digits(**kwargs)


def test_unknown_dataset_name() -> None:
    with pytest.raises(ValueError, match="dataset='imagenet'"):
        load_dataset("imagenet")
