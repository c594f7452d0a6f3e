"""Astrocyte: argument validation (its behaviour is tested inside the hierarchical network)."""

from __future__ import annotations

import pytest
from astrolava.processes.astrocyte import Astrocyte


def test_shapes_follow_the_layers():
    astro = Astrocyte(layer_sizes=[5, 4, 3], tau_delta=10, delta_mix=1.0, epsilon=0.1)
    assert astro.deltavecs.shape == (3, 12)
    assert astro.delta_out.shape == (14,)
    assert astro.norm_in.shape == (3,)


def test_chain_rows_cover_the_hidden_layers():
    """Chain DeltaVecs: one row per class over the 9 hidden neurons; 18 probe rows of output
    currents in, δ_L in, every neuron's δ̂ in, a scale per layer and the exponent out."""
    astro = Astrocyte(layer_sizes=[5, 4, 3], tau_delta=10, delta_mix=0.1, epsilon=0.1,
                      deltavecs="chain")
    assert astro.deltavecs.shape == (3, 9)
    assert astro.probe_in.shape == (18, 3)
    assert astro.error_in.shape == (3,)
    assert astro.post_in.shape == (12,)
    assert astro.scale_out.shape == (4,)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tau_delta": 0}, "tau_delta=0 must be an integer >= 1"),
    ({"tau_delta": 0.5}, "tau_delta=0.5 must be an integer >= 1"),
    ({"delta_mix": 0.0}, "delta_mix=0.0 must lie in"),
    ({"epsilon": 0.0}, "epsilon=0.0 must be > 0"),
    ({"normalize": "rms"}, "normalize='rms' is not allowed"),
    ({"deltavecs": "output"}, "deltavecs='output' is not allowed"),
    ({"deltavecs": "chain", "layer_sizes": [3]}, "deltavecs='chain' needs a hidden layer"),
    ({"fd_step": 0.0}, "fd_step=0.0 must be > 0"),
])
def test_bad_arguments(kwargs, message):
    args = {"layer_sizes": [4, 3], "tau_delta": 10, "delta_mix": 1.0, "epsilon": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        Astrocyte(**args)
