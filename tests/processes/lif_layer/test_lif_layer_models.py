"""LIFLayer models: by hand, and pass by pass equal to the fused model's LIF loops."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from astrolava.processes.lif_layer import LIFLayer
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx
from astrolava.runtime import LavaSession, sim_config

sys.path.insert(0, str(Path(__file__).parent / "procs"))
from pass_sink import PassSink  # noqa: E402


def _run(layer: LIFLayer, inputs: np.ndarray, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """Feed ``inputs`` (*shape, steps) into ``layer``; its spikes (*shape, steps) and final v."""
    source = Source(data=inputs)
    sink = Sink(shape=inputs.shape[:-1], buffer=inputs.shape[-1])
    source.s_out.connect(layer.a_in)
    layer.s_out.connect(sink.a_in)
    with LavaSession(layer, sim_config(tag)) as session:
        session.run(inputs.shape[-1])
        return sink.data.get(), layer.v.get()


def test_float_by_hand_resets_every_pass():
    # β = 0.5, ϑ = 1, T = 3: pass 1 v = 0.6, 0.9, 0.45 (silent); pass 2 restarts from rest:
    # v = 0.6, 0.9, 1.05 -> one spike in its last step (without the reset v would reach
    # 0.825, 1.0125 and spike one step earlier)
    inputs = np.array([[0.6, 0.6, 0.0, 0.6, 0.6, 0.6]])
    spikes, v = _run(LIFLayer(shape=(1,), num_steps=3, beta=0.5, threshold=1.0), inputs,
                     "floating_pt")
    np.testing.assert_array_equal(spikes, [[0, 0, 0, 0, 0, 1]])
    np.testing.assert_allclose(v, [1.05], rtol=1e-15)


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_each_pass_equals_the_fused_lif(tag):
    """Rows of neurons over two passes of T = 6 steps: each pass's spikes are those of the
    fused model's loop (``equations.neuron_response`` / ``fixed.lif_response``) on it."""
    steps, shape, beta, threshold = 6, (3, 4), 0.9, 0.5
    currents = np.random.default_rng(1).normal(0.3, 0.4, (2 * steps, *shape))
    if tag == "fixed_pt":
        currents = fx.to_fixed(currents, fx.Z_FRAC).astype(np.int64)
        beta_q, threshold_q = fx.lif_constants(beta, threshold)
        expected = [fx.lif_response(p, beta_q, threshold_q) for p in np.split(currents, 2)]
    else:
        spec = eq.NetworkSpec(spiking=True, beta=beta, threshold=threshold)
        expected = [eq.neuron_response(spec, p, last=False) for p in np.split(currents, 2)]
    layer = LIFLayer(shape=shape, num_steps=steps, beta=beta, threshold=threshold)
    spikes, _ = _run(layer, np.moveaxis(currents, 0, -1), tag)
    np.testing.assert_array_equal(np.moveaxis(spikes, -1, 0), np.concatenate(expected))
    assert 0 < np.concatenate(expected).mean() < 1


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_rate_slopes_equal_the_fused_trace(tag):
    """``slopes=True``: at the end of each pass ``slope_out`` carries the rate slope
    ``ρ = ∂r/∂b`` the fused model traces in the same loop (``equations.neuron_response`` /
    ``fixed.lif_response`` with ``slopes``), float to 1e-15, fixed exactly."""
    steps, n, beta, threshold = 6, 5, 0.9, 0.5
    currents = np.random.default_rng(2).normal(0.3, 0.4, (2 * steps, n))
    if tag == "fixed_pt":
        currents = fx.to_fixed(currents, fx.Z_FRAC).astype(np.int64)
        beta_q, threshold_q = fx.lif_constants(beta, threshold)
        expected = [[] for _ in range(2)]
        for p, out in zip(np.split(currents, 2), expected, strict=True):
            fx.lif_response(p, beta_q, threshold_q, out)
        expected = [out[0] / 2.0 ** fx.A_FRAC for out in expected]
    else:
        spec = eq.NetworkSpec(spiking=True, beta=beta, threshold=threshold)
        expected = [[] for _ in range(2)]
        for p, out in zip(np.split(currents, 2), expected, strict=True):
            eq.neuron_response(spec, p, last=False, slopes=out)
        expected = [out[0] for out in expected]
    layer = LIFLayer(shape=(n,), num_steps=steps, beta=beta, threshold=threshold, slopes=True)
    source, sink = Source(data=currents.T), PassSink(n=n, num_steps=steps, passes=2)
    spikes = Sink(shape=(n,), buffer=2 * steps)
    source.s_out.connect(layer.a_in)
    layer.s_out.connect(spikes.a_in)
    layer.slope_out.connect(sink.a_in)
    with LavaSession(layer, sim_config(tag)) as session:
        session.run(2 * steps)
        slopes = sink.data.get()
    scale = 2.0 ** -fx.A_FRAC if tag == "fixed_pt" else 1.0
    np.testing.assert_allclose(slopes * scale, np.stack(expected), rtol=1e-15, atol=0)
    assert np.abs(slopes).max() > 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_steps": 0}, "num_steps=0"), ({"beta": 1.5}, "beta=1.5"),
    ({"threshold": 0.0}, "threshold=0.0"), ({"shape": (0,)}, "shape="),
    ({"n_probes": -1}, "n_probes=-1"), ({"shape": (2, 3), "n_probes": 4}, "n_probes=4"),
    ({"shape": (2, 3), "slopes": True}, "slopes=True needs shape=")])
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LIFLayer(**{"shape": (2,), "num_steps": 4, **kwargs})
