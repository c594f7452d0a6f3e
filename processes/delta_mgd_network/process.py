"""Interface of the δ-MGD network process (fused and hierarchical models)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from astrolava.processes.delta_mgd_network.equations import LOSSES
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

NETWORKS = ("rate", "spiking")
RESULT_FIELDS = ("prediction", "cost0", "delta_cost")
"""Payload of ``result_out`` per sample: predicted class, clean cost C0, ΔC (0 if not learning)."""


@dataclass(frozen=True)
class DeltaMGDHyperParams:
    """Constants of δ-MGD (paper Alg. 1) that the Lava models need.

    Parameters
    ----------
    epsilon : float > 0
        Perturbation amplitude ε (θ̃ = ε·∇̂).
    lr : float > 0
        Learning rate η.
    gamma : float >= 0
        Weight γ of the clean cost in the update factor ``1 + γ·C0``.
    tau_delta : int >= 1
        DeltaVec refresh period τδ, in samples.
    fd_step : float > 0
        Finite-difference step ``h`` of the node-perturbation refresh.
    loss : {"mse", "ce"}
    """

    epsilon: float = 0.05
    lr: float = 0.01
    gamma: float = 0.0
    tau_delta: int = 100
    fd_step: float = 1e-3
    loss: str = "mse"

    def __post_init__(self) -> None:
        for name in ("epsilon", "lr", "fd_step"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}={getattr(self, name)} must be > 0")
        if self.gamma < 0:
            raise ValueError(f"gamma={self.gamma} must be >= 0")
        if int(self.tau_delta) != self.tau_delta or self.tau_delta < 1:
            raise ValueError(f"tau_delta={self.tau_delta} must be an integer >= 1")
        if self.loss not in LOSSES:
            raise ValueError(f"loss={self.loss!r} is not allowed; use one of {LOSSES}")


class DeltaMGDNetwork(AbstractProcess):
    """A dense network that learns by δ-MGD inside Lava (paper Alg. 1, Fig. 8).

    One sample occupies ``steps_per_sample`` time steps (1 for the rate network, ``T`` for the
    spiking one). In the last step of a sample the LoihiProtocol phases carry Alg. 1:

    * **spk**: receive ``x`` and the label; clean forward pass (C0); the class DeltaVec and
      the stored activations form θ̃; perturbed forward pass; ΔC = C̃ − C0; send the result.
    * **lrn** (guard: learning is on): ``Θ ← Θ − η/ε²·(1+γ·C0)·ΔC·θ̃``.
    * **post_mgmt** (guard: learning is on and τδ samples have been learned since the last
      refresh): every class DeltaVec is recomputed by node perturbation on the last sample of
      that class seen (classes not seen yet keep theirs).

    Two kinds of model implement it, each in a ``floating_pt`` and a ``fixed_pt`` version:
    a *fused* ``PyLoihiProcessModel`` (the whole network in one process: fast simulation) and
    a *hierarchical* ``SubProcessModel`` (one :class:`TripartiteSynapse` per layer, a
    :class:`GradedTanh` or LIF layer per layer, one :class:`Astrocyte`, one
    :class:`GlobalCost`: the shape that maps onto Loihi cores). Choose with
    ``network_run_config(tag, hierarchical)``.

    Parameters
    ----------
    weights : sequence of numpy.ndarray
        Initial ``W_l`` of shape (n_l, n_{l-1}), input layer first.
    biases : sequence of numpy.ndarray
        Initial ``b_l`` of shape (n_l,).
    hyper : DeltaMGDHyperParams
    network : {"rate", "spiking"}
    num_steps : int >= 1
        Spiking only: time steps ``T`` per sample (the rate code length).
    beta, threshold : float
        Spiking only: LIF decay (``dv = 1 − β``) and threshold.
    deltavecs : numpy.ndarray, optional
        Initial DeltaVecs (n_classes, Σ_l n_l); zeros by default (θ̃ = 0 until the first
        refresh).
    output_tanh : bool
        Rate only: tanh on the output layer.
    name : str, optional

    Ports
    -----
    x_in : InPort (n_0,)
        Sample (rate network) or input spikes of this step (spiking network).
    label_in : InPort (1,)
        Class label of the sample.
    result_out : OutPort (3,)
        ``RESULT_FIELDS`` of the sample, sent in its last step (zeros otherwise).

    Vars
    ----
    weights, biases : flat concatenations of ``W_l`` (row-major) and ``b_l``; use
        :meth:`layer_parameters` to read them per layer.
    deltavecs : (n_classes, Σ n_l) the astrocyte's class DeltaVecs.
    learning : (1,) 1 to learn, 0 to only evaluate.
    n_samples, n_correct : (1,) counters of samples seen and correctly classified.
    """

    def __init__(self, *, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                 hyper: DeltaMGDHyperParams | None = None, network: str = "rate",
                 num_steps: int = 1, beta: float = 0.9, threshold: float = 1.0,
                 deltavecs: np.ndarray | None = None, output_tanh: bool = True,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        hyper = hyper if hyper is not None else DeltaMGDHyperParams()
        sizes = check_layers(weights, biases)
        if network not in NETWORKS:
            raise ValueError(f"network={network!r} is not allowed; use one of {NETWORKS}")
        if network == "rate":
            num_steps = 1
        if int(num_steps) < 1:
            raise ValueError(f"num_steps={num_steps} must be >= 1")
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta={beta} must lie in [0, 1]")
        if threshold <= 0:
            raise ValueError(f"threshold={threshold} must be > 0")
        n_classes, n_neurons = sizes[-1], sum(sizes[1:])
        if deltavecs is None:
            deltavecs = np.zeros((n_classes, n_neurons))
        deltavecs = np.asarray(deltavecs, dtype=np.float64)
        if deltavecs.shape != (n_classes, n_neurons):
            raise ValueError(f"deltavecs has shape {deltavecs.shape}; it must be "
                             f"(n_classes, n_neurons) = {(n_classes, n_neurons)}")
        self.proc_params.overwrite("sizes", sizes)
        for key, value in (("hyper", hyper), ("network", network),
                           ("num_steps", int(num_steps)), ("beta", float(beta)),
                           ("threshold", float(threshold)), ("output_tanh", bool(output_tanh))):
            self.proc_params.overwrite(key, value)
        self.x_in = InPort(shape=(sizes[0],))
        self.label_in = InPort(shape=(1,))
        self.result_out = OutPort(shape=(len(RESULT_FIELDS),))
        self.weights = Var(shape=(n_weights(sizes),), init=flatten(weights))
        self.biases = Var(shape=(n_neurons,), init=flatten(biases))
        self.deltavecs = Var(shape=(n_classes, n_neurons), init=deltavecs)
        self.learning = Var(shape=(1,), init=1)
        self.n_samples = Var(shape=(1,), init=0)
        self.n_correct = Var(shape=(1,), init=0)

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input first."""
        return list(self.proc_params["sizes"])

    def layer_parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Current ``([W_l], [b_l])`` in real units (call inside a running session)."""
        return (unflatten_weights(np.asarray(self.weights.get(), dtype=np.float64), self.sizes),
                split_layers(np.asarray(self.biases.get(), dtype=np.float64), self.sizes))


def check_layers(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[int]:
    """Layer widths of a chain of (W, b) pairs; ``ValueError`` on mismatched shapes."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"weights ({len(weights)}) and biases ({len(biases)}) must list the "
                         "same number >= 1 of layers")
    sizes = [int(np.shape(weights[0])[1])]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
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
