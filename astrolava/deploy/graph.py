"""Build a Lava process graph from a :class:`NetworkSpec` and run a dataset through it.

Graph: ``DatasetSource -> Dense -> neurons -> Dense -> neurons ... -> RingBuffer sink``, with
``GradedTanh`` neurons for rate nets and Lava ``LIFReset`` neurons for spiking nets
(``du = 1``, ``dv = 1 - beta``: snntorch's ``Leaky`` with reset to zero). Every ``Dense``
delays by one step, so the output of sample ``k`` leaves the last layer
``L = len(weights)`` steps after the sample entered: the readout skips those ``L`` steps.
Rate nets are memoryless, so a new sample enters every step (a pipeline); a spiking layer
``l`` (0-based) is reset when sample ``k`` reaches it, at steps ``k * T + l + 2``, so every
sample starts from rest, as in ``SpikingMLP.forward``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from lava.magma.core.process.process import AbstractProcess
from lava.proc.dense.process import Dense
from lava.proc.io.sink import RingBuffer
from lava.proc.lif.process import LIFReset
from lava.utils.weightutils import SignMode
from torch import nn

from astrolava.deploy.fixed import FixedPointFormat, lif_layer_fixed, rate_layer_fixed
from astrolava.deploy.network import NetworkSpec, network_spec
from astrolava.fixed_point import STATE_BITS, from_fixed
from astrolava.processes.dataset_source import DatasetSource
from astrolava.processes.graded_neuron import GradedTanh
from astrolava.progress import progress as progress_bar
from astrolava.runtime import LavaSession, sim_config

TAGS = ("floating_pt", "fixed_pt")
CHUNK_STEPS = 2000
"""Steps per ``run`` call (the progress bar advances between calls)."""


@dataclass
class LavaGraph:
    """A built (not yet run) Lava graph for one dataset pass.

    Attributes
    ----------
    spec : NetworkSpec
    tag : {"floating_pt", "fixed_pt"}
    source : DatasetSource
    dense, neurons : list of AbstractProcess
        One ``Dense`` and one neuron layer per network layer.
    sink : lava.proc.io.sink.RingBuffer
        Records the last neuron layer at every step.
    n_samples, steps : int
        Samples streamed and time steps needed (``n_samples * num_steps + delay``).
    fmt : FixedPointFormat
    """

    spec: NetworkSpec
    tag: str
    source: DatasetSource
    dense: list[AbstractProcess]
    neurons: list[AbstractProcess]
    sink: RingBuffer
    n_samples: int
    fmt: FixedPointFormat = field(default_factory=FixedPointFormat)

    @property
    def delay(self) -> int:
        """Steps between a sample entering and its output leaving (one per ``Dense``)."""
        return len(self.dense)

    @property
    def steps(self) -> int:
        """Time steps of one pass: every sample for ``num_steps``, plus the delay."""
        return self.n_samples * self.spec.num_steps + self.delay

    def outputs(self, recorded: np.ndarray) -> np.ndarray:
        """Per-sample network outputs (n_samples, n_out) from the sink's record (n_out, steps).

        Rate: the last layer's activation (``n * 2**-act_frac_bits`` for fixed_pt).
        Spiking: the last layer's spike count over the sample's ``T`` steps divided by ``T``.
        """
        T, n = self.spec.num_steps, self.n_samples
        window = np.asarray(recorded, dtype=np.float64)[:, self.delay:self.delay + n * T]
        if self.spec.kind == "spiking":
            return window.reshape(len(window), n, T).sum(axis=2).T / T
        if self.tag == "fixed_pt":
            window = from_fixed(window, self.fmt.act_frac_bits)
        return window.T


@dataclass(frozen=True)
class LavaRun:
    """Result of streaming a dataset through a Lava graph.

    Attributes
    ----------
    outputs : numpy.ndarray (n, n_out)
        Network outputs in real units (activations or firing rates).
    accuracy : float or None
        ``mean(argmax outputs == y)`` when labels were given.
    compile_seconds : float
        Compilation and the first step.
    run_seconds : float
        The remaining steps and reading the record back.
    samples_per_s : float
        ``n / run_seconds``.
    """

    outputs: np.ndarray
    accuracy: float | None
    compile_seconds: float
    run_seconds: float
    samples_per_s: float

    @property
    def predictions(self) -> np.ndarray:
        return self.outputs.argmax(axis=1)


def build_graph(spec: NetworkSpec, X: np.ndarray, y: np.ndarray | None = None,
                tag: str = "floating_pt", fmt: FixedPointFormat | None = None,
                seed: int = 0) -> LavaGraph:
    """Wire ``DatasetSource -> (Dense -> neurons) x L -> RingBuffer`` for inputs ``X``.

    Parameters
    ----------
    spec : NetworkSpec
        From :func:`astrolava.deploy.network_spec`.
    X : numpy.ndarray (n, sizes[0])
        Inputs, in [0, 1] for spiking nets.
    y : numpy.ndarray (n,), optional
        Labels streamed alongside (on the source's ``label`` port).
    tag : {"floating_pt", "fixed_pt"}
        Which models the graph will run (the fixed_pt one gets integer parameters).
    fmt : FixedPointFormat, optional
        Fractional bits of the fixed_pt mapping.
    seed : int
        Seed of the spike rate code (spiking nets).

    Raises
    ------
    ValueError
        Bad ``tag``, inputs of the wrong shape, or (fixed_pt) parameters outside the ranges
        the Loihi formats hold.
    """
    if tag not in TAGS:
        raise ValueError(f"tag={tag!r} is not allowed; use one of {TAGS}")
    fmt = fmt or FixedPointFormat()
    X, y = spec.check_inputs(X, y)
    spiking = spec.kind == "spiking"
    source = DatasetSource(data=X, labels=y, steps_per_sample=spec.num_steps,
                           encoding="spikes" if spiking else "graded",
                           frac_bits=fmt.input_frac_bits, seed=seed)
    make_layer = _spiking_layer if spiking else _rate_layer
    dense, neurons, out_port = [], [], source.x
    for i, (w, b) in enumerate(zip(spec.weights, spec.biases, strict=True)):
        input_max = float(np.abs(X).max()) if i == 0 else 1.0
        syn, neuron = make_layer(spec, i, w, b, tag, fmt, input_max)
        out_port.connect(syn.s_in)
        syn.a_out.connect(neuron.a_in)
        dense.append(syn)
        neurons.append(neuron)
        out_port = neuron.s_out
    sink = RingBuffer(shape=(spec.sizes[-1],), buffer=len(X) * spec.num_steps + len(dense))
    out_port.connect(sink.a_in)
    return LavaGraph(spec=spec, tag=tag, source=source, dense=dense, neurons=neurons, sink=sink,
                     n_samples=len(X), fmt=fmt)


def _rate_layer(spec: NetworkSpec, i: int, w: np.ndarray, b: np.ndarray, tag: str,
                fmt: FixedPointFormat, input_max: float) -> tuple[Dense, GradedTanh]:
    """``Dense(W)`` feeding ``GradedTanh(bias=b)``: ``a = tanh(W x + b)``."""
    neuron = GradedTanh(shape=(len(b),), bias=b, in_frac_bits=fmt.act_frac_bits,
                        out_frac_bits=fmt.act_frac_bits)
    if tag == "floating_pt":
        return Dense(weights=w, num_message_bits=STATE_BITS), neuron
    in_frac = fmt.input_frac_bits if i == 0 else fmt.act_frac_bits
    q = rate_layer_fixed(i, w, b, input_max, in_frac, fmt)
    return Dense(weights=q.mantissa, weight_exp=q.weight_exp, num_message_bits=STATE_BITS,
                 sign_mode=SignMode.MIXED), neuron


def _spiking_layer(spec: NetworkSpec, i: int, w: np.ndarray, b: np.ndarray, tag: str,
                   fmt: FixedPointFormat, input_max: float) -> tuple[Dense, LIFReset]:
    """``Dense(W)`` feeding ``LIFReset``: ``v = beta v + W s + b``, reset when a sample arrives."""
    reset = {"reset_interval": spec.num_steps, "reset_offset": (i + 2) % spec.num_steps}
    if tag == "floating_pt":
        return Dense(weights=w), LIFReset(shape=(len(b),), du=1.0, dv=1.0 - spec.beta,
                                          vth=spec.threshold, bias_mant=b, **reset)
    syn, lif = lif_layer_fixed(i, w, b, spec.beta, spec.threshold, fmt)
    return (Dense(weights=syn.mantissa, weight_exp=syn.weight_exp, sign_mode=SignMode.MIXED),
            LIFReset(shape=(len(b),), du=lif.du, dv=lif.dv, vth=lif.vth,
                     bias_mant=lif.bias_mant, bias_exp=lif.bias_exp, **reset))


def evaluate_graph(graph: LavaGraph, y: np.ndarray | None = None, progress: bool = True) -> LavaRun:
    """Run a built graph to the end, read the record, and score it against labels ``y``."""
    with LavaSession(graph.source, sim_config(graph.tag)) as session:
        start = time.perf_counter()
        session.run(1)
        compiled = time.perf_counter()
        done = 1
        with progress_bar(total=graph.steps, initial=1, desc=f"lava {graph.spec.kind} {graph.tag}",
                          unit="step", enabled=progress, leave=False) as bar:
            while done < graph.steps:
                chunk = min(CHUNK_STEPS, graph.steps - done)
                session.run(chunk)
                done += chunk
                bar.update(chunk)
        outputs = graph.outputs(graph.sink.data.get())
        finished = time.perf_counter()
    accuracy = None if y is None else float(np.mean(outputs.argmax(axis=1) == np.asarray(y)))
    run_s = finished - compiled
    return LavaRun(outputs=outputs, accuracy=accuracy, compile_seconds=compiled - start,
                   run_seconds=run_s, samples_per_s=graph.n_samples / run_s)


def run_lava(model: nn.Module | NetworkSpec, X: np.ndarray, y: np.ndarray | None = None,
             tag: str = "floating_pt", fmt: FixedPointFormat | None = None, seed: int = 0,
             progress: bool = True) -> LavaRun:
    """Deploy a trained torch network as a Lava graph and stream ``X`` through it.

    Parameters
    ----------
    model : RateMLP, SpikingMLP, nn.Sequential of Linear/Tanh, or NetworkSpec
    X, y : inputs (n, sizes[0]) and optional labels (n,)
    tag : {"floating_pt", "fixed_pt"}
    fmt : FixedPointFormat, optional
    seed : int
        Rate-code seed: sample ``k`` gets ``encode_spikes(X[k], T, seed, k)``.
    progress : bool
        Show a progress bar over time steps (on a terminal only).

    Examples
    --------
    >>> result = run_lava(trained_mlp, X_test, y_test, tag="fixed_pt")   # doctest: +SKIP
    >>> result.accuracy, result.samples_per_s                              # doctest: +SKIP
    """
    spec = model if isinstance(model, NetworkSpec) else network_spec(model)
    graph = build_graph(spec, X, y, tag, fmt, seed)
    return evaluate_graph(graph, y, progress)
