"""Process models of :class:`TripartiteSynapse`: floating_pt (float64) and fixed_pt (Loihi
integers, the arithmetic of :mod:`astrolava.mgd.fixed`)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.probe_rows import recv_rows, send_rows
from astrolava.processes.tripartite_synapse.process import TripartiteSynapse, sample_steps
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx

REFRESH, LEARN = 2, 1
"""Flags sent by the astrocyte after the DeltaVec (0: evaluate only)."""


class TripartiteSynapseModel(PyLoihiProcessModel):
    """Schedule shared by both models (see :class:`TripartiteSynapse`); subclasses implement
    the arithmetic: :meth:`current`, :meth:`perturbed`, :meth:`hold`, :meth:`sq_norm`,
    :meth:`probe_step`, :meth:`finish`, :meth:`learn` and, for chain DeltaVecs,
    :meth:`input_step`, :meth:`local_delta` and :meth:`set_perturbation`."""

    dtype: type = np.float64
    """Element type of the messages (currents, ‖v‖²) the model sends."""
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)

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
        self.num_steps: int = proc_params["num_steps"]
        self.chain: bool = proc_params["chain"]
        last = self.layer == proc_params["n_layers"] - 1
        self.readout_probes = self.chain and last  # its probe currents go to the astrocyte
        self.receives_slope = self.chain and not last
        self.slope: np.ndarray | None = None  # chain: f'(z) of the clean pass
        self.flag = 0
        self.coef = np.zeros(2)  # the third factor k = (m, f) of this step
        self.shift = 0  # power-of-two amplitude 2**s of u (fixed_pt; 0 in floating_pt)
        self.inputs: np.ndarray | None = None  # vector_input: the T input vectors of a sample
        self.currents: np.ndarray | None = None  # vector_input: their clean W a + b
        self.total: np.ndarray | None = None  # row 0's input summed over the clean pass

    def _phase(self) -> int:
        return (self.time_step - 1) % sample_steps(self.num_steps)

    def run_spk(self) -> None:
        message = self.delta_in.recv()
        self.flag = int(message[-1])
        n_out, phase, steps = self.weights.shape[0], self._phase(), self.num_steps
        if self.chain and phase == steps:
            self._chain_perturbation(message[self.offset:self.offset + n_out])
        # the network input, or the upstream layer's rows (its probe rows only when sent)
        a = self.a_in.recv() if self.vector_input else recv_rows(self.a_in, self.probe_in)
        norm = np.zeros(self.norm_out.shape, dtype=self.dtype)
        if phase < self.num_steps:
            clean = a if self.vector_input else a[0]
            current = self.current(clean)
            if self.vector_input:
                if self.inputs is None:
                    self.inputs = np.zeros((self.num_steps, len(a)), dtype=a.dtype)
                    self.currents = np.zeros((self.num_steps, n_out), dtype=self.dtype)
                self.inputs[phase], self.currents[phase] = a, current
            self.total = np.array(clean) if phase == 0 else self.total + clean
            if phase == self.num_steps - 1:
                norm[self.layer] = self.sq_norm(self.hold(self.total))
            z = self.finish(current)[None]
            if self.flag == REFRESH:
                z = np.concatenate([z, self._probes(z, a)])
        else:
            if not self.chain:
                self.theta_post[:] = message[self.offset:self.offset + n_out]
                self.shift = int(message[-2])
            if self.vector_input:  # replay the stored input; its clean current is known
                index = phase - self.num_steps
                clean, current = self.inputs[index], self.currents[index]
            else:
                clean = a[0]
                current = self.current(clean)
            z = self.finish(self.perturbed(current, clean))[None]
        send_rows(self.z_out, self.probe_out, z[:1] if self.readout_probes else z)
        if self.readout_probes and len(z) > 1:
            self.probe_out.send(z[1:])
        self.norm_out.send(norm)
        if self.receives_slope and phase % steps == steps - 1:
            slope = self.slope_in.recv()  # sent at the end of every pass; the clean one is used
            if phase == steps - 1:
                self.slope = slope
        self.coef = self.k_in.recv()  # zeros but in the last step of a sample

    def _probes(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Currents of the probe rows: copies of row 0 in layer 0, the upstream probe rows
        further on, with ``±h`` on this layer's own biases (class) or on its presynaptic
        neurons' outputs (chain)."""
        if self.chain and self.vector_input:
            return np.repeat(z, self.n_probes, axis=0)
        if not self.chain:
            probes = np.repeat(z, self.n_probes, axis=0) if self.vector_input \
                else self.finish(self.current(a[1:]))
            own, step = np.arange(len(z[0])), self.probe_step()
            probes[self.offset + own, own] += step
            probes[self.n_neurons + self.offset + own, own] -= step
            return self.finish(probes)
        inp = np.array(a[1:], dtype=self.dtype)
        n_in = inp.shape[1]
        own, step, start = np.arange(n_in), self.input_step(), self.offset - n_in
        inp[start + own, own] += step
        inp[self.n_probes // 2 + start + own, own] -= step
        return self.finish(self.current(self.finish(inp)))

    def _chain_perturbation(self, u: np.ndarray) -> None:
        """Step ``T`` with chain DeltaVecs: ``δ̂ = f'(z) ⊙ u`` (the output layer: ``δ̂ = u``)
        to the astrocyte, its scale back, θ̃'s postsynaptic factor held; zero when only
        evaluating."""
        if not self.flag:
            self.theta_post[:] = 0
            self.shift = 0
            return
        post = self.local_delta(u) if self.receives_slope else u
        message = np.zeros(self.post_out.shape, dtype=self.dtype)
        message[self.offset:self.offset + len(post)] = post
        self.post_out.send(message)
        self.set_perturbation(post, self.scale_in.recv())
    def lrn_guard(self) -> bool:
        """The learning phase runs once per learned sample, in its last step (a learning
        phase in every step would double Lava's per-step cost)."""
        return self.flag != 0 and self._phase() == sample_steps(self.num_steps) - 1

    def run_lrn(self) -> None:
        """Apply the third factor ``k = m·2**-f`` (``k_in = (m, f)``, received in this step's
        spike phase) at the end of a learned sample (Alg. 1 line 17)."""
        self.learn(self.coef)

    def current(self, inp: np.ndarray) -> np.ndarray:
        """``W a + b`` for every row of ``inp`` (before :meth:`finish`)."""
        raise NotImplementedError

    def perturbed(self, current: np.ndarray, inp: np.ndarray) -> np.ndarray:
        """``current + θ̃_W a + θ̃_b`` for the input ``a = inp`` whose ``W a + b`` is
        ``current`` (before :meth:`finish`)."""
        raise NotImplementedError

    def hold(self, total: np.ndarray) -> np.ndarray:
        """Store and return the presynaptic activity ``v = total / T`` of the clean pass
        (``total``: row 0's input summed over the pass)."""
        raise NotImplementedError

    def sq_norm(self, v: np.ndarray) -> float:
        """``‖v‖²`` as sent to the astrocyte."""
        raise NotImplementedError

    def probe_step(self) -> float:
        """Node-perturbation bias shift ``h`` in current units."""
        raise NotImplementedError

    def finish(self, z: np.ndarray) -> np.ndarray:
        """Currents as sent (the fixed model saturates them)."""
        return z

    def learn(self, coef: np.ndarray) -> None:
        raise NotImplementedError

    def input_step(self) -> float:
        """Chain probe shift ``h`` of a presynaptic neuron's output, in input units."""
        raise NotImplementedError

    def local_delta(self, u: np.ndarray) -> np.ndarray:
        """``δ̂ = f'(z) ⊙ u`` with the postsynaptic neurons' slope of the clean pass."""
        raise NotImplementedError

    def set_perturbation(self, post: np.ndarray, scale: np.ndarray) -> None:
        """Hold θ̃'s postsynaptic factor: ``δ̂`` scaled by the astrocyte's ``scale_in``."""
        raise NotImplementedError


@implements(proc=TripartiteSynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyTripartiteSynapseFloat(TripartiteSynapseModel):
    """float64 synapse: dense current, local θ̃ = u ⊗ v, three-factor update."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    k_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    slope_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    scale_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    post_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    z_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    probe_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    norm_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    pre_trace: np.ndarray = LavaPyType(np.ndarray, float)
    theta_post: np.ndarray = LavaPyType(np.ndarray, float)

    def current(self, inp):
        return eq.synaptic_current(self.weights, self.bias, inp)

    def perturbed(self, current, inp):
        return current + eq.perturbation_current(inp, self.theta_post, self.pre_trace)

    def hold(self, total):
        self.pre_trace[:] = total / self.num_steps
        return self.pre_trace

    def sq_norm(self, v):
        return v @ v

    def probe_step(self):
        return self.fd_step

    def learn(self, coef):
        """``W ← W − η (k·u ⊗ v + λW)``, ``b ← b − η (k·u + λb)`` with ``k = m·2**-f``
        (:func:`~astrolava.mgd.equations.sgd_rank_one`)."""
        k = coef[0] * 2.0 ** -coef[1]
        eq.sgd_rank_one(self.weights, self.bias, k * self.theta_post, self.pre_trace, self.eta,
                        self.decay)

    def input_step(self):
        return self.fd_step

    def local_delta(self, u):
        return self.slope * u

    def set_perturbation(self, post, scale):
        self.theta_post[:] = post * scale[self.layer]


@implements(proc=TripartiteSynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTripartiteSynapseFixed(TripartiteSynapseModel):
    """The synapse on Loihi integers (formats of :mod:`astrolava.mgd.fixed`).

    * weights: 8-bit mantissa + 8-bit learning tag with one shared exponent
      (:func:`~astrolava.mgd.fixed.quantize_layer` of the initial ``weights``), bias
      24 bit with Z_FRAC fractional bits; ``weights``/``bias`` Vars mirror them in real
      units after every update;
    * ``a_in``: X_FRAC integers (``vector_input``: the DatasetSource's fixed_pt samples),
      A_FRAC graded spikes, or 0/1 spikes (``spiking``; ``v`` their A_FRAC rate);
      ``z_out``: 24-bit saturated Z_FRAC currents (feed a ``GradedTanh`` with
      ``in_frac_bits=Z_FRAC``, ``out_frac_bits=A_FRAC``, or a ``LIFLayer``);
    * ``pre_trace`` ``v``: A_FRAC (24 bit); ``theta_post`` ``u``: D_FRAC (24 bit) with the
      astrocyte's power-of-two amplitude ``2**s`` (``delta_in[-2]``);
    * ``norm_out``: ``‖v‖²`` as a 24-bit SQ_FRAC integer;
    * ``k_in = (m, f)``: the learning-engine coefficient ``k = m·2**-f`` from the global cost
      (16-bit mantissa; η is folded into it, so this model does not read ``eta``);
      the update is :func:`~astrolava.mgd.fixed.update_layer` (rounded in
      weight+tag units, saturating).

    Only ``weight_decay = 0``.
    """

    dtype = np.int64
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    delta_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    k_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    slope_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    scale_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    post_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    z_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    probe_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    norm_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    pre_trace: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=fx.STATE_BITS)
    theta_post: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=fx.STATE_BITS)

    loihi_formats = {"weights": (fx.WEIGHT_BITS + fx.TAG_BITS, None),
                     "bias": (fx.STATE_BITS, fx.Z_FRAC)}
    """Integer formats the real-valued mirror Vars stand for (weights: mantissa + tag, one
    exponent per synapse); ``pre_trace`` and ``theta_post`` hold the integers themselves."""
    loihi_operations = ("8-bit x 24-bit dense accumulate with exponent shift",
                        "rank-one perturbation u (v·a) added to the dendritic current",
                        "rank-one integer outer product with rounding shift (learning)")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        if self.decay:
            raise ValueError(f"weight_decay={self.decay}: the fixed_pt synapse supports 0 only")
        self.in_frac = 0 if proc_params["spiking"] else \
            fx.X_FRAC if self.vector_input else fx.A_FRAC
        self.layer_q: fx.FixedLayer | None = None
        self.headroom_shift: int = proc_params["weight_headroom_shift"]

    def _quantize(self) -> None:
        """Quantize the real initial Vars once (they are set after ``__init__``)."""
        self.layer_q = fx.quantize_layer(self.weights, self.bias, self.headroom_shift)
        self._mirror()

    def _mirror(self) -> None:
        self.weights[:], self.bias[:] = fx.dequantize_layer(self.layer_q)

    def current(self, inp):
        """Unsaturated ``W a + b`` (:func:`~astrolava.mgd.fixed.synaptic_current`)."""
        if self.layer_q is None:
            self._quantize()
        return fx.synaptic_current(self.layer_q, inp, self.in_frac)

    def perturbed(self, current, inp):
        """Unsaturated (:func:`~astrolava.mgd.fixed.perturbation_current`)."""
        return current + fx.perturbation_current(inp, self.in_frac, self._pert())

    def _pert(self) -> tuple[np.ndarray, np.ndarray, int]:
        """``(u, v, s)``: the held rank-one θ̃ = 2**s u ⊗ v as int64 arrays."""
        return self.theta_post.astype(np.int64), self.pre_trace.astype(np.int64), self.shift

    def hold(self, total):
        """``v = (total·2**(A_FRAC − in_frac)) / T`` (:func:`~astrolava.mgd.fixed.step_mean`:
        the graded input itself for T = 1, the A_FRAC firing rate of spikes)."""
        self.pre_trace[:] = fx.step_mean(np.asarray(total, dtype=np.int64),
                                         fx.A_FRAC - self.in_frac, self.num_steps)
        return self.pre_trace

    def sq_norm(self, v):
        return fx.activity_sq_norm(v)

    def probe_step(self):
        return 1 << fx.fd_exponent(self.fd_step, fx.Z_FRAC)

    def finish(self, z):
        return fx.saturate(z)

    def learn(self, coef):
        """``Θ ← Θ − k·θ̃`` on the weight+tag and bias integers."""
        self.layer_q = fx.update_layer(self.layer_q, self._pert(), (int(coef[0]), int(coef[1])))
        self._mirror()

    def input_step(self):
        """``h = 2**k`` on the input grid (A_FRAC graded values, 0/1 spikes)."""
        return 1 << fx.fd_exponent(self.fd_step, self.in_frac)

    def local_delta(self, u):
        """:func:`~astrolava.mgd.fixed.apply_slope` (A_FRAC slope, D_FRAC result)."""
        return fx.apply_slope(u, self.slope.astype(np.int64))

    def set_perturbation(self, post, scale):
        """``u' = scale_post(δ̂, c)`` and the amplitude ``2**s`` (``scale = (c, ..., s)``)."""
        self.theta_post[:] = fx.scale_post(post, int(scale[self.layer]))
        self.shift = int(scale[-1])
