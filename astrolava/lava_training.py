"""Train a :class:`DeltaMGDNetwork` on a dataset inside Lava and measure it.

One graph serves the whole run: a :class:`DatasetSource` streams the training samples
followed by the test samples (in order, so epoch ``e`` is ``train, test``), and the host only
flips the network's ``learning`` Var and reads its counters between the two blocks — a
handful of ``Var`` accesses per epoch; data, labels and learning stay inside the processes.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from astrolava.checkpoint import read_checkpoint, write_checkpoint
from astrolava.data import load_dataset
from astrolava.mgd.config import DeltaMGDConfig
from astrolava.mgd.fixed import check_fixed_config
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.delta_mgd_network.process import (
    DeltaMGDNetwork,
    network_run_config,
    split_layers,
    unflatten_weights,
)
from astrolava.progress import progress as progress_bar
from astrolava.runtime import LavaSession
from astrolava.validation import (
    require_array,
    require_count,
    require_int,
    require_known_names,
    require_labels,
    require_one_of,
    require_seed,
)

LAVA_PRESET = {"eta": 0.01, "epsilon": 1e-2, "tau_delta": 100}
"""δ-MGD hyper-parameters (``DeltaMGDConfig`` keywords) that every Lava model supports: the
paper's class DeltaVecs and plain SGD (the float fused model also runs Adam)."""
HIERARCHICAL_OPTIMIZER = {"rate": {"optimizer": "sgd", "eta": 0.01},
                          "spiking": {"optimizer": "sgd", "eta": 0.3}}
"""Optimizer per network of the hierarchical graph, whose synapses run plain SGD: the step
sizes of the fused models with SGD (``docs/experiments/lava-presets.md``)."""
FIXED_OPTIMIZER = {"rate": {"optimizer": "engine", "eta": 2 ** -10, "momentum_shift": 3,
                            "rms_shift": 10},
                   "spiking": {"optimizer": "sgd", "eta": 0.3}}
"""Optimizer per network that replaces Adam in the fused fixed_pt models (a learning engine
has no Adam): the ``"engine"`` rule (per-neuron RMS normalisation, momentum in the tag,
η = 2⁻¹⁰; ``docs/experiments/fixed-optimizer.md``) for rate networks, SGD at η = 0.3 for
spiking ones (``docs/experiments/lava-presets.md``)."""


def lava_preset(network: str = "rate", tag: str = "floating_pt",
                hierarchical: bool = False) -> dict:
    """The recommended δ-MGD hyper-parameters for a Lava model, as far as it supports them.

    Fused models run the recommended preset ``astrolava.mgd.presets.preset("delta-mgd",
    network)`` (chain DeltaVecs, ``delta_mix`` averaging, exact output δ — spiking: with the
    rate slopes — and Adam): ``floating_pt`` all of it, ``fixed_pt`` with the
    :data:`FIXED_OPTIMIZER` of the network instead of Adam. The hierarchical model runs the
    same preset with the :data:`HIERARCHICAL_OPTIMIZER` of the network (SGD), both tags.
    """
    from astrolava.mgd.presets import preset

    recommended = preset("delta-mgd", network)
    if hierarchical:
        return {**recommended, **HIERARCHICAL_OPTIMIZER[network]}
    if tag == "floating_pt":
        return recommended
    return {**recommended, **FIXED_OPTIMIZER[network]}


@dataclass
class LavaRun:
    """Outcome of :func:`train_in_lava`.

    ``test_acc[e]`` is the clean-pass accuracy on the test block after epoch ``e``;
    ``samples_per_s`` the training throughput (training steps only, all epochs, without the
    first sample, whose run also compiles the graph and starts the runtime);
    ``weights``/``biases`` the final parameters in real units.
    """

    test_acc: list[float] = field(default_factory=list)
    samples_per_s: float = 0.0
    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)
    n_refreshes: int = 0


