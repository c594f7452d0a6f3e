"""What every learner shares: the model, one seeded generator, the optimizer applying the
gradient (estimate), operation counts and the state a checkpoint needs."""

from __future__ import annotations

import torch
from astrolava.models.mgd.accounting import OperationCounts
from astrolava.models.mgd.network import check_model
from astrolava.models.training import make_optimizer
from torch import nn

from astrolava.validation import ParameterError

Gradient = list[tuple[torch.Tensor, torch.Tensor]]
"""Per layer ``(∂/∂W, ∂/∂b)`` (estimates), shaped like the layer's weight and bias."""


class Learner:
    """Base of the learners: ``estimate`` gives ``ĝ``, ``apply`` steps the optimizer.

    Parameters
    ----------
    model : RateMLP or SpikingMLP
        Trained in place.
    config : frozen dataclass with ``eta``, ``optimizer`` (and optionally ``weight_decay``)
    seed : int
        Seed of the learner's one generator (rate code, random perturbations).
    """

    def __init__(self, model: nn.Module, config, seed: int = 0) -> None:
        self.model = check_model(model)
        self.config = config
        self.generator = torch.Generator().manual_seed(seed)
        self.optimizer = make_optimizer(model.parameters(), config.optimizer, config.eta)
        self.counts = OperationCounts()
        self.n_params = sum(p.numel() for p in model.parameters())

    def check_batch(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Refuse a batch the model cannot learn from: it must be ``(n >= 1, n_in)`` finite
        inputs with ``n`` integer labels in ``[0, n_out - 1]``.

        Raises
        ------
        ParameterError
            Naming ``x`` or ``y`` and what is allowed.
        """
        n_in, n_out = self.model.layers[0].in_features, self.model.layers[-1].out_features
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != n_in:
            raise ParameterError(f"x has shape {tuple(x.shape)}; a batch must have shape "
                                 f"(n >= 1, {n_in})")
        if not bool(torch.isfinite(x).all()):
            raise ParameterError("x contains NaN or inf values")
        if y.shape != (x.shape[0],) or y.dtype.is_floating_point or y.dtype == torch.bool:
            raise ParameterError(f"y has shape {tuple(y.shape)} and dtype {y.dtype}; give "
                                 f"{x.shape[0]} integer labels")
        if int(y.min()) < 0 or int(y.max()) >= n_out:
            raise ParameterError(f"y holds labels in [{int(y.min())}, {int(y.max())}]; they "
                                 f"must lie in [0, {n_out - 1}] ({n_out} classes)")

    @torch.no_grad()
    def apply(self, grads: Gradient) -> None:
        """``Θ ← Θ − η (ĝ + λΘ)`` (SGD) or Adam's step fed with ``ĝ + λΘ``."""
        decay = getattr(self.config, "weight_decay", 0.0)
        for layer, (g_w, g_b) in zip(self.model.layers, grads, strict=True):
            layer.weight.grad = g_w + decay * layer.weight if decay else g_w
            layer.bias.grad = g_b + decay * layer.bias if decay else g_b
        self.optimizer.step()

    def state_dict(self) -> dict:
        """Everything besides the model needed to continue bit-for-bit."""
        return {"generator": self.generator.get_state(),
                "optimizer": self.optimizer.state_dict(), "counts": self.counts.to_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.counts = OperationCounts(**state["counts"])
