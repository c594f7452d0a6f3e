"""A spiking δ-MGD network trained inside Lava, to NIR and back, learning state included.

The fused :class:`~astrolava.processes.delta_mgd_network.process.DeltaMGDNetwork` keeps its
learning state in the Vars :data:`astrolava.lava_training.STATE_VARS`, which
``train_in_lava(..., checkpoint=path)`` writes after every epoch. :func:`lava_to_nir` turns
such a checkpoint into a NIR graph; :func:`lava_from_nir` builds a fresh network whose Vars
start from the stored state, so ``train_in_lava`` continues where the checkpoint stopped.

Layout:

- ``Affine`` nodes: the weights and biases (real units); metadata ``weight_exp``: the layer's
  fixed_pt weight exponent ``e_l`` (``W = m·2**e_l``, :mod:`astrolava.mgd.fixed`);
- ``LIF`` nodes: β, threshold; metadata ``deltavecs``: that layer's columns of the DeltaVec
  Var (class DeltaVecs: every layer; chain rows: the hidden layers);
- graph metadata ``delta_mgd_lava``: ``tag`` (the models the state belongs to), ``config``
  (η, ε, τδ, ... of :class:`~astrolava.mgd.config.DeltaMGDConfig`), ``moments`` (the
  optimizer's per-parameter state), ``n_learned`` and ``n_refreshes``.
"""

from __future__ import annotations

from pathlib import Path

import nir
import numpy as np

from astrolava.deploy import NetworkSpec
from astrolava.lava_training import STATE_VARS, restore_training_state
from astrolava.mgd.config import DeltaMGDConfig
from astrolava.nir.convert import to_nir
from astrolava.nir.nodes import chain, spec_from_nir
from astrolava.nir.training_state import DELTAVECS_KEY, plain
from astrolava.processes.delta_mgd_network.process import (
    DeltaMGDNetwork,
    split_layers,
    unflatten_weights,
)

LAVA_STATE_KEY = "delta_mgd_lava"
"""Graph metadata entry of a Lava network's learning state."""
WEIGHT_EXP_KEY = "weight_exp"
"""Affine node metadata entry of the layer's fixed_pt weight exponent."""


def _layer_nodes(graph: nir.NIRGraph) -> tuple[list[nir.NIRNode], list[nir.NIRNode]]:
    """The chain's weight nodes and LIF nodes, input layer first."""
    nodes = [node for _, node in chain(graph)]
    return nodes[::2], nodes[1::2]


def _deltavec_layers(config: DeltaMGDConfig, sizes: list[int]) -> list[int]:
    """Sizes whose columns the DeltaVec Var holds side by side (chain: hidden layers only)."""
    return sizes[1:-1] if config.deltavecs == "chain" else sizes[1:]


def lava_to_nir(net: DeltaMGDNetwork, checkpoint: str | Path, tag: str) -> nir.NIRGraph:
    """NIR graph of a spiking fused δ-MGD network at the state of its Lava checkpoint.

    Parameters
    ----------
    net : DeltaMGDNetwork
        A fresh (not run) spiking network built like the one that wrote ``checkpoint`` (its
        Vars are set to the checkpoint's values here).
    checkpoint : path
        Written by ``train_in_lava(..., checkpoint=...)``.
    tag : {"floating_pt", "fixed_pt"}
        The models that trained it (the checkpoint refuses another).

    Raises
    ------
    ValueError
        For a rate network (NIR has no tanh node) or a checkpoint of another run.
    """
    if not net.proc_params["spec"].spiking:
        raise ValueError("a rate (tanh) DeltaMGDNetwork cannot be written as NIR: NIR has no "
                         "tanh node")
    restore_training_state(checkpoint, net, tag)
    state = {name: np.array(getattr(net, name).init) for name in STATE_VARS}
    sizes, config, lif = net.sizes, net.proc_params["config"], net.proc_params["spec"]
    spec = NetworkSpec(kind="spiking", weights=unflatten_weights(state["weights"], sizes),
                       biases=split_layers(state["biases"], sizes), beta=lif.beta,
                       threshold=lif.threshold, num_steps=net.proc_params["num_steps"])
    graph = to_nir(spec)
    dense, neurons = _layer_nodes(graph)
    for node, exp in zip(dense, state["weight_exps"], strict=True):
        node.metadata[WEIGHT_EXP_KEY] = exp
    blocks = split_layers(state["deltavecs"], [0, *_deltavec_layers(config, sizes)])
    for node, block in zip(neurons, blocks, strict=False):  # chain rows: hidden layers only
        node.metadata[DELTAVECS_KEY] = block.copy()
    graph.metadata[LAVA_STATE_KEY] = {
        "tag": tag, "config": config.to_dict(), "moments": state["moments"],
        "n_learned": state["n_learned"], "n_refreshes": state["n_refreshes"],
        "dtypes": {name: value.dtype.str for name, value in state.items()}}
    return graph


def lava_from_nir(graph: nir.NIRGraph) -> tuple[DeltaMGDNetwork, str]:
    """A fused spiking δ-MGD network whose learning-state Vars start from the state
    :func:`lava_to_nir` stored, and the tag of the models it belongs to: training it with
    ``train_in_lava(net, ..., tag=tag)`` continues as resuming from the checkpoint would.

    Raises
    ------
    ValueError
        If the graph holds no Lava δ-MGD state, or what :func:`spec_from_nir` refuses.
    """
    stored = (graph.metadata or {}).get(LAVA_STATE_KEY)
    if stored is None:
        raise ValueError(f"the graph holds no Lava δ-MGD state (no {LAVA_STATE_KEY!r} "
                         "metadata); write it with lava_to_nir")
    spec = spec_from_nir(graph)
    config = DeltaMGDConfig(**{k: plain(v) for k, v in stored["config"].items()})
    net = DeltaMGDNetwork(weights=spec.weights, biases=spec.biases, config=config,
                          network="spiking", num_steps=spec.num_steps, beta=spec.beta,
                          threshold=spec.threshold)
    dense, neurons = _layer_nodes(graph)
    n_blocks = len(_deltavec_layers(config, net.sizes))
    values = {
        "weights": np.concatenate([w.ravel() for w in spec.weights]),
        "biases": np.concatenate(spec.biases),
        "deltavecs": np.concatenate([n.metadata[DELTAVECS_KEY] for n in neurons[:n_blocks]],
                                    axis=-1),
        "moments": stored["moments"], "n_learned": stored["n_learned"],
        "weight_exps": np.array([node.metadata[WEIGHT_EXP_KEY] for node in dense]),
        "n_refreshes": stored["n_refreshes"],
    }
    for name in STATE_VARS:  # as restore_training_state sets them from a checkpoint
        value = np.asarray(values[name], dtype=np.dtype(stored["dtypes"][name]))
        getattr(net, name).init = value.reshape(getattr(net, name).shape).copy()
    return net, str(stored["tag"])
