"""δ-MGD, one sample at a time (paper Alg. 1), on a float or a fixed-point network.

:class:`SampleLearner` is the per-sample routine the fused Lava models run
(``processes/delta_mgd_network/models.py``) and that :func:`train_epoch` / :func:`accuracy`
run without Lava, on the same :class:`~astrolava.mgd.equations.FloatNetwork` or
:class:`~astrolava.mgd.fixed.FixedNetwork` arithmetic (so a sweep outside Lava computes what
the Lava model computes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from astrolava.mgd.equations import FloatNetwork
from astrolava.mgd.fixed import FixedNetwork


def split_rows(flat: np.ndarray, widths: Sequence[int]) -> list[np.ndarray]:
    """Views of the columns of ``flat`` (…, Σ widths) as one block per width."""
    bounds = np.cumsum([0, *widths])
    return [flat[..., lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


class SampleLearner:
    """The δ-MGD step of one sample (Alg. 1 l. 4-17) and the DeltaVec schedule.

    Parameters
    ----------
    net : FloatNetwork or FixedNetwork
        The network (its ``config`` is the δ-MGD configuration).
    sizes : sequence of int
        Layer widths, input first.
    deltas : numpy.ndarray
        The DeltaVecs in the network's units (D_FRAC integers for a fixed network): (n_classes,
        Σ_l n_l) class rows or (n_classes, Σ_hidden n_l) chain rows; refreshed in place.
    n_learned : int
        Samples learned before (a resumed run): the refresh schedule continues from there.

    Schedule: chain DeltaVecs refresh every row at the learned samples ``i`` with
    ``i mod τδ = 0``; class DeltaVecs refresh a due class at its next learned sample, and all
    classes fall due after every τδ learned samples (:attr:`falls_due`, :meth:`make_due`).
    """

    def __init__(self, net: FloatNetwork | FixedNetwork, sizes: Sequence[int],
                 deltas: np.ndarray, n_learned: int = 0) -> None:
        self.net, self.config = net, net.config
        self.sizes = list(sizes)
        self.deltas = deltas
        self.chain = self.config.deltavecs == "chain"
        self.n_learned = int(n_learned)
        self.due = np.ones(self.sizes[-1], dtype=bool)
        self.perts: list = []  # θ̃ of the last learned sample, in the network's format
        self.coef = None  # its coefficient k

    @property
    def falls_due(self) -> bool:
        """Class DeltaVecs: τδ samples have been learned since the classes last fell due."""
        return not self.chain and self.n_learned > 0 \
            and self.n_learned % self.config.tau_delta == 0

    def make_due(self) -> None:
        """All classes fall due (Alg. 1 line 4)."""
        self.due[:] = True

    def refresh_due(self, y: int) -> bool:
        """Whether learning sample ``y`` refreshes DeltaVecs (and marks class ``y`` done)."""
        if self.chain:
            return self.n_learned % self.config.tau_delta == 0
        refresh = bool(self.due[y])
        self.due[y] = False
        return refresh

    def step(self, sample: np.ndarray, y: int, learn: bool) -> tuple[int, float, float, bool]:
        """Clean pass (Alg. 1 l. 10-11); if learning: refresh if due (l. 4-8), perturbation
        along the DeltaVecs (l. 12-14), perturbed pass (l. 15-16) and the coefficient of the
        update (l. 17, applied by :meth:`apply`). Returns ``(ŷ, C0, ΔC, refreshed)``, costs in
        real units."""
        cfg, net = self.config, self.net
        refresh = learn and self.refresh_due(y)
        # chain DeltaVecs of a spiking network: each neuron's rate slope ρ_l is its f'(z_l)
        slopes = [] if self.chain and net.spiking and learn else None
        first = net.first_current(sample)  # the perturbed pass reuses W_1 s_0 + b_1
        acts = net.forward(sample, slopes=slopes, current=first)
        cost0 = net.cost(acts[-1], y)
        prediction = int(np.argmax(net.readout(acts[-1])))
        if not learn:
            return prediction, net.real_cost(cost0), 0.0, False
        if refresh:
            self.refresh(acts, y)
        if self.chain:
            delta_out = net.output_delta(acts[-1], y, None if slopes is None else slopes[-1])
            post = net.chain_deltas(acts, split_rows(self.deltas, self.sizes[1:-1]),
                                    delta_out, slopes)
        else:
            post = split_rows(self.deltas[y], self.sizes[1:])
        if cfg.exact_output:
            post[-1] = net.output_delta(acts[-1], y)
        self.perts = net.perturbations(post, [net.activity(a, i)
                                              for i, a in enumerate(acts[:-1])])
        delta_cost = net.cost(net.forward(sample, self.perts, current=first)[-1], y) - cost0
        self.coef = net.coefficient(delta_cost, cost0)
        self.n_learned += 1
        return prediction, net.real_cost(cost0), net.real_cost(delta_cost), refresh

    def refresh(self, acts: list[np.ndarray], y: int) -> None:
        """Astrocyte refresh on this sample, ``row ← (1 − ρ)·row + ρ·new`` (Alg. 1 l. 5-7):
        class ``y``'s bias gradients (``"class"``) or every row ``∂z_L,k/∂a_l`` (``"chain"``)."""
        cfg, net = self.config, self.net
        if self.chain:
            target = slice(None)
            new = np.concatenate(net.output_current_jacobians(acts, cfg.fd_step), axis=1)
        else:
            target = y
            new = np.concatenate(net.node_perturbation_deltas(acts, y, cfg.fd_step))
        self.deltas[target] = net.mix_deltavecs(self.deltas[target], new)

    def apply(self) -> None:
        """``Θ ← Θ − η·k·θ̃`` of the last learned sample (Alg. 1 line 17, the network's
        optimizer)."""
        self.net.update(self.perts, self.coef)


def train_epoch(learner: SampleLearner, X: np.ndarray, y: np.ndarray) -> None:
    """One pass of :class:`SampleLearner` over ``(X, y)`` in order (batch 1), as the fused
    Lava model runs it; ``X`` in the network's input format."""
    for sample, label in zip(X, y, strict=True):
        learner.step(sample, int(label), True)
        learner.apply()
        if learner.falls_due:
            learner.make_due()


def accuracy(learner: SampleLearner, X: np.ndarray, y: np.ndarray) -> float:
    """Clean-pass accuracy of the learner's network on ``(X, y)``."""
    hits = sum(learner.step(sample, int(label), False)[0] == label
               for sample, label in zip(X, y, strict=True))
    return hits / len(y)
