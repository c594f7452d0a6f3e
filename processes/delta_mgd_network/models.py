"""Fused process models of :class:`DeltaMGDNetwork`: the whole network in one process.

The phases of a sample are the LoihiProtocol's (see :class:`DeltaMGDNetwork`); the
arithmetic is :mod:`~astrolava.mgd.equations` (float) or
:mod:`~astrolava.mgd.fixed` (Loihi integers). The hierarchical
models are in :mod:`~astrolava.processes.delta_mgd_network.hierarchical`.
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
    """Schedule shared by the fused models; subclasses implement :meth:`process_sample`,
    :meth:`run_lrn` (the update) and the storage of the parameters."""

    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
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
        """Clean pass, optional refresh of class ``y``, perturbed pass: ``(ŷ, C0, ΔC)``."""
        raise NotImplementedError

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
    """Fused δ-MGD network in float64: the Lava twin of ``astrolava.mgd.DeltaMGDLearner``."""

    x_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    biases: np.ndarray = LavaPyType(np.ndarray, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)

    loihi_operations = ("dense float matmul", "tanh / LIF", "central finite differences",
                        "rank-one outer product", "square root and division (normalisation)",
                        "chain DeltaVecs: output-current differences, δ_L @ K_l",
                        "LIF rate-slope trace with the ATan surrogate (spiking chain)",
                        "Adam (optional)")
    loihi_limits = ("float64 arithmetic throughout (use the fixed_pt model)",
                    "whole network in one process: must be split over neurocores")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.perts: list[tuple[np.ndarray, np.ndarray]] = []
        self.coef = 0.0
        self.adam: list[eq.Adam] | None = None
        self.views: tuple | None = None

    def _layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer views ``(W_l, b_l)`` of the flat Vars (cached: Lava sets Vars in place)."""
        if self.views is None or self.views[0] is not self.weights \
                or self.views[1] is not self.biases:
            self.views = (self.weights, self.biases, list(zip(
                unflatten_weights(self.weights, self.sizes),
                split_layers(self.biases, self.sizes), strict=True)))
        return self.views[2]

    def process_sample(self, sample, y, learn, refresh):
        cfg, spec, layers = self.config, self.spec, self._layers()
        w, b = layers[0]
        first = sample @ w.T + b  # the perturbed pass reuses W_1 s_0 + b_1
        # chain DeltaVecs of a spiking network: each neuron's rate slope ρ_l is its f'(z_l)
        slopes = [] if self.chain and spec.spiking and learn else None
        acts = eq.forward(spec, layers, sample, current=first, slopes=slopes)
        cost0 = float(eq.sample_cost(eq.readout(spec, acts[-1]), y, cfg.loss))
        prediction = int(np.argmax(eq.readout(spec, acts[-1])))
        if not learn:
            return prediction, cost0, 0.0
        if refresh:
            self._refresh(layers, acts, y)
        if self.chain:
            delta_out = eq.output_delta(spec, acts[-1], y, cfg.loss,
                                        None if slopes is None else slopes[-1])
            post = eq.chain_deltas(acts, split_layers(self.deltavecs, self.sizes[:-1]),
                                   delta_out, slopes)
        else:
            post = [d.copy() for d in split_layers(self.deltavecs[y], self.sizes)]
        if cfg.exact_output:
            post[-1] = eq.output_delta(spec, acts[-1], y, cfg.loss)
        pre = [eq.activity(spec, a) for a in acts[:-1]]
        if cfg.activation_threshold > 0:
            pre = [eq.ternary(a, cfg.activation_threshold) for a in pre]
        scales = eq.normalization_scale(
            [eq.rank_one_sq_norm(u, v) for u, v in zip(post, pre, strict=True)],
            cfg.epsilon, cfg.normalize)
        self.perts = [(u * s, v) for u, v, s in zip(post, pre, scales, strict=True)]
        perturbed = eq.forward(spec, layers, sample, self.perts, current=first)[-1]
        delta_cost = float(eq.sample_cost(eq.readout(spec, perturbed), y, cfg.loss)) - cost0
        self.coef = eq.update_coefficient(delta_cost, cost0, cfg.epsilon, cfg.gamma)
        return prediction, cost0, delta_cost

    def _refresh(self, layers: eq.Layers, acts: list[np.ndarray], y: int) -> None:
        """Astrocyte refresh on this sample, ``row ← (1 − ρ)·row + ρ·new`` (Alg. 1 l. 5-7):
        class ``y``'s bias gradients (``"class"``) or every row ``∂z_L,k/∂a_l`` (``"chain"``)."""
        cfg, spec = self.config, self.spec
        if self.chain:
            rows = np.concatenate(eq.output_current_jacobians(spec, layers, acts, cfg.fd_step),
                                  axis=1)
            self.deltavecs[:] = (1 - cfg.delta_mix) * self.deltavecs + cfg.delta_mix * rows
            return
        new = np.concatenate(eq.node_perturbation_deltas(spec, layers, acts, y, cfg.fd_step,
                                                         cfg.loss))
        self.deltavecs[y] = (1 - cfg.delta_mix) * self.deltavecs[y] + cfg.delta_mix * new

    def run_lrn(self) -> None:
        """``Θ ← Θ − η (k·θ̃ + λΘ)`` with ``θ̃_W = u ⊗ v``, ``θ̃_b = u`` (Alg. 1 line 17), by
        SGD or Adam, both rank-one in place (no gradient array is formed)."""
        cfg = self.config
        layers = self._layers()
        if cfg.optimizer == "adam":
            if self.adam is None:
                self.adam = [eq.Adam.zeros(w) for w, _ in layers]
            eq.adam_rank_one(layers, [(self.coef * u, v) for u, v in self.perts], self.adam,
                             cfg.eta, cfg.weight_decay, self.n_learned)
        else:
            for (w, b), (u, v) in zip(layers, self.perts, strict=True):
                if cfg.weight_decay:
                    w *= 1.0 - cfg.eta * cfg.weight_decay
                eq.rank_one_descend(w, self.coef * u, v, cfg.eta)
                eq.descend(b, self.coef * u, cfg.eta, cfg.weight_decay)
        self.pending = False