def train_in_lava(net: DeltaMGDNetwork, X: np.ndarray, y: np.ndarray, X_test: np.ndarray,
                  y_test: np.ndarray, epochs: int = 1, tag: str = "floating_pt",
                  hierarchical: bool = False, seed: int = 0,
                  on_epoch: Callable[[int, float], None] | None = None,
                  checkpoint: str | Path | None = None) -> LavaRun:
    """Train ``net`` for ``epochs`` passes over ``(X, y)``, testing on ``(X_test, y_test)``.

    Parameters
    ----------
    net : DeltaMGDNetwork
        A fresh, unconnected network process.
    X, X_test : numpy.ndarray (n, n_in)
        Samples in [0, 1].
    y, y_test : numpy.ndarray (n,) of int
    epochs : int >= 1
    tag : {"floating_pt", "fixed_pt"}
    hierarchical : bool
        Run the fine-grained SubProcessModel instead of the fused model.
    seed : int
        Seed of the rate code (spiking networks).
    on_epoch : callable(epoch, test_acc), optional
        Called after each epoch (e.g. to advance a progress bar).
    checkpoint : path, optional
        Fused models: after every epoch the learning state (:func:`save_training_state`) is
        written there atomically; a run given an existing checkpoint resumes after its last
        epoch (the same data, config and tag; a spiking net draws its rate code afresh).
    """
    require_count("epochs", epochs)
    require_one_of("tag", tag, ("floating_pt", "fixed_pt"))
    require_seed("seed", seed)
    X = require_array("X", X, ndim=2, shape=(None, net.sizes[0]), low=0.0, high=1.0,
                      min_length=2)
    X_test = require_array("X_test", X_test, ndim=2, shape=(None, net.sizes[0]), low=0.0,
                           high=1.0, min_length=1)
    y = require_labels("y", y, len(X), net.sizes[-1])
    y_test = require_labels("y_test", y_test, len(X_test), net.sizes[-1])
    if tag == "fixed_pt" and not hierarchical:
        check_fixed_config(net.proc_params["config"])  # here, not in a Lava worker
    if checkpoint is not None and hierarchical:
        raise ValueError("checkpoint is only supported by the fused models (hierarchical=False)")
    run, timed = LavaRun(), TrainingTime()
    if checkpoint is not None and Path(checkpoint).exists():
        run, timed = restore_training_state(checkpoint, net, tag)
        if len(run.test_acc) >= epochs:
            return finished_run(run, timed)
    steps = feed_dataset(net, np.concatenate([X, X_test]), np.concatenate([y, y_test]),
                         hierarchical, seed)
    with LavaSession(net, network_run_config(tag, hierarchical)) as session:
        # the first sample also compiles the graph and starts its processes: untimed
        session.run(steps)
        resumed_at = len(run.test_acc)
        for epoch in range(resumed_at, epochs):
            first = epoch == resumed_at  # its first sample ran above
            if not first:
                net.learning.set(np.array([1]))
            start = time.perf_counter()
            session.run((len(y) - first) * steps)
            timed.seconds += time.perf_counter() - start
            timed.samples += len(y) - first
            net.learning.set(np.array([0]))
            net.n_correct.set(np.array([0]))
            net.n_samples.set(np.array([0]))
            session.run(len(y_test) * steps)
            run.test_acc.append(float(net.n_correct.get()[0]) / len(y_test))
            if checkpoint is not None:
                save_training_state(checkpoint, net, tag, run.test_acc, timed)
            if on_epoch is not None:
                on_epoch(epoch, run.test_acc[-1])
        run.weights, run.biases = net.layer_parameters()
        run.n_refreshes = int(net.n_refreshes.get()[0])
    return finished_run(run, timed)


@dataclass
class TrainingTime:
    """Seconds spent in training steps and the samples they learned (the first sample of a
    session, which also compiles the graph, is not timed)."""

    seconds: float = 0.0
    samples: int = 0


def finished_run(run: LavaRun, timed: TrainingTime) -> LavaRun:
    """``run`` with its training throughput from ``timed``."""
    run.samples_per_s = timed.samples / timed.seconds if timed.seconds else 0.0
    return run


STATE_VARS = ("weights", "biases", "deltavecs", "moments", "n_learned", "weight_exps",
              "n_refreshes")
"""The Vars of a fused :class:`DeltaMGDNetwork` that hold its learning state."""


def save_training_state(path: str | Path, net: DeltaMGDNetwork, tag: str,
                        test_acc: Sequence[float], timed: TrainingTime) -> None:
    """Write the learning state of a running fused ``net`` (:data:`STATE_VARS`), the test
    accuracies so far and the training time to the checkpoint ``path`` (atomic, with its
    SHA-256: ``astrolava.checkpoint.write_checkpoint``)."""
    meta = {"tag": tag, "config": net.proc_params["config"].to_dict(), "sizes": net.sizes,
            "test_acc": list(test_acc), "seconds": timed.seconds, "samples": timed.samples}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)),
             **{name: np.asarray(getattr(net, name).get()) for name in STATE_VARS})
    write_checkpoint(path, buffer.getvalue())


def restore_training_state(path: str | Path, net: DeltaMGDNetwork, tag: str
                           ) -> tuple[LavaRun, TrainingTime]:
    """Set the initial values of a fresh fused ``net``'s :data:`STATE_VARS` from the
    checkpoint ``path`` (:func:`save_training_state`); returns the run so far. Raises a
    ``ValueError`` naming the file when it belongs to another tag, config or net shape."""
    with np.load(io.BytesIO(read_checkpoint(path))) as data:
        meta = json.loads(str(data["meta"]))
        config = net.proc_params["config"]
        # a config field added since the checkpoint was written takes its default there
        theirs = {"tag": meta["tag"], "config": type(config)(**meta["config"]),
                  "sizes": meta["sizes"]}
        mine = {"tag": tag, "config": config, "sizes": net.sizes}
        wrong = {key: theirs[key] for key, value in mine.items() if theirs[key] != value}
        if wrong:
            raise ValueError(f"checkpoint {path} was written by another run ({wrong}); "
                             f"this run has {mine}")
        for name in STATE_VARS:
            getattr(net, name).init = data[name].copy()
    run = LavaRun(test_acc=list(meta["test_acc"]))
    run.weights, run.biases = (unflatten_weights(data_copy(net.weights.init), net.sizes),
                               split_layers(data_copy(net.biases.init), net.sizes))
    run.n_refreshes = int(np.asarray(net.n_refreshes.init).ravel()[0])
    return run, TrainingTime(meta["seconds"], meta["samples"])


