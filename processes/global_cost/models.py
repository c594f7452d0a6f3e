"""Process models of :class:`GlobalCost`: floating_pt (float64) and fixed_pt (Loihi integers,
the arithmetic of :mod:`astrolava.mgd.fixed`)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.global_cost.process import GlobalCost
from astrolava.processes.probe_rows import recv_rows
from astrolava.processes.tripartite_synapse.process import sample_steps
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx


class GlobalCostModel(PyLoihiProcessModel):
    """Schedule shared by both models (see :class:`GlobalCost`); subclasses implement
    :meth:`costs`, :meth:`differences`, :meth:`coefficient`, :meth:`real` and
    :meth:`output_delta`."""

    dtype: type = np.float64
    """Element type of the ``delta_new_out`` and ``k_out`` messages."""
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    n_samples: np.ndarray = LavaPyType(np.ndarray, int)
    n_correct: np.ndarray = LavaPyType(np.ndarray, int)
    cost0: np.ndarray = LavaPyType(np.ndarray, float)
    delta_cost: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.n_neurons: int = proc_params["n_neurons"]
        self.loss: str = proc_params["loss"]
        self.epsilon: float = proc_params["epsilon"]
        self.gamma: float = proc_params["gamma"]
        self.fd_step: float = proc_params["fd_step"]
        self.eta: float = proc_params["eta"]
        self.num_steps: int = proc_params["num_steps"]
        self.spiking: bool = proc_params["spiking"]
        self.chain: bool = proc_params["chain"]
        self.slope: np.ndarray | None = None  # chain, spiking: the output rate slope
        self.prediction = 0
        self.cost0_q = 0  # C0 of the sample in the model's own units
        self.total: np.ndarray | None = None  # output rows summed over the pass

    def run_spk(self) -> None:
        rows = recv_rows(self.out_in, self.probe_in)  # the pass, and probe rows if sent
        y = eq.check_label(self.label_in.recv()[0], rows.shape[1])
        n, steps = self.n_neurons, self.num_steps
        phase = (self.time_step - 1) % sample_steps(steps)
        if phase % steps == 0:
            self.total = np.array(rows)
        elif len(rows) != len(self.total):
            raise ValueError(f"GlobalCost: {len(rows)} output rows in step {phase % steps} of "
                             f"a pass that began with {len(self.total)}; the probe flag must "
                             "stay the same for all T steps of a pass")
        else:
            self.total = self.total + rows
        delta_new, k = np.zeros(n, dtype=self.dtype), np.zeros(2, dtype=self.dtype)
        result = np.zeros(3)
        if phase == steps - 1:  # end of the clean pass: C0 and the probe gradients
            readout = self.readout(self.total)
            costs = self.costs(readout, y)
            self.cost0_q = costs[0]
            self.cost0[0] = self.real(costs[0])
            self.n_samples[0] += 1
            self.prediction = int(np.argmax(readout[0]))
            self.n_correct[0] += int(self.prediction == y)
            if len(costs) > 1:
                delta_new = self.differences(costs[1:1 + n], costs[1 + n:])
            if self.chain:
                slope = self.slope_in.recv() if self.spiking else None
                self.error_out.send(self.output_delta(readout[0], y, slope))
        elif phase == 2 * steps - 1:  # end of the perturbed pass: ΔC and k
            if self.chain and self.spiking:
                self.slope_in.recv()  # the output neurons send it at the end of every pass
            delta_cost = self.costs(self.readout(self.total)[0], y) - self.cost0_q
            self.delta_cost[0] = self.real(delta_cost)
            k = np.array(self.coefficient(delta_cost, self.cost0_q), dtype=self.dtype)
            result = np.array([self.prediction, self.cost0[0], self.delta_cost[0]])
        self.delta_new_out.send(delta_new)
        self.k_out.send(k)
        self.result_out.send(result)

    def readout(self, total: np.ndarray) -> np.ndarray:
        """Outputs of a pass from its rows summed over the T steps: ``total / T`` (the
        output itself for T = 1, firing rates for spikes)."""
        raise NotImplementedError

    def costs(self, out: np.ndarray, y: int) -> np.ndarray:
        """Cost of each output row (or of one output vector)."""
        raise NotImplementedError

    def differences(self, cost_plus: np.ndarray, cost_minus: np.ndarray) -> np.ndarray:
        """Node-perturbation bias gradients ``(C(b+h) − C(b−h))/2h``."""
        raise NotImplementedError

    def coefficient(self, delta_cost, cost0) -> tuple:
        """Third factor ``k`` as ``(m, f)``, ``k = m·2**-f``."""
        raise NotImplementedError

    def real(self, cost) -> float:
        """A cost in real units."""
        raise NotImplementedError

    def output_delta(self, out: np.ndarray, y: int, slope: np.ndarray | None) -> np.ndarray:
        """``δ_L = e ⊙ f'(z_L)`` of the outputs ``out`` of the clean pass: ``f' = 1 − o²``
        (rate, tanh output) or the output neurons' rate slope ``slope`` (spiking)."""
        raise NotImplementedError


