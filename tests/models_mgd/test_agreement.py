"""The formulas written twice, in torch (the batched reference, :mod:`astrolava.models`) and
in NumPy (the per-sample core the Lava models run, :mod:`astrolava.mgd.equations`), agree
on random float64 inputs: one test per pair.

Bounds: ``RTOL = 1e-12`` (rounding order only) for closed forms; central differences
``(f(x + h) − f(x − h)) / 2h`` divide the rounding error of ``f`` by ``2h``, so the
finite-difference pairs are compared with ``FD_ATOL = 1e-9`` at ``h = 1e-3``.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from astrolava.models import RateMLP, SpikingMLP, one_hot_targets, sample_cost
from astrolava.models.mgd import cost, deltavecs, network, perturbation

from astrolava.mgd import equations as eq
from astrolava.mgd.presets import SPIKING_WEIGHT_GAIN

RTOL = 1e-12
FD_ATOL = 1e-9
STEP = 1e-3
SIZES = (7, 6, 5, 4)
BATCH = 3
T = 9


@pytest.fixture(autouse=True)
def _no_graph():
    """The reference learners run without autograd (``torch.inference_mode``)."""
    with torch.no_grad():
        yield


def close(numpy_value, torch_value, rtol: float = RTOL, atol: float = 0.0) -> None:
    np.testing.assert_allclose(numpy_value, torch.as_tensor(torch_value).numpy(), rtol=rtol,
                               atol=atol)


def rate_model(output_tanh: bool = True) -> RateMLP:
    torch.manual_seed(0)
    return RateMLP(SIZES, output_tanh=output_tanh).double()


def spiking_model() -> SpikingMLP:
    """β = 0.875: snntorch's Leaky holds β as a float32 tensor; a β exact in float32 makes
    its decay the same number as the core's float64 one."""
    torch.manual_seed(0)
    model = SpikingMLP(SIZES, beta=0.875, num_steps=T).double()
    with torch.no_grad():
        for layer in model.layers:
            layer.weight.mul_(SPIKING_WEIGHT_GAIN)  # every layer fires
    return model


def spec_of(model) -> eq.NetworkSpec:
    if isinstance(model, SpikingMLP):
        return eq.NetworkSpec(spiking=True, beta=model.beta, threshold=model.threshold)
    return eq.NetworkSpec(output_tanh=model.output_tanh)


def layers_of(model) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(layer.weight.numpy().copy(), layer.bias.numpy().copy())
            for layer in model.layers]


def network_input(model, rng: np.random.Generator) -> torch.Tensor:
    if isinstance(model, SpikingMLP):
        return model.encode(torch.as_tensor(rng.uniform(0, 1, (BATCH, SIZES[0]))),
                            torch.Generator().manual_seed(0))
    return torch.as_tensor(rng.uniform(-1, 1, (BATCH, SIZES[0])))


def sample(tensor: torch.Tensor, b: int, spiking: bool) -> np.ndarray:
    """Sample ``b`` of a batched input or layer output (the batch axis follows T)."""
    return (tensor[:, b] if spiking else tensor[b]).numpy()


MODELS = {"rate": rate_model, "rate-linear": lambda: rate_model(False), "spiking": spiking_model}


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_sample_cost(loss):
    rng = np.random.default_rng(1)
    out, y = rng.normal(size=(BATCH, 5)), rng.integers(0, 5, BATCH)
    reference = sample_cost(torch.as_tensor(out), torch.as_tensor(y), loss)
    close([eq.sample_cost(out[b], int(y[b]), loss) for b in range(BATCH)], reference)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_output_error(loss):
    """``e = ∂C/∂o``: one-hot targets against the core's label index."""
    rng = np.random.default_rng(2)
    out, y = rng.normal(size=(BATCH, 5)), rng.integers(0, 5, BATCH)
    target = one_hot_targets(torch.as_tensor(y), 5, torch.float64)
    reference = cost.output_error(torch.as_tensor(out), torch.as_tensor(y), loss, target)
    close([eq.output_error(out[b], int(y[b]), loss) for b in range(BATCH)], reference)


def test_mix_deltavecs():
    """The DeltaVec refresh ``(1 − ρ)·δ + ρ·δ_new`` of the bank and of the core."""
    rng = np.random.default_rng(14)
    old, new = rng.normal(size=(2, 4, 6))
    bank = deltavecs.DeltaVecBank([6], 4, tau_delta=1, mix=0.3, dtype=torch.float64)
    bank.deltas[0][:] = torch.as_tensor(old)
    bank.update(torch.tensor([2]), [torch.as_tensor(new[2:3])])
    close(eq.mix_deltavecs(old[2], new[2], 0.3), bank.deltas[0][2])


