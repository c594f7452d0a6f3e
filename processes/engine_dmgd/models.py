"""fixed_pt models of :class:`EngineAstrocyte` and :class:`EngineCost` (embedded-CPU integer
arithmetic of :mod:`astrolava.mgd.engine`). The learning-engine graph runs in fixed_pt only:
Lava's floating_pt ``LearningDense`` evaluates the rule strings on another scale."""

from __future__ import annotations

import numpy as np
from astrolava.processes.engine_dmgd.process import EngineAstrocyte, EngineCost
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort, PyRefPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd.engine import (
    WEIGHT_LEARN_BITS,
    EngineSchedule,
    chain_factor,
    count_cost,
    global_factor,
    perturbation_current,
    perturbation_scale,
    post_factor,
    rate_constant,
    refresh_rows,
)


def _int_port(kind: type, bits: int) -> LavaPyType:
    return LavaPyType(kind.VEC_DENSE, np.int32, precision=bits)


class EngineProcessModel(PyLoihiProcessModel):
    """Position in the sample window of the layer at ``depth``, the output layer's position,
    the label latched at output position 0, and the output layer's clean-pass counts."""

    depth: int = 0

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.schedule: EngineSchedule = proc_params["schedule"]
        self.label = 0
        self.counts: np.ndarray | None = None

    def positions(self) -> tuple[int, int]:
        """``(p, q)``: this process's position and the output layer's at this step."""
        sched = self.schedule
        p = (self.time_step - 1 - sched.offset(self.depth)) % sched.window
        return p, (p - self.depth) % sched.window

    def count(self, q: int, spikes: np.ndarray, label: int) -> None:
        """At output position ``q``: latch the label at 0, zero the counts at the start of a
        pass, add the output spikes inside a pass."""
        sched = self.schedule
        if q == 0:
            self.label = label
        if q in (0, sched.perturbed_start) or self.counts is None:
            self.counts = np.zeros(len(spikes), dtype=np.int64)
        if sched.phase(q) != "gap":
            self.counts += np.asarray(spikes, dtype=np.int64) > 0


