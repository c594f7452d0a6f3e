"""Interface of the global cost process."""

from __future__ import annotations

from astrolava.processes.astrocyte.process import DELTAVEC_KINDS
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.config import (
    LOSSES,
    require_count,
    require_in_range,
    require_one_of,
    require_positive,
)


class GlobalCost(AbstractProcess):
    """The network's cost, measured where output and target meet (paper Alg. 1 l. 11, 16).

    Per sample (two passes of ``T`` steps, see :class:`TripartiteSynapse`):

    * end of the clean pass: clean cost ``C0`` of output row 0 (its mean over the pass);
      counts the sample and whether its arg-max is the label; the probe rows give the
      node-perturbation bias gradients ``δ_j = (C(b_j + h) − C(b_j − h)) / 2h`` sent to
      the astrocyte on ``delta_new_out``;
    * end of the perturbed pass: perturbed cost ``C̃``, ``ΔC = C̃ − C0`` and the third factor
      ``k = ΔC·w/ε²`` (``w = γ·C0``, or 1 when γ = 0) broadcast to every synapse on ``k_out``.

    With chain DeltaVecs (``deltavecs="chain"``) the probe rows go to the astrocyte instead,
    and at the end of every clean pass the cost broadcasts the exact output δ
    ``δ_L = e ⊙ f'(z_L)`` on ``error_out`` (n_classes numbers; ``e = ∂C/∂o``; ``f'`` is
    ``1 − o²`` of a tanh output or, spiking, the output neurons' rate slope received on
    ``slope_in``; ``astrolava.mgd.equations.output_delta``).

    ``k`` travels as a mantissa and a shift ``(m, f)``, ``k = m·2**-f``: floating_pt sends
    ``(k, 0)`` and its synapses multiply by η; fixed_pt (24-bit C_FRAC costs, see its
    docstring) folds η into a 16-bit mantissa, ``k = (η/ε²)·ΔC·w``, as a learning engine
    applies one coefficient.

    Parameters
    ----------
    n_classes : int >= 1
    n_neurons : int >= n_classes
        Neurons of the network (probe rows ``2·n_neurons``).
    loss : {"mse", "ce"}
    epsilon : float > 0
    gamma : float >= 0
    fd_step : float > 0
    eta : float > 0
        Learning rate η (fixed_pt folds it into ``k``; floating_pt does not use it).
    num_steps : int >= 1
        Steps ``T`` of a pass: the costs are those of the output rows summed over the pass
        and divided by T (the firing rates of a spiking output, the readout of the fused
        model), formed in the last clean step (``T−1``) and the last perturbed step
        (``2T−1``).
    spiking : bool
        ``out_in`` carries 0/1 spikes (fixed_pt: their rate is formed on A_FRAC bits).
    deltavecs : {"class", "chain"}
    name : str, optional

    Ports
    -----
    out_in : InPort (n_classes + 1,)
        Output row 0 and the flag of a row message (:mod:`astrolava.processes.probe_rows`).
    probe_in : InPort (2·n_neurons, n_classes)
        The probe output rows, in the steps whose flag is set (the clean pass of a refresh).
    label_in : InPort (1,)
    delta_new_out : OutPort (n_neurons,)
        The probe gradients at the end of a clean pass with probe rows, zeros otherwise.
    k_out : OutPort (2,)
        ``(m, f)`` of ``k`` in the last step of a sample, zeros otherwise.
    result_out : OutPort (3,)
        ``(prediction, C0, ΔC)`` of the sample in its last step, zeros otherwise.
    error_out : OutPort (n_classes,)
        Chain: ``δ_L`` in the last step of every clean pass.
    slope_in : InPort (n_classes,)
        Chain, spiking: the output neurons' rate slope at the end of every pass.

    Vars
    ----
    n_samples, n_correct : (1,) counters; cost0, delta_cost : (1,) of the last sample.
    """

    def __init__(self, *, n_classes: int, n_neurons: int, loss: str = "mse",
                 epsilon: float = 1e-3, gamma: float = 0.0, fd_step: float = 1e-3,
                 eta: float = 1.0, num_steps: int = 1, spiking: bool = False,
                 deltavecs: str = "class", name: str | None = None) -> None:
        super().__init__(name=name)
        if n_classes < 1 or n_neurons < n_classes:
            raise ValueError(f"n_classes={n_classes} must be >= 1 and n_neurons={n_neurons} "
                             ">= n_classes")
        require_one_of("loss", loss, LOSSES)
        for key, value in (("epsilon", epsilon), ("fd_step", fd_step), ("eta", eta)):
            require_positive(key, value)
        require_in_range("gamma", gamma, 0.0, float("inf"))
        require_count("num_steps", num_steps)
        require_one_of("deltavecs", deltavecs, DELTAVEC_KINDS)
        for key, value in (("num_steps", int(num_steps)), ("spiking", bool(spiking)),
                           ("chain", deltavecs == "chain"),
                           ("n_neurons", int(n_neurons)), ("loss", loss),
                           ("epsilon", float(epsilon)), ("gamma", float(gamma)),
                           ("fd_step", float(fd_step)), ("eta", float(eta))):
            self.proc_params.overwrite(key, value)
        self.out_in = InPort(shape=(n_classes + 1,))
        self.probe_in = InPort(shape=(2 * n_neurons, n_classes))
        self.label_in = InPort(shape=(1,))
        self.delta_new_out = OutPort(shape=(n_neurons,))
        self.k_out = OutPort(shape=(2,))
        self.result_out = OutPort(shape=(3,))
        self.error_out = OutPort(shape=(n_classes,))
        self.slope_in = InPort(shape=(n_classes,))
        self.n_samples = Var(shape=(1,), init=0)
        self.n_correct = Var(shape=(1,), init=0)
        self.cost0 = Var(shape=(1,), init=0)
        self.delta_cost = Var(shape=(1,), init=0)
