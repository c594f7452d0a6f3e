"""fixed_pt models of :class:`EngineAstrocyte` and :class:`EngineCost` (embedded-CPU integer
arithmetic of :mod:`astrolava.mgd.engine`). The learning-engine graph runs in fixed_pt only:
Lava's floating_pt ``LearningDense`` evaluates the rule strings on another scale."""

from __future__ import annotations

import numpy as np
from astrolava.processes.engine_dmgd.process import EngineAstrocyte, EngineCost
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd.engine import (
    EngineSchedule,
    count_cost,
    global_factor,
    perturbation_current,
    perturbation_scale,
    post_factor,
    rate_constant,
)

OUTPUT_OFFSET = 2
"""Steps from a ``DatasetSource`` sample start to the output layer's position 0."""


def _int_port(kind: type, bits: int) -> LavaPyType:
    return LavaPyType(kind.VEC_DENSE, np.int32, precision=bits)


class EngineProcessModel(PyLoihiProcessModel):
    """Position in the output layer's sample window, label latched at position 0."""

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.schedule: EngineSchedule = proc_params["schedule"]
        self.epsilon: float = proc_params["epsilon"]
        self.label = 0
        self.counts: np.ndarray | None = None

    def position(self) -> int:
        return (self.time_step - 1 - OUTPUT_OFFSET) % self.schedule.window

    def count(self, p: int, spikes: np.ndarray) -> None:
        """Zero the counts at the start of a pass, add the spikes inside a pass."""
        sched = self.schedule
        if p in (0, sched.perturbed_start) or self.counts is None:
            self.counts = np.zeros(len(spikes), dtype=np.int64)
        if sched.phase(p) != "gap":
            self.counts += np.asarray(spikes, dtype=np.int64) > 0


@implements(proc=EngineAstrocyte, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyEngineAstrocyteModelFixed(EngineProcessModel):
    """Integer astrocyte: 7-bit ``q_u``, 16-bit scale mantissa, 24-bit currents."""

    loihi_mapping = ("embedded CPU: per-sample norms ‖q_u‖·‖x1‖ and a mantissa-shift scale, and "
                     "a per-step node input c·q_u·(x1·s) that no neuron or synapse model "
                     "forms (it needs x1 from the previous pass)")
    loihi_operations = (
        "per sample in: n_pre count reports (8-bit), T·n_pre input spikes, T·n_post output "
        "spikes, 1 label",
        "per sample out: n_post q_u (7-bit), T·n_post perturbation currents (24-bit), "
        "2 scale words (16-bit)",
        "per sample: q_u = −s_u·e (n_post products), two norms, one division, "
        "T dot products x1·s",
    )

    pre_in: PyInPort = _int_port(PyInPort, 8)
    post_in: PyInPort = _int_port(PyInPort, 1)
    label_in: PyInPort = _int_port(PyInPort, 24)
    u_out: PyOutPort = _int_port(PyOutPort, 7)
    current_out: PyOutPort = _int_port(PyOutPort, 24)
    scale_out: PyOutPort = _int_port(PyOutPort, 16)
    q_u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    x1: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.scale = (0, 0)
        self.current = np.zeros(proc_params["n_post"], dtype=np.int64)

    def run_spk(self) -> None:
        sched = self.schedule
        self.u_out.send(self.q_u.copy())
        self.current_out.send(self.current)
        self.scale_out.send(np.array(self.scale))
        pre, post = self.pre_in.recv(), self.post_in.recv()
        label = int(self.label_in.recv()[0])
        p = self.position()
        if p == 0:
            self.label = label
        self.count(p, post)
        if p == sched.pass_steps - 1:
            self.q_u[:] = post_factor(self.counts, self.label, sched)
        if p == sched.latch:
            self.x1[:] = pre // 2
            self.scale = perturbation_scale(self.q_u, self.x1, self.epsilon)
        # the input spikes received at p reach the output layer at p + 1
        if sched.phase(p + 1) == "perturbed":
            self.current = perturbation_current(self.scale, self.q_u, self.x1, pre)
        else:
            self.current = np.zeros_like(self.current)


@implements(proc=EngineCost, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyEngineCostModelFixed(EngineProcessModel):
    """Integer global cost: ``2C`` in spike counts², 7-bit ``q_k``."""

    loihi_mapping = ("embedded CPU: the squared error of the two passes' output counts and "
                     "q_k = η/ε²·ΔC·c (a global reduction and a product of mantissas)")
    loihi_operations = (
        "per sample in: 2T·n_post output spikes, 1 label, 2 scale words",
        "per sample out: one 7-bit q_k broadcast to n_post neurons",
        "per sample: 2·n_post squared errors, 1 product of three mantissas",
    )

    post_in: PyInPort = _int_port(PyInPort, 1)
    label_in: PyInPort = _int_port(PyInPort, 24)
    scale_in: PyInPort = _int_port(PyInPort, 16)
    k_out: PyOutPort = _int_port(PyOutPort, 7)
    n_seen: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    n_correct: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    cost2_sum: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=32)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.rate = rate_constant(proc_params["eta"], self.epsilon)
        self.q_k = 0
        self.cost0 = 0

    def run_spk(self) -> None:
        sched = self.schedule
        self.k_out.send(np.full(self.k_out.shape, self.q_k))
        post = self.post_in.recv()
        label = int(self.label_in.recv()[0])
        scale = tuple(int(s) for s in self.scale_in.recv())
        p = self.position()
        if p == 0:
            self.label = label
        self.count(p, post)
        last = sched.pass_steps - 1
        if p == last:
            self.cost0 = count_cost(self.counts, self.label, sched.pass_steps)
            self.n_seen += 1
            self.n_correct += int(np.argmax(self.counts) == self.label)
            self.cost2_sum += self.cost0
        elif p == sched.perturbed_start + last:
            cost = count_cost(self.counts, self.label, sched.pass_steps)
            self.q_k = global_factor(cost - self.cost0, scale, self.rate)
