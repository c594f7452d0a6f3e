"""ReservoirLIF alone: the run configuration's tag selects float or Loihi-integer LIF."""

import numpy as np
import pytest
from astrolava.processes.rhythmic_reservoir import ReservoirLIF
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF

from astrolava.fixed_point import VOLTAGE_FRAC_BITS
from astrolava.rhythmic.equations import lif_step
from astrolava.rhythmic.fixed import lif_step_fixed
from astrolava.runtime import LavaSession, sim_config

STEPS = 30
DV, THRESHOLD, BIAS = 0.2, 0.1, 0.05


def drive(tag: str) -> np.ndarray:
    """Input currents (N = 12, STEPS steps); fixed_pt: integers with 12 fractional bits."""
    current = np.random.default_rng(0).normal(0.02, 0.1, (12, STEPS))
    return np.rint(current * 4096).astype(int) if tag == "fixed_pt" else current


def run(nodes: object, current: np.ndarray, tag: str) -> np.ndarray:
    src, sink = Source(data=current), Sink(shape=(len(current),), buffer=STEPS)
    src.s_out.connect(nodes.a_in)
    nodes.s_out.connect(sink.a_in)
    with LavaSession(nodes, sim_config(tag)) as session:
        session.run(STEPS)
        return sink.data.get()


def test_lif_step_fixed_hand_computed() -> None:
    """dv_q = 819, vth_q << 6 = 410·64 = 26240, b_q = 205; v in 18 fractional bits."""
    v, s = lif_step_fixed(np.array([100_000, -100_000, 0]), np.array([-1100, 0, 300]),
                          DV, THRESHOLD, BIAS)
    # |±100000·3277| >> 12 = 80004, sign kept (not the floor -80005); (-1100 + 205) << 6 =
    # -57280, 205 << 6 = 13120; (300 + 205) << 6 = 32320 > 26240 spikes and resets
    np.testing.assert_array_equal(v, [80004 - 57280, -80004 + 13120, 0])
    np.testing.assert_array_equal(s, [0, 0, 1])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_matches_lif_step(tag: str) -> None:
    current = drive(tag)
    nodes = ReservoirLIF(shape=(len(current),), dv=DV, threshold=THRESHOLD, bias=BIAS)
    spikes = run(nodes, current, tag)
    voltage = np.zeros(len(current))
    for t in range(STEPS):
        if tag == "floating_pt":
            voltage, expected = lif_step(voltage, current[:, t] + BIAS, DV, THRESHOLD)
        else:
            voltage, expected = lif_step_fixed(voltage, current[:, t], DV, THRESHOLD, BIAS)
        np.testing.assert_array_equal(spikes[:, t], expected)
    assert 0 < spikes.sum() < spikes.size


def test_fixed_equals_lava_bit_accurate_lif() -> None:
    """Same spikes as Lava's bit-accurate LIF with du = 4095 and the Loihi parameters."""
    current = drive("fixed_pt")
    ours = run(ReservoirLIF(shape=(len(current),), dv=DV, threshold=THRESHOLD, bias=BIAS),
               current, "fixed_pt")
    lava = LIF(shape=(len(current),), du=4095, dv=round(DV * 4096), vth=round(THRESHOLD * 4096),
               bias_mant=round(BIAS * 4096), bias_exp=6)
    np.testing.assert_array_equal(ours, run(lava, current, "fixed_pt"))


def test_voltage_var_in_real_units() -> None:
    current = drive("fixed_pt")
    nodes = ReservoirLIF(shape=(len(current),), dv=DV, threshold=THRESHOLD, bias=BIAS)
    src = Source(data=current)
    src.s_out.connect(nodes.a_in)
    with LavaSession(nodes, sim_config("fixed_pt")) as session:
        session.run(STEPS)
        v = nodes.v.get()
    voltage = np.zeros(len(current))
    for t in range(STEPS):
        voltage, _ = lif_step_fixed(voltage, current[:, t], DV, THRESHOLD, BIAS)
    np.testing.assert_array_equal(v, voltage / (1 << VOLTAGE_FRAC_BITS))


@pytest.mark.parametrize("kwargs", [{"dv": 0.0}, {"threshold": -1.0}])
def test_bad_parameters(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ReservoirLIF(shape=(3,), **{"dv": DV, "threshold": THRESHOLD, **kwargs})
