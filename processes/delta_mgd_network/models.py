"""Fused process models of :class:`DeltaMGDNetwork`: the whole network in one process.

The hierarchical models (one process per synapse, layer, astrocyte and cost) are in
:mod:`astrolava.processes.delta_mgd_network.hierarchical`.
"""

from __future__ import annotations

import numpy as np
from astrolava.processes.delta_mgd_network import equations as eq
from astrolava.processes.delta_mgd_network.process import (
    RESULT_FIELDS,
    DeltaMGDNetwork,
    split_layers,
    unflatten_weights,
)
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol


class FusedDeltaMGDModel(PyLoihiProcessModel):
    """Shared schedule of the fused models: phases of one sample (see :class:`DeltaMGDNetwork`).

    Subclasses provide the arithmetic: ``_forward``, ``_cost``, ``_perturb``, ``_update`` and
    ``_refresh``.
    """

    x_in: PyInPort
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    learning: np.ndarray = LavaPyType(np.ndarray, int)
    n_samples: np.ndarray = LavaPyType(np.ndarray, int)
    n_correct: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.sizes: list[int] = list(proc_params["sizes"])
        self.hyper = proc_params["hyper"]
        self.spiking = proc_params["network"] == "spiking"
        self.num_steps: int = proc_params["num_steps"]
        self.n_classes = self.sizes[-1]
        self.inputs = np.zeros((self.num_steps, self.sizes[0]))
        self.exemplars: dict[int, np.ndarray] = {}
        self.learned_since_refresh = 0
        self.theta: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        self.sample = (0.0, 0.0)  # (C0, ΔC) of the current sample

    # -- schedule -------------------------------------------------------------------------
    def _sample_done(self) -> bool:
        return self.time_step % self.num_steps == 0

    def run_spk(self) -> None:
        self.inputs[(self.time_step - 1) % self.num_steps] = self.x_in.recv()
        label = self.label_in.recv()[0]
        if not self._sample_done():
            self.result_out.send(np.zeros(len(RESULT_FIELDS)))
            return
        y = eq.check_label(label, self.n_classes)
        x = self.inputs.copy() if self.spiking else self.inputs[0].copy()
        acts = self._forward(x, None)
        cost0 = self._cost(acts[-1], y)
        prediction = int(np.argmax(acts[-1]))
        self.n_samples[0] += 1
        self.n_correct[0] += int(prediction == y)
        delta_cost = 0.0
        self.theta = None
        if self.learning[0]:
            self.exemplars[y] = x
            self.theta = self._perturb(acts, y)
            delta_cost = self._cost(self._forward(x, self.theta)[-1], y) - cost0
        self.sample = (cost0, delta_cost)
        self.result_out.send(np.array([prediction, cost0, delta_cost], dtype=np.float64))

    def lrn_guard(self) -> bool:
        return self._sample_done() and self.theta is not None

    def run_lrn(self) -> None:
        self._update(*self.sample)
        self.learned_since_refresh += 1

    def post_guard(self) -> bool:
        return (self._sample_done() and bool(self.learning[0])
                and self.learned_since_refresh >= self.hyper.tau_delta)

    def run_post_mgmt(self) -> None:
        for y, x in sorted(self.exemplars.items()):
            self._refresh(x, y)
        self.learned_since_refresh = 0


@implements(proc=DeltaMGDNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDeltaMGDNetworkFloat(FusedDeltaMGDModel):
    """Fused δ-MGD network in float64 (the Lava twin of the torch reference)."""

    x_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    biases: np.ndarray = LavaPyType(np.ndarray, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.beta: float = proc_params["beta"]
        self.threshold: float = proc_params["threshold"]
        self.output_tanh: bool = proc_params["output_tanh"]

    def _layers(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return unflatten_weights(self.weights, self.sizes), split_layers(self.biases, self.sizes)

    def _forward(self, x: np.ndarray, theta: tuple | None) -> list[np.ndarray]:
        ws, bs = self._layers()
        if theta is not None:
            ws = [w + t for w, t in zip(ws, theta[0], strict=True)]
            bs = [b + t for b, t in zip(bs, theta[1], strict=True)]
        if self.spiking:
            return eq.lif_forward(ws, bs, x, self.beta, self.threshold)
        return eq.rate_forward(ws, bs, x, self.output_tanh)

    def _cost(self, output: np.ndarray, y: int) -> float:
        return eq.sample_cost(output, y, self.hyper.loss)

    def _perturb(self, acts: list[np.ndarray], y: int) -> tuple[list, list]:
        deltas = split_layers(self.deltavecs[y], self.sizes)
        pairs = [eq.perturbation(a, d, self.hyper.epsilon)
                 for a, d in zip(acts[:-1], deltas, strict=True)]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _update(self, cost0: float, delta_cost: float) -> None:
        h = self.hyper
        scale = eq.update_scale(h.lr, h.epsilon, h.gamma, cost0)
        ws, bs = self._layers()
        for w, b, tw, tb in zip(ws, bs, *self.theta, strict=True):
            eq.mgd_step(w, tw, delta_cost, scale)
            eq.mgd_step(b, tb, delta_cost, scale)

    def _refresh(self, x: np.ndarray, y: int) -> None:
        ws, bs = self._layers()
        deltas = eq.node_perturbation_deltas(ws, bs, x, y, self.hyper.fd_step, self.hyper.loss,
                                             self.output_tanh)
        self.deltavecs[y] = np.concatenate(deltas)
