"""Interface of the graded tanh neuron process."""

from __future__ import annotations

import numpy as np
from astrolava.processes.probe_rows import row_ports
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.fixed_point import STATE_BITS

DEFAULT_IN_FRAC_BITS = 12
"""Fractional bits of ``a_in`` and of the rounded bias in the fixed_pt model (tanh LUT step)."""
DEFAULT_OUT_FRAC_BITS = 12
"""Fractional bits of the state ``n`` and of the graded spike payload in the fixed_pt model."""
LEAK_FRAC_BITS = 12
"""The fixed_pt model holds the leak as a 12-bit fraction (like Loihi's 12-bit decay constants)."""


class GradedTanh(AbstractProcess):
    """Layer of graded (rate) neurons with a tanh nonlinearity and an optional leak.

    Each time step, for input ``a_in`` (the summed synaptic input of the step)::

        n[t] = leak * n[t-1] + (1 - leak) * tanh(a_in[t] + bias)
        s_out[t] = n[t]           (a graded spike carrying the rate)

    With ``leak = 0`` (default) this is the memoryless tanh unit of a rate-coded MLP
    (δ-MGD paper §VI, ``a_l = tanh(W_l a_{l-1} + b_l)``); with ``0 < leak < 1`` it is the leaky
    echo-state node of rhythmic sharing (Kang & Losert, arXiv:2502.08644:
    ``n(t+1) = λ n(t) + (1 - λ) tanh(...)``, ``astrolava.rhythmic.equations.node_update``).

    Parameters
    ----------
    shape : tuple of int
        Number (and layout) of neurons.
    bias : float or numpy.ndarray
        Bias added to the input before tanh, in real units (broadcast to ``shape``).
    leak : float in [0, 1)
        Leak λ of the state ``n`` (which starts at 0).
    in_frac_bits : int in 0..20
        fixed_pt only: ``a_in`` arrives as an integer with this many fractional bits, and
        the bias is rounded to the same grid; the tanh lookup table is indexed on it.
    out_frac_bits : int in 0..22
        fixed_pt only: the state ``n`` and the graded spike are integers with this many
        fractional bits (tanh in [-1, 1] then fits Loihi's 24-bit payload).
    n_probes : int >= 0
        With ``n_probes > 0`` (the hierarchical ``DeltaMGDNetwork``; ``shape = (n,)``,
        ``leak = 0``) the layer has ``1 + n_probes`` rows (the pass and the node-perturbation
        probes) that arrive and leave as row messages
        (:mod:`astrolava.processes.probe_rows`): row 0 and a flag on ``a_in`` / ``s_out``
        every step, the probe rows on ``probe_in`` / ``probe_out`` only when the flag is
        set; only the rows received are computed. 0: plain ports of ``shape``.
    slopes : bool
        With ``leak = 0``: also send ``f'(z) = 1 − n²`` of row 0 on ``slope_out`` every step
        (the slope a chain-DeltaVec synapse applies locally; fixed_pt on ``out_frac_bits``).
    name : str, optional

    Notes
    -----
    The floating_pt model uses float64 throughout. The fixed_pt model keeps ``n`` as a
    saturated 24-bit integer (``astrolava.fixed_point.STATE_BITS``), evaluates tanh by
    ``astrolava.fixed_point.tanh_table(in_frac_bits, out_frac_bits)`` and the leak with a
    12-bit fraction; ``bias`` and ``leak`` Vars stay in real units and are quantized inside the
    model each step, so ``Var.set`` works the same for both models.
    """

    def __init__(self, *, shape: tuple[int, ...], bias: float | np.ndarray = 0.0,
                 leak: float = 0.0,
                 in_frac_bits: int = DEFAULT_IN_FRAC_BITS,
                 out_frac_bits: int = DEFAULT_OUT_FRAC_BITS, n_probes: int = 0,
                 slopes: bool = False, name: str | None = None) -> None:
        # AbstractProcess must be initialised before anything can raise (its __del__ needs it)
        super().__init__(shape=shape, in_frac_bits=int(in_frac_bits),
                         out_frac_bits=int(out_frac_bits), n_probes=int(n_probes),
                         slopes=bool(slopes), name=name)
        shape = _check_shape(shape)
        if not 0.0 <= float(leak) < 1.0:
            raise ValueError(f"leak={leak} must lie in [0, 1)")
        if int(n_probes) != n_probes or n_probes < 0 or (n_probes and (len(shape) != 1
                                                                      or leak != 0)):
            raise ValueError(f"n_probes={n_probes} must be an integer >= 0, and 0 unless "
                             f"shape={shape} is (n,) and leak={leak} is 0")
        if slopes and (len(shape) != 1 or leak != 0):
            raise ValueError(f"slopes=True needs shape=(n,) (got {shape}) and leak=0 (got {leak})")
        if not 0 <= int(in_frac_bits) <= 20:
            raise ValueError(f"in_frac_bits={in_frac_bits} must lie in 0..20")
        if not 0 <= int(out_frac_bits) <= STATE_BITS - 2:
            raise ValueError(f"out_frac_bits={out_frac_bits} must lie in 0..{STATE_BITS - 2}")
        self.proc_params.overwrite("shape", shape)
        bias = _broadcast("bias", bias, shape)
        self.a_in, self.probe_in, self.s_out, self.probe_out, state = row_ports(shape, n_probes)
        self.slope_out = OutPort(shape=shape[-1:])
        self.bias = Var(shape=shape, init=bias)
        self.leak = Var(shape=(1,), init=np.array([float(leak)]))
        self.n = Var(shape=state, init=0)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the neuron layer."""
        return self.proc_params["shape"]


def _check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    if len(shape) == 0 or min(shape) < 1:
        raise ValueError(f"shape={shape} must be a non-empty tuple of sizes >= 1")
    return shape


def _broadcast(parameter: str, value: float | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    try:
        value = np.broadcast_to(value, shape).copy()
    except ValueError as e:
        raise ValueError(f"{parameter} has shape {value.shape}; it must broadcast to {shape}") \
            from e
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{parameter} must be finite (found NaN or inf)")
    return value
