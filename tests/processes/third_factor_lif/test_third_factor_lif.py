"""ThirdFactorLIF: inside a pass bit-equal to Lava's LIF; its schedule of reports and factors."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
from astrolava.processes.third_factor_lif import ThirdFactorLIF
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF

from astrolava.mgd.engine import TRACE_OFFSET, EngineSchedule
from astrolava.runtime import LavaSession, sim_config

LIF_ARGS = {"du": 300, "dv": 200, "vth": 250}


def _record(source: Source, ports: dict, steps: int, tag: str) -> dict:
    sinks = {}
    for name, port in ports.items():
        sinks[name] = Sink(shape=port.shape, buffer=steps)
        port.connect(sinks[name].a_in)
    with LavaSession(source, sim_config(tag)) as session:
        session.run(steps)
        return {name: sink.data.get() for name, sink in sinks.items()}


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_inside_a_pass_spikes_equal_lava_lif(tag):
    steps = 30
    rng = np.random.default_rng(3)
    inputs = rng.integers(-40, 160, size=(6, steps))
    sched = EngineSchedule(40)
    lead = sched.offset(0)  # our layer's pass starts this many steps into the run
    source = Source(data=np.pad(inputs, ((0, 0), (lead, 0))))  # the stock LIF rests till then
    ours = ThirdFactorLIF(shape=(6,), schedule=sched, **LIF_ARGS)
    stock = LIF(shape=(6,), **LIF_ARGS)
    source.s_out.connect([ours.a_in, stock.a_in])
    got = _record(source, {"ours": ours.s_out, "stock": stock.s_out}, steps + lead, tag)
    assert got["stock"].sum() > 10
    np.testing.assert_array_equal(got["ours"] != 0, got["stock"] != 0)


def test_schedule_of_reports_bap_and_factors():
    # a hidden layer (depth 1 of 2): clean 0..2, report and latch 4, perturbed 6..8, update 11,
    # one more gap step before the next sample
    sched = EngineSchedule(3, n_learned=2)
    lead, steps = sched.offset(1), sched.window
    source = Source(data=np.full((2, lead + steps), 100))
    u_src = Source(data=np.full((2, lead + steps), -5))
    k_src = Source(data=np.full((2, lead + steps), 7))
    neuron = ThirdFactorLIF(shape=(2,), schedule=sched, depth=1, report=True, du=4095, vth=90)
    source.s_out.connect(neuron.a_in)
    u_src.s_out.connect(neuron.u_in)
    k_src.s_out.connect(neuron.k_in)
    got = _record(source, {"s": neuron.s_out, "bap": neuron.bap, "y2": neuron.y2,
                           "y3": neuron.y3}, lead + steps, "fixed_pt")
    got = {name: value[0, lead:] for name, value in got.items()}
    # input 100 << 6 against threshold 90 << 6: one spike per step inside each pass
    report = 2 * sched.count_scale * 3
    np.testing.assert_array_equal(got["s"], [1, 1, 1, 0, report, 0, 1, 1, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(np.flatnonzero(got["bap"]), [4, 11])
    np.testing.assert_array_equal(got["y2"], [TRACE_OFFSET] * 4 + [TRACE_OFFSET - 5]
                                  + [TRACE_OFFSET] * 8)
    np.testing.assert_array_equal(got["y3"], [TRACE_OFFSET] * 11 + [TRACE_OFFSET + 7,
                                                                    TRACE_OFFSET])
    assert (sched.event(1), sched.perturbed_start, sched.update(1)) == (4, 6, 11)


def test_bad_depth(monkeypatch):
    """Refused, and the half-built process collected without an error in Lava's ``__del__``."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(ValueError, match="depth"):
        ThirdFactorLIF(shape=(2,), schedule=EngineSchedule(5), depth=2)
    gc.collect()
    assert unraisable == []
