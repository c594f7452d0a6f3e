"""Spiking (LIF) rhythmic-sharing reservoir."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.rhythmic import RhythmicParams
from astrolava.rhythmic.series import standardize
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir, lif_step, rate_trace


def test_lif_step_hand_computed() -> None:
    v, s = lif_step(np.array([0.5, 0.5, 0.0]), np.array([0.1, 0.5, -0.2]), dv=0.2, threshold=0.6)
    np.testing.assert_allclose(v, [0.5, 0.0, -0.2])
    np.testing.assert_array_equal(s, [0.0, 1.0, 0.0])
    np.testing.assert_allclose(rate_trace(np.array([0.5]), np.array([1.0]), 0.1), [0.55])


def test_spiking_reservoir_runs_and_separates_regimes() -> None:
    s = thomas_switching(n_steps=1600, segment_range=(800, 800), seed=0)
    res = SpikingRhythmicReservoir.from_params(RhythmicParams(n_nodes=60), 3, seed=0)
    trace = res.run(standardize(s.x))
    assert np.all((trace.states >= 0) & (trace.states <= 1))
    assert set(np.unique(res.activity)) <= {0.0, 1.0}
    cycle, chaos = trace.R[500:800].mean(), trace.R[1300:].mean()
    assert abs(cycle - chaos) > 0.05


@pytest.mark.parametrize("kwargs", [{"dv": 0.0}, {"threshold": -1.0}, {"alpha": 1.5}])
def test_bad_lif_parameters(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        SpikingRhythmicReservoir.from_params(RhythmicParams(n_nodes=10), 1, **kwargs)
