"""Interface of the tripartite (pre, post, astrocyte) δ-MGD synapse."""

from __future__ import annotations

import numpy as np
from astrolava.processes.astrocyte.process import DELTAVEC_KINDS
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.config import (
    require_count,
    require_integer_in,
    require_one_of,
    require_positive,
)


def sample_steps(num_steps: int) -> int:
    """Time steps of one sample in the fine-grained graph: a clean pass (with the
    node-perturbation probes) of ``num_steps`` steps, then a perturbed pass as long (1 step
    each for a rate network, ``T`` for a spiking one)."""
    return 2 * num_steps


class TripartiteSynapse(AbstractProcess):
    """Dense synapse of layer ``l`` whose learning uses only local and broadcast signals.

    Each sample takes ``2·T`` time steps (:func:`sample_steps`; ``T = num_steps``, 1 for a
    rate network, the rate-code length for a spiking one, whose input spikes arrive one
    vector per step):

    * steps ``0..T−1`` (clean pass and node-perturbation probes): ``z = W a + b`` for row 0
      of the input batch; it sums row 0 over the pass and keeps its mean
      ``v = (1/T) Σ_t a[t]`` (the presynaptic activity, a firing rate for spikes) locally,
      reporting ``‖v‖²`` to the astrocyte on ``norm_out`` in step ``T−1``; when the
      astrocyte flags a refresh it also computes the probe rows, adding ``±h`` to its own
      neurons' probe rows, and sends them on ``probe_out`` (row messages,
      :mod:`astrolava.processes.probe_rows`: without a refresh only row 0 travels). A
      ``vector_input`` synapse stores the T input vectors.
    * steps ``T..2T−1`` (perturbed pass): the astrocyte's scaled class DeltaVec ``u``
      (amplitude ``2**s``) arrives on ``delta_in``; the synapse forms ``θ̃_W = 2**s u ⊗ v``,
      ``θ̃_b = 2**s u`` and sends ``(W + θ̃_W) a + b + θ̃_b`` for row 0 (a ``vector_input``
      synapse replays its stored input and adds θ̃'s term to the ``W a + b`` it kept from
      the clean pass, like the fused model; what arrives then is ignored).
    * chain DeltaVecs (``deltavecs="chain"``): the probe rows are the outputs of the
      presynaptic layer's neurons shifted by ``±h`` one at a time (``2·N_h`` rows over the
      ``N_h`` hidden neurons; this synapse adds the shifts of its presynaptic neurons to its
      input rows; the first synapse copies row 0); the last synapse sends its probe rows'
      currents ``z_L`` to the astrocyte on ``probe_out`` (the output neurons get row 0 only).
      A hidden layer's synapse receives its neurons' slope ``f'(z_l)`` of the clean pass on
      ``slope_in``; in step ``T`` it turns the astrocyte's ``u_l = K_lᵀ δ_L`` into
      ``δ̂_l = f'(z_l) ⊙ u_l`` (the output synapse: ``δ̂_L = u_L = δ_L``), sends it on
      ``post_out`` and receives on ``scale_in`` the factor that scales θ̃ to norm ε.
    * step ``2T−1``: the third factor ``k = ΔC·w/ε²`` arrives from the global cost on
      ``k_in``, and in that step's lrn phase (the only one of a sample: Lava runs a learning
      phase in a step only when a process asks for it) ``Θ ← Θ − η (k·θ̃ + λΘ)`` (paper
      Alg. 1 line 17).

    The floating_pt model computes in float64 (``s = 0``, ``u`` already scaled to ε). The
    fixed_pt model keeps Loihi's formats (see its docstring and
    :mod:`astrolava.mgd.fixed`): 8-bit weight mantissa + 8-bit learning tag with a
    shared exponent, 24-bit saturating bias, currents, activities and DeltaVecs, the
    learning-engine coefficient ``k`` (with η folded in) as a 16-bit mantissa and a shift.

    Parameters
    ----------
    weights : numpy.ndarray (n_out, n_in)
    bias : numpy.ndarray (n_out,)
    neuron_offset : int >= 0
        Index of this layer's first neuron among all the network's neurons (its slice of
        the DeltaVec and of the probe rows).
    n_neurons : int >= n_out
        Neurons of the whole network (length of a DeltaVec); the node-perturbation batch
        has ``P − 1 = 2·n_neurons`` probe rows.
    layer_index, n_layers : int
        Position of this layer (its component of ``norm_out``).
    fd_step : float > 0
        Probe bias shift ``h``.
    eta : float > 0
        Learning rate η.
    weight_decay : float >= 0
    vector_input : bool
        ``a_in`` is a single vector (the network input), broadcast to all rows.
    num_steps : int >= 1
        Steps ``T`` of a pass.
    spiking : bool
        ``a_in`` carries 0/1 spikes (fixed_pt: 0 fractional bits).
    deltavecs : {"class", "chain"}
    n_hidden : int >= 0
        Chain only: hidden neurons of the network ``N_h`` (probe rows ``2·N_h``).
    weight_headroom_shift : int in [0, 6]
        fixed_pt: the weights can grow to ``2**s`` times their largest initial magnitude
        (``DeltaMGDConfig.weight_headroom_shift``).
    name : str, optional

    Ports
    -----
    a_in : InPort (n_in,) or (n_in + 1,)
        The network input (``vector_input``), or the upstream layer's row 0 and flag of a
        row message (:mod:`astrolava.processes.probe_rows`).
    probe_in : InPort (P − 1, n_in)
        The upstream probe rows, in the steps whose flag is set (unused for ``vector_input``).
    delta_in : InPort (n_neurons + 2,)
        Scaled DeltaVec ``u`` of every layer, the amplitude exponent ``s`` and, last, the
        astrocyte's flag (0 evaluate, 1 learn, 2 learn and refresh).
    k_in : InPort (2,)
        Update coefficient ``k = m·2**-f`` as ``(m, f)`` from the global cost, received in
        the spike phase of every step (zeros but in the last step of a sample) and applied in
        the lrn phase of the last step of a learned sample.
    slope_in : InPort (n_out,)
        Chain, hidden layers: ``f'(z)`` of the postsynaptic neurons at the end of every pass.
    post_out : OutPort (n_neurons,)
        Chain: ``δ̂_l`` in this layer's slice, in step ``T`` of a learned sample.
    scale_in : InPort (n_layers + 1,)
        Chain: the astrocyte's answer to ``post_out``: every layer's scale factor (fixed_pt:
        the 8-bit mantissa ``c``) and the amplitude exponent ``s``.
    z_out : OutPort (n_out + 1,)
        Row 0 of the currents and the flag 1 in the steps that send probe rows.
    probe_out : OutPort (P − 1, n_out)
        The probe rows' currents, only in the clean pass of a refresh (chain: the last
        synapse's go to the astrocyte).
    norm_out : OutPort (n_layers,)
        ``‖v‖²`` in this layer's component (summed with the other layers' at the astrocyte).
    """

    def __init__(self, *, weights: np.ndarray, bias: np.ndarray,
                 neuron_offset: int, n_neurons: int, layer_index: int, n_layers: int,
                 fd_step: float, eta: float, weight_decay: float = 0.0,
                 vector_input: bool = False, num_steps: int = 1, spiking: bool = False,
                 deltavecs: str = "class", n_hidden: int = 0, weight_headroom_shift: int = 1,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        weights = np.asarray(weights, dtype=np.float64)
        bias = np.asarray(bias, dtype=np.float64)
        if weights.ndim != 2 or bias.shape != (weights.shape[0],):
            raise ValueError(f"weights {weights.shape} and bias {bias.shape} must be (n_out, "
                             "n_in) and (n_out,)")
        n_out, n_in = weights.shape
        if not 0 <= neuron_offset <= n_neurons - n_out:
            raise ValueError(f"neuron_offset={neuron_offset} must lie in [0, {n_neurons - n_out}]")
        if not 0 <= layer_index < n_layers:
            raise ValueError(f"layer_index={layer_index} must lie in [0, {n_layers})")
        require_positive("fd_step", fd_step)
        require_positive("eta", eta)
        if weight_decay < 0:
            raise ValueError(f"weight_decay={weight_decay} must be >= 0")
        require_count("num_steps", num_steps)
        require_one_of("deltavecs", deltavecs, DELTAVEC_KINDS)
        require_integer_in("weight_headroom_shift", weight_headroom_shift, 0, 6)
        chain = deltavecs == "chain"
        if chain and not 0 < int(n_hidden) < n_neurons:
            raise ValueError(f"n_hidden={n_hidden} must lie in [1, {n_neurons}) for "
                             "deltavecs='chain' (the hidden neurons of the network)")
        # P − 1 probe rows: +h and −h for every neuron (chain: every hidden neuron's output)
        n_probes = 2 * int(n_hidden if chain else n_neurons)
        for key, value in (("n_probes", n_probes), ("neuron_offset", int(neuron_offset)),
                           ("n_neurons", int(n_neurons)), ("layer_index", int(layer_index)),
                           ("fd_step", float(fd_step)), ("eta", float(eta)),
                           ("weight_decay", float(weight_decay)),
                           ("vector_input", bool(vector_input)),
                           ("num_steps", int(num_steps)), ("spiking", bool(spiking)),
                           ("chain", chain), ("n_layers", int(n_layers)),
                           ("weight_headroom_shift", int(weight_headroom_shift))):
            self.proc_params.overwrite(key, value)
        self.a_in = InPort(shape=(n_in,) if vector_input else (n_in + 1,))
        self.probe_in = InPort(shape=(n_probes, n_in))
        self.delta_in = InPort(shape=(n_neurons + 2,))
        self.k_in = InPort(shape=(2,))
        self.slope_in = InPort(shape=(n_out,))
        self.post_out = OutPort(shape=(n_neurons,))
        self.scale_in = InPort(shape=(n_layers + 1,))
        self.z_out = OutPort(shape=(n_out + 1,))
        self.probe_out = OutPort(shape=(n_probes, n_out))
        self.norm_out = OutPort(shape=(n_layers,))
        self.weights = Var(shape=weights.shape, init=weights)
        self.bias = Var(shape=bias.shape, init=bias)
        self.pre_trace = Var(shape=(n_in,), init=0)
        self.theta_post = Var(shape=(n_out,), init=0)