def data_copy(values: np.ndarray) -> np.ndarray:
    """A float64 copy of a Var's initial values."""
    return np.array(values, dtype=np.float64)


def feed_dataset(net: DeltaMGDNetwork, X: np.ndarray, y: np.ndarray,
                 hierarchical: bool = False, seed: int = 0) -> int:
    """Connect a :class:`DatasetSource` streaming ``(X, y)`` in order into ``net``'s
    ``x_in`` / ``label_in``: graded samples (rate network) or their rate code drawn with
    ``seed`` (spiking), each held for the model's steps per sample, which are returned."""
    steps = net.steps_per_sample(hierarchical)
    encoding = "spikes" if net.proc_params["spec"].spiking else "graded"
    source = DatasetSource(data=X, labels=np.asarray(y).astype(np.int64),
                           steps_per_sample=steps, encoding=encoding, seed=seed)
    source.x.connect(net.x_in)
    source.label.connect(net.label_in)
    return steps


def build_network(network: str, n_in: int, n_classes: int, seed: int,
                  config: DeltaMGDConfig, hidden: Sequence[int] | None = None
                  ) -> DeltaMGDNetwork:
    """A :class:`DeltaMGDNetwork` starting from the torch reference's initial network
    ``astrolava.models.build_model(network, n_in, n_classes, seed, hidden)`` (its
    weights, biases and, spiking, its T, β and threshold)."""
    from astrolava.mgd.presets import HIDDEN
    from astrolava.models import build_model

    model = build_model(network, n_in, n_classes, seed, HIDDEN if hidden is None else hidden)
    weights, biases = initial_parameters(model.layers)
    spiking = {"num_steps": model.num_steps, "beta": model.beta,
               "threshold": model.threshold} if network == "spiking" else {}
    return DeltaMGDNetwork(weights=weights, biases=biases, config=config, network=network,
                           **spiking)


def initial_parameters(layers: Sequence) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``([W_l], [b_l])`` as float64 arrays from torch ``nn.Linear`` layers (or any objects
    with ``weight`` and ``bias`` tensors)."""
    return ([layer.weight.detach().double().numpy().copy() for layer in layers],
            [layer.bias.detach().double().numpy().copy() for layer in layers])


def train_dataset_in_lava(dataset: str = "digits", network: str = "rate", epochs: int = 1,
                          tag: str = "floating_pt", seed: int = 0, train_size: int = 0,
                          overrides: dict | None = None, progress: bool = True) -> dict:
    """Train δ-MGD inside Lava on a named dataset and summarise the run.

    Parameters
    ----------
    dataset : str
        A name of ``astrolava.data.DATASETS``.
    network : {"rate", "spiking"}
    epochs : int >= 1
    tag : {"floating_pt", "fixed_pt"}
    seed : int
        Seed of the initial network and of the rate code.
    train_size : int >= 0
        Train on the first ``train_size`` samples only (0: all).
    overrides : dict, optional
        ``DeltaMGDConfig`` keywords replacing those of :func:`lava_preset`.
    progress : bool
        Show a progress bar over epochs (on a terminal only).

    Returns
    -------
    dict
        ``method``, ``dataset``, ``network``, ``backend`` (``"lava"``), ``tag``, ``config``,
        ``train_size``, ``epochs``, ``test_acc`` (after the last epoch),
        ``test_acc_per_epoch``, ``samples_per_s`` and ``deltavec_refreshes``.
    """
    require_int("train_size", train_size, low=0)
    require_known_names("overrides", overrides or {}, DeltaMGDConfig.field_names())
    config = DeltaMGDConfig(**{**lava_preset(network, tag), **(overrides or {})})
    X, y = load_dataset(dataset, "train")
    X_test, y_test = load_dataset(dataset, "test")
    n_classes = int(max(y.max(), y_test.max())) + 1  # of the dataset, not of a subset
    if train_size:
        X, y = X[:train_size], y[:train_size]
    net = build_network(network, X.shape[1], n_classes, seed, config)
    with progress_bar(total=epochs, desc=f"lava {tag}", enabled=progress) as bar:
        run = train_in_lava(net, X.astype(np.float64), y, X_test.astype(np.float64), y_test,
                            epochs, tag, seed=seed, on_epoch=lambda e, acc: bar.update(1))
    return {"method": "delta-mgd", "dataset": dataset, "network": network,
            "backend": "lava", "tag": tag, "config": config.to_dict(),
            "train_size": len(X), "epochs": epochs, "test_acc": run.test_acc[-1],
            "test_acc_per_epoch": run.test_acc, "samples_per_s": run.samples_per_s,
            "deltavec_refreshes": run.n_refreshes}
