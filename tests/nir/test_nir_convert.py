"""NIR graphs in and out: snntorch -> NIR -> Lava spike counts, hand-built graphs, round trips,
and the errors for what NIR or the Lava deployment cannot express."""

from __future__ import annotations

import nir
import numpy as np
import pytest
import snntorch as snn
import torch
from astrolava.models import RateMLP, SpikingMLP, build_model
from astrolava.processes.dataset_source import encode_spikes
from snntorch import utils as snn_utils
from snntorch.export_nir import export_to_nir
from snntorch.import_nir import import_from_nir
from torch import nn

from astrolava.deploy import FixedPointFormat, build_graph, evaluate_graph, network_spec
from astrolava.nir import (
    DT,
    beta_from_tau,
    from_nir,
    model_from_nir,
    spec_from_nir,
    tau_from_beta,
    to_nir,
)

T = 12


@pytest.fixture
def X() -> np.ndarray:
    return np.random.default_rng(0).random((9, 6)).astype(np.float32)


@pytest.fixture
def spiking_net() -> SpikingMLP:
    return build_model("spiking", 6, 3, seed=1, hidden=(8,), num_steps=T)


def _input_spikes(X: np.ndarray, seed: int) -> torch.Tensor:
    """The spikes DatasetSource sends, (T, n, n_in)."""
    return torch.from_numpy(np.stack([encode_spikes(x, T, seed, k) for k, x in enumerate(X)],
                                     axis=1)).float()


def _lava_counts(graph: nir.NIRGraph, X: np.ndarray, seed: int, **kwargs) -> np.ndarray:
    lava = from_nir(graph, X, seed=seed, **kwargs)
    return np.rint(evaluate_graph(lava, progress=False).outputs * T)


def _assert_identical(a, b) -> None:
    """Equal NIR dicts: same keys, same arrays (values and dtypes), same scalars."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_identical(a[key], b[key])
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    else:
        assert a == b


@pytest.mark.slow
def test_snntorch_export_runs_in_lava_with_snntorch_spike_counts(X: np.ndarray) -> None:
    """A plain snntorch net, exported by snntorch's own exporter (float32, dt = 1e-4)."""
    torch.manual_seed(2)
    def leaky(n: int) -> snn.Leaky:  # NIR 1.0 needs per-neuron parameters (see convert.py)
        return snn.Leaky(beta=torch.full((n,), 0.8), threshold=torch.full((n,), 0.5),
                         init_hidden=True, reset_mechanism="zero", reset_delay=False)

    net = nn.Sequential(nn.Linear(6, 8), leaky(8), nn.Linear(8, 3), leaky(3))
    with torch.no_grad():
        for layer in net[::2]:
            layer.weight.mul_(2.0)
    graph = export_to_nir(net, torch.zeros(6))
    spikes = _input_spikes(X, seed=3)
    snn_utils.reset(net)
    with torch.no_grad():
        counts = torch.stack([net(s) for s in spikes]).sum(dim=0).numpy()
    assert counts.sum() >= counts.size  # the output layer really fires
    np.testing.assert_array_equal(_lava_counts(graph, X, seed=3, num_steps=T), counts)


@pytest.mark.slow
def test_spiking_mlp_through_nir_file_keeps_spike_counts(spiking_net: SpikingMLP, X: np.ndarray,
                                                         tmp_path) -> None:
    nir.write(tmp_path / "net.nir", to_nir(spiking_net))
    graph = nir.read(tmp_path / "net.nir")
    with torch.no_grad():
        counts = spiking_net.forward_spikes(_input_spikes(X, seed=4))[-1].sum(dim=0).numpy()
    assert counts.sum() >= counts.size / 2  # the output layer really fires
    np.testing.assert_array_equal(_lava_counts(graph, X, seed=4), counts)


