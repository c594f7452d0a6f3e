"""Interface of the series input of a reservoir."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var


class SeriesInput(AbstractProcess):
    """Sends ``a_out = W_in · u[(t − 1) mod T]`` at time step t (1-based), from inside the model.

    The whole series lives in the process, so no host ``Var.set`` is needed per step; it
    repeats after T steps.

    Parameters
    ----------
    data : numpy.ndarray
        The series u, shape ``(T, d)``, finite.
    w_in : numpy.ndarray
        Input matrix, shape ``(N, d)``.
    name : str, optional

    Ports and Vars
    --------------
    a_out : OutPort (N,)
        Input current of the N nodes (fixed_pt: 12 fractional bits: u is rounded to 12
        fractional bits, W_in to an 8-bit mantissa and shared exponent, the product shifted).
    data : Var (T, d)
    w_in : Var (N, d)
    """

    def __init__(self, *, data: np.ndarray, w_in: np.ndarray, name: str | None = None) -> None:
        super().__init__(name=name)
        data, w_in = np.asarray(data, dtype=float), np.asarray(w_in, dtype=float)
        if data.ndim != 2 or len(data) == 0:
            raise ValueError(f"data must have shape (T, d) with T >= 1; got {data.shape}")
        if w_in.ndim != 2 or w_in.shape[1] != data.shape[1]:
            raise ValueError(f"w_in has shape {w_in.shape}; expected (N, d={data.shape[1]})")
        if not (np.all(np.isfinite(data)) and np.all(np.isfinite(w_in))):
            raise ValueError("data and w_in must be finite (found NaN or inf)")
        self.a_out = OutPort(shape=(w_in.shape[0],))
        self.data = Var(shape=data.shape, init=data)
        self.w_in = Var(shape=w_in.shape, init=w_in)
