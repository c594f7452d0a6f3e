"""DatasetSource models: the schedule, the payloads and the spikes seen by a sink."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.dataset_source import DatasetSource, encode_spikes, sample_order
from lava.proc.io.sink import RingBuffer as Sink

from astrolava.fixed_point import to_fixed
from astrolava.runtime import LavaSession, sim_config


def _stream(source: DatasetSource, steps: int, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """Run ``source`` for ``steps``; return what it sent on ``x`` (steps, d) and ``label``."""
    x_sink = Sink(shape=(source.n_features,), buffer=steps)
    label_sink = Sink(shape=(1,), buffer=steps)
    source.x.connect(x_sink.a_in)
    source.label.connect(label_sink.a_in)
    with LavaSession(source, sim_config(tag)) as session:
        session.run(steps)
        return x_sink.data.get().T, label_sink.data.get()[0]


@pytest.fixture
def dataset() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.random((3, 4)), np.array([2, 0, 1])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_graded_holds_each_sample_and_cycles(dataset: tuple[np.ndarray, np.ndarray],
                                             tag: str) -> None:
    data, labels = dataset
    x, label = _stream(DatasetSource(data=data, labels=labels, steps_per_sample=2), 8, tag)
    # steps 1,2 -> sample 0; 3,4 -> 1; 5,6 -> 2; 7,8 -> sample 0 again (second epoch)
    expected_index = [0, 0, 1, 1, 2, 2, 0, 0]
    expected = data[expected_index] if tag == "floating_pt" else to_fixed(data[expected_index], 8)
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(label, labels[expected_index])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_spikes_reproduce_encode_spikes(dataset: tuple[np.ndarray, np.ndarray], tag: str) -> None:
    data, labels = dataset
    source = DatasetSource(data=data, labels=labels, steps_per_sample=5, encoding="spikes",
                           seed=7, shuffle_seed=3)
    x, label = _stream(source, 30, tag)  # two epochs, each in its own shuffled order
    order = np.concatenate([sample_order(3, 0, 3), sample_order(3, 1, 3)])
    expected = np.concatenate([encode_spikes(data[k], 5, 7, p) for p, k in enumerate(order)])
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(label, np.repeat(labels[order], 5))


def test_encode_spikes_rate_and_order_permutations() -> None:
    spikes = encode_spikes(np.array([0.0, 0.25, 1.0]), 4000, seed=0, position=0)
    assert spikes[:, 0].sum() == 0 and spikes[:, 2].all()
    assert abs(spikes[:, 1].mean() - 0.25) < 0.03  # binomial s.d. 0.007
    assert not np.array_equal(spikes, encode_spikes(np.full(3, 0.5), 4000, 0, 1))
    np.testing.assert_array_equal(sample_order(5, 0, None), np.arange(5))
    first, second = sample_order(50, 0, 1), sample_order(50, 1, 1)
    assert sorted(first) == list(range(50)) and not np.array_equal(first, second)
