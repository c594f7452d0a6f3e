"""Process models of :class:`Astrocyte`: floating_pt (float64) and fixed_pt (Loihi integers,
the arithmetic of :mod:`astrolava.mgd.fixed`)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.astrocyte.process import Astrocyte
from astrolava.processes.tripartite_synapse.models import LEARN, REFRESH
from astrolava.processes.tripartite_synapse.process import sample_steps
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd import equations as eq
from astrolava.mgd import fixed as fx


class AstrocyteModel(PyLoihiProcessModel):
    """Schedule shared by both models (see :class:`Astrocyte`); subclasses implement
    :meth:`mix` (the refresh), :meth:`perturbation` (the scaled class DeltaVec) and, for
    chain DeltaVecs, :meth:`chain_rows`, :meth:`chain_back` and :meth:`chain_scale`."""

    dtype: type = np.float64
    """Element type of the ``delta_out`` message."""
    deltavecs: np.ndarray = LavaPyType(np.ndarray, float)
    learning: np.ndarray = LavaPyType(np.ndarray, int)
    n_refreshes: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.sizes: list[int] = proc_params["layer_sizes"]
        self.bounds = np.cumsum([0, *self.sizes])
        self.tau_delta: int = proc_params["tau_delta"]
        self.mix_rate: float = proc_params["delta_mix"]
        self.epsilon: float = proc_params["epsilon"]
        self.normalize: str = proc_params["normalize"]
        self.num_steps: int = proc_params["num_steps"]
        self.chain = proc_params["deltavecs"] == "chain"
        self.fd_step: float = proc_params["fd_step"]
        self.spiking: bool = proc_params["spiking"]
        self.n_hidden = int(self.bounds[-2])
        self.total: np.ndarray | None = None  # chain: probe output currents summed over a pass
        self.due = np.ones(self.sizes[-1], dtype=bool)
        self.flag = 0
        self.pre_sq = np.zeros(len(self.sizes))
        self.n_learned = 0
        self.pert: tuple[np.ndarray, int] = (np.zeros(0), 0)  # (u, s) of the sample
        self.back = np.zeros(0)  # chain: u = [δ_L @ K_l ..., δ_L] of the sample

    def _phase(self) -> int:
        return (self.time_step - 1) % sample_steps(self.num_steps)

    def _layers(self, row: np.ndarray) -> list[np.ndarray]:
        """A DeltaVec split into its layers' blocks."""
        return [row[lo:hi] for lo, hi in zip(self.bounds[:-1], self.bounds[1:], strict=True)]

    def run_spk(self) -> None:
        y = eq.check_label(self.label_in.recv()[0], self.sizes[-1])
        message = np.zeros(self.delta_out.shape, dtype=self.dtype)
        phase, steps = self._phase(), self.num_steps
        if phase == 0:  # a sample begins: evaluate only, learn, or refresh and learn
            due = self.n_learned % self.tau_delta == 0 if self.chain else self.due[y]
            self.flag = (REFRESH if due else LEARN) if self.learning[0] else 0
        if phase >= steps and self.flag:  # perturbed pass: u and s in every step
            if phase == steps:
                self.pert = (self.back, 0) if self.chain else self.perturbation(y)
                self.n_learned += 1
            message[:-2], message[-2] = self.pert
        message[-1] = self.flag
        self.delta_out.send(message)
        if self.chain:
            self._chain_step(phase)
            return
        pre_sq = self.norm_in.recv()
        delta_new = self.delta_new_in.recv()
        if phase == steps - 1:  # end of the clean pass: ‖v‖² and δ_new arrive
            self.pre_sq = pre_sq
            if self.flag == REFRESH:
                self.due[y] = False
                self.n_refreshes[0] += 1
                self.mix(y, delta_new)

    def _chain_step(self, phase: int) -> None:
        """Chain DeltaVecs after ``delta_out`` went out: answer the synapses' ``δ̂`` with the
        scale (step ``T``), sum the probe currents (clean steps of a refresh), and at the end
        of the clean pass refresh the rows and form ``u`` from ``δ_L``."""
        steps = self.num_steps
        if phase == steps and self.flag:
            self.scale_out.send(self.chain_scale(self.post_in.recv()))
        if phase < steps and self.flag == REFRESH:
            rows = self.probe_in.recv()
            self.total = np.array(rows) if phase == 0 else self.total + rows
        pre_sq = self.norm_in.recv()
        if phase == steps - 1:
            self.pre_sq = pre_sq
            error = self.error_in.recv()
            if self.flag == REFRESH:
                self.n_refreshes[0] += 1
                n = self.n_hidden
                self.chain_rows(self.total[:n], self.total[n:])
            if self.flag:
                blocks = self._layers(self.deltavecs_held().T)[:-1]
                self.back = np.concatenate([*(self.chain_back(error, k.T) for k in blocks),
                                            error])

    def deltavecs_held(self) -> np.ndarray:
        """The DeltaVecs (chain rows) in the model's own units."""
        return self.deltavecs

    def chain_rows(self, total_plus: np.ndarray, total_minus: np.ndarray) -> None:
        """Refresh ``K ← (1 − ρ) K + ρ K_new`` from the probe rows' output currents summed
        over the clean pass (``+h`` rows, ``−h`` rows; (N_h, n_classes) each)."""
        raise NotImplementedError

    def chain_back(self, error: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``u_l = δ_L @ K_l`` of one hidden layer's rows (n_classes, n_l)."""
        raise NotImplementedError

    def chain_scale(self, post: np.ndarray) -> np.ndarray:
        """The ``scale_out`` answer to the synapses' ``δ̂`` (all layers side by side)."""
        raise NotImplementedError

    def mix(self, y: int, delta_new: np.ndarray) -> None:
        """``δ_y ← (1 − ρ) δ_y + ρ δ_new`` (Alg. 1 lines 5-7)."""
        raise NotImplementedError

    def perturbation(self, y: int) -> tuple[np.ndarray, int]:
        """``(u, s)``: class ``y``'s DeltaVec scaled to ``‖θ̃‖ = ε`` and the amplitude
        exponent (``θ̃ = 2**s u ⊗ v``)."""
        raise NotImplementedError

    def post_guard(self) -> bool:
        return not self.chain and self._phase() == sample_steps(self.num_steps) - 1 \
            and self.flag != 0 and self.n_learned % self.tau_delta == 0

    def run_post_mgmt(self) -> None:
        """τδ samples learned: every class falls due (Alg. 1 line 4)."""
        self.due[:] = True


@implements(proc=Astrocyte, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyAstrocyteFloat(AstrocyteModel):
    """float64 astrocyte: DeltaVec bank, refresh schedule, perturbation amplitude."""

    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    norm_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_new_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    delta_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    error_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    post_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    scale_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def mix(self, y, delta_new):
        self.deltavecs[y] = eq.mix_deltavecs(self.deltavecs[y], delta_new, self.mix_rate)

    def _scales(self, post: list[np.ndarray]) -> list[float]:
        """Per-layer factors that scale ``θ̃ = δ̂ ⊗ v`` to norm ε (:func:`eq.normalization_scale`)."""
        return eq.normalization_scale(
            [eq.rank_one_sq_norm(u, sq) for u, sq in zip(post, self.pre_sq, strict=True)],
            self.epsilon, self.normalize)

    def perturbation(self, y):
        post = self._layers(self.deltavecs[y])
        return np.concatenate([u * s for u, s in zip(post, self._scales(post),
                                                     strict=True)]), 0

    def chain_rows(self, total_plus, total_minus):
        new = eq.central_difference(total_plus / self.num_steps, total_minus / self.num_steps,
                                    self.fd_step).T
        self.deltavecs[:] = eq.mix_deltavecs(self.deltavecs, new, self.mix_rate)

    def chain_back(self, error, rows):
        return error @ rows

    def chain_scale(self, post):
        return np.array([*self._scales(self._layers(post)), 0.0])


@implements(proc=Astrocyte, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAstrocyteFixed(AstrocyteModel):
    """The astrocyte on Loihi integers (formats of :mod:`astrolava.mgd.fixed`).

    * DeltaVecs: 24-bit D_FRAC integers (the ``deltavecs`` Var mirrors them in real units;
      set it before the run, it is quantized on the first sample); the refresh mixes with
      ρ on RATIO_FRAC = 12 bits, rounded and saturated
      (:func:`~astrolava.mgd.fixed.mix_deltavecs`);
    * ``norm_in``: the synapses' ``‖v_l‖²`` as 24-bit SQ_FRAC integers; ``delta_new_in``:
      D_FRAC node-perturbation gradients from the cost;
    * ``delta_out``: the class DeltaVec scaled by an 8-bit mantissa, ``u' = u·c/2**7``
      (D_FRAC, 24 bit), with the exponent ``s`` of the amplitude ``2**s``
      (:func:`~astrolava.mgd.fixed.perturbation_scale`: global normalisation only,
      an integer square root and a division, ``‖θ̃‖ = ε`` to about 0.4 %), then the flag.
    """

    dtype = np.int64
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    norm_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    delta_new_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    delta_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    error_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    probe_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    post_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)
    scale_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=fx.STATE_BITS)

    loihi_formats = {"deltavecs": (fx.STATE_BITS, fx.D_FRAC), "learning": (2, 0),
                     "n_refreshes": (fx.STATE_BITS, 0)}
    """Integer formats the real-valued mirror Vars stand for."""
    loihi_operations = ("12-bit mix of stored and new DeltaVecs with rounding shift",
                        "sum of squares, integer square root and division (perturbation amplitude)")

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        if self.normalize != "global":
            raise ValueError(f"normalize={self.normalize!r}: the fixed_pt astrocyte supports "
                             "'global' only")
        self.deltas_q: np.ndarray | None = None

    def _deltas(self) -> np.ndarray:
        if self.deltas_q is None:
            self.deltas_q = fx.to_fixed(self.deltavecs, fx.D_FRAC)
            self.deltavecs[:] = self.deltas_q / 2.0 ** fx.D_FRAC
        return self.deltas_q

    def deltavecs_held(self):
        return self._deltas()

    def chain_rows(self, total_plus, total_minus):
        new = fx.current_differences(total_plus, total_minus, self.fd_step,
                                     0 if self.spiking else fx.A_FRAC, self.num_steps)
        deltas = self._deltas()
        deltas[:] = fx.mix_deltavecs(deltas, new, self.mix_rate)
        self.deltavecs[:] = deltas / 2.0 ** fx.D_FRAC

    def chain_back(self, error, rows):
        return fx.chain_back(error, rows)

    def chain_scale(self, post):
        c, s = fx.perturbation_scale(self._layers(post.astype(np.int64)), self.pre_sq,
                                     self.epsilon)
        return np.array([c] * len(self.sizes) + [s], dtype=np.int64)

    def mix(self, y, delta_new):
        deltas = self._deltas()
        deltas[y] = fx.mix_deltavecs(deltas[y], delta_new, self.mix_rate)
        self.deltavecs[y] = deltas[y] / 2.0 ** fx.D_FRAC

    def perturbation(self, y):
        row = self._deltas()[y]
        c, s = fx.perturbation_scale(self._layers(row), self.pre_sq, self.epsilon)
        return fx.scale_post(row, c), s
