"""Node perturbation against autograd, and the DeltaVec refresh schedule."""

import pytest
import torch
from astrolava.models import RateMLP, SpikingMLP, sample_cost
from astrolava.models.mgd.cost import output_delta, output_error
from astrolava.models.mgd.deltavecs import (
    DeltaVecBank,
    bias_gradients_autograd,
    bias_gradients_node,
    output_current_jacobians_node,
    output_jacobians_autograd,
    output_jacobians_node,
)
from astrolava.models.mgd.network import forward, layer_forward


def _net(loss_seed=0):
    torch.manual_seed(loss_seed)
    return RateMLP((6, 5, 4, 3)).double()


def test_node_perturbation_matches_autograd_bias_gradient():
    model = _net()
    x, y = torch.rand(4, 6, dtype=torch.float64), torch.tensor([0, 1, 2, 1])
    acts = forward(model, x)
    for loss in ("mse", "ce"):
        node = bias_gradients_node(model, acts, y, step=1e-5, loss=loss)
        auto = bias_gradients_autograd(model, x, y, loss)
        for a, b in zip(node, auto, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-9)


def test_output_jacobians_match_autograd():
    model = _net(1)
    x = torch.rand(3, 6, dtype=torch.float64)
    acts = forward(model, x)
    for a, b in zip(output_jacobians_node(model, acts, 1e-5),
                    output_jacobians_autograd(model, x), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-9)


def test_chain_rows_rebuild_the_exact_delta():
    """δ_l = f'(z_l) ⊙ K_lᵀ δ_L with K measured on the same sample is the true bias gradient."""
    model = _net(2)
    x, y = torch.rand(1, 6, dtype=torch.float64), torch.tensor([2])
    acts = forward(model, x)
    delta_out = output_delta(model, acts[-1], y, "mse")
    rows = output_current_jacobians_node(model, acts, 1e-5)
    auto = bias_gradients_autograd(model, x, y, "mse")
    for a, k, truth in zip(acts[1:-1], rows, auto[:-1], strict=True):
        torch.testing.assert_close((1 - a ** 2) * (delta_out @ k[0]), truth, rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(delta_out, auto[-1])


def _spiking(seed=0):
    torch.manual_seed(seed)
    model = SpikingMLP((6, 5, 4, 3), num_steps=8, threshold=0.5)  # float32: snntorch spikes
    x = torch.rand(3, 6)
    return model, model.encode(x, torch.Generator().manual_seed(seed))


def test_spiking_rate_slope_times_output_error_is_bptt_output_delta():
    """ρ_L = ∂r_L/∂b_L by the forward trace of ``spike_train``: e ⊙ ρ_L equals BPTT's (autograd
    through snntorch's surrogate and reset) bias gradient of the output layer."""
    model, spikes = _spiking()
    y = torch.tensor([0, 2, 1])
    slopes = []
    acts = forward(model, spikes, slopes=slopes)
    assert [s.shape for s in slopes] == [(3, 5), (3, 4), (3, 3)]
    delta_out = output_delta(model, acts[-1], y, "mse", slope=slopes[-1])
    truth = bias_gradients_autograd(model, spikes, y, "mse")[-1]
    assert truth.abs().max() > 1e-3
    torch.testing.assert_close(delta_out, truth, rtol=1e-5, atol=1e-7)


def _mean_output_current(model, start, trains):
    """z̄_L: spike trains (T, 1, n) entering layer ``start``, run to the output current and
    averaged over the T steps."""
    for later in range(start, len(model.layers) - 1):
        trains = layer_forward(model, later, trains)
    return model.layers[-1](trains).mean(dim=0)[0]


@pytest.mark.parametrize("layer", [0, 1])
def test_spiking_chain_rows_are_central_differences_of_shifted_spike_trains(layer):
    """Rows of hidden layer ``layer``: shift sample b's spike trains of that layer by ±h·e_j at
    every step, run the later layers and the mean output current (what the kick
    z_{l+1} ± h·W_{l+1}[:, j] computes without the product of the shifted copies; for the
    last hidden layer z̄_L is linear in the rate, the difference is W_L)."""
    model, spikes = _spiking(2)
    acts = forward(model, spikes)
    h = 0.5
    rows = output_current_jacobians_node(model, acts, h)[layer]
    n = model.sizes[layer + 1]
    assert rows.shape == (3, 3, n)
    for b in range(3):
        for j in range(n):
            values = []
            for sign in (1, -1):
                shifted = acts[layer + 1][:, b:b + 1].clone()
                shifted[..., j] += sign * h
                values.append(_mean_output_current(model, layer + 1, shifted))
            torch.testing.assert_close(rows[b, :, j], (values[0] - values[1]) / (2 * h),
                                       rtol=1e-5, atol=1e-5)


def test_output_error_and_delta_are_the_local_derivatives():
    out = torch.tensor([[0.2, -0.5, 0.9]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([2])
    for loss in ("mse", "ce"):
        (grad,) = torch.autograd.grad(sample_cost(out, y, loss).sum(), out)
        torch.testing.assert_close(output_error(out.detach(), y, loss), grad)
    # hand-computed: δ = (o − t)(1 − o²) for a tanh output and squared error
    expected = torch.tensor([[0.2 * 0.96, -0.5 * 0.75, -0.1 * 0.19]], dtype=torch.float64)
    torch.testing.assert_close(output_delta(RateMLP((2, 3)), out.detach(), y, "mse"), expected)


def test_class_schedule_refreshes_each_due_class_at_its_next_sample():
    bank = DeltaVecBank([2], n_classes=3, tau_delta=4)
    # steps 0..5: all due at 0 and at 4
    chosen = bank.select(torch.tensor([0, 0, 1, 0, 0, 2]))
    assert chosen.tolist() == [0, 2, 4, 5]
    new = torch.tensor([[1., 1.], [2., 2.], [3., 3.], [4., 4.]])
    bank.update(torch.tensor([0, 1, 0, 2]), [new])
    assert bank.deltas[0].tolist() == [[3., 3.], [2., 2.], [4., 4.]]
    assert bank.lookup(torch.tensor([2, 0]))[0].tolist() == [[4., 4.], [3., 3.]]


def test_output_schedule_and_mix():
    bank = DeltaVecBank([2], n_classes=2, tau_delta=3, mix=0.5, mode="output")
    assert bank.select(torch.tensor([1, 0, 0, 1])).tolist() == [0, 3]
    bank.update(torch.tensor([1]), [torch.tensor([[[2., 0.], [0., 4.]]])])
    assert bank.deltas[0].tolist() == [[1., 0.], [0., 2.]]
    # δ̂ = e @ rows
    assert bank.lookup(torch.tensor([0]), torch.tensor([[1., -1.]]))[0].tolist() == [[1., -2.]]
    assert bank.components_per_refresh == 4
