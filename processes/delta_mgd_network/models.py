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
    n_weights,
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
from astrolava.mgd.config import OPTIMIZERS
from astrolava.mgd.learner import SampleLearner


class FusedDeltaMGDModel(PyLoihiProcessModel):
    """Schedule shared by the fused models: the per-sample routine is a
    :class:`~astrolava.mgd.learner.SampleLearner` on the network a concrete model builds
    (:meth:`build`); the model mirrors its state into the Vars (:meth:`mirror`)."""

    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    result_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    biases: np.ndarray = LavaPyType(np.ndarray, float)
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)
    learning: np.ndarray = LavaPyType(np.ndarray, int)
    n_samples: np.ndarray = LavaPyType(np.ndarray, int)
    n_correct: np.ndarray = LavaPyType(np.ndarray, int)
    n_refreshes: np.ndarray = LavaPyType(np.ndarray, int)
    moments: np.ndarray = LavaPyType(np.ndarray, float)
    n_learned: np.ndarray = LavaPyType(np.ndarray, int)
    weight_exps: np.ndarray = LavaPyType(np.ndarray, int)

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
        self.inputs: np.ndarray | None = None
        self.pending = False  # a learned sample waits for its lrn phase
        self.learner: SampleLearner | None = None
        self.learned_since_export = False

    def _layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer views ``(W_l, b_l)`` of the flat Vars."""
        return list(zip(unflatten_weights(self.weights, self.sizes),
                        split_layers(self.biases, self.sizes), strict=True))

    def _moment_views(self, row: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer views shaped ``(W_l, b_l)`` of row ``row`` of the ``moments`` Var."""
        n = n_weights(self.sizes)
        return list(zip(unflatten_weights(self.moments[row, :n], self.sizes),
                        split_layers(self.moments[row, n:], self.sizes), strict=True))

    def build(self) -> SampleLearner:
        """The learner on the model's network, built from the Vars at the first sample (they
        are set after ``__init__``); ``n_learned > 0`` resumes a checkpointed run."""
        raise NotImplementedError

    def mirror(self) -> None:
        """Write the network's parameters into the Vars after an update."""
        raise NotImplementedError

    def export_state(self) -> None:
        """Write learning state that :meth:`mirror` does not into the Vars (called when
        learning pauses)."""

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
        if self.learner is None:
            self.learner = self.build()
        y = eq.check_label(label, self.n_classes)
        sample = self.inputs.copy() if self.spec.spiking else self.inputs[0].copy()
        learn = bool(self.learning[0])
        if not learn and self.learned_since_export:
            self.export_state()
        self.learned_since_export = learn
        prediction, cost0, delta_cost, refreshed = self.learner.step(sample, y, learn)
        if refreshed:
            self.n_refreshes[0] += 1
            self.deltavecs[:] = self.learner.net.real_deltas(self.learner.deltas)
        self.n_samples[0] += 1
        self.n_correct[0] += int(prediction == y)
        self.n_learned[0] = self.learner.n_learned
        self.pending = learn
        self.result_out.send(np.array([prediction, cost0, delta_cost], dtype=np.float64))

    def run_lrn(self) -> None:
        """``Θ ← Θ − η·k·θ̃`` (Alg. 1 line 17, the network's optimizer)."""
        self.learner.apply()
        self.mirror()
        self.pending = False

    def lrn_guard(self) -> bool:
        return self._sample_done() and self.pending

    def post_guard(self) -> bool:
        return self._sample_done() and self.learner is not None and self.learner.falls_due

    def run_post_mgmt(self) -> None:
        """τδ samples learned since the classes last fell due: all fall due (Alg. 1 line 4)."""
        self.learner.make_due()


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

    def build(self) -> SampleLearner:
        """The float network on views of the Vars, its Adam moments views of ``moments``
        (the network updates them in place); the DeltaVecs are the ``deltavecs`` Var."""
        if self.config.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.config.optimizer!r} runs in the fixed_pt model "
                             f"only; floating_pt supports {OPTIMIZERS}")
        net = eq.FloatNetwork(self._layers(), self.spec, self.config)
        if self.config.optimizer == "adam":
            net.adam = [eq.Adam(m, v, m_b, v_b) for (m, m_b), (v, v_b)
                        in zip(self._moment_views(0), self._moment_views(1), strict=True)]
        net.n_updates = int(self.n_learned[0])
        return SampleLearner(net, self.sizes, self.deltavecs, int(self.n_learned[0]))

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
    way. Supports ``loss="mse"``, class or chain DeltaVecs, and the optimizers a learning
    engine can run (no Adam): ``"sgd"``, ``Θ ← Θ − k·θ̃``, and ``"engine"``
    (:meth:`~astrolava.mgd.fixed.FixedNetwork.update`), which the fixed_pt preset uses.

    The ``"engine"`` rule as Loihi's learning engine would write it, for the synapse from
    presynaptic neuron ``j`` to postsynaptic neuron ``i`` (notation of Lava's learning
    rules: ``x0``/``y0`` the pre/post spike that gates the learning epoch, ``x1`` a
    presynaptic trace, ``y1`` a postsynaptic trace, ``t`` the synaptic tag, ``w`` the
    weight; preset ``η = 2^-10``, ``b₁ = 3``)::

        dt = 2^-3*x0*y0*x1*y1 - 2^-3*y0*t      # t ← t + 2^-b₁ (ĝ_i â_j − t): momentum
        dw = -2^-10*y0*t                       # w ← w − η t

    and, with ``decay_shift = d > 0`` (off in the preset), ``dw = -2^-10*y0*t - 2^-d*y0*w`` (the
    weights decay; the biases do not), with the traces set by the neurons before the learning
    epoch: ``x1 = â_j`` the presynaptic activity normalised by its running RMS,
    ``â_j = a_j / (√c_j + ε_a)``, ``c_j ← c_j + 2^-b₂ (a_j² − c_j)``; ``y1 = ĝ_i`` the
    postsynaptic factor of the rank-one step normalised the same way, ``g_i = k·u_i`` (the
    cost's ``k = ΔC/ε²`` times the astrocyte's ``u_i``), ``ĝ_i = g_i / √r_i``,
    ``r_i ← r_i + 2^-b₂ (g_i² − r_i)`` (``b₂ = 10``, ``b₂ = ⌊log₂ n⌋`` for the first updates).
    The normalisation is one running mean square, one integer square root and one division per
    neuron and sample — neuron (or embedded-CPU) work like the astrocyte's normalisation of θ̃ —
    and the engine only forms products of traces and the tag, so Adam's per-synapse second
    moment is replaced by one per neuron on each side (exact in shape for a rank-one step).
    Differences to a Loihi 2 synapse, stated rather than hidden: here ``x1``, ``y1`` are 24-bit
    signed values (Loihi 2 traces are 7-bit unsigned, signed values ride on offsets), the tag
    ``t`` is a 24-bit velocity (Loihi 2: 8 bits) and the weight is an 8-bit mantissa with 8 bits
    of learning precision (Loihi 2: stochastic rounding of an 8-bit weight). The learned biases
    use the same rule with ``x1 = 1``.
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
                        "engine optimizer: per-neuron running RMS (integer square root and "
                        "division), momentum in a per-synapse tag",
                        "chain DeltaVecs: output-current differences, integer δ_L @ K_l",
                        "LIF rate-slope trace with a surrogate-slope LUT (spiking chain)")
    loihi_limits = ("whole network in one process: must be split over neurocores",
                    "node-perturbation refresh re-runs the network 2·N times inside one "
                    "time step (on chip: 2·N passes, or the embedded CPUs)")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        fx.check_fixed_config(self.config)

    def build(self) -> SampleLearner:
        """The integer network quantized from the float initial Vars, or (``n_learned > 0``,
        a resumed run) taken from them with the exponents ``weight_exps`` and the optimizer
        state ``moments``; the DeltaVecs as D_FRAC integers."""
        resume = int(self.n_learned[0]) > 0
        net = fx.FixedNetwork(self._layers(), self.spec, self.config, self.num_steps,
                              exps=self.weight_exps.tolist() if resume else None)
        net.n_updates = int(self.n_learned[0])
        if resume:
            net.load_optimizer_state(self.moments)
        self.weight_exps[:] = [layer.exp for layer in net.layers]
        deltas = fx.to_fixed(self.deltavecs, fx.D_FRAC)
        self.deltavecs[:] = net.real_deltas(deltas)
        learner = SampleLearner(net, self.sizes, deltas, int(self.n_learned[0]))
        self.learner = learner
        self.mirror()
        return learner

    def mirror(self) -> None:
        """Write the integer weights, biases and optimizer state into the real-valued Vars
        (the DeltaVecs change only at a refresh, which :meth:`run_spk` writes; the optimizer
        state: :meth:`export_state`)."""
        net = self.learner.net
        reals = [fx.dequantize_layer(layer) for layer in net.layers]
        self.weights[:] = np.concatenate([w.ravel() for w, _ in reals])
        self.biases[:] = np.concatenate([b for _, b in reals])

    def export_state(self) -> None:
        """Write the optimizer state into ``moments`` (at the first sample that is not
        learned after learned ones, so a host that reads it between blocks sees it current)."""
        state = self.learner.net.optimizer_state()
        if state is not None:
            self.moments[:] = state
