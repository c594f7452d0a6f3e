"""Spiking (LIF) rhythmic-sharing reservoir."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.rhythmic import RhythmicParams, advance_phases, order_parameter, recurrent_input
from astrolava.rhythmic.equations import lif_step, rate_activity, rate_trace
from astrolava.rhythmic.series import standardize
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir


def test_run_composes_the_lif_equations() -> None:
    """The compiled loop's LIF branch: spikes on the links, rate trace drives the phases."""
    u = standardize(thomas_switching(n_steps=120, segment_range=(60, 60), seed=1).x)
    params = RhythmicParams(n_nodes=30, bias=0.05)
    res = SpikingRhythmicReservoir.from_params(params, 3, seed=2, dv=0.3, threshold=0.2,
                                               alpha=0.2)
    g, phases = res.graph, res.phases.copy()
    spikes, voltage, rate = np.zeros((3, g.n_nodes))
    r = []
    for row in u:
        net = recurrent_input(spikes, np.sin(phases), g.rows, g.cols, g.weights, params.m)
        voltage, spikes = lif_step(voltage, net + g.w_in @ row + params.bias, 0.3, 0.2)
        rate = rate_trace(rate, spikes, 0.2)
        phases = advance_phases(phases, rate_activity(rate), g, params)
        r.append(order_parameter(phases)[0])
    trace = res.run(u)
    assert spikes.sum() > 0
    np.testing.assert_allclose(trace.states[-1], rate, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.voltage, voltage, rtol=0, atol=1e-12)
    np.testing.assert_allclose(trace.R, r, rtol=0, atol=1e-12)


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