def test_ternary():
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.uniform(-1, 1, 50), [0.45, -0.45, 0.0]])
    close(eq.ternary(a, 0.45), perturbation.ternary(torch.as_tensor(a), 0.45))


def test_surrogate_slope():
    potential = np.random.default_rng(4).normal(1.0, 2.0, 100)
    reference = network.surrogate_slope(SimpleNamespace(threshold=1.0),
                                        torch.as_tensor(potential))
    close(eq.surrogate_slope(potential - 1.0), reference)


@pytest.mark.parametrize("gamma", [0.0, 0.7])
def test_update_coefficient(gamma):
    rng = np.random.default_rng(5)
    delta_c, c0 = rng.normal(size=BATCH), rng.uniform(0, 2, BATCH)
    reference = cost.update_coefficients(torch.as_tensor(delta_c), torch.as_tensor(c0), 0.01,
                                         gamma)
    close([eq.update_coefficient(d, c, 0.01, gamma) for d, c in zip(delta_c, c0, strict=True)],
          reference)


@pytest.mark.parametrize("mode", ["none", "layer", "global"])
def test_normalization(mode):
    rng = np.random.default_rng(6)
    post = [rng.normal(size=(BATCH, n)) for n in SIZES[1:]]
    pre = [rng.normal(size=(BATCH, n)) for n in SIZES[:-1]]
    perts = [network.LayerPerturbation(post=torch.as_tensor(u), pre=torch.as_tensor(v))
             for u, v in zip(post, pre, strict=True)]
    scaled = perturbation.normalize_perturbations(perts, 0.01, mode)
    for b in range(BATCH):
        sq_norms = [eq.rank_one_sq_norm(u[b], v[b] @ v[b]) for u, v in zip(post, pre, strict=True)]
        scales = eq.normalization_scale(sq_norms, 0.01, mode)
        for u, s, p in zip(post, scales, scaled, strict=True):
            close(u[b] * s, p.post[b])


@pytest.mark.parametrize("last", [False, True])
@pytest.mark.parametrize("kind", list(MODELS))
def test_neuron_response_and_rate_slopes(kind, last):
    """tanh / linear output, or the LIF spike train and its rate-slope trace ρ."""
    model, rng = MODELS[kind](), np.random.default_rng(7)
    spiking = kind == "spiking"
    index = len(model.layers) - 1 if last else 0
    n = model.layers[index].out_features
    current = rng.normal(0.8, 1.0, (T, BATCH, n) if spiking else (BATCH, n))
    slopes = [] if spiking else None
    reference = network.activate(model, index, torch.as_tensor(current), slopes)
    ours = [] if spiking else None
    close(eq.neuron_response(spec_of(model), current, last, ours), reference)
    if spiking:
        assert 0 < reference.mean() < 1
        close(ours[0], slopes[0])


@pytest.mark.parametrize("kind", list(MODELS))
def test_perturbed_forward(kind):
    """``[s_0, ..., s_L]`` of a pass with rank-one ``θ̃ = u ⊗ v``, ``θ̃_b = u`` per sample."""
    model, rng = MODELS[kind](), np.random.default_rng(8)
    spiking = kind == "spiking"
    inp = network_input(model, rng)
    post = [rng.normal(0, 0.1, (BATCH, n)) for n in SIZES[1:]]
    pre = [rng.normal(0, 0.1, (BATCH, n)) for n in SIZES[:-1]]
    perts = [network.LayerPerturbation(post=torch.as_tensor(u), pre=torch.as_tensor(v))
             for u, v in zip(post, pre, strict=True)]
    reference = network.forward(model, inp, perts)
    for b in range(BATCH):
        ours = eq.forward(spec_of(model), layers_of(model), sample(inp, b, spiking),
                          [(u[b], v[b]) for u, v in zip(post, pre, strict=True)])
        for a, a_ref in zip(ours, reference, strict=True):
            close(a, sample(a_ref, b, spiking))


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("kind", list(MODELS))
def test_output_delta(kind, loss):
    model, rng = MODELS[kind](), np.random.default_rng(9)
    spiking = kind == "spiking"
    slopes = [] if spiking else None
    acts = network.forward(model, network_input(model, rng), slopes=slopes)
    y = rng.integers(0, SIZES[-1], BATCH)
    reference = cost.output_delta(model, acts[-1], torch.as_tensor(y), loss,
                                  slope=slopes[-1] if spiking else None)
    close([eq.output_delta(spec_of(model), sample(acts[-1], b, spiking), int(y[b]), loss,
                           slopes[-1][b].numpy() if spiking else None) for b in range(BATCH)],
          reference)


