"""δ-MGD training continues after a NIR round trip exactly as without it."""

from __future__ import annotations

import nir
import numpy as np
import pytest
import torch
from astrolava.models import build_model
from astrolava.models.mgd import DeltaMGDLearner, make_config

from astrolava.mgd.presets import preset
from astrolava.nir import learner_from_nir, model_from_nir, to_nir


def _batches(n: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(seed)
    return [(torch.rand(4, 6, generator=gen), torch.randint(0, 3, (4,), generator=gen))
            for _ in range(n)]


def _learner(deltavecs: str) -> DeltaMGDLearner:
    model = build_model("spiking", 6, 3, seed=0, hidden=(8,), num_steps=8)
    config = make_config("delta-mgd", **{**preset("delta-mgd", "spiking"), "tau_delta": 3,
                                         "deltavecs": deltavecs})
    return DeltaMGDLearner(model, config, seed=1, n_classes=3)


@pytest.mark.parametrize("deltavecs", ["chain", "class"])
def test_training_continues_after_round_trip_through_a_file(deltavecs: str, tmp_path) -> None:
    learner = _learner(deltavecs)
    for x, y in _batches(4, seed=2):
        learner.train_batch(x, y)
    nir.write(tmp_path / "trained.nir", to_nir(learner.model, learner=learner))
    graph = nir.read(tmp_path / "trained.nir")
    model = model_from_nir(graph)
    resumed = learner_from_nir(graph, model)
    assert resumed.config == learner.config
    for x, y in _batches(4, seed=3):
        learner.train_batch(x, y)
        resumed.train_batch(x, y)
    for mine, theirs in zip(resumed.model.parameters(), learner.model.parameters(), strict=True):
        assert torch.equal(mine, theirs)
    for mine, theirs in zip(resumed.bank.deltas, learner.bank.deltas, strict=True):
        assert torch.equal(mine, theirs) and mine.abs().sum() > 0  # refreshed, and the same
    assert resumed.bank.state_dict()["step"] == learner.bank.step == 32


def test_deltavecs_are_readable_in_node_metadata() -> None:
    learner = _learner("class")
    learner.train_batch(*_batches(1, seed=2)[0])
    graph = to_nir(learner.model, learner=learner)
    np.testing.assert_array_equal(graph.nodes["neurons.0"].metadata["deltavecs"],
                                  learner.bank.deltas[0].numpy())
    stored = graph.metadata["delta_mgd"]["config"]
    assert (stored["eta"], stored["epsilon"], stored["tau_delta"]) == (1e-3, 3.0, 3)


def test_graph_without_state_is_refused() -> None:
    graph = to_nir(build_model("spiking", 6, 3, seed=0, hidden=(8,)))
    with pytest.raises(ValueError, match="the graph holds no δ-MGD state"):
        learner_from_nir(graph, model_from_nir(graph))


def test_learner_of_another_model_is_refused() -> None:
    learner = _learner("chain")
    with pytest.raises(ValueError, match="learner must be the learner of model"):
        to_nir(build_model("spiking", 6, 3, seed=0, hidden=(8,)), learner=learner)
