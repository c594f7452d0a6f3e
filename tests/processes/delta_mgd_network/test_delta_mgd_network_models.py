"""DeltaMGDNetwork models against the torch reference, against each other, and fixed vs float."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from astrolava.models import RateMLP, SpikingMLP
from astrolava.models.mgd import DeltaMGDLearner
from astrolava.processes.dataset_source import DatasetSource, encode_spikes
from astrolava.processes.delta_mgd_network import DeltaMGDNetwork, network_run_config

from astrolava.data import load_digits
from astrolava.lava_training import lava_preset
from astrolava.mgd import DeltaMGDConfig
from astrolava.mgd import fixed as fx
from astrolava.mgd.presets import preset
from astrolava.runtime import LavaSession

N_SAMPLES = 100
SIZES = [64, 12, 10, 10]
SPIKE_SEED = 3


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits("train")
    return X[:N_SAMPLES].astype(np.float64), y[:N_SAMPLES]


def lava_train(net: DeltaMGDNetwork, X: np.ndarray, y: np.ndarray, tag: str = "floating_pt",
               hierarchical: bool = False, encoding: str = "graded"
               ) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Stream (X, y) once through ``net`` with learning on; its weights, biases and n_correct."""
    steps = net.steps_per_sample(hierarchical)
    source = DatasetSource(data=X, labels=y, steps_per_sample=steps, encoding=encoding,
                           seed=SPIKE_SEED)
    source.x.connect(net.x_in)
    source.label.connect(net.label_in)
    with LavaSession(net, network_run_config(tag, hierarchical)) as session:
        session.run(len(y) * steps)
        weights, biases = net.layer_parameters()
        return weights, biases, int(net.n_correct.get()[0])


def initial_layers(model: torch.nn.Module) -> tuple[list[np.ndarray], list[np.ndarray]]:
    return ([layer.weight.detach().numpy().copy() for layer in model.layers],
            [layer.bias.detach().numpy().copy() for layer in model.layers])


def max_relative_error(lava: list[np.ndarray], model: torch.nn.Module, attr: str) -> float:
    return max(float(np.abs(a - getattr(layer, attr).detach().numpy()).max()
                     / np.abs(getattr(layer, attr).detach().numpy()).max())
               for a, layer in zip(lava, model.layers, strict=True))


CHAIN_SGD = {"rate": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, deltavecs="chain",
                                     delta_mix=0.1),
             "spiking": DeltaMGDConfig(**{**preset("delta-mgd", "spiking"), "tau_delta": 10,
                                          "optimizer": "sgd", "eta": 0.01})}
"""The recommended presets' chain DeltaVecs with SGD (the hierarchical graph's optimizer)."""


RATE_CONFIGS = {
    "class-sgd": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10),
    "class-adam": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, optimizer="adam"),
    # A's recommended rate preset: chain DeltaVecs, Adam, delta_mix, exact output δ
    "recommended-preset": DeltaMGDConfig(**{**preset("delta-mgd", "rate"), "tau_delta": 10}),
}


RATE_CASES = [
    *(pytest.param(config, False, id=name) for name, config in RATE_CONFIGS.items()),
    # the hierarchical graph with chain DeltaVecs (one process per synapse / layer / ...)
    pytest.param(CHAIN_SGD["rate"], True, id="chain-sgd-hierarchical"),
]


@pytest.mark.parametrize(("config", "hierarchical"), RATE_CASES)
def test_rate_float_matches_torch_reference(digits, config, hierarchical):
    """The Lava models give the torch reference's weights after 100 samples, to 1e-5
    relative."""
    X, y = digits
    torch.manual_seed(0)
    model = RateMLP(SIZES).double()
    weights, biases = initial_layers(model)
    learner = DeltaMGDLearner(model, config, n_classes=10)
    for i in range(N_SAMPLES):
        learner.train_batch(torch.from_numpy(X[i:i + 1]), torch.from_numpy(y[i:i + 1]))
    lava_w, lava_b, _ = lava_train(DeltaMGDNetwork(weights=weights, biases=biases,
                                                   config=config), X, y,
                                   hierarchical=hierarchical)
    assert max(np.abs(w - w0).max() for w, w0 in zip(lava_w, weights, strict=True)) > 1e-3
    assert max_relative_error(lava_w, model, "weight") < 1e-5
    assert max_relative_error(lava_b, model, "bias") < 1e-5


