"""Process models of :class:`OscillatingDense`: floating_pt and fixed_pt."""

from __future__ import annotations

import numpy as np
from astrolava.processes.oscillating_dense.process import OscillatingDense
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import ACTIVITY_FRAC_BITS, STATE_BITS, quantize_weights
from astrolava.rhythmic.equations import cos_sin, recurrent_input
from astrolava.rhythmic.fixed import recurrent_input_fixed


class AbstractPyOscillatingDenseModel(PyLoihiProcessModel):
    """The Vars both precisions share (real units) and the step: send the input accumulated in
    the previous step, receive activity and phases, accumulate (:meth:`accumulate`)."""

    weights: np.ndarray = LavaPyType(np.ndarray, float)
    m: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict, dtype: type) -> None:
        super().__init__(proc_params)
        self.graph = proc_params["graph"]
        self.a_buf = np.zeros(self.graph.n_nodes, dtype=dtype)

    def run_spk(self) -> None:
        self.a_out.send(self.a_buf)
        self.a_buf = self.accumulate(self.s_in.recv(), self.phase_in.recv())

    def accumulate(self, activity: np.ndarray, phases: np.ndarray) -> np.ndarray:
        """Input of every node through the modulated links, as ``a_out`` sends it."""
        raise NotImplementedError


@implements(proc=OscillatingDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyOscillatingDenseModelFloat(AbstractPyOscillatingDenseModel):
    """float64: ``a = Σ A_ℓ·M(φ_ℓ)·n[cols[ℓ]]`` by ``astrolava.rhythmic.recurrent_input``.

    The reference reservoir's compiled loop calls the same function.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    phase_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params, np.float64)

    def accumulate(self, activity: np.ndarray, phases: np.ndarray) -> np.ndarray:
        # contiguous float64 arrays: the compiled specialisations the reference runs
        _, sin_phi = cos_sin(np.ascontiguousarray(phases, dtype=np.float64))
        return recurrent_input(np.ascontiguousarray(activity, dtype=np.float64), sin_phi,
                               self.graph.rows, self.graph.cols, self.weights, self.m[0])


@implements(proc=OscillatingDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyOscillatingDenseModelFixed(AbstractPyOscillatingDenseModel):
    """Integers: 8-bit weight mantissa × M (16 fractional bits, sine table) × activity.

    Activity has ``in_frac_bits`` fractional bits (12 for graded activity, 0 for spikes).

    ``astrolava.rhythmic.fixed.recurrent_input_fixed`` sums the exact int64 products, which
    carry ``16 + in_frac_bits − weight_exp`` fractional bits, and shifts them right (rounding) to
    ``ACTIVITY_FRAC_BITS`` = 12, the input format of the reservoir's fixed_pt nodes, saturating
    at 24 bits.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    phase_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params, np.int64)
        self.in_frac_bits = proc_params["in_frac_bits"]

    def accumulate(self, activity: np.ndarray, phases: np.ndarray) -> np.ndarray:
        quantized = quantize_weights(self.weights)
        return recurrent_input_fixed(activity, phases, self.graph.rows, self.graph.cols,
                                     quantized.mantissa, quantized.weight_exp, self.m[0],
                                     ACTIVITY_FRAC_BITS, self.in_frac_bits)
