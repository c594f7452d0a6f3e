"""The MGD family as per-sample perturbative learners, vectorised over a minibatch.

Papers: MGD, McCaughan et al., "Multiplexed gradient descent: Fast online training of modern
datasets on hardware neural networks without backpropagation", APL Machine Learning 1(2),
2023; δ-MGD ("paper" below), O'Loughlin et al., "δ-Multiplexed Gradient Descent: Perturbative
Learning with Astrocytes".

Each sample ``b`` of a batch gets its own perturbation ``θ̃_b``; its clean cost ``C0_b`` and
perturbed cost ``C̃_b`` give ``ĝ_b = ΔC_b·w_b·θ̃_b/ε²`` (paper Eq. 1, Alg. 1 l. 16-17) and the
step applies the batch mean ``ĝ = mean_b ĝ_b`` (optionally with decay and Adam). Batch size 1
is the paper's serial per-sample algorithm exactly.

Methods differ only in how ``θ̃`` is chosen:

=============  ==============================================================  ============
method         ``θ̃`` of layer l for sample b                                   paper
=============  ==============================================================  ============
MGD / SPSA     Bernoulli ``±ε`` on every parameter, held τθ steps               §II-A
aligned        ``ε·sign(δ_l) ⊗ sign(a_{l-1})`` from the true δ (oracle)          §II-C
Hebbian        ``ε·sign(δ̂_l) ⊗ tern(a_{l-1})``, δ̂ by node perturbation          §III, Eq. 3
δ-MGD          ``ε·δ_{class(b),l} ⊗ a_{l-1}`` from the DeltaVec bank             §VI, Alg. 1
=============  ==============================================================  ============

Directed perturbations are rank one per layer (``θ̃_W = u ⊗ v``, ``θ̃_b = u``) and are then
rescaled to norm ε (config ``normalize``). All randomness comes from the learner's one
``torch.Generator`` (seeded by ``seed``), drawn in this order per step: the rate code of the
batch (spiking nets only), then the MGD Bernoulli signs layer by layer, weights before
biases. Aligned, Hebbian and δ-MGD on rate networks draw nothing: given the initial weights
and the data order they are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from astrolava.models import RateMLP
from astrolava.models.mgd.accounting import perturbative_update_ops
from astrolava.models.mgd.cost import network_cost, output_delta, output_error, update_coefficients
from astrolava.models.mgd.deltavecs import (
    DeltaVecBank,
    bias_gradients_autograd,
    bias_gradients_node,
    chain_deltas,
    output_current_jacobians_node,
    output_jacobians_autograd,
    output_jacobians_node,
)
from astrolava.models.mgd.learner import Gradient, Learner
from astrolava.models.mgd.network import (
    LayerPerturbation,
    activity,
    batch_dim,
    encode,
    forward,
    readout,
)
from astrolava.models.training import one_hot_targets
from torch import nn

from astrolava.mgd.config import (
    AlignedConfig,
    DeltaMGDConfig,
    HebbianConfig,
    MGDConfig,
    PerturbativeConfig,
)


@dataclass
class CleanPass:
    """What the clean pass of a batch measured, shared by the perturbation rule and the cost.

    ``inp`` is the network input, ``acts`` the layer outputs ``[s_0, ..., s_L]``, ``target``
    the one-hot labels and ``slopes`` a spiking net's local slopes ``∂r_l/∂b_l`` (or None).
    """

    inp: torch.Tensor
    acts: list[torch.Tensor]
    target: torch.Tensor
    slopes: list[torch.Tensor] | None = None


def ternary(a: torch.Tensor, threshold: float) -> torch.Tensor:
    """``tern(a) = sign(a)`` where ``|a| >= threshold``, else 0 (paper §III-B)."""
    return torch.sign(a) * (a.abs() >= threshold)


def normalize_perturbations(perts: list[LayerPerturbation], epsilon: float,
                            mode: str) -> list[LayerPerturbation]:
    """Rescale each sample's directed ``θ̃`` to Euclidean norm ε.

    ``"global"``: ``θ̃ ← ε·θ̃/‖θ̃‖`` over all layers; ``"layer"``: ``θ̃_l ← ε·θ̃_l/‖θ̃_l‖``
    per layer; ``"none"``: ``θ̃ ← ε·θ̃``. A zero ``θ̃`` stays zero. With a unit direction
    ``d`` the estimate ``ΔC·θ̃/ε² ≈ (∇C·d)·d`` is the projection of the gradient on ``d``.
    """
    if mode == "none":
        return [p.scaled(torch.full_like(p.bias[:, 0], epsilon)) for p in perts]

    def scale(sq_norm: torch.Tensor) -> torch.Tensor:
        # a zero θ̃ times any finite scale stays zero
        return epsilon / sq_norm.sqrt().clamp_min(torch.finfo(sq_norm.dtype).tiny)

    if mode == "layer":
        return [p.scaled(scale(p.sq_norm())) for p in perts]
    sq_norms = [p.sq_norm() for p in perts]
    total = sq_norms[0]
    for sq_norm in sq_norms[1:]:
        total = total + sq_norm
    total = scale(total)
    return [p.scaled(total) for p in perts]


class PerturbativeLearner(Learner):
    """Base of the MGD family: clean pass, perturbed pass, ``ĝ = mean_b ΔC_b w_b θ̃_b / ε²``.

    Parameters
    ----------
    model : RateMLP or SpikingMLP
        Trained in place.
    config : PerturbativeConfig
        The method's hyper-parameters.
    seed : int
        Seed of the learner's generator (rate code and random perturbations).
    """

    config_class: type[PerturbativeConfig] = PerturbativeConfig
    directed = True

    @property
    def needs_slopes(self) -> bool:
        """Whether ``perturbations`` uses a spiking net's local slopes ``∂r_l/∂b_l`` (measured
        by the clean pass, see ``network.spike_train``)."""
        return False

    @property
    def uses_autograd(self) -> bool:
        """Whether ``perturbations`` runs autograd (an oracle); otherwise a training step runs
        under ``torch.inference_mode`` (no graph, less bookkeeping per operation)."""
        return False

    def __init__(self, model: nn.Module, config: PerturbativeConfig, seed: int = 0) -> None:
        if not isinstance(config, self.config_class):
            raise ValueError(f"config must be a {self.config_class.__name__}, "
                             f"got {type(config).__name__}")
        super().__init__(model, config, seed)

    def perturbations(self, clean: CleanPass, y: torch.Tensor) -> list[LayerPerturbation]:
        """Un-normalised ``θ̃`` of each layer for each sample (the method's choice) from the
        batch's clean pass."""
        raise NotImplementedError

    def clean_pass(self, inp: torch.Tensor, y: torch.Tensor,
                   first_current: torch.Tensor | None = None) -> CleanPass:
        """The unperturbed forward pass of network input ``inp`` with labels ``y``
        (``first_current = W_1 s_0 + b_1`` if already computed)."""
        slopes = [] if self.needs_slopes else None
        acts = forward(self.model, inp, first_current=first_current, slopes=slopes)
        target = one_hot_targets(y, self.model.sizes[-1], acts[-1].dtype)
        return CleanPass(inp, acts, target, slopes)

    def grad_components(self, n_samples: int) -> int:
        """Gradient components this method computed explicitly for ``n_samples`` samples."""
        return 0

    @torch.no_grad()
    def estimate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[Gradient, dict]:
        """Gradient estimate ``ĝ`` on a batch, without applying it.

        Returns ``(ĝ per layer, info)`` with ``info = {"inp", "acts", "c0", "delta_c"}``.
        """
        cfg = self.config
        inp = encode(self.model, x, self.generator)
        first = self.model.layers[0]
        first_current = torch.nn.functional.linear(inp, first.weight, first.bias)
        clean = self.clean_pass(inp, y, first_current)
        c0 = network_cost(self.model, clean.acts[-1], y, cfg.loss, clean.target)
        perts = self.perturbations(clean, y)
        if self.directed:
            perts = normalize_perturbations(perts, cfg.epsilon, cfg.normalize)
        perturbed = forward(self.model, inp, perts, first_current=first_current)
        delta_c = network_cost(self.model, perturbed[-1], y, cfg.loss, clean.target) - c0
        coef = update_coefficients(delta_c, c0, cfg.epsilon, cfg.gamma)
        coef = coef / coef.shape[0]
        grads = [p.weighted_sum(coef) for p in perts]
        return grads, {"inp": inp, "acts": clean.acts, "c0": c0, "delta_c": delta_c}

    def train_batch(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        """One step on a batch; returns ``{"cost": mean C0}``."""
        self.check_batch(x, y)
        with torch.inference_mode(not self.uses_autograd):
            grads, info = self.estimate(x, y)
            self.apply(grads)
            cost = float(info["c0"].mean())
        n = y.shape[0]
        self.counts.add(n, self.grad_components(n), perturbative_update_ops(self.n_params, n))
        return {"cost": cost}


class MGDLearner(PerturbativeLearner):
    """Undirected MGD with time constants τx, τθ, τp (McCaughan et al. 2023; paper §II-A);
    SPSA when all are 1.

    Time step ``k`` (one per presentation of a batch): the batch is presented τx times; a
    new Bernoulli ``θ̃ ∈ {±ε}`` per sample is drawn when ``k mod τθ = 0`` and held
    otherwise; ``ĝ`` is accumulated and, when ``(k + 1) mod τp = 0``, the mean of the
    accumulated estimates is applied.
    """

    config_class = MGDConfig
    directed = False

    def __init__(self, model: nn.Module, config: MGDConfig, seed: int = 0) -> None:
        super().__init__(model, config, seed)
        self.time = 0
        self.held: list[torch.Tensor] | None = None
        self.accumulated: Gradient | None = None

    def perturbations(self, clean, y):
        batch = len(y)
        if self.held is None or self.time % self.config.tau_theta == 0 \
                or self.held[0].shape[0] != batch:
            signs = []
            for layer in self.model.layers:
                for shape in (layer.weight.shape, layer.bias.shape):
                    draw = torch.randint(0, 2, (batch, *shape), generator=self.generator)
                    signs.append((2 * draw - 1).to(layer.weight.dtype) * self.config.epsilon)
            self.held = signs
        return [LayerPerturbation(bias=self.held[2 * i + 1], dense=self.held[2 * i])
                for i in range(len(self.model.layers))]

    def train_batch(self, x, y):
        self.check_batch(x, y)
        costs = []
        for _ in range(self.config.tau_x):
            grads, info = self.estimate(x, y)
            costs.append(float(info["c0"].mean()))
            if self.accumulated is not None:
                grads = [(a_w + g_w, a_b + g_b) for (a_w, a_b), (g_w, g_b)
                         in zip(self.accumulated, grads, strict=True)]
            self.accumulated = grads
            self.time += 1
            if self.time % self.config.tau_p == 0:
                self.apply([(g_w / self.config.tau_p, g_b / self.config.tau_p)
                            for g_w, g_b in self.accumulated])
                self.accumulated = None
            self.counts.add(len(y), 0, perturbative_update_ops(self.n_params, len(y)))
        return {"cost": sum(costs) / len(costs)}

    def state_dict(self):
        return {**super().state_dict(), "time": self.time, "held": self.held,
                "accumulated": self.accumulated}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.time, self.held, self.accumulated = state["time"], state["held"], state["accumulated"]


class AlignedLearner(PerturbativeLearner):
    """MGD-aligned (§II-C): ``θ̃_l = ε·sign(δ_l) ⊗ sign(a_{l-1})`` with the true per-sample δ.

    For a rate net this is exactly ``ε·sign(∂C/∂W)`` (Λ = 1); for a spiking net it uses the
    time-averaged activity ``a`` and the surrogate δ (an oracle for analysis only).
    """

    config_class = AlignedConfig
    uses_autograd = True

    def perturbations(self, clean, y):
        deltas = bias_gradients_autograd(self.model, clean.inp, y, self.config.loss)
        return [LayerPerturbation(post=torch.sign(d), pre=torch.sign(activity(self.model, a)))
                for d, a in zip(deltas, clean.acts[:-1], strict=True)]

    def grad_components(self, n_samples):
        return self.n_params * n_samples


class HebbianLearner(PerturbativeLearner):
    """Hebbian MGD (§III, Eq. 3): ``θ̃_l = ε·sign(δ̂_l) ⊗ tern(a_{l-1})``.

    ``δ̂`` by node perturbation on the sample itself (no autograd); the output layer uses
    its exact local δ when ``exact_output`` (rate nets).
    """

    config_class = HebbianConfig

    def perturbations(self, clean, y):
        cfg, acts = self.config, clean.acts
        deltas = bias_gradients_node(self.model, acts, y, cfg.fd_step, cfg.loss)
        if cfg.exact_output:
            deltas[-1] = output_delta(self.model, acts[-1], y, cfg.loss, clean.target)
        return [LayerPerturbation(post=torch.sign(d),
                                  pre=ternary(activity(self.model, a), cfg.activation_threshold))
                for d, a in zip(deltas, acts[:-1], strict=True)]

    def grad_components(self, n_samples):
        return sum(layer.out_features for layer in self.model.layers) * n_samples


class DeltaMGDLearner(PerturbativeLearner):
    """δ-MGD (paper Alg. 1): ``θ̃_l = ε·δ_{class,l} ⊗ a_{l-1}`` from the DeltaVec bank.

    Per batch (samples in order): the bank refreshes the due classes from their next
    sample (node perturbation or autograd), then every sample is perturbed along its class's
    DeltaVecs (``exact_output``: the output layer uses the sample's exact local δ instead).

    Parameters
    ----------
    n_classes : int
        Number of DeltaVecs per layer.
    """

    config_class = DeltaMGDConfig

    def __init__(self, model: nn.Module, config: DeltaMGDConfig, seed: int = 0,
                 n_classes: int = 10) -> None:
        super().__init__(model, config, seed)
        if config.exact_output and not isinstance(model, RateMLP):
            raise ValueError("exact_output=True needs a RateMLP (a spiking net's exact output "
                             "δ comes with deltavecs='chain')")
        rows = [layer.out_features for layer in model.layers]
        if config.deltavecs == "chain":
            rows = rows[:-1]
        self.bank = DeltaVecBank(rows, n_classes,
                                 config.tau_delta, config.delta_mix,
                                 dtype=model.layers[0].weight.dtype, mode=config.deltavecs)
        self._refreshed = 0

    @property
    def uses_autograd(self) -> bool:
        return self.config.refresh == "autograd"

    @property
    def needs_slopes(self) -> bool:
        return self.config.deltavecs == "chain" and not isinstance(self.model, RateMLP)

    def measure_deltas(self, inp: torch.Tensor, acts: list[torch.Tensor],
                       y: torch.Tensor) -> list[torch.Tensor]:
        """Bank rows measured on the given samples by the configured refresh method."""
        cfg = self.config
        if cfg.deltavecs == "chain":
            return output_current_jacobians_node(self.model, acts, cfg.fd_step)
        if cfg.deltavecs == "output":
            if cfg.refresh == "autograd":
                return output_jacobians_autograd(self.model, inp)
            return output_jacobians_node(self.model, acts, cfg.fd_step)
        if cfg.refresh == "autograd":
            return bias_gradients_autograd(self.model, inp, y, cfg.loss)
        return bias_gradients_node(self.model, acts, y, cfg.fd_step, cfg.loss)

    def perturbations(self, clean, y):
        cfg, acts, slopes = self.config, clean.acts, clean.slopes
        chosen = self.bank.select(y)
        self._refreshed = chosen.shape[0]
        if self._refreshed:
            axis = batch_dim(self.model)
            chosen_acts = [a.index_select(axis, chosen) for a in acts]  # acts[0] is inp
            self.bank.update(y[chosen], self.measure_deltas(chosen_acts[0], chosen_acts,
                                                            y[chosen]))
        if cfg.deltavecs == "chain":
            delta_out = output_delta(self.model, acts[-1], y, cfg.loss, clean.target,
                                     None if slopes is None else slopes[-1])
            post = chain_deltas(acts, self.bank.deltas, delta_out, slopes)
        else:
            error = None
            if cfg.deltavecs == "output":
                error = output_error(readout(self.model, acts[-1]), y, cfg.loss, clean.target)
            post = self.bank.lookup(y, error)
        if cfg.exact_output:
            post[-1] = output_delta(self.model, acts[-1], y, cfg.loss, clean.target)
        pre = [activity(self.model, a) for a in acts[:-1]]
        if cfg.activation_threshold > 0:
            pre = [ternary(a, cfg.activation_threshold) for a in pre]
        return [LayerPerturbation(post=u, pre=v) for u, v in zip(post, pre, strict=True)]

    def grad_components(self, n_samples):
        return self.bank.components_per_refresh * self._refreshed

    def state_dict(self):
        return {**super().state_dict(), "bank": self.bank.state_dict()}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.bank.load_state_dict(state["bank"])


LEARNERS: dict[str, type[PerturbativeLearner]] = {
    "spsa": MGDLearner, "mgd": MGDLearner, "aligned": AlignedLearner,
    "hebbian": HebbianLearner, "delta-mgd": DeltaMGDLearner,
}
"""Learner class of each perturbative method name."""
