"""Process models of :class:`LIFLayer`: floating_pt (float64) and fixed_pt (Loihi integers)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.lif_layer.process import LIFLayer
from astrolava.processes.probe_rows import (
    RowNeuronModel,
    RowNeuronModelFixed,
    RowNeuronModelFloat,
)
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import lif_step_reset_next
from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx


class LIFLayerModel(RowNeuronModel):
    """Schedule shared by both models: reset at the start of a pass, one LIF step (and, with
    ``slopes``, one step of row 0's rate-slope trace), send."""

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.num_steps: int = proc_params["num_steps"]
        self.beta: float = proc_params["beta"]
        self.threshold: float = proc_params["threshold"]
        self.trace: tuple[np.ndarray, np.ndarray] | None = None  # (m, total) of row 0

    def respond(self, current: np.ndarray) -> np.ndarray:
        if (self.time_step - 1) % self.num_steps == 0:
            self.v[:] = 0
            self.s[:] = 0
            self.trace = None
        rows = len(current)  # all rows, or those received
        v, fired = self.step(self.v[:rows], self.s[:rows], current)
        self.v[:rows] = v
        self.s[:rows] = fired
        if self.slopes:  # row 0 of a row-message layer, else the whole layer
            row = 0 if self.flagged else slice(None)
            self.trace = self.trace_step(v[row], fired[row], self.trace)
        return self.s[:rows]

    def pass_ends(self) -> bool:
        return self.time_step % self.num_steps == 0

    def step(self, v: np.ndarray, fired: np.ndarray, current: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
        """``(v, s)`` after one step from ``(v, s)`` on ``current``."""
        raise NotImplementedError

    def trace_step(self, v: np.ndarray, fired: np.ndarray,
                   trace: tuple[np.ndarray, np.ndarray] | None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The slope trace ``(m, total)`` after the step that gave row 0's ``(v, s)``
        (``None``: the pass begins, ``m = 1``, ``total = 0``)."""
        raise NotImplementedError


@implements(proc=LIFLayer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLIFLayerFloat(LIFLayerModel, RowNeuronModelFloat):
    """float64 LIF (:func:`astrolava.mgd.equations.lif_step`)."""

    v: np.ndarray = LavaPyType(np.ndarray, float)
    s: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.spec = eq.NetworkSpec(spiking=True, beta=self.beta, threshold=self.threshold)

    def step(self, v, fired, current):
        return eq.lif_step(self.spec, v, fired, current)

    def trace_step(self, v, fired, trace):
        m, total = (np.ones(v.shape), np.zeros(v.shape)) if trace is None else trace
        return eq.slope_trace_step(self.spec, v, fired, m, total)

    def slope(self):
        """``ρ = total / T`` (:func:`astrolava.mgd.equations.neuron_response`)."""
        return self.trace[1] / self.num_steps


@implements(proc=LIFLayer, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLIFLayerFixed(LIFLayerModel, RowNeuronModelFixed):
    """Integer LIF (:func:`astrolava.fixed_point.lif_step_reset_next`): ``a_in`` Z_FRAC currents,
    ``v`` 24-bit Z_FRAC, β on 12 bits, 0/1 spikes."""

    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=fx.STATE_BITS)
    s: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=fx.STATE_BITS)

    loihi_operations = ("LIF with Loihi's 12-bit decay, reset to zero at the step after a spike "
                        "(Loihi's fixed-function LIF resets in the same step) and at the start "
                        "of every pass",)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.beta_q, self.threshold_q = fx.lif_constants(self.beta, self.threshold)

    def step(self, v, fired, current):
        return lif_step_reset_next(v.astype(np.int64), fired.astype(np.int64),
                                   np.asarray(current, dtype=np.int64), self.beta_q,
                                   self.threshold_q)

    def trace_step(self, v, fired, trace):
        m, total = (np.full(v.shape, 1 << fx.A_FRAC, dtype=np.int64),
                    np.zeros(v.shape, dtype=np.int64)) if trace is None else trace
        return fx.slope_trace_step(v, fired, m, total, self.beta_q, self.threshold_q)

    def slope(self):
        """A_FRAC ``ρ`` (:func:`astrolava.mgd.fixed.rate_slope`)."""
        return fx.rate_slope(self.trace[1], self.num_steps)
