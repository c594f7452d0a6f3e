"""Spiking rhythmic-sharing reservoir: LIF nodes, spikes on the oscillating links, rate read-out."""

from __future__ import annotations

import numpy as np

from astrolava.rhythmic.graph import ReservoirGraph, make_reservoir_graph
from astrolava.rhythmic.kernel import LIF_NODES
from astrolava.rhythmic.params import RhythmicParams
from astrolava.rhythmic.reservoir import RhythmicReservoir

LIF_DEFAULTS = {"dv": 0.2, "threshold": 0.1, "alpha": 0.1}
"""Voltage decay, spike threshold and rate-trace weight of the spiking reservoir."""
LIF_IN_FRAC_BITS = 12
"""Fractional bits of the synaptic input a fixed_pt Lava ``LIF`` receives (``a_in``)."""
_LIF_DECAY_BITS, _LIF_ACT_SHIFT = 12, 6  # Lava's bit-accurate LIF: 12-bit decays, a_in << 6


def lava_lif_params(dv: float, threshold: float, bias: float, tag: str) -> dict:
    """Arguments of Lava's ``LIF`` equal to ``equations.lif_step`` in the given model encoding.

    ``floating_pt``: du = 1 (instantaneous current), dv, vth = threshold, bias_mant = bias.
    ``fixed_pt`` (``PyLifModelBitAcc``): input arrives with ``LIF_IN_FRAC_BITS`` = 12
    fractional bits and is shifted left by 6, so v carries 18; du = 4095 (+1 offset = 2**12:
    full current decay), dv_q = round(dv·2**12), vth_mant = round(threshold·2**12) (the model
    shifts it by 6), bias_mant = round(bias·2**12) with bias_exp = 6.
    """
    if tag == "floating_pt":
        return {"du": 1.0, "dv": dv, "vth": threshold, "bias_mant": bias}
    if tag == "fixed_pt":
        return {"du": (1 << _LIF_DECAY_BITS) - 1,
                "dv": int(round(dv * (1 << _LIF_DECAY_BITS))),
                "vth": int(round(threshold * (1 << LIF_IN_FRAC_BITS))),
                "bias_mant": int(round(bias * (1 << LIF_IN_FRAC_BITS))),
                "bias_exp": _LIF_ACT_SHIFT}
    raise ValueError(f"tag={tag!r} is not allowed; use 'floating_pt' or 'fixed_pt'")


class SpikingRhythmicReservoir(RhythmicReservoir):
    """Rhythmic sharing with leaky integrate-and-fire nodes (SPEC §2 with spiking nodes).

    Per step: I = (A∘M(φ)) s + W_in u + b; the LIF update (``equations.lif_step``) gives spikes
    s, which the links carry; the rate trace r (``equations.rate_trace``) is the readout's
    feature and drives the links with n = 2r − 1 (``equations.rate_activity``), so that
    (n + 1)/2 = r in D = ε1 + ε2·mean((n + 1)/2). Phases then advance as in the rate
    reservoir. The same compiled loop as :class:`RhythmicReservoir` runs it.

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
        for name, value, ok in (("dv", dv, 0 < dv <= 1), ("threshold", threshold, threshold > 0),
                                ("alpha", alpha, 0 < alpha <= 1)):
            if not ok:
                raise ValueError(f"{name}={value} is outside its allowed range "
                                 "(dv, alpha in (0, 1]; threshold > 0)")
        super().__init__(graph, params, seed)
        self.dv, self.threshold, self.alpha = dv, threshold, alpha

    @classmethod
    def from_params(cls, params: RhythmicParams, n_inputs: int, seed: int = 0,
                    **lif: float) -> SpikingRhythmicReservoir:
        """Draw a graph and phases from one seed; ``lif`` holds dv, threshold, alpha."""
        return cls(make_reservoir_graph(params, n_inputs, seed), params, seed, **lif)

    @property
    def voltage(self) -> np.ndarray:
        return self._state[1].copy()

    @voltage.setter
    def voltage(self, value: np.ndarray) -> None:
        self._state[1] = value

    @property
    def rate(self) -> np.ndarray:
        return self._state[2].copy()

    @rate.setter
    def rate(self, value: np.ndarray) -> None:
        self._state[2] = value

    def readout_features(self) -> np.ndarray:
        """The rate trace r."""
        return self.rate

    def _lif_constants(self) -> tuple[float, float, float]:
        return self.dv, self.threshold, self.alpha
