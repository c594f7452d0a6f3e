"""What every learner shares: the model, one seeded generator, the optimizer applying the
gradient (estimate), operation counts and the state a checkpoint needs."""

from __future__ import annotations

import torch
from astrolava.models.mgd.accounting import OperationCounts
from astrolava.models.mgd.network import check_model
from astrolava.models.training import make_optimizer
from torch import nn

from astrolava.validation import ParameterTypeError, require_array, require_labels

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
        """Refuse a batch the model cannot learn from: ``x`` must be ``(n >= 1, n_in)``
        finite inputs (:func:`~astrolava.validation.require_array`) and ``y`` an integer
        tensor of ``n`` labels in ``[0, n_out - 1]``
        (:func:`~astrolava.validation.require_labels`).

        Raises
        ------
        ParameterError
            For a wrong shape, a NaN or infinity, a label count or a label out of range,
            naming ``x`` or ``y`` and what is allowed.
        ParameterTypeError
            For labels of a floating-point or bool dtype.
        """
        n_in, n_out = self.model.layers[0].in_features, self.model.layers[-1].out_features
        require_array("x", x.detach(), shape=(None, n_in), min_length=1)
        if y.dtype.is_floating_point or y.dtype.is_complex or y.dtype == torch.bool:
            raise ParameterTypeError(f"y has dtype {y.dtype}; labels must be an integer tensor")
        require_labels("y", y.detach(), n_samples=x.shape[0], n_classes=n_out)

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
