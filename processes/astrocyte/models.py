"""Process model of :class:`Astrocyte` (floating_pt)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.astrocyte.process import Astrocyte
from astrolava.processes.tripartite_synapse.models import LEARN, REFRESH
from astrolava.processes.tripartite_synapse.process import STEPS_PER_SAMPLE
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd_numpy import equations as eq


@implements(proc=Astrocyte, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyAstrocyteFloat(PyLoihiProcessModel):
    """float64 astrocyte: DeltaVec bank, refresh schedule, perturbation amplitude."""

    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    norm_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_new_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)
    learning: np.ndarray = LavaPyType(np.ndarray, int)
    n_refreshes: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.sizes: list[int] = proc_params["layer_sizes"]
        self.bounds = np.cumsum([0, *self.sizes])
        self.tau_delta: int = proc_params["tau_delta"]
        self.mix: float = proc_params["delta_mix"]
        self.epsilon: float = proc_params["epsilon"]
        self.normalize: str = proc_params["normalize"]
        self.due = np.ones(self.sizes[-1], dtype=bool)
        self.flag = 0
        self.pre_sq = np.zeros(len(self.sizes))
        self.n_learned = 0

    def _phase(self) -> int:
        return (self.time_step - 1) % STEPS_PER_SAMPLE

    def run_spk(self) -> None:
        y = eq.check_label(self.label_in.recv()[0], self.sizes[-1])
        message = np.zeros(self.delta_out.shape)
        if self._phase() == 0:
            self.flag = 0
            if self.learning[0]:
                self.flag = REFRESH if self.due[y] else LEARN
            message[-1] = self.flag
            self.delta_out.send(message)
            self.pre_sq = self.norm_in.recv()
            delta_new = self.delta_new_in.recv()
            if self.flag == REFRESH:
                self.due[y] = False
                self.n_refreshes[0] += 1
                self.deltavecs[y] = (1 - self.mix) * self.deltavecs[y] + self.mix * delta_new
            return
        if self.flag:
            post = [self.deltavecs[y, lo:hi] for lo, hi
                    in zip(self.bounds[:-1], self.bounds[1:], strict=True)]
            scales = eq.normalization_scale(
                [float(u @ u) * (sq + 1.0) for u, sq in zip(post, self.pre_sq, strict=True)],
                self.epsilon, self.normalize)
            message[:-1] = np.concatenate([u * s for u, s in zip(post, scales, strict=True)])
            self.n_learned += 1
        message[-1] = self.flag
        self.delta_out.send(message)
        self.norm_in.recv()
        self.delta_new_in.recv()

    def post_guard(self) -> bool:
        return self._phase() == STEPS_PER_SAMPLE - 1 and self.flag != 0 \
            and self.n_learned % self.tau_delta == 0

    def run_post_mgmt(self) -> None:
        """τδ samples learned: every class falls due (Alg. 1 line 4)."""
        self.due[:] = True
