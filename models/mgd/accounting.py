"""Honest operation counts: gradient components (paper Eq. 4) and weight-update operations.

Eq. 4 counts only the gradient components a method must compute explicitly: backprop
``N_Θ × N_samples × N_epochs``; δ-MGD ``N_neurons × N_classes × N_Tδ``. It leaves out that
every perturbative method still touches each of the ``N_Θ`` parameters several times per
sample (form ``θ̃``, run the perturbed pass, accumulate the update), which
:func:`perturbative_update_ops` counts separately.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


def backprop_components(n_params: int, n_samples: int, n_epochs: int) -> int:
    """Paper Eq. 4 (left): ``N_Θ · N_samples · N_epochs`` gradient components."""
    return n_params * n_samples * n_epochs


def delta_mgd_components(n_neurons: int, n_classes: int, n_refreshes: int) -> int:
    """Paper Eq. 4 (right): ``N_neurons · N_classes · N_Tδ`` (``N_Tδ`` refresh rounds)."""
    return n_neurons * n_classes * n_refreshes


def perturbative_update_ops(n_params: int, batch: int) -> int:
    """Per-parameter operations of one perturbative step on ``batch`` samples.

    Per sample: form ``θ̃`` (``N_Θ``), add it in the perturbed pass (``N_Θ``), accumulate
    ``ΔC·θ̃`` (``N_Θ``); per step: apply the update (``N_Θ``).
    """
    return 3 * n_params * batch + n_params


def backprop_update_ops(n_params: int, batch: int) -> int:
    """Per-parameter operations of one backprop step: accumulate each sample's gradient
    (``N_Θ`` per sample) and apply the update (``N_Θ``)."""
    return n_params * batch + n_params


@dataclass
class OperationCounts:
    """Running totals of a training run (what the code really computed).

    ``grad_components``: explicitly computed gradient components (bias gradients of a
    DeltaVec or node-perturbation estimate, or every parameter's gradient for backprop and
    the aligned oracle). ``update_ops``: per-parameter update operations (see above).
    """

    samples: int = 0
    grad_components: int = 0
    update_ops: int = 0

    def add(self, samples: int, grad_components: int, update_ops: int) -> None:
        self.samples += samples
        self.grad_components += grad_components
        self.update_ops += update_ops

    def to_dict(self) -> dict:
        return asdict(self)
