"""Process model of :class:`TripartiteSynapse` (floating_pt)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.tripartite_synapse.process import STEPS_PER_SAMPLE, TripartiteSynapse
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

REFRESH, LEARN = 2, 1
"""Flags sent by the astrocyte after the DeltaVec (0: evaluate only)."""


@implements(proc=TripartiteSynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyTripartiteSynapseFloat(PyLoihiProcessModel):
    """float64 synapse: dense current, local θ̃ = u ⊗ v, three-factor update."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    k_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    z_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    norm_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    pre_trace: np.ndarray = LavaPyType(np.ndarray, float)
    theta_post: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.n_probes: int = proc_params["n_probes"]
        self.offset: int = proc_params["neuron_offset"]
        self.n_neurons: int = proc_params["n_neurons"]
        self.layer: int = proc_params["layer_index"]
        self.fd_step: float = proc_params["fd_step"]
        self.eta: float = proc_params["eta"]
        self.decay: float = proc_params["weight_decay"]
        self.vector_input: bool = proc_params["vector_input"]
        self.flag = 0

    def _phase(self) -> int:
        return (self.time_step - 1) % STEPS_PER_SAMPLE

    def run_spk(self) -> None:
        message = self.delta_in.recv()
        self.flag = int(message[-1])
        a = self.a_in.recv()
        n_out = self.weights.shape[0]
        z = np.zeros((self.n_probes + 1, n_out))
        clean = a if self.vector_input else a[0]
        norm = np.zeros(self.norm_out.shape)
        if self._phase() == 0:
            self.pre_trace[:] = clean
            z[0] = self.weights @ clean + self.bias
            norm[self.layer] = clean @ clean
            if self.flag == REFRESH:
                # probe rows see the clean input in layer 0, upstream probes further on
                z[1:] = z[0] if self.vector_input else a[1:] @ self.weights.T + self.bias
                own = np.arange(n_out)
                z[1 + self.offset + own, own] += self.fd_step
                z[1 + self.n_neurons + self.offset + own, own] -= self.fd_step
        else:
            self.theta_post[:] = message[self.offset:self.offset + n_out]
            u, v = self.theta_post, self.pre_trace
            z[0] = self.weights @ clean + self.bias + u * (clean @ v) + u
        self.z_out.send(z)
        self.norm_out.send(norm)

    def lrn_guard(self) -> bool:
        return True  # k arrives every step (0 in step 0), after the cost's spk phase

    def run_lrn(self) -> None:
        """``W ← W − η (k·u ⊗ v + λW)``, ``b ← b − η (k·u + λb)`` (Alg. 1 line 17)."""
        k = self.k_in.recv()[0]
        if self.flag == 0 or self._phase() != STEPS_PER_SAMPLE - 1:
            return
        grad_w = np.outer(k * self.theta_post, self.pre_trace)
        grad_b = k * self.theta_post
        if self.decay:
            grad_w = grad_w + self.decay * self.weights
            grad_b = grad_b + self.decay * self.bias
        self.weights -= self.eta * grad_w
        self.bias -= self.eta * grad_b
