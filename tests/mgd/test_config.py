"""Hyper-parameter validation: every bad value is refused with the parameter's name."""

import pytest
from astrolava.models.mgd.backprop import BackpropConfig
from astrolava.models.mgd.trainer import make_config

from astrolava.mgd.config import DeltaMGDConfig, HebbianConfig, MGDConfig


@pytest.mark.parametrize(("cls", "kwargs", "name"), [
    (MGDConfig, {"epsilon": 0.0}, "epsilon"),
    (MGDConfig, {"epsilon": -1e-3}, "epsilon"),
    (MGDConfig, {"eta": 0.0}, "eta"),
    (MGDConfig, {"tau_theta": 0}, "tau_theta"),
    (MGDConfig, {"tau_p": 0}, "tau_p"),
    (MGDConfig, {"tau_x": 1.5}, "tau_x"),
    (MGDConfig, {"normalize": "l3"}, "normalize"),
    (MGDConfig, {"optimizer": "rmsprop"}, "optimizer"),
    (MGDConfig, {"gamma": -1.0}, "gamma"),
    (DeltaMGDConfig, {"tau_delta": 0}, "tau_delta"),
    (DeltaMGDConfig, {"refresh": "oracle"}, "refresh"),
    (DeltaMGDConfig, {"delta_mix": 0.0}, "delta_mix"),
    (DeltaMGDConfig, {"deltavecs": "sample"}, "deltavecs"),
    (DeltaMGDConfig, {"deltavecs": "chain", "refresh": "autograd"}, "refresh"),
    (HebbianConfig, {"fd_step": 0.0}, "fd_step"),
    (HebbianConfig, {"activation_threshold": -0.1}, "activation_threshold"),
    (BackpropConfig, {"eta": -1.0}, "eta"),
])
def test_bad_values_name_the_parameter(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def test_make_config_refuses_unknown_method_and_parameter():
    with pytest.raises(ValueError, match="method"):
        make_config("genetic")
    with pytest.raises(ValueError, match="tau_delta"):
        make_config("spsa", tau_delta=3)
    with pytest.raises(ValueError, match="tau_theta=1"):
        make_config("spsa", tau_p=4)
    assert make_config("mgd", tau_p=4).tau_p == 4
