"""SeriesInput streams W_in·u(t) from inside the model."""

import numpy as np
import pytest
from astrolava.processes.series_input import SeriesInput
from lava.proc.io.sink import RingBuffer as Sink

from astrolava.runtime import LavaSession, sim_config

STEPS = 7


@pytest.mark.parametrize(("tag", "atol"), [("floating_pt", 1e-12), ("fixed_pt", 2e-2)])
def test_streams_and_repeats(tag: str, atol: float) -> None:
    rng = np.random.default_rng(0)
    data, w_in = rng.standard_normal((5, 2)), rng.uniform(-1.2, 1.2, (4, 2))
    src = SeriesInput(data=data, w_in=w_in)
    sink = Sink(shape=(4,), buffer=STEPS)
    src.a_out.connect(sink.a_in)
    with LavaSession(src, sim_config(tag)) as session:
        session.run(STEPS)
        out = sink.data.get()
    scale = 1.0 if tag == "floating_pt" else 4096.0
    expected = w_in @ data[np.arange(STEPS) % 5].T
    np.testing.assert_allclose(out / scale, expected, atol=atol)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="w_in"):
        SeriesInput(data=np.zeros((3, 2)), w_in=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="finite"):
        SeriesInput(data=np.full((3, 1), np.nan), w_in=np.zeros((4, 1)))