@implements(proc=GlobalCost, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGlobalCostFloat(GlobalCostModel):
    """float64 cost: C0, probe gradients, ΔC and the third factor ``k = ΔC·w/ε²`` sent as
    ``(k, 0)`` (the synapses apply η)."""

    out_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_new_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    k_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    error_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    slope_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)

    def readout(self, total):
        return total / self.num_steps

    def costs(self, out, y):
        return eq.sample_cost(out, y, self.loss)

    def differences(self, cost_plus, cost_minus):
        return eq.central_difference(cost_plus, cost_minus, self.fd_step)

    def coefficient(self, delta_cost, cost0):
        return eq.update_coefficient(float(delta_cost), float(cost0), self.epsilon,
                                     self.gamma), 0

    def real(self, cost):
        return float(cost)

    def output_delta(self, out, y, slope):
        return eq.output_error(out, y, self.loss) * (eq.tanh_slope(out) if slope is None
                                                     else slope)


@implements(proc=GlobalCost, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGlobalCostFixed(GlobalCostModel):
    """The cost on Loihi integers (formats of :mod:`astrolava.mgd.fixed`).

    * ``out_in``: A_FRAC graded outputs (24 bit); costs ``C = 1/2 Σ (o − t)²`` as 24-bit
      C_FRAC integers (:func:`~astrolava.mgd.fixed.sample_cost`; ``loss="mse"`` only);
    * ``delta_new_out``: central differences with the step rounded to ``h = 2**k`` on the
      Z_FRAC grid, so ``/2h`` is a shift (D_FRAC, 24 bit,
      :func:`~astrolava.mgd.fixed.cost_differences`);
    * ``k_out = (m, f)``: ``k = (η/ε²)·ΔC·w`` with ``w = γ·C0`` (or 1) as a 16-bit mantissa
      and a shift (:func:`~astrolava.mgd.fixed.learning_coefficient`; η is folded in
      here, like a learning engine's single coefficient);
    * the ``cost0`` / ``delta_cost`` Vars and ``result_out`` carry real values
      (``C_q / 2**C_FRAC``).
    """

    dtype = np.int64
    out_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    delta_new_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32,
                                          precision=fx.STATE_BITS)
    k_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    error_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    slope_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)

    loihi_formats = {"cost0": (fx.STATE_BITS, fx.C_FRAC), "delta_cost": (fx.STATE_BITS, fx.C_FRAC),
                     "n_samples": (fx.STATE_BITS, 0), "n_correct": (fx.STATE_BITS, 0)}
    """Integer formats the real-valued mirror Vars stand for."""
    loihi_operations = ("squared error on 24-bit integers", "arg-max",
                        "central differences with power-of-two step",
                        "mantissa-shift product (learning coefficient)")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        if self.loss != "mse":
            raise ValueError(f"loss={self.loss!r}: the fixed_pt cost supports 'mse' only")
        self.rate, self.gamma_q = fx.coefficient_constants(self.eta, self.epsilon, self.gamma)

    def readout(self, total):
        """A_FRAC outputs: graded ones as they are, spikes as the A_FRAC rate
        (:func:`~astrolava.mgd.fixed.step_mean`)."""
        return fx.step_mean(np.asarray(total, dtype=np.int64), fx.A_FRAC if self.spiking else 0,
                            self.num_steps)

    def costs(self, out, y):
        return fx.sample_cost(out, y)

    def differences(self, cost_plus, cost_minus):
        return fx.cost_differences(cost_plus, cost_minus, self.fd_step)

    def coefficient(self, delta_cost, cost0):
        return fx.learning_coefficient(int(delta_cost), int(cost0), self.rate, self.gamma_q)

    def real(self, cost):
        return int(cost) / 2.0 ** fx.C_FRAC

    def output_delta(self, out, y, slope):
        """D_FRAC integers (:func:`~astrolava.mgd.fixed.error_delta`)."""
        slope = fx.tanh_slope(out) if slope is None else np.asarray(slope, dtype=np.int64)
        return fx.error_delta(fx.output_error(out, y), slope)
