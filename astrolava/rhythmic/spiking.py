"""Spiking rhythmic-sharing reservoir: LIF nodes, spikes on the oscillating links, rate read-out."""

from __future__ import annotations

import numpy as np

from astrolava.rhythmic.graph import ReservoirGraph, make_reservoir_graph
from astrolava.rhythmic.kernel import LIF_NODES
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import RhythmicReservoir, StateRow

LIF_DEFAULTS = {"dv": 0.2, "threshold": 0.1, "alpha": 0.1}
"""Voltage decay, spike threshold and rate-trace weight of the spiking reservoir."""


def check_lif_params(**values: float) -> None:
    """Raise ``ValueError`` naming the parameter if a LIF parameter is outside its range.

    ``dv`` and ``alpha`` must lie in (0, 1], ``threshold`` must be > 0.
    """
    ranges = {"dv": (lambda x: 0 < x <= 1, "(0, 1]"), "threshold": (lambda x: x > 0, "> 0"),
              "alpha": (lambda x: 0 < x <= 1, "(0, 1]")}
    for name, value in values.items():
        ok, allowed = ranges[name]
        if not ok(value):
            raise ValueError(f"{name}={value} is outside its allowed range {allowed}")


class SpikingRhythmicReservoir(RhythmicReservoir):
    """Rhythmic sharing with leaky integrate-and-fire nodes.

    The reservoir of Kang & Losert (arXiv:2502.08644) with spiking instead of tanh nodes, an
    extension of the paper. Per step: the current I = (A∘M(φ)) s + W_in u + b enters the LIF
    update (``equations.lif_step``), whose spikes s the links carry; the rate trace r
    (``equations.rate_trace``) is the readout's feature and drives the links as the node
    signal n = 2r − 1 (``equations.rate_activity``), so that a node's level in the link drive
    is its rate r. Phases then advance as in the rate reservoir. The same compiled loop as
    :class:`RhythmicReservoir` runs it.

    Parameters
    ----------
    graph, params, seed
        As for :class:`RhythmicReservoir` (``params.leak`` is unused; ``dv`` is the leak).
    dv : float
        Voltage decay per step, in (0, 1].
    threshold : float
        Spike threshold (> 0).
    alpha : float
        Rate-trace update weight in (0, 1]; the trace averages over about 1/α steps.

    Attributes
    ----------
    activity : numpy.ndarray
        Spikes s of the last step (0.0/1.0), shape ``(N,)``.
    voltage, rate : numpy.ndarray
        Membrane voltage v and rate trace r, shape ``(N,)`` (copies; assign to set them).
    """

    _NODES = LIF_NODES

    def __init__(self, graph: ReservoirGraph, params: RhythmicParams, seed: int = 0,
                 dv: float = LIF_DEFAULTS["dv"], threshold: float = LIF_DEFAULTS["threshold"],
                 alpha: float = LIF_DEFAULTS["alpha"]) -> None:
        check_lif_params(dv=dv, threshold=threshold, alpha=alpha)
        super().__init__(graph, params, seed)
        self.dv, self.threshold, self.alpha = dv, threshold, alpha

    @classmethod
    def from_params(cls, params: RhythmicParams, n_inputs: int, seed: int = 0,
                    **lif: float) -> SpikingRhythmicReservoir:
        """Draw a graph and phases from one seed; ``lif`` holds dv, threshold, alpha."""
        return cls(make_reservoir_graph(params, n_inputs, seed), params, seed, **lif)

    voltage = StateRow(1, "Membrane voltage v, a copy; assign to set it.")
    rate = StateRow(2, "Spike-rate trace r, a copy; assign to set it.")

    def readout_features(self) -> np.ndarray:
        """The rate trace r."""
        return self.rate

    def _lif_constants(self) -> tuple[float, float, float]:
        return self.dv, self.threshold, self.alpha
