"""Row messages of the hierarchical δ-MGD graph: the pass every step, the probe rows only
when they are used.

A layer's output in the graph is the pass (row 0) and, in the clean pass of a sample whose
DeltaVec the astrocyte refreshes, the ``P − 1 = 2·N`` node-perturbation probe rows. Row 0
travels every step on a port of shape ``(n + 1,)`` whose last element is a flag, 1 when the
probe rows follow in the same step on a second port of shape ``(P − 1, n)``, else 0; the
probe port is silent otherwise, so a step without probes sends and computes one row.

A neuron layer built with ``n_probes = 0`` keeps plain ports of its own shape instead
(``flagged=False`` below; its probe ports are unconnected placeholders).

Side-effect free (kept out of the process folders, whose files Lava's model discovery runs).
"""

from __future__ import annotations

import numpy as np
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort, OutPort

from astrolava.fixed_point import STATE_BITS


def row_ports(shape: tuple[int, ...], n_probes: int
              ) -> tuple[InPort, InPort, OutPort, OutPort, tuple[int, ...]]:
    """``(a_in, probe_in, s_out, probe_out, state shape)`` of a neuron layer of ``shape``:
    row messages with ``n_probes > 0`` (``shape = (n,)``, state ``(1 + n_probes, n)``), plain
    ports of ``shape`` otherwise (probe ports ``(1, 1)``, unused)."""
    if not n_probes:
        return InPort(shape=shape), InPort(shape=(1, 1)), OutPort(shape=shape), \
            OutPort(shape=(1, 1)), shape
    n = shape[0]
    return InPort(shape=(n + 1,)), InPort(shape=(n_probes, n)), OutPort(shape=(n + 1,)), \
        OutPort(shape=(n_probes, n)), (1 + n_probes, n)


def recv_rows(a_in: PyInPort, probe_in: PyInPort, flagged: bool = True) -> np.ndarray:
    """The rows of one step (:func:`send_rows`): (1, n), or (P, n) when the flag is set;
    unflagged, ``a_in``'s message as it is."""
    message = a_in.recv()
    if not flagged:
        return message
    row = message[None, :-1]
    return np.concatenate([row, probe_in.recv()]) if message[-1] else row


def send_rows(out: PyOutPort, probe_out: PyOutPort, rows: np.ndarray,
              flagged: bool = True) -> None:
    """Send row 0 of ``rows`` (1 or P rows) with the flag ``P > 1`` on ``out`` and, if set,
    rows ``1..P−1`` on ``probe_out``; unflagged, ``rows`` as they are on ``out``."""
    if not flagged:
        out.send(rows)
        return
    out.send(np.append(rows[0], len(rows) > 1))
    if len(rows) > 1:
        probe_out.send(rows[1:])


class RowNeuronModel(PyLoihiProcessModel):
    """A neuron layer's step on row messages: receive the step's rows (:func:`recv_rows`),
    :meth:`respond` to them, send the response (:func:`send_rows`) and, with ``slopes``, the
    slope ``f'(z)`` of row 0 at the end of a pass (:meth:`slope`). Subclasses declare the
    ports ``a_in``, ``probe_in``, ``s_out``, ``probe_out``, ``slope_out``; the process passes
    ``n_probes`` and ``slopes``."""

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.flagged: bool = proc_params["n_probes"] > 0
        self.slopes: bool = proc_params["slopes"]

    def run_spk(self) -> None:
        rows = recv_rows(self.a_in, self.probe_in, self.flagged)
        send_rows(self.s_out, self.probe_out, self.respond(rows), self.flagged)
        if self.slopes and self.pass_ends():
            self.slope_out.send(self.slope())

    def pass_ends(self) -> bool:
        """This step is the last of a pass (every step of a memoryless layer)."""
        return True

    def slope(self) -> np.ndarray:
        """``f'(z)`` of row 0 over the pass that ends in this step."""
        raise NotImplementedError

    def respond(self, rows: np.ndarray) -> np.ndarray:
        """The layer's output rows for input rows ``(P, n)`` (all rows, or those received)."""
        raise NotImplementedError


class RowNeuronModelFloat(RowNeuronModel):
    """:class:`RowNeuronModel` with float64 row ports."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    probe_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    slope_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)


class RowNeuronModelFixed(RowNeuronModel):
    """:class:`RowNeuronModel` with 24-bit integer row ports."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    probe_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    slope_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