@implements(proc=EngineAstrocyte, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyEngineAstrocyteModelFixed(EngineProcessModel):
    """Integer astrocyte: 7-bit ``q_u`` and ``q_k``, 4-bit scale mantissas, 24-bit currents
    and chain rows."""

    loihi_mapping = ("embedded CPU: per-sample third factors (the output error, or a hidden "
                     "layer's chain DeltaVec Kᵀe with a division to 7 bits), norms "
                     "‖q_u‖·‖x1‖ and a mantissa-shift scale, q_k from ΔC, and a per-step node "
                     "input c·q_u·(x1·s) that no neuron or synapse model forms (it needs x1 "
                     "from the previous pass)")
    loihi_operations = (
        "per sample in: n_pre count reports (8-bit), T·n_pre input spikes, T·n_out output "
        "spikes, 1 label, 1 cost difference (24-bit)",
        "per sample out: n_post q_u and n_post q_k (7-bit), T·n_post perturbation currents "
        "(24-bit)",
        "per sample: q_u (n_post products; hidden: n_out·n_post products and a division), "
        "two norms, one division, T dot products x1·s",
        "hidden layer, every τδ samples: n_out·n_post weight reads (9-bit) from the output "
        "synapse, mixed into the chain rows",
    )

    pre_in: PyInPort = _int_port(PyInPort, 8)
    out_in: PyInPort = _int_port(PyInPort, 1)
    label_in: PyInPort = _int_port(PyInPort, 24)
    cost_in: PyInPort = _int_port(PyInPort, 24)
    u_out: PyOutPort = _int_port(PyOutPort, 7)
    k_out: PyOutPort = _int_port(PyOutPort, 7)
    current_out: PyOutPort = _int_port(PyOutPort, 24)
    w_ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32,
                                  precision=WEIGHT_LEARN_BITS + 1)
    q_u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    x1: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    rows: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.depth = proc_params["depth"]
        self.epsilon: float = proc_params["epsilon"]
        self.tau_delta: int = proc_params["tau_delta"]
        self.delta_mix: float = proc_params["delta_mix"]
        self.rate = rate_constant(proc_params["eta"], self.epsilon)
        self.scale = (0, 0)
        self.q_k = 0
        self.n_samples: int = proc_params["samples_seen"]
        self.update_shift: int = proc_params["update_shift"]
        self.refresh_due = False
        self.current = np.zeros(proc_params["n_post"], dtype=np.int64)

    def run_spk(self) -> None:
        sched = self.schedule
        self.u_out.send(self.q_u.copy())
        self.current_out.send(self.current)
        self.k_out.send(np.full(self.k_out.shape, self.q_k))
        pre, out = self.pre_in.recv(), self.out_in.recv()
        label, cost2 = int(self.label_in.recv()[0]), int(self.cost_in.recv()[0])
        p, q = self.positions()
        if p == 0:
            self.refresh_due = self.depth > 0 and self.n_samples % self.tau_delta == 0
            self.n_samples += 1
        self.count(q, out, label)
        if q == sched.pass_steps - 1:
            self.q_u[:] = (post_factor(self.counts, self.label, sched) if self.depth == 0
                           else chain_factor(self.rows, self.counts, self.label,
                                             sched.pass_steps))
        if p == sched.event(self.depth):
            self.x1[:] = pre // 2
            self.scale = perturbation_scale(self.q_u, self.x1, self.epsilon)
        # the presynaptic spikes received at p reach this layer at p + 1
        self.current = (perturbation_current(self.scale, self.q_u, self.x1, pre)
                        if sched.phase(p + 1) == "perturbed" else np.zeros_like(self.current))
        if p == sched.update(self.depth) - 1:
            self.q_k = global_factor(cost2, self.scale, self.rate, self.update_shift)

    def post_guard(self) -> bool:
        return self.refresh_due

    def run_post_mgmt(self) -> None:
        """Every τδ samples (hidden layers): ``K ← (1 − ρ)·K + ρ·W_L``."""
        self.rows[:] = refresh_rows(self.rows, self.w_ref.read(), self.delta_mix)
        self.refresh_due = False


@implements(proc=EngineCost, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyEngineCostModelFixed(EngineProcessModel):
    """Integer global cost: ``2C`` in spike counts², ``2ΔC`` sent to the astrocytes."""

    loihi_mapping = ("embedded CPU: the squared error of the two passes' output counts and "
                     "their difference ΔC (a global reduction)")
    loihi_operations = (
        "per sample in: 2T·n_post output spikes, 1 label",
        "per sample out: one 24-bit 2ΔC to each learned layer's astrocyte",
        "per sample: 2·n_post squared errors",
    )

    post_in: PyInPort = _int_port(PyInPort, 1)
    label_in: PyInPort = _int_port(PyInPort, 24)
    cost_out: PyOutPort = _int_port(PyOutPort, 24)
    n_seen: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    n_correct: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    cost2_sum: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=32)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.cost0 = 0
        self.delta_cost2 = 0

    def run_spk(self) -> None:
        sched = self.schedule
        self.cost_out.send(np.array([self.delta_cost2]))
        post = self.post_in.recv()
        label = int(self.label_in.recv()[0])
        _, q = self.positions()
        self.count(q, post, label)
        last = sched.pass_steps - 1
        if q == last:
            self.cost0 = count_cost(self.counts, self.label, sched.pass_steps)
            self.n_seen += 1
            self.n_correct += int(np.argmax(self.counts) == self.label)
            self.cost2_sum += self.cost0
        elif q == sched.perturbed_start + last:
            cost = count_cost(self.counts, self.label, sched.pass_steps)
            self.delta_cost2 = cost - self.cost0
