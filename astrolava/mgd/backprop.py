"""Backprop (BPTT for spiking nets) behind the same learner interface as the MGD family, so
the trainer, its checkpoints and its diagnostics treat the baseline like any other method."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from astrolava.mgd.accounting import OperationCounts, backprop_update_ops
from astrolava.mgd.diagnostics import true_gradient
from astrolava.mgd.network import check_model, encode
from astrolava.models.training import LOSSES, OPTIMIZERS, check_choice, make_optimizer


@dataclass(frozen=True)
class BackpropConfig:
    """Backprop baseline: ``Θ ← Θ − η ∇C`` (SGD) or Adam, on the batch-mean cost.

    Parameters
    ----------
    eta : float > 0
    optimizer : {"adam", "sgd"}
    loss : {"mse", "ce"}
    """

    eta: float = 1e-3
    optimizer: str = "adam"
    loss: str = "mse"

    def __post_init__(self) -> None:
        if not self.eta > 0:
            raise ValueError(f"eta={self.eta} must be > 0")
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("loss", self.loss, LOSSES)

    def to_dict(self) -> dict:
        return asdict(self)


class BackpropLearner:
    """Exact gradient by autograd; counts ``N_Θ`` gradient components per sample (Eq. 4)."""

    def __init__(self, model: nn.Module, config: BackpropConfig, seed: int = 0) -> None:
        self.model = check_model(model)
        self.config = config
        self.generator = torch.Generator().manual_seed(seed)
        self.optimizer = make_optimizer(model.parameters(), config.optimizer, config.eta)
        self.counts = OperationCounts()
        self.n_params = sum(p.numel() for p in model.parameters())

    def estimate(self, x: torch.Tensor, y: torch.Tensor):
        """The true gradient of the batch-mean cost and ``{"inp", "acts", "c0"}``."""
        inp = encode(self.model, x, self.generator)
        grads, acts, cost = true_gradient(self.model, inp, y, self.config.loss)
        return grads, {"inp": inp, "acts": acts, "c0": cost}

    @torch.no_grad()
    def apply(self, grads) -> None:
        for layer, (g_w, g_b) in zip(self.model.layers, grads, strict=True):
            layer.weight.grad, layer.bias.grad = g_w, g_b
        self.optimizer.step()

    def train_batch(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        grads, info = self.estimate(x, y)
        self.apply(grads)
        self.counts.add(len(y), self.n_params * len(y), backprop_update_ops(self.n_params, len(y)))
        return {"cost": float(info["c0"].mean())}

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(),
                "optimizer": self.optimizer.state_dict(), "counts": self.counts.to_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.counts = OperationCounts(**state["counts"])
