"""Process models of :class:`GradedTanh`: floating_pt (float64) and fixed_pt (24-bit integers)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.graded_neuron.process import LEAK_FRAC_BITS, GradedTanh
from astrolava.processes.probe_rows import (
    RowNeuronModel,
    RowNeuronModelFixed,
    RowNeuronModelFloat,
)
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import (
    STATE_BITS,
    saturate,
    shift_right_round,
    tanh_table,
    to_fixed,
)
from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx


class GradedTanhModel(RowNeuronModel):
    """Schedule shared by both models: update the state rows received, send them."""

    bias: np.ndarray = LavaPyType(np.ndarray, float)
    leak: np.ndarray = LavaPyType(np.ndarray, float)

    def respond(self, a: np.ndarray) -> np.ndarray:
        rows = len(a)  # all rows, or those received
        self.n[:rows] = self.step(self.n[:rows], a)
        return self.n[:rows]

    def step(self, n: np.ndarray, a: np.ndarray) -> np.ndarray:
        """The new state ``n`` from the old one and the input rows ``a``."""
        raise NotImplementedError


@implements(proc=GradedTanh, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGradedTanhModelFloat(GradedTanhModel, RowNeuronModelFloat):
    """``n = leak * n + (1 - leak) * tanh(a_in + bias)`` in float64; sends ``n``."""

    n: np.ndarray = LavaPyType(np.ndarray, float)

    def step(self, n, a):
        leak = self.leak[0]
        return leak * n + (1.0 - leak) * np.tanh(a + self.bias)

    def slope(self):
        """``1 − n²`` (:func:`astrolava.mgd.equations.tanh_slope`)."""
        return eq.tanh_slope(self.n[0] if self.flagged else self.n)


@implements(proc=GradedTanh, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGradedTanhModelFixed(GradedTanhModel, RowNeuronModelFixed):
    """The same update on integers, as a Loihi 2 microcode neuron would compute it.

    Scaling (``Fi = in_frac_bits``, ``Fo = out_frac_bits``, ``FL = LEAK_FRAC_BITS = 12``):

    * ``a_in`` is an integer ``round(a * 2**Fi)``; the real-valued ``bias`` Var is rounded to
      the same grid here, and the sum saturates at 24 bits;
    * ``tanh`` is the lookup table ``tanh_table(Fi, Fo)``: integer in (Fi bits) -> integer out
      (Fo bits), clamped beyond ``|z| = 8``;
    * the leak is ``leak_q = round(leak * 2**FL)`` and the update is
      ``n = (leak_q * n + (2**FL - leak_q) * tanh_q + 2**(FL-1)) >> FL`` (round half up),
      saturated to 24 bits; ``n`` and the graded spike carry Fo fractional bits.
    """

    n: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=STATE_BITS)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.in_frac_bits: int = proc_params["in_frac_bits"]
        self.out_frac_bits: int = proc_params["out_frac_bits"]
        self.tanh = tanh_table(self.in_frac_bits, proc_params["out_frac_bits"])

    def step(self, n, a):
        """``n = tanh_q(sat(a + b_q))``; with ``leak_q = 0`` exactly that (no mixing needed)."""
        drive = self.tanh(saturate(a.astype(np.int64) + to_fixed(self.bias, self.in_frac_bits)))
        leak_q = int(to_fixed(self.leak[0], LEAK_FRAC_BITS))
        if leak_q:
            mixed = leak_q * n.astype(np.int64) + ((1 << LEAK_FRAC_BITS) - leak_q) * drive
            drive = saturate(shift_right_round(mixed, LEAK_FRAC_BITS))
        return drive

    def slope(self):
        """``1 − n²`` on ``out_frac_bits`` (:func:`astrolava.mgd.fixed.tanh_slope`)."""
        return fx.tanh_slope(self.n[0] if self.flagged else self.n, self.out_frac_bits)
