"""Reading a NIR graph of LIF and Affine/Linear nodes into the deploy module's NetworkSpec.

NIR's LIF node (Pedersen et al., "Neuromorphic intermediate representation: a unified
instruction set for interoperable brain-inspired computing", Nat. Commun. 15, 8122, 2024) is
the continuous-time neuron ``τ dv/dt = (v_leak − v) + r·I``, spiking when ``v > v_threshold``
and then set to ``v_reset``. A forward-Euler step of length ``dt`` gives::

    v[t+1] = (1 − dt/τ)·v[t] + (r·dt/τ)·I[t]

which is this library's LIF (:class:`astrolava.models.SpikingMLP`, Lava's ``LIF`` with
``du = 1``) ``v = β·v + W s + b`` when ``β = 1 − dt/τ``, ``r·dt/τ = 1`` (``r = τ/dt``),
``v_leak = 0`` and ``v_reset = 0``; ``v_threshold`` is the threshold. ``dt`` is
:data:`DT`, the step snntorch's exporter and importer assume. An input gain ``r·dt/τ``
other than 1 is folded into the preceding node's weights and bias (the same dynamics).
"""

from __future__ import annotations

from collections.abc import Mapping

import nir
import numpy as np

from astrolava.deploy import NetworkSpec
from astrolava.mgd.config import require_count, require_positive

DT = 1e-4
"""Euler step (seconds) that maps NIR's time constants to steps, as in snntorch's NIR
exporter and importer."""
GAIN_RTOL = 1e-6
"""An input gain ``r·dt/τ`` within this relative distance of 1 is 1: exporters that compute
``r = τ/dt`` in float32 leave it about 1e-7 away."""
SUPPORTED_NODES = ("Input", "Affine", "Linear", "LIF", "Output")
"""NIR node types :func:`spec_from_nir` reads (a feed-forward chain
``Input → (Affine|Linear → LIF) × L → Output``)."""
METADATA_KEY = "astrolava"
"""Graph metadata entry with this library's settings: ``num_steps`` (the rate code's T) and,
when given to ``to_nir``, the fixed_pt deployment's ``fixed_point`` format."""


def tau_from_beta(beta: float, dt: float = DT) -> float:
    """NIR membrane time constant ``τ = dt / (1 − β)`` of a decay ``β`` per step (∞ for β = 1)."""
    with np.errstate(divide="ignore"):
        return float(np.float64(dt) / (1.0 - np.float64(beta)))


def beta_from_tau(tau: float, dt: float = DT) -> float:
    """Decay per step ``β = 1 − dt/τ``, the float64 one whose :func:`tau_from_beta` is ``τ``
    when such a β lies within a few ulps (so a graph exported from a network, read back and
    exported again has the same ``τ``)."""
    beta = 1.0 - dt / float(tau)
    for _ in range(8):
        back = tau_from_beta(beta, dt)
        if back == tau:
            return beta
        beta = float(np.nextafter(beta, 1.0 if back < tau else -1.0))
    return 1.0 - dt / float(tau)


def chain(graph: nir.NIRGraph) -> list[tuple[str, nir.NIRNode]]:
    """The nodes of a feed-forward chain from the ``Input`` to the ``Output`` node, in order
    (both excluded).

    Raises
    ------
    TypeError
        If ``graph`` is not a ``nir.NIRGraph``.
    ValueError
        A node type outside :data:`SUPPORTED_NODES` (named, with its type), or a graph that is
        not one chain (a branch, a cycle, a node off the chain, not one Input or Output).
    """
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"graph must be a nir.NIRGraph, got {type(graph).__name__}")
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind not in SUPPORTED_NODES:
            raise ValueError(f"NIR node {name!r} ({kind}) is not supported; supported node "
                             f"types: {', '.join(SUPPORTED_NODES)}")
    inputs = [n for n, node in graph.nodes.items() if isinstance(node, nir.Input)]
    if len(inputs) != 1:
        raise ValueError(f"the graph must have one Input node, found {len(inputs)}: {inputs}")
    successors: dict[str, list[str]] = {name: [] for name in graph.nodes}
    for src, dst in graph.edges:
        for end in (src, dst):
            if end not in graph.nodes:
                raise ValueError(f"edge ({src!r}, {dst!r}) names no node {end!r}")
        successors[src].append(dst)
    order, name = [], inputs[0]
    while not isinstance(graph.nodes[name], nir.Output):
        nxt = successors[name]
        if len(nxt) != 1:
            raise ValueError(f"the graph is not a feed-forward chain: node {name!r} has "
                             f"{len(nxt)} successors {nxt}")
        name = nxt[0]
        if name in order or name == inputs[0]:
            raise ValueError(f"the graph is not a feed-forward chain: node {name!r} closes "
                             "a cycle")
        order.append(name)
    off_chain = sorted(set(graph.nodes) - {inputs[0], *order})
    if off_chain:
        raise ValueError(f"the graph is not a feed-forward chain: nodes {off_chain} are off "
                         "the Input -> Output path")
    return [(n, graph.nodes[n]) for n in order[:-1]]