def test_fixed_pt_graph_is_the_deploy_graph(spiking_net: SpikingMLP, X: np.ndarray) -> None:
    lava = from_nir(to_nir(spiking_net), X, tag="fixed_pt", seed=5)
    direct = build_graph(network_spec(spiking_net), X, tag="fixed_pt", seed=5)
    for mine, theirs in zip(lava.dense + lava.neurons, direct.dense + direct.neurons,
                            strict=True):
        assert type(mine) is type(theirs)
        for var in theirs.vars:
            np.testing.assert_array_equal(getattr(mine, var.name).init, var.init)


def test_fixed_point_format_rides_in_the_file(spiking_net: SpikingMLP, X: np.ndarray,
                                              tmp_path) -> None:
    fmt = FixedPointFormat(lif_frac_bits=9)
    nir.write(tmp_path / "net.nir", to_nir(spiking_net, fmt=fmt))
    assert from_nir(nir.read(tmp_path / "net.nir"), X, tag="fixed_pt").fmt == fmt


def test_hand_built_graph_written_by_nir_imports(tmp_path) -> None:
    """One input, one neuron per layer, input spiking every step, τ = 2·dt (β = 0.5),
    threshold 1. Layer 1: r·dt/τ = 2 folded into W = 0.3 -> 0.6; v = 0.6, 0.9, 1.05 (spike,
    reset to 0), 0.6, ...: spikes at steps 2, 5, 8, 11. Layer 2 (W = 1.5, b = 0) gets
    v = 1.5 > 1 at each of them and 0 in between: the same 4 spikes."""
    tau = np.array([2 * DT])
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(input_type=np.array([1])),
               "w1": nir.Linear(weight=np.array([[0.3]])),
               "lif1": nir.LIF(tau=tau, r=2 * tau / DT, v_leak=np.zeros(1),
                               v_threshold=np.ones(1), v_reset=np.zeros(1)),
               "w2": nir.Affine(weight=np.array([[1.5]]), bias=np.zeros(1)),
               "lif2": nir.LIF(tau=tau, r=tau / DT, v_leak=np.zeros(1),
                               v_threshold=np.ones(1), v_reset=np.zeros(1)),
               "out": nir.Output(output_type=np.array([1]))},
        edges=[("in", "w1"), ("w1", "lif1"), ("lif1", "w2"), ("w2", "lif2"), ("lif2", "out")])
    nir.write(tmp_path / "hand.nir", graph)
    read = nir.read(tmp_path / "hand.nir")
    spec = spec_from_nir(read, num_steps=T)
    assert (spec.beta, spec.threshold, spec.sizes) == (0.5, 1.0, [1, 1, 1])
    np.testing.assert_allclose(spec.weights[0], [[0.6]], rtol=1e-15)
    model = model_from_nir(read, num_steps=T)
    with torch.no_grad():
        trains = model.forward_spikes(torch.ones(T, 1, 1))
    for train in trains[1:]:
        np.testing.assert_array_equal(train[:, 0, 0].nonzero().ravel(), [2, 5, 8, 11])
    for tag in ("floating_pt", "fixed_pt"):
        lava = from_nir(read, np.ones((1, 1)), tag=tag, num_steps=T)
        assert evaluate_graph(lava, progress=False).outputs[0, 0] * T == 4


@pytest.mark.parametrize("beta", [0.0, 0.1, 0.37, 0.5, 0.8, 0.9, 0.95, 0.999])
def test_tau_of_recovered_beta_is_the_same_tau(beta: float) -> None:
    tau = tau_from_beta(beta)
    assert tau_from_beta(beta_from_tau(tau)) == tau
    assert abs(beta_from_tau(tau) - beta) <= 1e-14


def test_round_trip_is_identical(spiking_net: SpikingMLP, X: np.ndarray, tmp_path) -> None:
    first = to_nir(spiking_net)
    lava = from_nir(first, X)
    _assert_identical(to_nir(lava).to_dict(), first.to_dict())
    nir.write(tmp_path / "net.nir", first)
    again = to_nir(model_from_nir(nir.read(tmp_path / "net.nir")))
    _assert_identical(again.to_dict(), first.to_dict())


