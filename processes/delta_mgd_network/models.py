"""Fused process models of :class:`DeltaMGDNetwork`: the whole network in one process.

The phases of a sample are the LoihiProtocol's (see :class:`DeltaMGDNetwork`). One routine,
:meth:`FusedDeltaMGDModel.process_sample` (δ-MGD paper Alg. 1 for one sample), runs on the
network the concrete model builds: :class:`~astrolava.mgd.equations.FloatNetwork` (float64)
or :class:`~astrolava.mgd.fixed.FixedNetwork` (Loihi integers), which share one interface.
The hierarchical models are in :mod:`~astrolava.processes.delta_mgd_network.hierarchical`.
"""

from __future__ import annotations

import numpy as np
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
from threadpoolctl import threadpool_limits

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx


class FusedDeltaMGDModel(PyLoihiProcessModel):
    """Schedule and per-sample routine shared by the fused models; a concrete model builds
    the network (:meth:`network`), holds the DeltaVecs in its units (:meth:`stored_deltas`)
    and mirrors an update into the Vars (:meth:`mirror`)."""

    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    biases: np.ndarray = LavaPyType(np.ndarray, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)
    learning: np.ndarray = LavaPyType(np.ndarray, int)
    n_samples: np.ndarray = LavaPyType(np.ndarray, int)
    n_correct: np.ndarray = LavaPyType(np.ndarray, int)
    n_refreshes: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        # this runs in the model's own OS process: one BLAS thread per Lava process (threads
        # of several processes fighting over the cores make small BLAS calls 100x slower)
        threadpool_limits(limits=1, user_api="blas")
        self.sizes: list[int] = list(proc_params["sizes"])
        self.config = proc_params["config"]
        self.spec: eq.NetworkSpec = proc_params["spec"]
        self.num_steps: int = proc_params["num_steps"]
        self.n_classes = self.sizes[-1]
        self.chain = self.config.deltavecs == "chain"
        self.inputs: np.ndarray | None = None
        self.due = np.ones(self.n_classes, dtype=bool)
        self.n_learned = 0
        self.pending = False  # a learned sample waits for its lrn phase
        self.falls_due = False  # τδ samples learned: the classes fall due in post_mgmt
        self.views: tuple | None = None
        self.perts: list = []  # θ̃ of the last learned sample, in the network's format
        self.coef = None  # its coefficient k

    def _layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer views ``(W_l, b_l)`` of the flat Vars (cached: Lava sets Vars in place)."""
        if self.views is None or self.views[0] is not self.weights \
                or self.views[1] is not self.biases:
            self.views = (self.weights, self.biases, list(zip(
                unflatten_weights(self.weights, self.sizes),
                split_layers(self.biases, self.sizes), strict=True)))
        return self.views[2]

    def network(self) -> eq.FloatNetwork | fx.FixedNetwork:
        """The network the sample runs on."""
        raise NotImplementedError

    def stored_deltas(self) -> np.ndarray:
        """The DeltaVecs (n_classes, ·) in the network's units."""
        raise NotImplementedError

    def mirror(self) -> None:
        """Write the network's parameters into the Vars after an update."""
        raise NotImplementedError

    def _sample_done(self) -> bool:
        return self.time_step % self.num_steps == 0

    def run_spk(self) -> None:
        x = self.x_in.recv()
        label = self.label_in.recv()[0]
        if self.inputs is None:
            self.inputs = np.zeros((self.num_steps, len(x)), dtype=x.dtype)
        self.inputs[(self.time_step - 1) % self.num_steps] = x
        if not self._sample_done():
            self.result_out.send(np.zeros(len(RESULT_FIELDS)))
            return
        y = eq.check_label(label, self.n_classes)
        sample = self.inputs.copy() if self.spec.spiking else self.inputs[0].copy()
        learn = bool(self.learning[0])
        if self.chain:  # every row at the learned samples i with i mod τδ = 0
            refresh = learn and self.n_learned % self.config.tau_delta == 0
        else:  # the sample's class, if due
            refresh = learn and bool(self.due[y])
            self.due[y] &= not refresh
        self.n_refreshes[0] += int(refresh)
        prediction, cost0, delta_cost = self.process_sample(sample, y, learn, refresh)
        self.n_samples[0] += 1
        self.n_correct[0] += int(prediction == y)
        if learn:
            self.n_learned += 1
            self.pending = True
            self.falls_due = not self.chain and self.n_learned % self.config.tau_delta == 0
        self.result_out.send(np.array([prediction, cost0, delta_cost], dtype=np.float64))

    def process_sample(self, sample: np.ndarray, y: int, learn: bool, refresh: bool
                       ) -> tuple[int, float, float]:
        """Clean pass (Alg. 1 l. 10-11), refresh if due (l. 4-8), perturbation along the
        DeltaVecs (l. 12-14), perturbed pass (l. 15-16) and the coefficient of the update
        (l. 17, applied in :meth:`run_lrn`): ``(ŷ, C0, ΔC)`` in real units."""
        cfg, net = self.config, self.network()
        # chain DeltaVecs of a spiking network: each neuron's rate slope ρ_l is its f'(z_l)
        slopes = [] if self.chain and net.spiking and learn else None
        first = net.first_current(sample)  # the perturbed pass reuses W_1 s_0 + b_1
        acts = net.forward(sample, slopes=slopes, current=first)
        cost0 = net.cost(acts[-1], y)
        prediction = int(np.argmax(net.readout(acts[-1])))
        if not learn:
            return prediction, net.real_cost(cost0), 0.0
        if refresh:
            self._refresh(net, acts, y)
        if self.chain:
            delta_out = net.output_delta(acts[-1], y, None if slopes is None else slopes[-1])
            post = net.chain_deltas(acts, split_layers(self.stored_deltas(), self.sizes[:-1]),
                                    delta_out, slopes)
        else:
            post = list(split_layers(self.stored_deltas()[y], self.sizes))
        if cfg.exact_output:
            post[-1] = net.output_delta(acts[-1], y)
        self.perts = net.perturbations(post, [net.activity(a, i)
                                              for i, a in enumerate(acts[:-1])])
        delta_cost = net.cost(net.forward(sample, self.perts, current=first)[-1], y) - cost0
        self.coef = net.coefficient(delta_cost, cost0)
        return prediction, net.real_cost(cost0), net.real_cost(delta_cost)

    def _refresh(self, net: eq.FloatNetwork | fx.FixedNetwork, acts: list[np.ndarray],
                 y: int) -> None:
        """Astrocyte refresh on this sample, ``row ← (1 − ρ)·row + ρ·new`` (Alg. 1 l. 5-7):
        class ``y``'s bias gradients (``"class"``) or every row ``∂z_L,k/∂a_l`` (``"chain"``)."""
        cfg = self.config
        if self.chain:
            target = slice(None)
            new = np.concatenate(net.output_current_jacobians(acts, cfg.fd_step), axis=1)
        else:
            target = y
            new = np.concatenate(net.node_perturbation_deltas(acts, y, cfg.fd_step))
        deltas = self.stored_deltas()
        deltas[target] = net.mix_deltavecs(deltas[target], new)
        self.deltavecs[target] = net.real_deltas(deltas[target])

    def run_lrn(self) -> None:
        """``Θ ← Θ − η·k·θ̃`` (Alg. 1 line 17, the network's optimizer)."""
        self.network().update(self.perts, self.coef)
        self.mirror()
        self.pending = False

    def lrn_guard(self) -> bool:
        return self._sample_done() and self.pending

    def post_guard(self) -> bool:
        return self._sample_done() and self.falls_due

    def run_post_mgmt(self) -> None:
        """τδ samples learned since the classes last fell due: all fall due (Alg. 1 line 4)."""
        self.due[:] = True
        self.falls_due = False


