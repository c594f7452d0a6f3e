"""Reading torch networks for deployment: what is accepted, and the errors for the rest."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from astrolava.models import RateMLP, SpikingMLP
from torch import nn

from astrolava.deploy import network_spec


def test_rate_and_spiking_specs_copy_parameters() -> None:
    rate = RateMLP((4, 3, 2))
    spec = network_spec(rate)
    assert spec.kind == "rate" and spec.sizes == [4, 3, 2] and spec.num_steps == 1
    np.testing.assert_array_equal(spec.weights[1], rate.layers[1].weight.detach().numpy())
    np.testing.assert_array_equal(spec.biases[0], rate.layers[0].bias.detach().numpy())
    spiking = network_spec(SpikingMLP((4, 3, 2), beta=0.8, threshold=0.7, num_steps=12))
    assert (spiking.kind, spiking.beta, spiking.threshold, spiking.num_steps) == \
        ("spiking", 0.8, 0.7, 12)


def test_sequential_of_linear_tanh_pairs() -> None:
    spec = network_spec(nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Tanh()))
    assert spec.kind == "rate" and spec.sizes == [4, 3, 2]


class _WithDropout(RateMLP):
    def __init__(self) -> None:
        super().__init__((4, 3, 2))
        self.drop = nn.Dropout(0.5)


@pytest.mark.parametrize(("model", "message"), [
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU()), "'1' \\(ReLU\\) is not supported"),
    (_WithDropout(), "'drop' \\(Dropout\\) is not supported"),
    (nn.Sequential(nn.Conv1d(1, 1, 3)), "Conv1d"),
    (nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), "alternate Linear, Tanh"),
    (RateMLP((4, 3, 2), output_tanh=False), "output_tanh"),
    (nn.Linear(4, 3), "Linear"),
])
def test_unsupported_models_are_named(model: nn.Module, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        network_spec(model)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_name_the_parameter(bad: float) -> None:
    model = RateMLP((4, 3, 2))
    with torch.no_grad():
        model.layers[1].bias[0] = bad
    with pytest.raises(ValueError, match="layers.1.bias"):
        network_spec(model)


@pytest.mark.parametrize(("X", "y", "parameter"), [
    (np.zeros((5, 3)), None, "X has shape \\(5, 3\\); this network takes \\(n >= 1, 4\\)"),
    (np.zeros(4), None, "X has shape"),
    (np.zeros((5, 4)), np.zeros(4, int), "y has shape"),
    (np.full((5, 4), np.nan), None, "X must be finite"),
])
def test_input_shapes_are_checked(X: np.ndarray, y: np.ndarray | None, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        network_spec(RateMLP((4, 3, 2))).check_inputs(X, y)


def test_spiking_inputs_must_be_probabilities() -> None:
    with pytest.raises(ValueError, match="X must lie in \\[0, 1\\]"):
        network_spec(SpikingMLP((4, 2))).check_inputs(np.full((2, 4), 2.0))
