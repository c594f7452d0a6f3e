"""Astrocyte: argument validation (its behaviour is tested inside the hierarchical network)."""

from __future__ import annotations

import pytest
from astrolava.processes.astrocyte import Astrocyte


def test_shapes_follow_the_layers():
    astro = Astrocyte(layer_sizes=[5, 4, 3], tau_delta=10, delta_mix=1.0, epsilon=0.1)
    assert astro.deltavecs.shape == (3, 12)
    assert astro.delta_out.shape == (14,)
    assert astro.norm_in.shape == (3,)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tau_delta": 0}, "tau_delta=0 must be an integer >= 1"),
    ({"tau_delta": 0.5}, "tau_delta=0.5 must be an integer >= 1"),
    ({"delta_mix": 0.0}, "delta_mix=0.0 must lie in"),
    ({"epsilon": 0.0}, "epsilon=0.0 must be > 0"),
    ({"normalize": "rms"}, "normalize='rms' is not allowed"),
])
def test_bad_arguments(kwargs, message):
    args = {"layer_sizes": [4, 3], "tau_delta": 10, "delta_mix": 1.0, "epsilon": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        Astrocyte(**args)
