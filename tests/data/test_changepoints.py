"""River's annotated change-point datasets, read from the installed package files."""

import numpy as np
import pytest

from astrolava.data import CHANGEPOINT_DATASETS, aggregate_annotations, load_changepoints


@pytest.mark.parametrize("name", sorted(CHANGEPOINT_DATASETS))
def test_every_dataset_loads_and_annotations_index_rows(name: str) -> None:
    s = load_changepoints(name, how="union")
    assert s.x.ndim == 2 and s.x.shape[1] == len(s.columns)
    assert np.all(np.isfinite(s.x))
    assert len(s.change_points) > 0
    assert s.change_points.max() < len(s.x)


def test_subsampled_series_lengths() -> None:
    """Apple is annotated every 3rd row, Brent every 10th row from 2000 on (Turing benchmark)."""
    assert load_changepoints("apple").x.shape == (623, 6)
    assert load_changepoints("brent_spot").x.shape == (500, 1)
    run_log = load_changepoints("run_log")
    assert run_log.columns == ("Pace", "Distance")
    np.testing.assert_allclose(run_log.x[0], [30.88072, 0.0])


def test_aggregation_hand_computed() -> None:
    ann = {"a": [1, 5, 9], "b": [5, 9], "c": [9, 12]}
    assert list(aggregate_annotations(ann, "union")) == [1, 5, 9, 12]
    assert list(aggregate_annotations(ann, "majority")) == [5, 9]
    assert list(aggregate_annotations(ann, "intersection")) == [9]


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="name"):
        load_changepoints("swat")
    with pytest.raises(ValueError, match="how"):
        aggregate_annotations({"a": [1]}, "vote")