def lif_constants(name: str, node: nir.LIF, size: int, dt: float = DT
                  ) -> tuple[float, float, float]:
    """``(β, threshold, input gain r·dt/τ)`` of a LIF node of ``size`` neurons.

    Raises
    ------
    ValueError
        Naming the node, for a nonzero ``v_leak`` or ``v_reset``, per-neuron values that
        differ (the Lava LIF shares ``dv`` and ``vth`` over a layer), ``τ < dt`` or
        infinite, an infinite ``r``, a threshold <= 0, or parameters whose size is not the
        layer's.
    """
    values = {}
    for field in ("tau", "r", "v_leak", "v_threshold", "v_reset"):
        raw = getattr(node, field)
        value = np.asarray(0.0 if raw is None else raw, dtype=np.float64).ravel()
        if value.size not in (1, size):
            raise ValueError(f"LIF node {name!r}: {field} has {value.size} values for "
                             f"{size} neurons")
        if np.any(value != value[0]):
            raise ValueError(f"LIF node {name!r}: per-neuron {field} values differ "
                             f"({value.min():g} .. {value.max():g}); the Lava deployment "
                             "takes one value per network")
        values[field] = float(value[0])
    for field in ("v_leak", "v_reset"):
        if values[field] != 0:
            raise ValueError(f"LIF node {name!r}: {field}={values[field]:g} is not supported; "
                             "this library's LIF leaks towards and resets to 0")
    if not dt <= values["tau"] < np.inf:
        raise ValueError(f"LIF node {name!r}: tau={values['tau']:g} must be finite and >= "
                         f"dt={dt:g} (beta = 1 - dt/tau in [0, 1))")
    require_positive(f"{name}.v_threshold", values["v_threshold"])
    gain = values["r"] * dt / values["tau"]
    if not np.isfinite(gain):
        raise ValueError(f"LIF node {name!r}: r={values['r']:g} must be finite")
    if abs(gain - 1.0) <= GAIN_RTOL:
        gain = 1.0
    return beta_from_tau(values["tau"], dt), values["v_threshold"], gain


def graph_settings(graph: nir.NIRGraph) -> Mapping:
    """This library's entry of the graph metadata (empty if the graph has none)."""
    return (graph.metadata or {}).get(METADATA_KEY, {})


def spec_from_nir(graph: nir.NIRGraph, num_steps: int | None = None,
                  dt: float = DT) -> NetworkSpec:
    """The :class:`~astrolava.deploy.NetworkSpec` of a NIR chain
    ``Input → (Affine|Linear → LIF) × L → Output``.

    Parameters
    ----------
    graph : nir.NIRGraph
    num_steps : int >= 1, optional
        Rate-code length T (default: the graph's ``astrolava.num_steps`` metadata, written
        by ``to_nir``).
    dt : float > 0
        Euler step of the LIF nodes (see the module docstring).

    Raises
    ------
    ValueError
        Unsupported nodes or layouts (named), LIF nodes with different β or thresholds,
        mismatched shapes, or no ``num_steps``.
    """
    require_positive("dt", dt)
    if num_steps is None:
        num_steps = graph_settings(graph).get("num_steps")
        if num_steps is None:
            raise ValueError("num_steps: NIR describes no rate code and the graph's metadata "
                             "holds none; give num_steps (the steps per sample)")
    require_count("num_steps", num_steps)
    nodes = chain(graph)
    if not nodes or len(nodes) % 2:
        raise ValueError(f"the chain {[n for n, _ in nodes]} must alternate Affine/Linear and "
                         "LIF nodes, starting with a weight node and ending with a LIF")
    weights, biases, neurons = [], [], []
    for (w_name, w_node), (n_name, n_node) in zip(nodes[::2], nodes[1::2], strict=True):
        if not isinstance(w_node, nir.Affine | nir.Linear):
            raise ValueError(f"node {w_name!r} ({type(w_node).__name__}) must be an Affine or "
                             "Linear node (each LIF layer is fed by one)")
        if not isinstance(n_node, nir.LIF):
            raise ValueError(f"node {n_name!r} ({type(n_node).__name__}) must be a LIF node "
                             f"(it follows the weight node {w_name!r})")
        w = np.array(w_node.weight, dtype=np.float64)
        n_in = weights[-1].shape[0] if weights else w.shape[-1]
        if w.ndim != 2 or w.shape[1] != n_in:
            raise ValueError(f"node {w_name!r}: weight shape {w.shape} does not continue the "
                             f"chain (expected (n_out, {n_in}))")
        b = (np.zeros(len(w)) if isinstance(w_node, nir.Linear)
             else np.array(w_node.bias, dtype=np.float64).reshape(len(w)))
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"node {w_name!r}: weight or bias holds NaN or inf")
        beta, threshold, gain = lif_constants(n_name, n_node, len(w), dt)
        weights.append(w * gain)
        biases.append(b * gain)
        neurons.append((n_name, beta, threshold))
    first_name, beta, threshold = neurons[0]
    for name, other_beta, other_threshold in neurons[1:]:
        if (other_beta, other_threshold) != (beta, threshold):
            raise ValueError(f"LIF node {name!r} has beta={other_beta:.6g}, "
                             f"threshold={other_threshold:.6g} but {first_name!r} has "
                             f"beta={beta:.6g}, threshold={threshold:.6g}; the Lava "
                             "deployment takes one beta and threshold per network")
    return NetworkSpec(kind="spiking", weights=weights, biases=biases, beta=beta,
                       threshold=threshold, num_steps=int(num_steps))
