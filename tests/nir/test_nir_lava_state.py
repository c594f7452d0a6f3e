"""A spiking δ-MGD network trained inside Lava continues after a NIR round trip exactly as it
does from its own checkpoint."""

from __future__ import annotations

import nir
import numpy as np
import pytest
from astrolava.models import build_model

from astrolava.data import load_dataset
from astrolava.lava_training import build_network, lava_preset, train_in_lava
from astrolava.mgd import DeltaMGDConfig
from astrolava.nir import lava_from_nir, lava_to_nir, to_nir


def _digits(n_train: int = 12, n_test: int = 6):
    (X, y), (Xt, yt) = (load_dataset("digits", s) for s in ("train", "test"))
    return X[:n_train].astype(np.float64), y[:n_train], Xt[:n_test].astype(np.float64), yt[:n_test]


def _fresh(tag: str):
    config = DeltaMGDConfig(**{**lava_preset("spiking", tag), "tau_delta": 5})
    return build_network("spiking", 64, 10, 0, config, hidden=(8,))


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_lava_training_continues_after_round_trip(tmp_path, tag: str) -> None:
    data = _digits()
    path = tmp_path / "run.ckpt"
    train_in_lava(_fresh(tag), *data, epochs=1, tag=tag, checkpoint=path)
    nir.write(tmp_path / "net.nir", lava_to_nir(_fresh(tag), path, tag))
    graph = nir.read(tmp_path / "net.nir")
    exps = [graph.nodes[f"layers.{i}"].metadata["weight_exp"] for i in range(2)]
    assert all(e < 0 for e in exps) if tag == "fixed_pt" else exps == [0, 0]  # floats: unused
    net, stored_tag = lava_from_nir(graph)
    assert stored_tag == tag
    through_nir = train_in_lava(net, *data, epochs=1, tag=tag)
    from_checkpoint = train_in_lava(_fresh(tag), *data, epochs=2, tag=tag, checkpoint=path)
    assert through_nir.test_acc == from_checkpoint.test_acc[1:]
    assert through_nir.n_refreshes == from_checkpoint.n_refreshes > 0
    for a, b in zip(through_nir.weights + through_nir.biases,
                    from_checkpoint.weights + from_checkpoint.biases, strict=True):
        np.testing.assert_array_equal(a, b)


def test_graph_without_lava_state_is_refused() -> None:
    with pytest.raises(ValueError, match="the graph holds no Lava δ-MGD state"):
        lava_from_nir(to_nir(build_model("spiking", 6, 3, seed=0, hidden=(4,))))


def test_rate_lava_network_has_no_nir_form(tmp_path) -> None:
    config = DeltaMGDConfig(**lava_preset("rate", "floating_pt"))
    with pytest.raises(ValueError, match="NIR has no tanh node"):
        lava_to_nir(build_network("rate", 64, 10, 0, config, hidden=(8,)), tmp_path / "x", "x")
