"""Interfaces of the two embedded-CPU processes of the learning-engine δ-MGD graph."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort, RefPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.engine import UPDATE_SHIFTS, WEIGHT_SHIFT, EngineSchedule
from astrolava.validation import require_count, require_int, require_positive, require_real


class EngineAstrocyte(AbstractProcess):
    """The astrocyte of one learned layer (its neurons at ``depth``): the third factors
    ``q_u`` and ``q_k`` and the perturbation.

    Per sample (positions of :class:`~astrolava.mgd.engine.EngineSchedule` in the frame of
    the layer at ``depth``; ``e = n − T·onehot(y)`` the clean-pass output counts' error):

    * counts the clean-pass output spikes on ``out_in``; when they are complete forms
      ``q_u``: the output layer ``q_u = −s_u·e``
      (:func:`~astrolava.mgd.engine.post_factor`), a hidden layer the chain DeltaVec
      ``q_u ∝ −Kᵀe`` (:func:`~astrolava.mgd.engine.chain_factor`), sent on ``u_out`` (the
      neurons read it at their latch ``event(depth)``);
    * hidden layer: every ``τδ`` samples, at position 0, refreshes its chain rows
      ``K ← (1 − ρ)·K + ρ·W_L`` from the output synapse's weights, read on ``w_ref``
      (:func:`~astrolava.mgd.engine.refresh_rows`);
    * at the latch reads the presynaptic count report ``2·m·v`` on ``pre_in`` (``x1 = m·v``)
      and sets the scale ``c = ε / (‖q_u‖·‖x1‖)`` (``‖θ̃_l‖ = ε``);
    * during the perturbed pass sends the node input ``c·q_u_j·(x1·s(t))`` on ``current_out``
      (into the neurons' ``a_in``, aligned with the learning synapse's output);
    * reads ``2ΔC`` from the global cost on ``cost_in`` and, one step before the update,
      forms ``q_k = η/ε²·ΔC·c·2**15`` (:func:`~astrolava.mgd.engine.global_factor`), sent on
      ``k_out``.

    Every model sends first and then receives (a one-step delay, like ``Dense``), so the
    loops through the neurons do not deadlock. On Loihi 2 this is embedded-CPU work.

    Parameters
    ----------
    n_pre, n_post, n_out : int >= 1
        Widths of the presynaptic layer, of this layer and of the output layer.
    schedule : EngineSchedule
    depth : int in 0..schedule.n_learned − 1
    eta, epsilon : float > 0
        Learning rate (weight LSBs per unit of ``ΔC/ε²·θ̃``) and the norm of this layer's θ̃.
    tau_delta : int >= 1
        Chain-row refresh period in samples (hidden layers).
    delta_mix : float in (0, 1]
        ρ of the refresh.
    samples_seen : int >= 0
        Samples learned before this process's first (a run resumed from a checkpoint): the
        refresh falls on the samples whose running count is a multiple of ``τδ``.
    rows : numpy.ndarray of int, shape (n_out, n_post), optional
        Initial chain rows (a resumed run's; default zeros).
    update_shift : int in 7..12
        ``s`` of the synapse's weight rule (:func:`~astrolava.mgd.engine.dw_rule`), which
        ``q_k`` is scaled for.
    """

    def __init__(self, *, n_pre: int, n_post: int, n_out: int, schedule: EngineSchedule,
                 depth: int, eta: float, epsilon: float, tau_delta: int = 100,
                 delta_mix: float = 1.0, samples_seen: int = 0,
                 rows: np.ndarray | None = None, update_shift: int = WEIGHT_SHIFT,
                 name: str | None = None) -> None:
        # AbstractProcess must be initialised before anything can raise (its __del__ needs it)
        super().__init__(name=name)
        for key, value in (("n_pre", n_pre), ("n_post", n_post), ("n_out", n_out),
                           ("tau_delta", tau_delta)):
            require_count(key, value)
        params = {"schedule": schedule,
                  "depth": require_int("depth", depth, 0, schedule.n_learned - 1),
                  "eta": require_positive("eta", eta),
                  "epsilon": require_positive("epsilon", epsilon),
                  "tau_delta": int(tau_delta),
                  "delta_mix": require_real("delta_mix", delta_mix, 0.0, 1.0, low_open=True),
                  "n_post": int(n_post),
                  "samples_seen": require_int("samples_seen", samples_seen, 0),
                  "update_shift": require_int("update_shift", update_shift, *UPDATE_SHIFTS)}
        rows = np.zeros((n_out, n_post), dtype=np.int64) if rows is None else np.asarray(rows)
        if rows.shape != (n_out, n_post):
            raise ValueError(f"rows has shape {rows.shape}; it must be (n_out, n_post) = "
                             f"{(n_out, n_post)}")
        for key, value in params.items():
            self.proc_params.overwrite(key, value)
        self.pre_in = InPort(shape=(n_pre,))
        self.out_in = InPort(shape=(n_out,))
        self.label_in = InPort(shape=(1,))
        self.cost_in = InPort(shape=(1,))
        self.u_out = OutPort(shape=(n_post,))
        self.k_out = OutPort(shape=(n_post,))
        self.current_out = OutPort(shape=(n_post,))
        self.w_ref = RefPort(shape=(n_out, n_post))
        self.q_u = Var(shape=(n_post,), init=0)
        self.x1 = Var(shape=(n_pre,), init=0)
        self.rows = Var(shape=(n_out, n_post), init=rows)


class EngineCost(AbstractProcess):
    """The global cost: ``C₀`` and ``C̃`` from the output counts, and ``2ΔC`` for the
    astrocytes.

    ``2C = Σ_j (n_j − T·onehot(y)_j)²`` for the clean and the perturbed pass; at the last
    perturbed step (output frame) ``2ΔC = 2C̃ − 2C₀`` is formed and sent on ``cost_out``
    from the next step on (to every layer's astrocyte). Also records the clean pass:
    ``n_seen``, ``n_correct`` (argmax of the counts) and ``cost2_sum``. Embedded-CPU work
    on Loihi 2.

    Parameters
    ----------
    n_post : int >= 1
        Output width.
    schedule : EngineSchedule
    """

    def __init__(self, *, n_post: int, schedule: EngineSchedule,
                 name: str | None = None) -> None:
        # AbstractProcess must be initialised before anything can raise (its __del__ needs it)
        super().__init__(schedule=schedule, name=name)
        require_count("n_post", n_post)
        self.post_in = InPort(shape=(n_post,))
        self.label_in = InPort(shape=(1,))
        self.cost_out = OutPort(shape=(1,))
        self.n_seen = Var(shape=(1,), init=0)
        self.n_correct = Var(shape=(1,), init=0)
        self.cost2_sum = Var(shape=(1,), init=0)
