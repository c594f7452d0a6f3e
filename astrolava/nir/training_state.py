"""δ-MGD training state carried in NIR metadata, so training continues after a round trip.

Layout (all written and read back by ``nir.write`` / ``nir.read``):

- graph metadata ``delta_mgd``: ``config`` (every :class:`~astrolava.mgd.DeltaMGDConfig`
  field: η, ε, τδ, ...), ``n_classes``, the DeltaVec schedule (``deltavec_step``,
  ``deltavec_due``, ``deltavec_refreshes``) and ``learner_state``: the optimizer moments,
  the learner's generator and its operation counts, as the bytes of ``torch.save``
  (uint8 array);
- each LIF node's metadata ``deltavecs``: that layer's DeltaVec rows (n_rows, n_l), in the
  bank's dtype (δ-MGD paper §IV: one vector per class per layer).
"""

from __future__ import annotations

import io

import nir
import numpy as np
import torch

from astrolava.mgd.config import DeltaMGDConfig
from astrolava.models import SpikingMLP
from astrolava.models.mgd import DeltaMGDLearner
from astrolava.nir.nodes import chain

STATE_KEY = "delta_mgd"
"""Graph metadata entry of the δ-MGD state."""
DELTAVECS_KEY = "deltavecs"
"""LIF node metadata entry of that layer's DeltaVec rows."""


def plain(value):
    """A config value read from metadata as the Python object it was written from (HDF5
    gives numpy scalars, and arrays for tuples)."""
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value.item() if isinstance(value, np.generic) else value


def attach_training_state(graph: nir.NIRGraph, learner: DeltaMGDLearner) -> None:
    """Write ``learner``'s state into ``graph`` (see the module docstring), in place."""
    if not isinstance(learner, DeltaMGDLearner):
        raise TypeError(f"learner must be a DeltaMGDLearner, got {type(learner).__name__}")
    state = learner.state_dict()
    bank = state.pop("bank")
    buffer = io.BytesIO()
    torch.save(state, buffer)
    graph.metadata[STATE_KEY] = {
        "config": learner.config.to_dict(),
        "n_classes": len(bank["due"]),
        "deltavec_step": bank["step"],
        "deltavec_due": np.array(bank["due"], dtype=bool),
        "deltavec_refreshes": bank["refreshes"],
        "learner_state": np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy(),
    }
    lifs = [name for name, node in chain(graph) if isinstance(node, nir.LIF)]
    for name, rows in zip(lifs, bank["deltas"], strict=False):  # chain rows: hidden layers
        graph.nodes[name].metadata[DELTAVECS_KEY] = rows.numpy().copy()


def learner_from_nir(graph: nir.NIRGraph, model: SpikingMLP, seed: int = 0) -> DeltaMGDLearner:
    """The :class:`~astrolava.models.mgd.DeltaMGDLearner` of ``model`` with the δ-MGD state
    that ``to_nir(..., learner=...)`` stored in ``graph``: training continues exactly where it
    stopped (same config, DeltaVecs, schedule, optimizer moments and generator).

    ``model`` is the network read back from the same graph
    (:func:`astrolava.nir.model_from_nir`); ``seed`` is overwritten by the stored generator.

    Raises
    ------
    ValueError
        If the graph holds no δ-MGD state, or DeltaVecs that do not fit ``model``.
    """
    stored = (graph.metadata or {}).get(STATE_KEY)
    if stored is None:
        raise ValueError(f"the graph holds no δ-MGD state (no {STATE_KEY!r} metadata); export "
                         "it with to_nir(model, learner=...)")
    config = DeltaMGDConfig(**{k: plain(v) for k, v in stored["config"].items()})
    learner = DeltaMGDLearner(model, config, seed, n_classes=int(stored["n_classes"]))
    lifs = [node for _, node in chain(graph) if isinstance(node, nir.LIF)]
    deltas = []
    for index, expected in enumerate(learner.bank.deltas):
        rows = lifs[index].metadata.get(DELTAVECS_KEY)
        if rows is None or np.shape(rows) != tuple(expected.shape):
            raise ValueError(f"LIF layer {index}: stored DeltaVecs of shape "
                             f"{None if rows is None else np.shape(rows)} do not fit the model "
                             f"(expected {tuple(expected.shape)})")
        deltas.append(torch.from_numpy(np.asarray(rows)).to(expected.dtype))
    blob = np.asarray(stored["learner_state"], dtype=np.uint8).tobytes()
    state = torch.load(io.BytesIO(blob), weights_only=True)
    state["bank"] = {"deltas": deltas, "due": [bool(d) for d in stored["deltavec_due"]],
                     "step": int(stored["deltavec_step"]),
                     "refreshes": int(stored["deltavec_refreshes"])}
    learner.load_state_dict(state)
    return learner
