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
    with pytest.raises(ValueError, match=f"{path}: header shape \\(10,\\) .* holds 3"):
        read_idx(path)


@pytest.mark.parametrize(("raw", "message"), [
    (bytes([0, 0, 8, 3]) + struct.pack(">I", 10), "truncated IDX header"),
    (bytes([0, 0, 0x0B, 1]) + struct.pack(">I", 2) + b"\x00" * 5, "needs 4 bytes"),  # odd size
])
def test_read_idx_names_the_file_for_a_broken_header_or_payload(tmp_path, raw, message):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_names_a_truncated_gz(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    _write_idx(path, np.arange(100), compress=True)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(ValueError, match=f"{path}.*truncated or corrupt"):
        read_idx(path)


def test_idx_labels_beyond_the_classes_are_refused(tmp_path):
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 2, 2)), compress=False)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([3, 255]), compress=False)
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte: labels must be .* \\[0, 9\\]"):
        load_mnist(tmp_path, "test")


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


def _cifar_batch_file(path: Path, batch) -> None:
    import pickle

    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)


@pytest.fixture
def small_cifar(monkeypatch):
    """CIFAR-10's size checks scaled down to 4-image batches."""
    import astrolava.data.images as images

    monkeypatch.setattr(images, "CIFAR_BATCH_ROWS", 4)
    monkeypatch.setattr(images, "CIFAR_BATCH_BYTES", (1_000, 20_000))


def test_cifar10_from_user_batches(tmp_path: Path, small_cifar) -> None:
    data = np.random.default_rng(1).integers(0, 256, size=(4, 3072), dtype=np.uint8)
    _cifar_batch_file(tmp_path / "test_batch", {b"data": data, b"labels": [0, 1, 2, 3]})
    X, y = load_cifar10(tmp_path, "test")
    np.testing.assert_allclose(X, data / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, [0, 1, 2, 3])


def test_cifar10_checks_size_and_header_before_unpickling(tmp_path: Path) -> None:
    (tmp_path / "test_batch").write_bytes(b"\x80\x02" + b"x" * 100)
    with pytest.raises(ValueError, match="test_batch: not a CIFAR-10 python batch"):
        load_cifar10(tmp_path, "test")


class _Payload:
    def __reduce__(self):
        return (print, ("unpickled code ran",))


@pytest.mark.parametrize(("batch", "message"), [
    ({b"labels": [0, 1, 2, 3]}, "no b'data' entry"),
    ({b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 12]}, "labels must be"),
    ({b"data": np.zeros((4, 10), np.uint8), b"labels": [0, 1, 2, 3]}, "data is uint8"),
    ({b"data": _Payload(), b"labels": [0]}, "refusing to load .*print"),
])
def test_cifar10_corrupt_batches_name_the_file(tmp_path, small_cifar, capsys, batch, message):
    _cifar_batch_file(tmp_path / "test_batch", batch)
    (tmp_path / "test_batch").write_bytes((tmp_path / "test_batch").read_bytes().ljust(1_000))
    with pytest.raises(ValueError, match=message) as info:
        load_cifar10(tmp_path, "test")
    assert str(tmp_path / "test_batch") in str(info.value)
    assert "unpickled code ran" not in capsys.readouterr().out


def test_cifar10_truncated_pickle_names_the_file(tmp_path, small_cifar):
    _cifar_batch_file(tmp_path / "test_batch", {b"data": np.zeros((4, 3072), np.uint8),
                                                b"labels": [0, 1, 2, 3]})
    path = tmp_path / "test_batch"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(ValueError, match=f"{path}: corrupt CIFAR-10 batch"):
        load_cifar10(tmp_path, "test")


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