@pytest.mark.parametrize("kind", list(MODELS))
def test_chain_deltas(kind):
    model, rng = MODELS[kind](), np.random.default_rng(10)
    spiking = kind == "spiking"
    slopes = [] if spiking else None
    acts = network.forward(model, network_input(model, rng), slopes=slopes)
    rows = [torch.as_tensor(rng.normal(size=(SIZES[-1], n))) for n in SIZES[1:-1]]
    delta_out = torch.as_tensor(rng.normal(size=(BATCH, SIZES[-1])))
    reference = deltavecs.chain_deltas(acts, rows, delta_out, slopes)
    for b in range(BATCH):
        ours = eq.chain_deltas([sample(a, b, spiking) for a in acts], [k.numpy() for k in rows],
                               delta_out[b].numpy(),
                               [s[b].numpy() for s in slopes] if spiking else None)
        for d, d_ref in zip(ours, reference, strict=True):
            close(d, d_ref[b])


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("kind", list(MODELS))
def test_node_perturbation_deltas(kind, loss):
    """Bias gradients by central differences (the class DeltaVec refresh)."""
    model, rng = MODELS[kind](), np.random.default_rng(11)
    spiking = kind == "spiking"
    acts = network.forward(model, network_input(model, rng))
    y = rng.integers(0, SIZES[-1], BATCH)
    reference = deltavecs.bias_gradients_node(model, acts, torch.as_tensor(y), STEP, loss)
    for b in range(BATCH):
        ours = eq.node_perturbation_deltas(spec_of(model), layers_of(model),
                                           [sample(a, b, spiking) for a in acts], int(y[b]),
                                           STEP, loss)
        for d, d_ref in zip(ours, reference, strict=True):
            close(d, d_ref[b], rtol=0.0, atol=FD_ATOL)


@pytest.mark.parametrize("kind", list(MODELS))
def test_output_current_jacobians(kind):
    """Chain DeltaVec rows ``K_l = ∂z_L/∂a_l`` by central differences on the hidden outputs
    (the torch reference forms the last one, ``W_L``, exactly)."""
    model, rng = MODELS[kind](), np.random.default_rng(12)
    spiking = kind == "spiking"
    acts = network.forward(model, network_input(model, rng))
    reference = deltavecs.output_current_jacobians_node(model, acts, STEP)
    for b in range(BATCH):
        ours = eq.output_current_jacobians(spec_of(model), layers_of(model),
                                           [sample(a, b, spiking) for a in acts], STEP)
        for k, k_ref in zip(ours, reference, strict=True):
            close(k, k_ref[b], rtol=0.0, atol=FD_ATOL)


@pytest.mark.parametrize("decay", [0.0, 0.01])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_rank_one_optimizer_steps(optimizer, decay):
    """Three steps on ``g = u ⊗ a + λW`` and ``u + λb``: the core's in-place rank-one SGD
    (:func:`sgd_rank_one`) and fused Adam pass (:func:`adam_rank_one`) against
    ``torch.optim.SGD`` / ``torch.optim.Adam`` (same algebra, other rounding order; Adam's
    ``√v`` and division: rtol 1e-10)."""
    rng = np.random.default_rng(13)
    w, b = rng.normal(size=(5, 4)), rng.normal(size=5)
    params = [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    torch_step = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(params, lr=1e-3)
    state = eq.Adam.zeros(w)
    for step in (1, 2, 3):
        u, a = rng.normal(size=5), rng.normal(size=4)
        params[0].grad = torch.as_tensor(np.outer(u, a)) + decay * params[0].detach()
        params[1].grad = torch.as_tensor(u) + decay * params[1].detach()
        torch_step.step()
        if optimizer == "sgd":
            eq.sgd_rank_one(w, b, u, a, 1e-3, decay)
        else:
            eq.adam_rank_one([(w, b)], [(u, a)], [state], 1e-3, decay, step)
    rtol = RTOL if optimizer == "sgd" else 1e-10
    close(w, params[0].detach(), rtol=rtol)
    close(b, params[1].detach(), rtol=rtol)
