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

from astrolava.fixed_point import STATE_BITS, quantize_weights
from astrolava.rhythmic.equations import cos_sin, recurrent_input
from astrolava.rhythmic.fixed import recurrent_input_fixed

OUT_FRAC_BITS = 12
"""Fractional bits of ``a_out`` in the fixed_pt model (``GradedTanh``'s ``in_frac_bits``)."""


@implements(proc=OscillatingDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyOscillatingDenseModelFloat(PyLoihiProcessModel):
    """float64: ``a = Σ A_ℓ·M(φ_ℓ)·n[cols[ℓ]]`` by ``astrolava.rhythmic.recurrent_input``.

    The reference reservoir's compiled loop calls the same function.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    phase_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    m: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.graph = proc_params["graph"]
        self.a_buf = np.zeros(self.graph.n_nodes)

    def run_spk(self) -> None:
        self.a_out.send(self.a_buf)
        activity, phases = self.s_in.recv(), self.phase_in.recv()
        _, sin_phi = cos_sin(phases)  # the reference's sin φ, to the last bit
        self.a_buf = recurrent_input(activity, sin_phi, self.graph.rows, self.graph.cols,
                                     self.weights, self.m[0])


@implements(proc=OscillatingDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyOscillatingDenseModelFixed(PyLoihiProcessModel):
    """Integers: 8-bit weight mantissa × M (16 fractional bits, sine table) × activity.

    Activity has ``in_frac_bits`` fractional bits (12 for graded activity, 0 for spikes).

    ``astrolava.rhythmic.fixed.recurrent_input_fixed`` sums the exact int64 products, which
    carry ``16 + in_frac_bits − weight_exp`` fractional bits, and shifts them right (rounding) to
    ``OUT_FRAC_BITS`` = 12, saturating at 24 bits.
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    phase_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    m: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.graph = proc_params["graph"]
        self.in_frac_bits = proc_params["in_frac_bits"]
        self.a_buf = np.zeros(self.graph.n_nodes, dtype=np.int64)

    def run_spk(self) -> None:
        self.a_out.send(self.a_buf)
        activity, phases = self.s_in.recv(), self.phase_in.recv()
        quantized = quantize_weights(self.weights)
        self.a_buf = recurrent_input_fixed(activity, phases, self.graph.rows, self.graph.cols,
                                           quantized.mantissa, quantized.weight_exp,
                                           self.m[0], OUT_FRAC_BITS, self.in_frac_bits)