@implements(proc=DeltaMGDNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDeltaMGDNetworkFloat(FusedDeltaMGDModel):
    """Fused δ-MGD network in float64 (:class:`~astrolava.mgd.equations.FloatNetwork` on
    views of the Vars): the Lava twin of ``astrolava.models.mgd.DeltaMGDLearner``."""

    x_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)

    loihi_operations = ("dense float matmul", "tanh / LIF", "central finite differences",
                        "rank-one outer product", "square root and division (normalisation)",
                        "chain DeltaVecs: output-current differences, δ_L @ K_l",
                        "LIF rate-slope trace with the ATan surrogate (spiking chain)",
                        "Adam (optional)")
    loihi_limits = ("float64 arithmetic throughout (use the fixed_pt model)",
                    "whole network in one process: must be split over neurocores")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.net: eq.FloatNetwork | None = None

    def network(self) -> eq.FloatNetwork:
        """The float network on the current views of the Vars (its Adam state persists)."""
        if self.net is None:
            self.net = eq.FloatNetwork(self._layers(), self.spec, self.config)
        self.net.layers = self._layers()
        return self.net

    def stored_deltas(self) -> np.ndarray:
        return self.deltavecs

    def mirror(self) -> None:
        """Nothing to do: the network updates views of the Vars in place."""