def _chain_graph(**lif) -> nir.NIRGraph:
    params = {"tau": np.full(2, 5 * DT), "r": np.full(2, 5.0), "v_leak": np.zeros(2),
              "v_threshold": np.ones(2), "v_reset": np.zeros(2), **lif}
    return nir.NIRGraph(
        nodes={"in": nir.Input(input_type=np.array([3])),
               "w": nir.Affine(weight=np.ones((2, 3)), bias=np.zeros(2)),
               "lif": nir.LIF(**params), "out": nir.Output(output_type=np.array([2]))},
        edges=[("in", "w"), ("w", "lif"), ("lif", "out")], type_check=False)


@pytest.mark.parametrize("lif, match", [
    ({"v_reset": np.full(2, 0.2)}, "LIF node 'lif': v_reset=0.2 is not supported"),
    ({"v_leak": np.full(2, -0.1)}, "LIF node 'lif': v_leak=-0.1 is not supported"),
    ({"tau": np.array([5 * DT, 6 * DT])}, "LIF node 'lif': per-neuron tau values differ"),
    ({"tau": np.full(2, DT / 2)}, "tau=5e-05 must be finite and >= dt=0.0001"),
    ({"tau": np.full(2, np.inf)}, "tau=inf must be finite"),
    ({"r": np.full(2, np.inf)}, "r=inf must be finite"),
    ({"v_threshold": np.zeros(2)}, "lif.v_threshold=0.0 must be > 0"),
])
def test_lif_parameters_outside_the_convention_are_named(lif: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        spec_from_nir(_chain_graph(**lif), num_steps=T)


def test_unsupported_node_is_named() -> None:
    graph = _chain_graph()
    graph.nodes["lif"] = nir.CubaLIF(tau_syn=np.ones(2), tau_mem=np.ones(2), r=np.ones(2),
                                     v_leak=np.zeros(2), v_threshold=np.ones(2))
    with pytest.raises(ValueError, match=r"NIR node 'lif' \(CubaLIF\) is not supported"):
        spec_from_nir(graph, num_steps=T)


def test_branching_graph_is_refused() -> None:
    graph = _chain_graph()
    graph.edges.append(("w", "out"))
    with pytest.raises(ValueError, match="node 'w' has 2 successors"):
        spec_from_nir(graph, num_steps=T)


def test_layers_with_different_beta_are_refused(spiking_net: SpikingMLP) -> None:
    graph = to_nir(spiking_net)
    graph.nodes["neurons.1"].tau = np.full(3, 2 * DT)
    with pytest.raises(ValueError, match="LIF node 'neurons.1' has beta=0.5, threshold=1 but "
                                         "'neurons.0' has beta=0.9"):
        spec_from_nir(graph)


def test_missing_num_steps_is_named() -> None:
    with pytest.raises(ValueError, match="num_steps: NIR describes no rate code"):
        spec_from_nir(_chain_graph())


def test_rate_network_has_no_nir_form() -> None:
    with pytest.raises(ValueError, match="NIR has no tanh node"):
        to_nir(RateMLP((4, 3, 2)))


def test_beta_one_has_no_nir_lif_form() -> None:
    with pytest.raises(ValueError, match="beta=1.0 .no leak. has no NIR LIF form"):
        to_nir(SpikingMLP((4, 3, 2), beta=1.0))


def test_snntorch_reads_our_graph_as_the_same_network(spiking_net: SpikingMLP,
                                                      X: np.ndarray) -> None:
    net = import_from_nir(to_nir(spiking_net))
    spikes = _input_spikes(X, seed=6)
    with torch.no_grad():
        expected = spiking_net.forward_spikes(spikes)[-1]
        state, trains = None, []
        for s in spikes:
            out, state = net(s) if state is None else net(s, state)
            trains.append(out)
    assert expected.sum() > 0
    assert torch.equal(torch.stack(trains), expected)
