"""Interface of the δ-MGD network process (fused and hierarchical models)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astrolava.processes.astrocyte.process import DELTAVEC_KINDS
from astrolava.processes.tripartite_synapse.process import sample_steps
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.run_configs import Loihi2SimCfg

from astrolava.mgd.config import (
    DeltaMGDConfig,
    require_count,
    require_in_range,
    require_one_of,
    require_positive,
)
from astrolava.mgd.equations import NetworkSpec
from astrolava.mgd.presets import NETWORKS
from astrolava.runtime import sim_config
from astrolava.validation import require_array

LAVA_DELTAVECS = DELTAVEC_KINDS
"""``DeltaMGDConfig.deltavecs`` values the Lava models implement (fused and hierarchical,
rate and spiking networks; Adam only in the fused ``floating_pt`` model)."""
RESULT_FIELDS = ("prediction", "cost0", "delta_cost")
"""Payload of ``result_out`` per sample: predicted class, clean cost C0, ΔC (0 if not learning)."""


class DeltaMGDNetwork(AbstractProcess):
    """A dense network that learns by δ-MGD inside Lava (paper Alg. 1, Fig. 8).

    One sample occupies ``steps_per_sample`` time steps (1 for the rate network, ``T`` for the
    spiking one, whose input arrives as one spike vector per step). In the last step of a
    sample the LoihiProtocol phases carry Alg. 1:

    * **spk**: receive ``x`` and the label; clean forward pass and C0; if the label's class
      is due, the astrocyte measures its DeltaVec on this sample by node perturbation
      (``δ_c ← (1 − ρ)δ_c + ρ·δ(x)``); the class DeltaVec and the held presynaptic activity
      form θ̃ (normalised to amplitude ε); perturbed forward pass; ΔC = C̃ − C0; the result is
      sent on ``result_out``. With ``config.deltavecs="chain"`` (the recommended rate and
      spiking presets; fused models) the astrocyte instead refreshes every row
      ``∂z_L,k/∂a_l`` at the learned samples ``i`` with ``i mod τδ = 0``, and a sample's δ̂ is
      ``f'(z_l) ⊙ (δ_L @ rows_l)`` with its exact output δ_L = e ⊙ f'(z_L) and each neuron's
      own ``f'``: ``1 − a_l²`` (tanh) or the LIF rate slope ``ρ_l = ∂r_l/∂b_l`` traced
      during the clean pass (``DeltaVecBank`` "chain"; both models).
    * **lrn** (guard: learning on): ``Θ ← Θ − η (ΔC·w/ε²·θ̃ + λΘ)`` (SGD, or Adam in float).
    * **post_mgmt** (guard: learning on and ``τδ`` samples learned since the last time): all
      classes fall due (the schedule of ``astrolava.mgd.DeltaVecBank``).

    Two kinds of model implement it, each in a ``floating_pt`` and a ``fixed_pt`` version:
    *fused* (``PyLoihiProcessModel``: the whole network in one process, fast simulation) and
    *hierarchical* (``SubProcessModel``: one :class:`TripartiteSynapse` and one neuron layer
    per layer, one :class:`Astrocyte`, one :class:`GlobalCost`; the shape that maps onto
    Loihi cores). ``network_run_config(tag, hierarchical=...)`` selects them.

    Parameters
    ----------
    weights : sequence of numpy.ndarray
        Initial ``W_l`` of shape (n_l, n_{l-1}), input layer first.
    biases : sequence of numpy.ndarray
        Initial ``b_l`` of shape (n_l,).
    config : astrolava.mgd.config.DeltaMGDConfig
        δ-MGD hyper-parameters (the torch reference reads the same object).
    network : {"rate", "spiking"}
    num_steps : int >= 1
        Spiking only: time steps ``T`` per sample (the rate code length).
    beta : float in [0, 1]
        Spiking only: LIF decay per step.
    threshold : float > 0
        Spiking only: LIF threshold.
    output_tanh : bool
        Rate only: tanh on the output layer.
    name : str, optional

    Ports
    -----
    x_in : InPort (n_0,)
        The sample (rate) or this step's input spikes (spiking).
    label_in : InPort (1,)
        Class label of the sample, in ``[0, n_classes)``.
    result_out : OutPort (3,)
        ``RESULT_FIELDS`` of the sample, sent in its last step (zeros in the other steps).

    Vars
    ----
    weights, biases : flat concatenations of the ``W_l`` (row-major) and of the ``b_l``, in
        real units; :meth:`layer_parameters` splits them per layer.
    deltavecs : (n_classes, Σ_l n_l) the class DeltaVecs, all layers side by side
        (``deltavecs="class"``); or (n_classes, Σ_hidden n_l) the chain rows
        ``K_l[k] = ∂z_L,k/∂a_l`` of the hidden layers side by side (``"chain"``).
    learning : (1,) 1 to learn, 0 to only evaluate.
    n_samples, n_correct, n_refreshes : (1,) samples seen, correctly classified (clean pass),
        and DeltaVec refreshes done.
    moments, n_learned, weight_exps : the fused models' learning state, so that a run can be
        checkpointed between epochs and resumed: ``moments`` (2, n_weights + n_neurons) the
        optimizer's per-parameter state in the order of ``weights`` then ``biases`` (Adam's
        ``m`` and ``v``; fixed_pt momentum: row 0), ``n_learned`` (1,) the samples learned,
        ``weight_exps`` (n_layers,) the fixed_pt weight exponents. A fused model started with
        ``n_learned > 0`` resumes from these Vars instead of starting afresh.
    """

    def __init__(self, *, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                 config: DeltaMGDConfig | None = None, network: str = "rate",
                 num_steps: int = 1, beta: float = 0.9, threshold: float = 1.0,
                 output_tanh: bool = True, name: str | None = None) -> None:
        super().__init__(name=name)
        config = config if config is not None else DeltaMGDConfig()
        if not isinstance(config, DeltaMGDConfig):
            raise ValueError(f"config must be a DeltaMGDConfig, got {type(config).__name__}")
        sizes = check_layers(weights, biases)
        if config.deltavecs not in LAVA_DELTAVECS or config.refresh != "node":
            raise ValueError(f"deltavecs={config.deltavecs!r}, refresh={config.refresh!r}: the "
                             f"Lava models implement deltavecs in {LAVA_DELTAVECS} with "
                             "refresh='node'")
        require_one_of("network", network, NETWORKS)
        if network == "spiking" and config.exact_output:
            raise ValueError("config.exact_output needs network='rate' (a spiking network's "
                             "exact output δ comes with deltavecs='chain')")
        if network == "rate":
            num_steps = 1
        require_count("num_steps", num_steps)
        require_in_range("beta", beta, 0, 1)
        require_positive("threshold", threshold)
        n_classes, n_neurons = sizes[-1], sum(sizes[1:])
        spec = NetworkSpec(spiking=network == "spiking", output_tanh=bool(output_tanh),
                           beta=float(beta), threshold=float(threshold))
        for key, value in (("sizes", sizes), ("config", config), ("spec", spec),
                           ("num_steps", int(num_steps))):
            self.proc_params.overwrite(key, value)
        self.x_in = InPort(shape=(sizes[0],))
        self.label_in = InPort(shape=(1,))
        self.result_out = OutPort(shape=(len(RESULT_FIELDS),))
        self.weights = Var(shape=(n_weights(sizes),), init=flatten(weights))
        self.biases = Var(shape=(n_neurons,), init=flatten(biases))
        n_rows = sum(sizes[1:-1]) if config.deltavecs == "chain" else n_neurons
        self.deltavecs = Var(shape=(n_classes, n_rows), init=0)
        self.learning = Var(shape=(1,), init=1)
        self.n_samples = Var(shape=(1,), init=0)
        self.n_correct = Var(shape=(1,), init=0)
        self.n_refreshes = Var(shape=(1,), init=0)
        self.moments = Var(shape=(2, n_weights(sizes) + n_neurons), init=0)
        self.n_learned = Var(shape=(1,), init=0)
        self.weight_exps = Var(shape=(len(sizes) - 1,), init=0)

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input first."""
        return list(self.proc_params["sizes"])

    def steps_per_sample(self, hierarchical: bool = False) -> int:
        """Time steps one sample takes (feed the data source with this hold time): ``T``
        (1 for a rate network) in the fused model, ``2·T`` in the hierarchical one (a clean
        and a perturbed pass; a spiking source's first T spikes are those of the fused
        model's T-step code, the rest are ignored)."""
        steps = self.proc_params["num_steps"]
        return sample_steps(steps) if hierarchical else steps

    def layer_parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Current ``([W_l], [b_l])`` in real units (call inside a running session).

        The fused models hold them in ``weights``/``biases``; the hierarchical model in its
        ``synapse_<l>`` children.
        """
        names = [f"synapse_{i}" for i in range(len(self.sizes) - 1)]
        if set(names) <= set(self.procs.member_names):
            synapses = [getattr(self.procs, name) for name in names]
            return ([np.asarray(s.weights.get(), dtype=np.float64) for s in synapses],
                    [np.asarray(s.bias.get(), dtype=np.float64) for s in synapses])
        return (unflatten_weights(np.asarray(self.weights.get(), dtype=np.float64), self.sizes),
                split_layers(np.asarray(self.biases.get(), dtype=np.float64), self.sizes))


def network_run_config(tag: str = "floating_pt", hierarchical: bool = False) -> Loihi2SimCfg:
    """Run configuration choosing the fused (default) or the hierarchical model of ``tag``."""
    return sim_config(tag, select_sub_proc_model=hierarchical)


def check_layers(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[int]:
    """Layer widths of a chain of (W, b) pairs; ``ValueError`` on mismatched shapes or a value
    that is not a finite real number."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"weights ({len(weights)}) and biases ({len(biases)}) must list the "
                         "same number >= 1 of layers")
    sizes = [int(np.shape(weights[0])[1])]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        require_array(f"weights[{i}]", w)  # real and finite (NaN/inf never reach a model)
        require_array(f"biases[{i}]", b)
        w_shape, b_shape = np.shape(w), np.shape(b)
        if len(w_shape) != 2 or w_shape[1] != sizes[-1]:
            raise ValueError(f"weights[{i}] has shape {w_shape}; it must be (n_out, {sizes[-1]}) "
                             "to connect to the previous layer")
        if b_shape != (w_shape[0],):
            raise ValueError(f"biases[{i}] has shape {b_shape}; it must be ({w_shape[0]},)")
        sizes.append(int(w_shape[0]))
    return sizes


def n_weights(sizes: Sequence[int]) -> int:
    """Number of weights of a dense chain of layer widths."""
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)))


def flatten(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate arrays (row-major) into one float64 vector."""
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def split_layers(flat: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """Views of a flat per-neuron vector (or matrix rows) as one block per layer (sizes[1:])."""
    bounds = np.cumsum([0, *sizes[1:]])
    return [flat[..., lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def unflatten_weights(flat: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """Views of a flat weight vector as matrices (n_l, n_{l-1}) (they share its memory)."""
    bounds = np.cumsum([0] + [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)])
    return [flat[lo:hi].reshape(n_out, n_in) for lo, hi, n_in, n_out
            in zip(bounds[:-1], bounds[1:], sizes[:-1], sizes[1:], strict=True)]