@implements(proc=DeltaMGDNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDeltaMGDNetworkFixed(FusedDeltaMGDModel):
    """Fused δ-MGD network on Loihi integers (formats in :mod:`astrolava.mgd.fixed`).

    ``x_in`` carries ``round(x·2**X_FRAC)`` (DatasetSource fixed_pt) or 0/1 spikes. The
    integer state lives in a :class:`~astrolava.mgd.fixed.FixedNetwork` built from the Vars
    at the first sample; the ``weights``, ``biases`` and ``deltavecs`` Vars mirror it in real
    units (exactly representable values) after every change, so both tags are read the same
    way. Supports ``loss="mse"`` and ``optimizer="sgd"``, class or chain DeltaVecs (no Adam
    on a learning engine).
    """

    x_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)

    loihi_formats = {"weights": (fx.WEIGHT_BITS + fx.TAG_BITS, None),
                     "biases": (fx.STATE_BITS, fx.Z_FRAC), "deltavecs": (fx.STATE_BITS, fx.D_FRAC),
                     "learning": (2, 0), "n_samples": (fx.STATE_BITS, 0),
                     "n_correct": (fx.STATE_BITS, 0), "n_refreshes": (fx.STATE_BITS, 0)}
    """Integer formats the real-valued mirror Vars stand for; weights are an 8-bit mantissa
    plus an 8-bit tag with one exponent per layer (no single fraction)."""
    loihi_operations = ("8-bit x 24-bit dense accumulate with exponent shift", "tanh LUT",
                        "LIF with 12-bit decay", "central differences with power-of-two step",
                        "integer square root and division (perturbation amplitude)",
                        "rank-one integer outer product with rounding shift (learning)",
                        "chain DeltaVecs: output-current differences, integer δ_L @ K_l",
                        "LIF rate-slope trace with a surrogate-slope LUT (spiking chain)")
    loihi_limits = ("whole network in one process: must be split over neurocores",
                    "node-perturbation refresh re-runs the network 2·N times inside one "
                    "time step (on chip: 2·N passes, or the embedded CPUs)")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        fx.check_fixed_config(self.config)
        self.net: fx.FixedNetwork | None = None
        self.deltas_q: np.ndarray | None = None

    def network(self) -> fx.FixedNetwork:
        """The integer network, quantized from the float initial Vars once (they are set
        after ``__init__``)."""
        if self.net is None:
            self.net = fx.FixedNetwork(self._layers(), self.spec, self.config, self.num_steps)
            self.deltas_q = fx.to_fixed(self.deltavecs, fx.D_FRAC)
            self.deltavecs[:] = self.net.real_deltas(self.deltas_q)
            self.mirror()
        return self.net

    def stored_deltas(self) -> np.ndarray:
        return self.deltas_q

    def mirror(self) -> None:
        """Write the integer weights and biases into the real-valued Vars (the DeltaVecs
        change only at a refresh, which writes its rows itself)."""
        reals = [fx.dequantize_layer(layer) for layer in self.net.layers]
        self.weights[:] = np.concatenate([w.ravel() for w, _ in reals])
        self.biases[:] = np.concatenate([b for _, b in reals])
