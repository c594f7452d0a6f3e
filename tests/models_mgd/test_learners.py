"""The MGD family on hand-checkable cases: SPSA on a quadratic, aligned/δ-MGD directions."""

import pytest
import torch
from astrolava.models import RateMLP, SpikingMLP
from astrolava.models.mgd.accounting import backprop_components, delta_mgd_components
from astrolava.models.mgd.diagnostics import agreement, cosine, true_gradient
from astrolava.models.mgd.perturbation import (
    AlignedLearner,
    DeltaMGDLearner,
    HebbianLearner,
    MGDLearner,
    normalize_perturbations,
)

from astrolava.mgd.config import AlignedConfig, DeltaMGDConfig, HebbianConfig, MGDConfig


def _flat(grads):
    return torch.cat([torch.cat([w.flatten(), b.flatten()]) for w, b in grads])


def test_spsa_estimate_on_a_quadratic_converges_to_the_gradient():
    """C = ½‖Wx + b − t‖² is quadratic in (W, b): the mean of many SPSA estimates
    ΔC·θ̃/ε² (Eq. 1) approaches ∇C, with error shrinking like 1/√K."""
    torch.manual_seed(0)
    model = RateMLP((3, 2), output_tanh=False).double()
    x, y = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64), torch.tensor([1])
    truth = _flat(true_gradient(model, x, y, "mse")[0])
    learner = MGDLearner(model, MGDConfig(epsilon=1e-3), seed=0)
    errors = []
    for copies in (100, 10000):
        grads, _ = learner.estimate(x.repeat(copies, 1), y.repeat(copies))
        errors.append(float((_flat(grads) - truth).norm() / truth.norm()))
    assert errors[1] < 0.05
    assert errors[1] < errors[0] / 3


def test_agreement_on_known_vectors():
    a = torch.tensor([1.0, -1.0, 0.0, 2.0])
    b = torch.tensor([3.0, -2.0, 0.0, -1.0])
    assert agreement(a, b) == 0.75  # Eq. 2: three of four ternary signs agree
    assert agreement(a, a) == 1.0
    assert cosine(a, -a) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same shape"):
        agreement(a, b[:3])


@pytest.mark.parametrize(("deltavecs", "refresh"),
                         [("class", "node"), ("class", "autograd"), ("chain", "node")])
def test_delta_mgd_with_its_own_fresh_delta_points_along_backprop(deltavecs, refresh):
    """A sample whose DeltaVec was just refreshed with its own exact δ: θ̃ = a ⊗ δ is the
    true per-sample gradient, so the update ΔC·θ̃/ε² is the backprop gradient."""
    torch.manual_seed(0)
    model = RateMLP((6, 5, 4, 3)).double()
    x, y = torch.rand(1, 6, dtype=torch.float64), torch.tensor([1])
    config = DeltaMGDConfig(epsilon=1e-6, tau_delta=1, refresh=refresh, fd_step=1e-6,
                            deltavecs=deltavecs)
    grads, _ = DeltaMGDLearner(model, config, n_classes=3).estimate(x, y)
    truth = _flat(true_gradient(model, x, y, "mse")[0])
    assert cosine(_flat(grads), truth) > 0.9999
    torch.testing.assert_close(_flat(grads), truth, rtol=1e-3, atol=1e-7)


def test_aligned_perturbation_has_full_agreement():
    torch.manual_seed(0)
    model = RateMLP((6, 5, 3)).double()
    x, y = torch.rand(1, 6, dtype=torch.float64), torch.tensor([0])
    learner = AlignedLearner(model, AlignedConfig(epsilon=1e-6))
    grads, _ = learner.estimate(x, y)
    truth = _flat(true_gradient(model, x, y, "mse")[0])
    assert agreement(_flat(grads), truth) == 1.0


def test_hebbian_perturbation_is_ternary_and_thresholded():
    torch.manual_seed(0)
    model = RateMLP((4, 3, 2)).double()
    x = torch.tensor([[0.9, 0.1, 0.0, 0.6]], dtype=torch.float64)
    learner = HebbianLearner(model, HebbianConfig(activation_threshold=0.45, normalize="none",
                                                  epsilon=1.0))
    y = torch.tensor([1])
    perts = learner.perturbations(learner.clean_pass(x, y), y)
    first = perts[0].post[:, :, None] * perts[0].pre[:, None, :]
    assert set(first.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert (first[..., 1:3] == 0).all()  # inputs 0.1 and 0.0 lie under the threshold


def test_normalization_gives_norm_epsilon():
    torch.manual_seed(0)
    model = RateMLP((6, 5, 3))
    x, y = torch.rand(2, 6), torch.tensor([0, 2])
    learner = DeltaMGDLearner(model, DeltaMGDConfig(tau_delta=1), n_classes=3)
    perts = learner.perturbations(learner.clean_pass(x, y), y)
    total = sum(p.sq_norm() for p in normalize_perturbations(perts, 0.1, "global"))
    torch.testing.assert_close(total.sqrt(), torch.full((2,), 0.1))
    for p in normalize_perturbations(perts, 0.1, "layer"):
        torch.testing.assert_close(p.sq_norm().sqrt(), torch.full((2,), 0.1))


def test_rate_delta_mgd_is_deterministic_and_learns():
    x = torch.rand(64, 6, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0.5).long()
    weights = []
    for _ in range(2):
        torch.manual_seed(0)
        model = RateMLP((6, 8, 2))
        learner = DeltaMGDLearner(model, DeltaMGDConfig(eta=0.05, epsilon=1e-2, tau_delta=8,
                                                        deltavecs="chain"), n_classes=2)
        costs = [learner.train_batch(x[i:i + 8], y[i:i + 8])["cost"]
                 for _ in range(30) for i in range(0, 64, 8)]
        weights.append(model.layers[0].weight.clone())
    assert torch.equal(weights[0], weights[1])
    assert sum(costs[-8:]) < 0.7 * sum(costs[:8])


def test_spiking_learners_run_and_refuse_exact_output():
    torch.manual_seed(0)
    model = SpikingMLP((6, 5, 3), num_steps=5, threshold=0.2)
    with pytest.raises(ValueError, match="RateMLP"):
        DeltaMGDLearner(model, DeltaMGDConfig(exact_output=True), n_classes=3)
    before = model.layers[0].weight.clone()
    learner = DeltaMGDLearner(model, DeltaMGDConfig(deltavecs="output", fd_step=0.2,
                                                    epsilon=0.1), n_classes=3)
    learner.train_batch(torch.rand(4, 6), torch.tensor([0, 1, 2, 0]))
    assert learner.counts.grad_components == (5 + 3) * 3  # one refresh: N_neurons·N_classes
    assert not torch.equal(before, model.layers[0].weight)
    chain = DeltaMGDLearner(model, DeltaMGDConfig(deltavecs="chain", fd_step=0.5, epsilon=0.1),
                            n_classes=3)
    assert chain.needs_slopes
    before = model.layers[0].weight.clone()
    chain.train_batch(torch.rand(4, 6), torch.tensor([0, 1, 2, 0]))
    assert chain.counts.grad_components == 5 * 3  # one refresh: hidden rows only
    assert not torch.equal(before, model.layers[0].weight)


def test_eq4_counts_match_the_paper_example():
    """Paper §IV-C: MNIST 784-128-128-10, 10 epochs: 70,969,200,000 → 319,200 (N_Tδ = 120)."""
    n_params = 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10
    assert backprop_components(n_params, 60000, 10) == 70_969_200_000
    assert delta_mgd_components(128 + 128 + 10, 10, 120) == 319_200
