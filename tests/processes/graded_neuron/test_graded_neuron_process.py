"""GradedTanh interface: Vars, shapes and the errors for bad parameters."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.graded_neuron import GradedTanh


def test_vars_and_ports_follow_shape() -> None:
    neuron = GradedTanh(shape=(3,), bias=0.5, leak=0.2)
    assert neuron.a_in.shape == neuron.s_out.shape == (3,)
    np.testing.assert_array_equal(neuron.bias.init, [0.5, 0.5, 0.5])
    assert neuron.leak.init[0] == 0.2
    assert neuron.shape == (3,)


def test_probe_rows_travel_as_row_messages() -> None:
    """n_probes: row 0 and a flag on a_in / s_out, the probe rows on probe_in / probe_out,
    state for every row."""
    neuron = GradedTanh(shape=(3,), n_probes=4)
    assert neuron.a_in.shape == neuron.s_out.shape == (4,)
    assert neuron.probe_in.shape == neuron.probe_out.shape == (4, 3)
    assert neuron.n.shape == (5, 3) and neuron.bias.shape == (3,)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"shape": (0,)}, "shape"),
    ({"shape": (3,), "leak": 1.0}, "leak"),
    ({"shape": (3,), "leak": -0.1}, "leak"),
    ({"shape": (3,), "bias": np.zeros(4)}, "bias"),
    ({"shape": (3,), "bias": np.array([0.0, np.nan, 0.0])}, "bias"),
    ({"shape": (3,), "in_frac_bits": 21}, "in_frac_bits"),
    ({"shape": (3,), "out_frac_bits": 23}, "out_frac_bits"),
    ({"shape": (3,), "n_probes": -2}, "n_probes"),
    ({"shape": (3,), "n_probes": 4, "leak": 0.5}, "n_probes"),
    ({"shape": (2, 3), "n_probes": 4}, "n_probes"),
    ({"shape": (3,), "slopes": True, "leak": 0.5}, "slopes"),
    ({"shape": (2, 3), "slopes": True}, "slopes"),
])
def test_bad_parameters_name_themselves(kwargs: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        GradedTanh(**kwargs)
