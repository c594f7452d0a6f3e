"""LIFLayer models: by hand, and pass by pass equal to the fused model's LIF loops."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.lif_layer import LIFLayer
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx
from astrolava.runtime import LavaSession, sim_config


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


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_steps": 0}, "num_steps=0"), ({"beta": 1.5}, "beta=1.5"),
    ({"threshold": 0.0}, "threshold=0.0"), ({"shape": (0,)}, "shape="),
    ({"n_probes": -1}, "n_probes=-1"), ({"shape": (2, 3), "n_probes": 4}, "n_probes=4")])
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LIFLayer(**{"shape": (2,), "num_steps": 4, **kwargs})