def test_recommended_preset_is_the_chain_adam_one():
    config = RATE_CONFIGS["recommended-preset"]
    assert (config.deltavecs, config.optimizer, config.delta_mix) == ("chain", "adam", 0.1)


SPIKING_CONFIGS = {
    "class-sgd": DeltaMGDConfig(eta=0.01, epsilon=0.1, tau_delta=10, fd_step=0.1),
    # the reference's spiking preset: chain DeltaVecs with rate slopes, Adam, ε = 3, h = 1
    "recommended-preset": DeltaMGDConfig(**{**preset("delta-mgd", "spiking"), "tau_delta": 10}),
}


SPIKING_CASES = [
    *(pytest.param(config, False, id=name) for name, config in SPIKING_CONFIGS.items()),
    # the hierarchical graph with chain DeltaVecs: 2·T Lava steps per sample
    pytest.param(CHAIN_SGD["spiking"], True, id="chain-sgd-hierarchical",
                 marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("config", "hierarchical"), SPIKING_CASES)
def test_spiking_float_matches_torch_reference(digits, config, hierarchical):
    """Fed the same input spikes (the DatasetSource's rate code), the Lava models give the
    torch reference's weights after 100 samples to 1e-5 relative."""
    X, y = digits
    steps = 8
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(0)
        model = SpikingMLP(SIZES, beta=0.9, threshold=0.5, num_steps=steps)
    finally:
        torch.set_default_dtype(torch.float32)
    for neuron in model.neurons:  # snntorch's surrogate returns float32 spikes
        neuron.spike_grad = lambda v: (v > 0).to(v.dtype)
    position = iter(range(N_SAMPLES))
    # feed the reference the DatasetSource's own rate code (same seed and position)
    model.encode = lambda x, generator=None: torch.from_numpy(
        encode_spikes(x[0].numpy(), steps, SPIKE_SEED, next(position)).astype(np.float64)
    )[:, None, :]
    weights, biases = initial_layers(model)
    learner = DeltaMGDLearner(model, config, n_classes=10)
    for i in range(N_SAMPLES):
        learner.train_batch(torch.from_numpy(X[i:i + 1]), torch.from_numpy(y[i:i + 1]))
    net = DeltaMGDNetwork(weights=weights, biases=biases, config=config, network="spiking",
                          num_steps=steps, beta=0.9, threshold=0.5)
    lava_w, lava_b, _ = lava_train(net, X, y, encoding="spikes", hierarchical=hierarchical)
    assert max(np.abs(w - w0).max() for w, w0 in zip(lava_w, weights, strict=True)) > 1e-3
    assert max_relative_error(lava_w, model, "weight") < 1e-5
    assert max_relative_error(lava_b, model, "bias") < 1e-5


def random_layers(seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 1 / np.sqrt(a), (b, a)) for a, b in zip(SIZES[:-1], SIZES[1:],
                                                                      strict=True)]
    return weights, [rng.normal(0, 0.1, b) for b in SIZES[1:]]


HIERARCHICAL_NETWORKS = {
    "rate": ({}, "graded", 1e-10),
    # LIF layers stepped one spike vector per time step over a clean and a perturbed pass
    "spiking": ({"network": "spiking", "num_steps": 8, "beta": 0.9, "threshold": 0.5},
                "spikes", 1e-12),
}


HIERARCHICAL_CONFIGS = {
    "class": {"rate": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, gamma=0.5),
              "spiking": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, gamma=0.5)},
    # chain rows refreshed every 10 learned samples and averaged (delta_mix); spiking: the
    # reference's ε = 3 and h = 1 (one spike) at a small η
    "chain": {"rate": DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, gamma=0.5,
                                     deltavecs="chain", delta_mix=0.5),
              "spiking": DeltaMGDConfig(eta=0.03, epsilon=3.0, tau_delta=10, gamma=0.5,
                                        deltavecs="chain", delta_mix=0.5, fd_step=1.0)},
}


