"""Perturbed forward passes: the rank-one shortcut equals the dense perturbation."""

import torch
from astrolava.models import RateMLP, SpikingMLP
from astrolava.models.mgd.network import LayerPerturbation, forward


def test_rank_one_equals_dense():
    gen = torch.Generator().manual_seed(0)
    post, pre = torch.randn(4, 3, generator=gen), torch.randn(4, 5, generator=gen)
    rank_one = LayerPerturbation(post=post, pre=pre)
    dense = LayerPerturbation(bias=post, dense=post[:, :, None] * pre[:, None, :])
    inp = torch.randn(4, 5, generator=gen)
    torch.testing.assert_close(rank_one.weight_times(inp), dense.weight_times(inp))
    coef = torch.randn(4, generator=gen)
    for a, b in zip(rank_one.weighted_sum(coef), dense.weighted_sum(coef), strict=True):
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(rank_one.sq_norm(), dense.sq_norm())


def test_perturbed_forward_equals_shifted_weights():
    torch.manual_seed(0)
    model = RateMLP((5, 4, 3))
    x = torch.rand(1, 5)
    perts = [LayerPerturbation(bias=torch.randn(1, layer.out_features),
                               dense=torch.randn(1, *layer.weight.shape)) for layer in model.layers]
    out = forward(model, x, perts)[-1]
    with torch.no_grad():
        for layer, p in zip(model.layers, perts, strict=True):
            layer.weight += p.dense[0]
            layer.bias += p.bias[0]
    torch.testing.assert_close(out, model(x))


def test_spiking_forward_matches_model():
    torch.manual_seed(0)
    model = SpikingMLP((6, 5, 3), num_steps=7)
    spikes = model.encode(torch.rand(2, 6), torch.Generator().manual_seed(1))
    ours = forward(model, spikes)
    theirs = model.forward_spikes(spikes)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)
