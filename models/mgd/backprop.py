"""Backprop (BPTT for spiking nets) behind the same learner interface as the MGD family, so
the trainer, its checkpoints and its diagnostics treat the baseline like any other method."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from astrolava.models.mgd.accounting import backprop_update_ops
from astrolava.models.mgd.diagnostics import true_gradient
from astrolava.models.mgd.learner import Gradient, Learner
from astrolava.models.mgd.network import encode

from astrolava.mgd.config import LOSSES, OPTIMIZERS, require_one_of, require_positive


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
        require_positive("eta", self.eta)
        require_one_of("optimizer", self.optimizer, OPTIMIZERS)
        require_one_of("loss", self.loss, LOSSES)

    def to_dict(self) -> dict:
        return asdict(self)


class BackpropLearner(Learner):
    """Exact gradient by autograd; counts ``N_Θ`` gradient components per sample (Eq. 4)."""

    def estimate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[Gradient, dict]:
        """The true gradient of the batch-mean cost and ``{"inp", "acts", "c0"}``."""
        inp = encode(self.model, x, self.generator)
        grads, acts, cost = true_gradient(self.model, inp, y, self.config.loss)
        return grads, {"inp": inp, "acts": acts, "c0": cost}

    def train_batch(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        """One step on a batch; returns ``{"cost": mean C}``."""
        self.check_batch(x, y)
        grads, info = self.estimate(x, y)
        self.apply(grads)
        self.counts.add(len(y), self.n_params * len(y), backprop_update_ops(self.n_params, len(y)))
        return {"cost": float(info["c0"].mean())}