@pytest.mark.parametrize("deltavecs", HIERARCHICAL_CONFIGS)
@pytest.mark.parametrize("network", HIERARCHICAL_NETWORKS)
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_hierarchical_equals_fused(digits, tag, network, deltavecs):
    """One process per synapse / layer / astrocyte / cost gives the fused model's weights,
    biases and number of correct answers, with class and with chain DeltaVecs: to 1e-10
    (rate, class) / 1e-12 (chain, spiking) relative in float64 (BLAS sums a sample in another
    order than the fused model's), exactly in fixed_pt (the same integer functions of
    ``astrolava.mgd.fixed``, one sample split over the processes and, spiking, over its
    time steps)."""
    X, y = digits[0][:40], digits[1][:40]
    weights, biases = random_layers()
    config = HIERARCHICAL_CONFIGS[deltavecs][network]
    kwargs, encoding, float_tolerance = HIERARCHICAL_NETWORKS[network]
    if deltavecs == "chain":
        float_tolerance = 1e-12
    runs = [lava_train(DeltaMGDNetwork(weights=weights, biases=biases, config=config, **kwargs),
                       X, y, tag=tag, hierarchical=hierarchical, encoding=encoding)
            for hierarchical in (False, True)]
    (fused_w, fused_b, fused_ok), (hier_w, hier_b, hier_ok) = runs
    assert fused_ok == hier_ok
    tolerance = float_tolerance if tag == "floating_pt" else 0.0
    for a, b in zip(fused_w + fused_b, hier_w + hier_b, strict=True):
        np.testing.assert_allclose(b, a, rtol=0, atol=tolerance * np.abs(a).max())
    # learned: away from the start the model holds (the fixed model's start is quantized)
    starts = weights if tag == "floating_pt" else [
        fx.dequantize_layer(fx.quantize_layer(w0, b0))[0]
        for w0, b0 in zip(weights, biases, strict=True)]
    assert max(np.abs(w - w0).max() for w, w0 in zip(fused_w, starts, strict=True)) > 1e-3


FIXED_CASES = {
    "class": ("rate", DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10)),
    "chain": ("rate", DeltaMGDConfig(eta=0.01, epsilon=1e-2, tau_delta=10, deltavecs="chain",
                                     delta_mix=0.1)),
    # the fixed_pt spiking preset (chain DeltaVecs with integer rate slopes, SGD) at a small
    # η: 8-bit weights flip spikes from the first sample on, and a large step lets the two
    # spike trajectories drift apart (docs/experiments/dmgd-tuning.md)
    "spiking-chain": ("spiking", DeltaMGDConfig(**{**lava_preset("spiking", "fixed_pt"),
                                                   "tau_delta": 10, "eta": 0.03})),
}


@pytest.mark.parametrize(("network", "config"), FIXED_CASES.values(), ids=FIXED_CASES.keys())
def test_fixed_point_tracks_float(digits, network, config):
    """Same data and start: the fixed_pt model's weight changes point where the float ones do.

    Fixed point differs by quantisation (8-bit weights, LUT tanh, LUT surrogate slope,
    perturbation amplitude as an 8-bit mantissa and a power of two; spiking: the same input
    spikes), so the check is the cosine between the models' total
    weight changes per layer (> 0.9) and the number of correct clean predictions (±10 %).
    """
    X, y = digits
    weights, biases = random_layers(1)
    spiking = {"network": "spiking", "num_steps": 8, "beta": 0.9, "threshold": 0.5} \
        if network == "spiking" else {}
    encoding = "spikes" if network == "spiking" else "graded"
    (float_w, _, float_ok), (fixed_w, _, fixed_ok) = (
        lava_train(DeltaMGDNetwork(weights=weights, biases=biases, config=config, **spiking),
                   X, y, tag=tag, encoding=encoding) for tag in ("floating_pt", "fixed_pt"))
    for f, q, w0, b0 in zip(float_w, fixed_w, weights, biases, strict=True):
        q0 = fx.dequantize_layer(fx.quantize_layer(w0, b0))[0]  # the fixed model's start
        step_float, step_fixed = (f - w0).ravel(), (q - q0).ravel()
        assert np.abs(step_float).max() > 1e-3
        cosine = step_float @ step_fixed / np.linalg.norm(step_float) / np.linalg.norm(step_fixed)
        assert cosine > 0.9
    assert abs(fixed_ok - float_ok) <= 0.1 * N_SAMPLES
