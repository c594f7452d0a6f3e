"""TripartiteSynapse on hand-computed inputs: clean pass, probes, perturbed pass, update."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from astrolava.processes.tripartite_synapse import TripartiteSynapse
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.runtime import LavaSession, sim_config

sys.path.insert(0, str(Path(__file__).parent / "procs"))
from row_sink import RowSink  # noqa: E402

W = np.array([[1.0, 2.0], [0.5, -1.0]])
B = np.array([0.1, -0.2])
H, ETA, K = 0.01, 0.1, 3.0


def test_clean_probe_perturbed_and_update():
    a = np.array([1.0, 0.5])
    u = np.array([0.2, -0.4])
    synapse = TripartiteSynapse(weights=W, bias=B, neuron_offset=0, n_neurons=2,
                                layer_index=0, n_layers=1, fd_step=H, eta=ETA,
                                vector_input=True)
    assert synapse.probe_out.shape == (4, 2)  # 2·n_neurons probe rows, derived
    inputs = Source(data=np.stack([a, a], axis=-1))
    # step 0: flag 2 (learn + refresh); step 1: u, amplitude exponent 0 and flag 1
    deltas = Source(data=np.array([[0.0, 0.0, 0.0, 2.0], [*u, 0.0, 1.0]]).T)
    third = Source(data=np.array([[0.0, K], [0.0, 0.0]]))  # k = (m, f) = (K, 0) in step 1
    currents = RowSink(n=2, n_probes=4, steps=2)
    norms = Sink(shape=(1,), buffer=2)
    inputs.s_out.connect(synapse.a_in)
    deltas.s_out.connect(synapse.delta_in)
    third.s_out.connect(synapse.k_in)
    synapse.z_out.connect(currents.a_in)
    synapse.probe_out.connect(currents.probe_in)
    synapse.norm_out.connect(norms.a_in)
    with LavaSession(synapse, sim_config()) as session:
        session.run(2)
        z = currents.data.get()
        norm = norms.data.get()
        weights, bias = synapse.weights.get(), synapse.bias.get()
    clean = W @ a + B
    np.testing.assert_allclose(z[0, 0], clean)
    shifts = np.concatenate([H * np.eye(2), -H * np.eye(2)])
    np.testing.assert_allclose(z[0, 1:], clean + shifts)  # probe rows with the refresh flag
    assert norm[0, 0] == pytest.approx(a @ a)
    np.testing.assert_allclose(z[1, 0], clean + u * (a @ a) + u)  # (W + u⊗a) a + b + u
    assert np.isnan(z[1, 1:]).all()  # the perturbed pass sends no probe rows
    np.testing.assert_allclose(weights, W - ETA * K * np.outer(u, a))
    np.testing.assert_allclose(bias, B - ETA * K * u)


@pytest.mark.parametrize("kwargs, message", [
    ({"neuron_offset": 3}, "neuron_offset=3 must lie in \\[0, 0\\]"),
    ({"bias": np.zeros(3)}, "must be \\(n_out, n_in\\)"),
    ({"fd_step": 0.0}, "fd_step=0.0 must be > 0"),
    ({"eta": -0.1}, "eta=-0.1 must be > 0"),
    ({"weight_decay": -1e-3}, "weight_decay=-0.001 must be >= 0"),
    ({"deltavecs": "output"}, "deltavecs='output' is not allowed"),
    ({"deltavecs": "chain"}, "n_hidden=0 must lie in \\[1, 2\\)")])
def test_bad_arguments(kwargs, message):
    """One error per parameter, naming its value and the allowed range."""
    args = {"weights": W, "bias": B, "neuron_offset": 0, "n_neurons": 2, "layer_index": 0,
            "n_layers": 1, "fd_step": H, "eta": ETA} | kwargs
    with pytest.raises(ValueError, match=message):
        TripartiteSynapse(**args)
