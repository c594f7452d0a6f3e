"""Process models of :class:`SeriesInput`: floating_pt and fixed_pt."""

from __future__ import annotations

import numpy as np
from astrolava.processes.series_input.process import SeriesInput
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import STATE_BITS, quantize_weights, saturate, scale_pow2, to_fixed

DATA_FRAC_BITS = 12
"""Fractional bits of u in the fixed_pt model."""
OUT_FRAC_BITS = 12
"""Fractional bits of ``a_out`` in the fixed_pt model (``GradedTanh``'s ``in_frac_bits``)."""


@implements(proc=SeriesInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySeriesInputModelFloat(PyLoihiProcessModel):
    """float64 ``W_in @ u``."""

    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)
    w_in: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.a_out.send(self.w_in @ self.data[(self.time_step - 1) % len(self.data)])


@implements(proc=SeriesInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySeriesInputModelFixed(PyLoihiProcessModel):
    """Integers: ``(mantissa @ u_q) << weight_exp`` (u_q with 12 fractional bits), saturated.

    W_in = mantissa·2**weight_exp, so ``mantissa @ u_q`` has ``12 − weight_exp`` fractional
    bits and is shifted right by ``DATA_FRAC_BITS − weight_exp − OUT_FRAC_BITS`` (rounding).
    """

    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    data: np.ndarray = LavaPyType(np.ndarray, float)
    w_in: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        quantized = quantize_weights(self.w_in)
        u_q = to_fixed(self.data[(self.time_step - 1) % len(self.data)], DATA_FRAC_BITS)
        total = quantized.mantissa.astype(np.int64) @ u_q
        self.a_out.send(saturate(scale_pow2(total, OUT_FRAC_BITS + quantized.weight_exp
                                            - DATA_FRAC_BITS)))