@implements(proc=DeltaMGDNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDeltaMGDNetworkFixed(FusedDeltaMGDModel):
    """Fused δ-MGD network on Loihi integers (formats in :mod:`astrolava.mgd.fixed`).

    ``x_in`` carries ``round(x·2**X_FRAC)`` (DatasetSource fixed_pt) or 0/1 spikes. The
    integer state lives in a :class:`~astrolava.mgd.fixed.FixedNetwork`; the
    ``weights``, ``biases`` and ``deltavecs`` Vars mirror it in real units (exactly
    representable values) after every change, so both tags are read the same way.
    Supports ``loss="mse"`` and ``optimizer="sgd"``, class or chain DeltaVecs (no Adam on a
    learning engine).
    """

    x_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    biases: np.ndarray = LavaPyType(np.ndarray, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)

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
        cfg = self.config
        fx.check_fixed_config(cfg)
        self.rate = fx.mantissa_shift(cfg.eta / cfg.epsilon ** 2)
        self.gamma = fx.mantissa_shift(cfg.gamma) if cfg.gamma > 0 else None
        self.net: fx.FixedNetwork | None = None
        self.deltas_q: np.ndarray | None = None
        self.perts: list = []
        self.coef = (0, 0)

    def _quantize(self) -> None:
        """Quantize the float initial Vars once (they are set after ``__init__``)."""
        layers = list(zip(unflatten_weights(self.weights, self.sizes),
                          split_layers(self.biases, self.sizes), strict=True))
        spec = self.spec
        self.net = fx.FixedNetwork(layers, spec.spiking, spec.output_tanh, spec.beta,
                                   spec.threshold, self.num_steps)
        self.deltas_q = fx.to_fixed(self.deltavecs, fx.D_FRAC)
        self._mirror()

    def _mirror(self) -> None:
        """Write the integer state into the real-valued Vars."""
        reals = [fx.dequantize_layer(layer) for layer in self.net.layers]
        self.weights[:] = np.concatenate([w.ravel() for w, _ in reals])
        self.biases[:] = np.concatenate([b for _, b in reals])
        self.deltavecs[:] = self.deltas_q / 2.0 ** fx.D_FRAC

    def process_sample(self, sample, y, learn, refresh):
        if self.net is None:
            self._quantize()
        cfg, net = self.config, self.net
        slopes = [] if self.chain and net.spiking and learn else None
        first = net.first_current(sample)  # the perturbed pass reuses W_1 s_0 + b_1
        acts = net.forward(sample, slopes=slopes, current=first)
        cost0 = int(net.cost(acts[-1], y))
        prediction = int(np.argmax(net.readout(acts[-1])))
        real_cost0 = cost0 / 2.0 ** fx.C_FRAC
        if not learn:
            return prediction, real_cost0, 0.0
        if refresh:
            self._refresh(acts, y)
        if self.chain:
            delta_out = net.output_delta(acts[-1], y, None if slopes is None else slopes[-1])
            post = net.chain_deltas(acts, split_layers(self.deltas_q, self.sizes[:-1]),
                                    delta_out, slopes)
        else:
            post = list(split_layers(self.deltas_q[y], self.sizes))
        if cfg.exact_output:
            post[-1] = net.output_delta(acts[-1], y)
        pre = [net.activity(a, i) for i, a in enumerate(acts[:-1])]
        c, s = fx.perturbation_scale(post, [fx.activity_sq_norm(v) for v in pre], cfg.epsilon)
        self.perts = [(fx.scale_post(u, c), v, s) for u, v in zip(post, pre, strict=True)]
        perturbed = net.forward(sample, self.perts, current=first)[-1]
        delta_cost = int(net.cost(perturbed, y)) - cost0
        self.coef = fx.learning_coefficient(delta_cost, cost0, self.rate, self.gamma)
        return prediction, real_cost0, delta_cost / 2.0 ** fx.C_FRAC

    def _refresh(self, acts: list[np.ndarray], y: int) -> None:
        """``row ← (1 − ρ)·row + ρ·new`` with ρ on RATIO_FRAC bits (Alg. 1 l. 5-7): class
        ``y``'s bias gradients or every chain row (as in the float model)."""
        cfg, net = self.config, self.net
        target = slice(None) if self.chain else y
        if self.chain:
            new = np.concatenate(net.output_current_jacobians(acts, cfg.fd_step), axis=1)
        else:
            new = np.concatenate(net.node_perturbation_deltas(acts, y, cfg.fd_step))
        self.deltas_q[target] = fx.mix_deltavecs(self.deltas_q[target], new, cfg.delta_mix)
        self.deltavecs[target] = self.deltas_q[target] / 2.0 ** fx.D_FRAC

    def run_lrn(self) -> None:
        """``Θ ← Θ − k·θ̃`` on the weight+tag and bias integers (Alg. 1 line 17)."""
        self.net.update(self.perts, self.coef)
        self._mirror()
        self.pending = False
