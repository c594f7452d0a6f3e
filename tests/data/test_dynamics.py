"""Regime-switching Thomas and Lorenz generators."""

import numpy as np
import pytest

from astrolava.data import lorenz_switching, thomas_switching
from astrolava.data.dynamics import lorenz_rhs, switch_schedule, thomas_rhs


def test_thomas_rhs_hand_computed() -> None:
    state = np.array([0.5, np.pi / 2, 0.0])
    expected = [np.sin(np.pi / 2) - 0.2 * 0.5, np.sin(0.0) - 0.2 * np.pi / 2, np.sin(0.5) - 0.0]
    np.testing.assert_allclose(thomas_rhs(state, 0.2), expected)


def test_lorenz_rhs_hand_computed() -> None:
    np.testing.assert_allclose(lorenz_rhs(np.array([1.0, 2.0, 3.0]), 28.0),
                               [10.0, 1.0 * 25.0 - 2.0, 2.0 - 8.0])


def test_schedule_segments_within_range() -> None:
    times = switch_schedule(10_000, (300, 900), np.random.default_rng(1))
    gaps = np.diff(np.concatenate([[0], times]))
    assert np.all((gaps >= 300) & (gaps <= 900))
    assert 10_000 - times[-1] >= 150


def test_thomas_regimes_differ_and_are_seeded() -> None:
    s = thomas_switching(n_steps=3000, segment_range=(800, 1200), seed=3)
    assert s.x.shape == (3000, 3) and np.all(np.isfinite(s.x))
    assert np.array_equal(s.regimes[s.switch_times], (np.arange(len(s.switch_times)) + 1) % 2)
    # the limit cycle (b=0.29) is a small orbit (std ~0.56), the chaotic attractor is wide (~2.2)
    first = s.x[: s.switch_times[0]]
    chaotic = s.x[s.switch_times[0]: s.switch_times[1]]
    assert first.std(axis=0).max() < 0.7 < 1.5 < chaotic.std(axis=0).min()
    again = thomas_switching(n_steps=3000, segment_range=(800, 1200), seed=3)
    np.testing.assert_array_equal(s.x, again.x)
    other = thomas_switching(n_steps=3000, segment_range=(800, 1200), seed=4)
    assert not np.array_equal(s.switch_times, other.switch_times)


def test_thomas_integration_matches_flow() -> None:
    """Finite differences of the samples follow dx/dt = sin y − b·x to integration accuracy."""
    s = thomas_switching(n_steps=400, dt=0.01, segment_range=(300, 300), seed=0)
    seg = s.x[:300]
    deriv = (seg[2:] - seg[:-2]) / (2 * s.dt)
    rhs = np.array([thomas_rhs(v, s.values[0]) for v in seg[1:-1]])
    np.testing.assert_allclose(deriv, rhs, atol=1e-3)


def test_lorenz_switching_amplitude_grows_with_rho() -> None:
    s = lorenz_switching(n_steps=3000, segment_range=(800, 1200), seed=0)
    low = s.x[s.regimes == 0, 2].mean()
    high = s.x[s.regimes == 1, 2].mean()
    assert low < 30 < 100 < high  # z hovers near ρ - 1


@pytest.mark.parametrize("kwargs", [{"n_steps": 1}, {"dt": 0.0}, {"b_values": (0.29,)},
                                    {"b_values": (0.29, 1.5)}, {"segment_range": (10, 5)}])
def test_thomas_bad_input(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        thomas_switching(**kwargs)
