"""Spiking MLPs to NIR graphs (through snntorch's exporter) and NIR graphs to Lava graphs.

snntorch's ``export_to_nir`` serves ``to_nir`` once it is handed a twin of the network
whose LIF neurons carry one float64 β and threshold per neuron: on the library's own model
(one scalar β and threshold per layer) it writes 0-d LIF parameters, which NIR's type
inference refuses (``layers.0.output: [[n]] -> neurons.0.input: []``). The Affine nodes then
get the float64 weights and biases of the network's spec (the twin traces in float32, the
dtype of snntorch's spikes). The exporter maps ``β`` to ``τ = dt/(1 − β)``, ``r = τ/dt``,
``v_leak = v_reset = 0`` with ``dt = 1e-4``
(:mod:`astrolava.nir.nodes` gives the equations).
"""

from __future__ import annotations

import dataclasses

import nir
import numpy as np
import torch
from snntorch.export_nir import export_to_nir

from astrolava.deploy import FixedPointFormat, LavaGraph, NetworkSpec, build_graph, network_spec
from astrolava.models import SpikingMLP
from astrolava.models.mgd import DeltaMGDLearner
from astrolava.nir.nodes import DT, METADATA_KEY, graph_settings, spec_from_nir
from astrolava.nir.training_state import attach_training_state


def _spiking_spec(model: SpikingMLP | NetworkSpec | LavaGraph) -> NetworkSpec:
    spec = model.spec if isinstance(model, LavaGraph) else model
    if not isinstance(spec, NetworkSpec):
        spec = network_spec(spec)
    if spec.kind != "spiking":
        raise ValueError("rate (tanh) networks cannot be written as NIR: NIR has no tanh node "
                         "(its neurons are LI, IF, LIF, CubaLI, CubaLIF); export a SpikingMLP")
    if spec.beta >= 1:
        raise ValueError(f"beta={spec.beta} (no leak) has no NIR LIF form (tau = dt/(1 - beta) "
                         "is infinite); export a network with beta < 1")
    return spec


def _export_twin(spec: NetworkSpec) -> SpikingMLP:
    """A SpikingMLP with ``spec``'s weights and float64 per-neuron β and threshold (the
    weights stay float32: snntorch's spikes are float32, which a float64 layer refuses)."""
    twin = SpikingMLP(spec.sizes, beta=spec.beta, threshold=spec.threshold, num_steps=1)
    with torch.no_grad():
        for layer, neuron, w, b in zip(twin.layers, twin.neurons, spec.weights, spec.biases,
                                       strict=True):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
            neuron.beta = torch.full((len(b),), spec.beta, dtype=torch.float64)
            neuron.threshold = torch.full((len(b),), spec.threshold, dtype=torch.float64)
    return twin


def to_nir(model: SpikingMLP | NetworkSpec | LavaGraph, learner: DeltaMGDLearner | None = None,
           fmt: FixedPointFormat | None = None) -> nir.NIRGraph:
    """NIR graph ``Input → (Affine → LIF) × L → Output`` of a spiking network.

    Node names are the model's (``layers.i``, ``neurons.i``); parameters are float64. The
    graph metadata ``astrolava`` holds ``num_steps`` (T) and, with ``fmt``, the fixed_pt
    format; with ``learner`` the δ-MGD state rides along
    (:mod:`astrolava.nir.training_state`).

    Parameters
    ----------
    model : SpikingMLP, NetworkSpec or LavaGraph
        A trained network, its spec, or a spiking Lava graph built from one.
    learner : DeltaMGDLearner, optional
        The learner training ``model`` (continue with :func:`learner_from_nir`).
    fmt : FixedPointFormat, optional
        Fractional bits that :func:`from_nir` then uses for fixed_pt graphs.

    Raises
    ------
    ValueError
        For a rate (tanh) network (NIR has no tanh node), ``beta = 1``, a module the
        deployment does not support, or a learner that trains another model.
    """
    spec = _spiking_spec(model)
    if learner is not None and learner.model is not model:
        raise ValueError("learner must be the learner of model (learner.model is model)")
    graph = export_to_nir(_export_twin(spec), torch.zeros(spec.sizes[0]))
    for i, (w, b) in enumerate(zip(spec.weights, spec.biases, strict=True)):
        graph.nodes[f"layers.{i}"].weight, graph.nodes[f"layers.{i}"].bias = w.copy(), b.copy()
    names = ["input", *(n for i in range(len(spec.weights))
                        for n in (f"layers.{i}", f"neurons.{i}")), "output"]
    graph.edges = list(zip(names[:-1], names[1:], strict=True))
    settings = {"num_steps": spec.num_steps}
    if fmt is not None:
        settings["fixed_point"] = dataclasses.asdict(fmt)
    graph.metadata = {METADATA_KEY: settings}
    if learner is not None:
        attach_training_state(graph, learner)
    return graph


def from_nir(graph: nir.NIRGraph, X: np.ndarray, y: np.ndarray | None = None,
             tag: str = "floating_pt", fmt: FixedPointFormat | None = None, seed: int = 0,
             num_steps: int | None = None, dt: float = DT) -> LavaGraph:
    """The Lava graph that :func:`astrolava.deploy.build_graph` builds for the network a NIR
    graph describes (run it with :func:`astrolava.deploy.evaluate_graph`).

    Parameters
    ----------
    graph : nir.NIRGraph
        A chain ``Input → (Affine|Linear → LIF) × L → Output`` (:func:`spec_from_nir`).
    X, y : inputs (n, n_in) in [0, 1] and optional labels (n,)
    tag : {"floating_pt", "fixed_pt"}
    fmt : FixedPointFormat, optional
        Default: the format stored by ``to_nir(..., fmt=...)``, else ``FixedPointFormat()``.
    seed : int
        Rate-code seed.
    num_steps : int, optional
        T (default: the graph's metadata).
    dt : float
        Euler step of the LIF nodes.

    Raises
    ------
    ValueError
        Unsupported nodes (named), layouts or parameters (see :func:`spec_from_nir`), and
        everything :func:`astrolava.deploy.build_graph` refuses.
    """
    spec = spec_from_nir(graph, num_steps, dt)
    if fmt is None:
        stored = graph_settings(graph).get("fixed_point")
        fmt = None if stored is None else FixedPointFormat(**{k: int(v)
                                                               for k, v in stored.items()})
    return build_graph(spec, X, y, tag, fmt, seed)


def model_from_nir(graph: nir.NIRGraph, num_steps: int | None = None, dt: float = DT,
                   dtype: torch.dtype = torch.float32) -> SpikingMLP:
    """The :class:`~astrolava.models.SpikingMLP` a NIR chain describes (to run or train in
    torch; see :func:`spec_from_nir` for what is read and refused)."""
    spec = spec_from_nir(graph, num_steps, dt)
    model = SpikingMLP(spec.sizes, beta=spec.beta, threshold=spec.threshold,
                       num_steps=spec.num_steps).to(dtype)
    with torch.no_grad():
        for layer, w, b in zip(model.layers, spec.weights, spec.biases, strict=True):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return model
