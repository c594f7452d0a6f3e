"""DatasetSource interface: ports, Vars and the errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.dataset_source import DatasetSource


def test_ports_follow_data() -> None:
    source = DatasetSource(data=np.zeros((6, 4)), labels=np.arange(6))
    assert source.x.shape == (4,) and source.label.shape == (1,)
    assert (source.n_samples, source.n_features) == (6, 4)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"data": np.zeros(4), "labels": np.zeros(4, int)}, "data"),
    ({"data": np.zeros((4, 2)), "labels": np.zeros(3, int)}, "labels"),
    ({"data": np.zeros((4, 2)), "labels": np.full(4, -1)}, "labels"),
    ({"data": np.zeros((4, 2)), "labels": np.zeros(4)}, "labels"),
    ({"data": np.full((4, 2), np.nan), "labels": np.zeros(4, int)}, "data"),
    ({"data": np.full((4, 2), 1.5), "labels": np.zeros(4, int), "encoding": "spikes"}, "data"),
    ({"data": np.full((4, 2), 1e6), "labels": np.zeros(4, int)}, "frac_bits"),
    ({"data": np.zeros((4, 2)), "labels": np.zeros(4, int), "encoding": "rate"}, "encoding"),
    ({"data": np.zeros((4, 2)), "labels": np.zeros(4, int), "steps_per_sample": 0},
     "steps_per_sample"),
    ({"data": np.zeros((4, 2)), "labels": np.zeros(4, int), "frac_bits": 30}, "frac_bits"),
])
def test_bad_input_names_the_parameter(kwargs: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        DatasetSource(**kwargs)
