"""Hierarchical RhythmicReservoirProcess against the numpy reference over 2,000 steps."""

import numpy as np
import pytest
from astrolava.processes.rhythmic_reservoir import RhythmicReservoirProcess
from lava.proc.io.sink import RingBuffer as Sink

from astrolava.data import thomas_switching
from astrolava.rhythmic import RhythmicParams, RhythmicReservoir
from astrolava.rhythmic.fixed import ORDER_FRAC_BITS
from astrolava.rhythmic.series import standardize
from astrolava.rhythmic.spiking import SpikingRhythmicReservoir
from astrolava.runtime import LavaSession, sim_config

STEPS = 2000
FIXED_R_TOLERANCE = 0.05
"""fixed_pt R(t) may differ from the float reference by this much (8-bit weights, 12-bit trig)."""


@pytest.fixture(scope="module")
def reference() -> tuple:
    s = thomas_switching(n_steps=STEPS, segment_range=(700, 900), seed=0)
    u = standardize(s.x)
    params = RhythmicParams()
    res = RhythmicReservoir.from_params(params, 3, seed=0)
    phases0 = res.phases.copy()
    trace = res.run(u)
    return u, params, res, phases0, trace


def run_lava(reference: tuple, tag: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u, params, res, phases0, _ = reference
    proc = RhythmicReservoirProcess(graph=res.graph, params=params, data=u, phases=phases0)
    sink = Sink(shape=(2,), buffer=STEPS)
    proc.order_out.connect(sink.a_in)
    with LavaSession(proc, sim_config(tag)) as session:
        session.run(STEPS)
        return sink.data.get(), proc.phases.get(), proc.R.get()


def test_float_reproduces_reference(reference: tuple) -> None:
    out, phases, r_last = run_lava(reference, "floating_pt")
    trace = reference[4]
    assert np.abs(out[0] - trace.R).max() < 1e-6
    assert np.abs(np.cos(out[1]) - np.cos(trace.mean_phase)).max() < 1e-6
    np.testing.assert_allclose(phases, reference[2].phases, atol=1e-6)
    assert r_last[0] == pytest.approx(trace.R[-1], abs=1e-6)


def test_fixed_tracks_reference(reference: tuple) -> None:
    out, _, r_last = run_lava(reference, "fixed_pt")
    trace = reference[4]
    r = out[0] / (1 << ORDER_FRAC_BITS)
    assert np.abs(r - trace.R).max() < FIXED_R_TOLERANCE
    assert r_last[0] == pytest.approx(r[-1])


def test_lif_float_reproduces_spiking_reference() -> None:
    """Lava's LIF nodes + rate-trace astrocytes equal SpikingRhythmicReservoir exactly."""
    s = thomas_switching(n_steps=STEPS, segment_range=(700, 900), seed=0)
    u = standardize(s.x)
    params = RhythmicParams()
    res = SpikingRhythmicReservoir.from_params(params, 3, seed=0)
    proc = RhythmicReservoirProcess(graph=res.graph, params=params, data=u,
                                    phases=res.phases.copy(), nodes="lif")
    sink = Sink(shape=(2,), buffer=STEPS)
    proc.order_out.connect(sink.a_in)
    with LavaSession(proc, sim_config("floating_pt")) as session:
        session.run(STEPS)
        r = sink.data.get()[0]
    assert np.abs(r - res.run(u).R).max() < 1e-6


def test_bad_mode() -> None:
    params = RhythmicParams(n_nodes=10)
    res = RhythmicReservoir.from_params(params, 1, seed=0)
    with pytest.raises(ValueError, match="mode"):
        RhythmicReservoirProcess(graph=res.graph, params=params, data=np.zeros((5, 1)),
                                 phases=res.phases, mode="spin")
    with pytest.raises(ValueError, match="nodes"):
        RhythmicReservoirProcess(graph=res.graph, params=params, data=np.zeros((5, 1)),
                                 phases=res.phases, nodes="izhikevich")
    with pytest.raises(ValueError, match="lif"):
        RhythmicReservoirProcess(graph=res.graph, params=params, data=np.zeros((5, 1)),
                                 phases=res.phases, nodes="lif", lif={"tau": 2.0})
