"""DeltaMGDNetwork: validation of its arguments and of the data it receives."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.delta_mgd_network import DeltaMGDNetwork, network_run_config
from astrolava.processes.delta_mgd_network.hierarchical import check_hierarchical
from astrolava.processes.delta_mgd_network.process import (
    check_layers,
    flatten,
    split_layers,
    unflatten_weights,
)

from astrolava.lava_training import build_network, lava_preset
from astrolava.mgd import DeltaMGDConfig, preset
from astrolava.runtime import LavaSession, ProcessModelError

WEIGHTS = [np.ones((3, 4)), np.ones((2, 3))]
BIASES = [np.zeros(3), np.zeros(2)]


def test_layer_shapes_must_chain():
    assert check_layers(WEIGHTS, BIASES) == [4, 3, 2]
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(2, 5\)"):
        DeltaMGDNetwork(weights=[np.ones((3, 4)), np.ones((2, 5))], biases=BIASES)
    with pytest.raises(ValueError, match=r"biases\[0\] has shape \(4,\)"):
        DeltaMGDNetwork(weights=WEIGHTS, biases=[np.zeros(4), np.zeros(2)])


def test_bad_hyper_parameters():
    with pytest.raises(ValueError, match="tau_delta=0 must be an integer >= 1"):
        DeltaMGDConfig(tau_delta=0)
    with pytest.raises(ValueError, match="network='lif'"):
        DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES, network="lif")
    with pytest.raises(ValueError, match="exact_output needs network='rate'"):
        DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES, network="spiking",
                        config=DeltaMGDConfig(exact_output=True))
    with pytest.raises(ValueError, match="deltavecs='output'"):
        DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES, config=DeltaMGDConfig(deltavecs="output"))


def test_chain_deltavecs_hold_one_row_per_class_over_the_hidden_layers():
    net = DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES, config=DeltaMGDConfig(deltavecs="chain"))
    assert net.deltavecs.shape == (BIASES[-1].shape[0], BIASES[0].shape[0])


@pytest.mark.parametrize("network", ["rate", "spiking"])
def test_hierarchical_preset_runs_chain_deltavecs_with_sgd(network):
    """``lava_preset(hierarchical=True)`` is the recommended chain preset with the graph's
    SGD, and the hierarchical model accepts it (both tags share it)."""
    config = DeltaMGDConfig(**lava_preset(network, "fixed_pt", hierarchical=True))
    assert lava_preset(network, "floating_pt", hierarchical=True) == \
        lava_preset(network, "fixed_pt", hierarchical=True)
    recommended = preset("delta-mgd", network)
    assert (config.deltavecs, config.optimizer) == ("chain", "sgd")
    assert (config.epsilon, config.tau_delta, config.delta_mix) == \
        (recommended["epsilon"], recommended["tau_delta"], recommended["delta_mix"])
    check_hierarchical(build_network(network, 8, 3, 0, config, hidden=(5, 4)))


def test_flat_parameter_views_round_trip():
    flat = flatten([np.arange(12.0).reshape(3, 4), np.arange(6.0).reshape(2, 3)])
    w0, w1 = unflatten_weights(flat, [4, 3, 2])
    assert w0[2, 3] == 11 and w1[1, 2] == 5
    assert [len(b) for b in split_layers(np.arange(5.0), [4, 3, 2])] == [3, 2]


def test_mismatched_input_port_is_refused():
    net = DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES)
    source = DatasetSource(data=np.zeros((2, 5)), labels=np.zeros(2, dtype=int))
    with pytest.raises(Exception, match="[Ss]hape"):
        source.x.connect(net.x_in)


def test_label_outside_classes_fails_cleanly():
    """Fused model: LavaSession raises the model's ValueError as ``ProcessModelError``."""
    net = DeltaMGDNetwork(weights=WEIGHTS, biases=BIASES)
    source = DatasetSource(data=np.zeros((2, 4)), labels=np.array([0, 7]))
    source.x.connect(net.x_in)
    source.label.connect(net.label_in)
    with pytest.raises(ProcessModelError, match="ValueError: label=7 is outside"), \
            LavaSession(net, network_run_config("floating_pt")) as session:
        session.run(2)
    assert not [p for p in mp.active_children() if p.is_alive()]


CHILDREN = Path(__file__).parents[2] / "runtime" / "procs"

HIERARCHICAL_BAD_LABEL = f"""
import sys
import numpy as np
sys.path.insert(0, {str(CHILDREN)!r})
from children import children
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.delta_mgd_network import DeltaMGDNetwork, network_run_config
from astrolava.runtime import LavaSession, ProcessModelError

net = DeltaMGDNetwork(weights=[np.ones((3, 4)), np.ones((2, 3))],
                      biases=[np.zeros(3), np.zeros(2)])
source = DatasetSource(data=np.zeros((2, 4)), labels=np.array([0, 7]),
                       steps_per_sample=net.steps_per_sample(hierarchical=True))
source.x.connect(net.x_in)
source.label.connect(net.label_in)
try:
    with LavaSession(net, network_run_config("floating_pt", hierarchical=True)) as session:
        session.run(2 * net.steps_per_sample(hierarchical=True))
except RuntimeError as error:
    print("raised:", error)
found = children()
print("children", len(found), found)
"""


def test_label_outside_classes_fails_cleanly_in_the_hierarchical_graph():
    """One child (astrocyte or global cost) raises; its peers stay blocked on their ports:
    LavaSession kills the runtime and raises the child's error (run in a fresh interpreter
    with a timeout, so a hang fails the test instead of hanging pytest)."""
    result = subprocess.run([sys.executable, "-c", HIERARCHICAL_BAD_LABEL], capture_output=True,
                            text=True, timeout=120, start_new_session=True)
    assert result.returncode == 0, result.stderr
    assert "raised:" in result.stdout, result.stdout + result.stderr
    assert "label=7 is outside the classes [0, 2)" in result.stdout
    assert "children 0" in result.stdout
