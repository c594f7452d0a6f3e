"""Process model of :class:`GlobalCost` (floating_pt)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.global_cost.process import GlobalCost
from astrolava.processes.tripartite_synapse.process import STEPS_PER_SAMPLE
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd_numpy import equations as eq


@implements(proc=GlobalCost, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGlobalCostFloat(PyLoihiProcessModel):
    """float64 cost: C0, probe gradients, ΔC and the third factor k."""

    out_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_new_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    k_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    n_samples: np.ndarray = LavaPyType(np.ndarray, int)
    n_correct: np.ndarray = LavaPyType(np.ndarray, int)
    cost0: np.ndarray = LavaPyType(np.ndarray, float)
    delta_cost: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.n_neurons: int = proc_params["n_neurons"]
        self.prediction = 0
        self.loss: str = proc_params["loss"]
        self.epsilon: float = proc_params["epsilon"]
        self.gamma: float = proc_params["gamma"]
        self.fd_step: float = proc_params["fd_step"]

    def run_spk(self) -> None:
        out = self.out_in.recv()
        y = eq.check_label(self.label_in.recv()[0], out.shape[1])
        if (self.time_step - 1) % STEPS_PER_SAMPLE == 0:
            costs = eq.sample_cost(out, y, self.loss)
            self.cost0[0] = costs[0]
            self.n_samples[0] += 1
            self.prediction = int(np.argmax(out[0]))
            self.n_correct[0] += int(self.prediction == y)
            n = self.n_neurons
            self.delta_new_out.send((costs[1:1 + n] - costs[1 + n:]) / (2 * self.fd_step))
            self.k_out.send(np.zeros(1))
            self.result_out.send(np.zeros(3))
            return
        self.delta_new_out.send(np.zeros(self.n_neurons))
        self.delta_cost[0] = float(eq.sample_cost(out[0], y, self.loss)) - self.cost0[0]
        k = eq.update_coefficient(self.delta_cost[0], self.cost0[0], self.epsilon, self.gamma)
        self.k_out.send(np.array([k]))
        self.result_out.send(np.array([self.prediction, self.cost0[0], self.delta_cost[0]]))
