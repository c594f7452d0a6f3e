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

from astrolava.fixed_point import (
    ACTIVITY_FRAC_BITS,
    SERIES_FRAC_BITS,
    STATE_BITS,
    quantize_weights,
    saturate,
    scale_pow2,
    to_fixed,
)


class AbstractPySeriesInputModel(PyLoihiProcessModel):
    """The Vars both precisions share (real units) and the sample of the current time step."""

    data: np.ndarray = LavaPyType(np.ndarray, float)
    w_in: np.ndarray = LavaPyType(np.ndarray, float)

    def sample(self) -> np.ndarray:
        """u[(t − 1) mod T] at time step t (1-based): the series repeats after T steps."""
        return self.data[(self.time_step - 1) % len(self.data)]


@implements(proc=SeriesInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySeriesInputModelFloat(AbstractPySeriesInputModel):
    """float64 ``W_in @ u``."""

    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.a_out.send(self.w_in @ self.sample())


@implements(proc=SeriesInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySeriesInputModelFixed(AbstractPySeriesInputModel):
    """Integers: ``mantissa @ u_q`` (u_q with 12 fractional bits) rescaled, saturated.

    W_in = mantissa·2**weight_exp, so ``mantissa @ u_q`` has ``SERIES_FRAC_BITS − weight_exp``
    fractional bits and is scaled by ``2**(ACTIVITY_FRAC_BITS + weight_exp − SERIES_FRAC_BITS)``
    (a rounding right shift when the exponent is negative) to ``ACTIVITY_FRAC_BITS`` = 12, the
    input format of the reservoir's fixed_pt nodes.
    """

    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)

    def run_spk(self) -> None:
        quantized = quantize_weights(self.w_in)
        total = quantized.mantissa.astype(np.int64) @ to_fixed(self.sample(), SERIES_FRAC_BITS)
        self.a_out.send(saturate(scale_pow2(total, ACTIVITY_FRAC_BITS + quantized.weight_exp
                                            - SERIES_FRAC_BITS)))
