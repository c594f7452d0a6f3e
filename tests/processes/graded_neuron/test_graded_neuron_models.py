"""GradedTanh models: float against the numpy recurrence, fixed against float and by hand."""

from __future__ import annotations

import numpy as np
import pytest
from astrolava.processes.graded_neuron import GradedTanh
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source

from astrolava.fixed_point import from_fixed, to_fixed
from astrolava.runtime import LavaSession, sim_config

FRAC = 12


def _run(neuron: GradedTanh, inputs: np.ndarray, tag: str) -> np.ndarray:
    """Feed ``inputs`` (neurons, steps) into ``neuron``; return its output (neurons, steps)."""
    source, sink = Source(data=inputs), Sink(shape=neuron.shape, buffer=inputs.shape[1])
    source.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    with LavaSession(neuron, sim_config(tag)) as session:
        session.run(inputs.shape[1])
        return sink.data.get()


def _reference(inputs: np.ndarray, bias: np.ndarray, leak: float) -> np.ndarray:
    """n[t] = leak * n[t-1] + (1 - leak) * tanh(a[t] + bias), n[0] = 0."""
    n, out = np.zeros(inputs.shape[0]), []
    for a in inputs.T:
        n = leak * n + (1 - leak) * np.tanh(a + bias)
        out.append(n)
    return np.stack(out, axis=1)


@pytest.fixture
def drive() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(0, 1.5, size=(5, 12)), rng.normal(0, 0.5, size=5)


@pytest.mark.parametrize("leak", [0.0, 0.5])
def test_float_matches_recurrence(drive: tuple[np.ndarray, np.ndarray], leak: float) -> None:
    inputs, bias = drive
    out = _run(GradedTanh(shape=(5,), bias=bias, leak=leak), inputs, "floating_pt")
    np.testing.assert_allclose(out, _reference(inputs, bias, leak), atol=1e-12)


@pytest.mark.parametrize("leak", [0.0, 0.5])
def test_fixed_within_stated_error_of_float(drive: tuple[np.ndarray, np.ndarray],
                                            leak: float) -> None:
    # Error per step: input and bias rounding (2 x 2**-13, tanh' <= 1), table rounding
    # (2**-13) and the leak rounding (2**-13), contracted by the leak: <= 4 * 2**-13 / (1-leak)
    # at most, i.e. 1e-3 for leak = 0.5.
    inputs, bias = drive
    q_in = to_fixed(inputs, FRAC).astype(np.int32)
    out = _run(GradedTanh(shape=(5,), bias=bias, leak=leak), q_in, "fixed_pt")
    np.testing.assert_array_equal(out, np.rint(out))  # integer payloads
    np.testing.assert_allclose(from_fixed(out, FRAC), _reference(inputs, bias, leak),
                               atol=4 * 2.0 ** -13 / (1 - leak))


def test_fixed_hand_computed_and_saturating() -> None:
    # tanh(0.5 + 0.25): 0.75 * 2**12 = 3072 -> round(tanh(0.75) * 4096) = round(2601.57) = 2602.
    # An input at the 24-bit limit saturates (no wrap-around) and tanh gives 1.0 = 4096.
    # With leak 0.25 (1024/4096) the second step mixes: (1024 * 2602 + 3072 * 4096 + 2048) >> 12.
    inputs = np.array([[2048, (1 << 23) - 1]], dtype=np.int32)
    out = _run(GradedTanh(shape=(1,), bias=0.25), inputs, "fixed_pt")
    assert out.tolist() == [[2602, 4096]]
    leaky = _run(GradedTanh(shape=(1,), bias=0.25, leak=0.25), inputs, "fixed_pt")
    first = (3072 * 2602 + 2048) >> 12
    assert leaky.tolist() == [[first, (1024 * first + 3072 * 4096 + 2048) >> 12]]


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_two_dimensional_layer(tag: str) -> None:
    # (rows, neurons) layers, as used for batched δ-MGD passes: every entry is its own neuron.
    inputs = np.random.default_rng(2).normal(0, 1, size=(2, 3, 4))
    bias = np.array([0.1, -0.2, 0.3])
    neuron = GradedTanh(shape=(2, 3), bias=bias)
    fed = inputs if tag == "floating_pt" else to_fixed(inputs, FRAC).astype(np.int32)
    source, sink = Source(data=fed), Sink(shape=(2, 3), buffer=4)
    source.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    with LavaSession(neuron, sim_config(tag)) as session:
        session.run(4)
        out = sink.data.get()
    out = from_fixed(out, FRAC) if tag == "fixed_pt" else out
    np.testing.assert_allclose(out, np.tanh(inputs + bias[None, :, None]), atol=3 * 2.0 ** -13)
