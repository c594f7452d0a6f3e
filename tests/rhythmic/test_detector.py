"""Synchrony change detector, synchrony features, scoring."""

import numpy as np
import pytest

from astrolava.data import thomas_switching
from astrolava.rhythmic import RhythmicParams, RhythmicReservoir
from astrolava.rhythmic.detector import (
    RunningMoments,
    SynchronyChangeDetector,
    TrailingMaximum,
    phase_velocity,
    rolling_mean,
    shift_score,
    synchrony_features,
    synchrony_roughness,
)
from astrolava.rhythmic.scoring import detection_scores, match_changes
from astrolava.rhythmic.series import column_scale

SYNCHRONY = {"input_weight": 0.0, "envelope": 1}
"""The synchrony terms alone on R itself (no input term, no envelope): the mechanics tests."""


def test_rolling_mean_and_shift_score_hand_computed() -> None:
    np.testing.assert_allclose(rolling_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2),
                               [1.0, 2.0, 4.0, 6.0])
    # reference [0, 0] | recent [0, 1]: means 0, 0.5, variances 0, 0.25 -> 0.5 / (sqrt(0.125) + 1)
    assert shift_score(np.zeros(2), np.array([0.0, 1.0]), 1.0) == pytest.approx(
        0.5 / (np.sqrt(0.125) + 1.0))
    # reference [0, 0, 2, 2] (mean 1, variance 1) | recent [4, 4]: 3 / (sqrt(0.5) + 0.5)
    assert shift_score(np.array([0.0, 0, 2, 2]), np.array([4.0, 4]), 0.5) == pytest.approx(
        3.0 / (np.sqrt(0.5) + 0.5))


def test_score_uses_the_reference_since_the_last_change() -> None:
    # R steps 0.2 -> 0.6 at t = 40; w = 10, L = 30: the score at t compares R[t-9..t] with
    # R[max(a, t-39)..t-10] (0 until the reference holds w samples), a = location + settle
    r = np.where(np.arange(200) < 40, 0.2, 0.6)
    det = SynchronyChangeDetector(window=10, reference=30, settle=15, threshold=4.0,
                                  roughness_weight=0.5, response_delay=0, smoothing=1,
                                  **SYNCHRONY).fit_synchrony(r, np.zeros(200))
    assert det.change_points_ == [40]
    assert det.scores_[18] == 0.0 and det.scores_[19] == pytest.approx(0.0)
    # t = 44: reference R[5..34] = 0.2 (variance 0), recent R[35..44] = five 0.2, five 0.6
    # (mean 0.4, variance 0.04): s_R = 0.2 / (sqrt(0.02) + 0.02); ρ = ln(|ΔR| + 1e-5) is
    # ln 1e-5 except ln(0.40001) at t = 40: s_ρ from its reference (all ln 1e-5) and recent
    rho = np.log(np.where(np.arange(200) == 40, 0.4, 0.0) + 1e-5)
    s_r = shift_score(r[5:35], r[35:45], 0.02)
    s_rho = shift_score(rho[5:35], rho[35:45], 0.1)
    assert s_r == pytest.approx(0.2 / (np.sqrt(0.02) + 0.02))
    assert det.scores_[44] == pytest.approx(np.hypot(s_r, 0.5 * s_rho))
    # re-armed: the fresh reference starts at 40 + 15 = 55 and needs w samples: score 0 up to
    # t = 55 + 2w - 2 = 73, and the constant 0.6 regime raises no second change
    alarm = det.alarm_times_[0]
    assert alarm < 73 and det.scores_[73] == 0.0 and det.scores_[74] == pytest.approx(0.0)


def test_score_waits_for_a_full_reference_window_and_re_arms() -> None:
    # the boundaries of the test above on a noisy R (there R is constant on both sides of the
    # boundaries, so its score would be 0 either way): 0 up to t = 2w - 2 = 18, a score from
    # t = 19 on; after the change at 40 the fresh reference starts at 55, 0 up to t = 73
    noise = 1e-3 * np.random.default_rng(0).standard_normal(200)
    r = np.where(np.arange(200) < 40, 0.2, 0.6) + noise
    det = SynchronyChangeDetector(window=10, reference=30, settle=15, threshold=4.0,
                                  roughness_weight=0.5, response_delay=0, smoothing=1,
                                  **SYNCHRONY).fit_synchrony(r, np.zeros(200))
    assert det.change_points_ == [40]
    assert det.scores_[18] == 0.0 < det.scores_[19]
    assert det.scores_[73] == 0.0 < det.scores_[74]


def test_running_moments_equal_numpy() -> None:
    x = 0.9 + 0.01 * np.random.default_rng(1).standard_normal(3000)
    x[:7] = np.nan
    moments = RunningMoments()
    for v in x:
        moments.append(v)
    assert len(moments) == 3000 and moments.moments(5, 40) is None
    for a, b in ((7, 8), (7, 300), (1000, 1100), (2500, 3000)):
        mean, var = moments.moments(a, b)
        assert mean == pytest.approx(x[a:b].mean(), rel=1e-12)
        assert var == pytest.approx(x[a:b].var(), rel=1e-8, abs=1e-15)


@pytest.mark.parametrize("m", [1, 5])
def test_running_score_equals_shift_scores_of_the_windows(m: int) -> None:
    # every score from the running moments equals shift_score on the slices of the envelope
    # R̂ (R itself for m = 1) and ρ it stands for: reference [max(a, t-w-L), t-w), recent
    # [t-w, t), a re-armed after a change
    rng = np.random.default_rng(2)
    r = np.clip(np.where(np.arange(900) < 400, 0.6, 0.95) + 0.02 * rng.standard_normal(900), 0, 1)
    r[:50] = np.nan
    level = np.full(900, np.nan)
    level[50:] = [r[max(50, t - m + 1):t + 1].max() for t in range(50, 900)]
    w, L, settle = 40, 120, 30
    det = SynchronyChangeDetector(window=w, reference=L, settle=settle, threshold=4.0,
                                  response_delay=0, smoothing=10, input_weight=0.0,
                                  envelope=m).fit_synchrony(r, np.zeros(900))
    assert len(det.change_points_) == 1
    anchors = [(0, 50), (det.alarm_times_[0] + 1, det.change_points_[0] + settle)]
    rho = np.asarray(det.roughness_)
    for t in range(900):
        anchor = max(a for since, a in anchors if since <= t)
        start, now = max(anchor, t + 1 - w - L), t + 1
        expected = 0.0
        if now - w - start >= w:
            expected = np.hypot(shift_score(level[start:now - w], level[now - w:now], 0.02),
                                0.7 * shift_score(rho[start:now - w], rho[now - w:now], 0.1))
        assert det.scores_[t] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_trailing_maximum_hand_computed() -> None:
    # m = 3: the maximum of the last three samples, NaN ones left out; NaN while R(t) is NaN
    envelope = TrailingMaximum(3)
    values = [np.nan, 0.2, 0.9, 0.4, 0.3, np.nan, 0.1, 0.6, 0.5]
    out = [envelope.append(v) for v in values]
    np.testing.assert_array_equal(out, [np.nan, 0.2, 0.9, 0.9, 0.9, np.nan, 0.3, 0.6, 0.6])


def test_envelope_ignores_dips_shorter_than_m() -> None:
    # R = 1 with a dip to 0.6 for 20 samples at 300 and a lasting fall to 0.6 at 600; w = 25,
    # level term alone. On R itself (m = 1) the dip scores at most (20 of 25 recent samples in
    # it, flat reference) 0.32 / (√(0.8·0.2·0.16 / 2) + 0.02) = 2.40 > 2 at t = 319: a change
    # at 319 − 25 + 1 = 295, then the fall at 600. On the envelope over m = 25 samples the dip
    # leaves R̂ = 1 (score 0) and R̂ falls at 600 + m − 1 = 624: one change, there
    r = np.ones(900)
    r[300:320] = 0.6
    r[600:] = 0.6
    kw = {"window": 25, "reference": 150, "threshold": 2.0, "roughness_weight": 0.0,
          "input_weight": 0.0, "response_delay": 0}
    raw = SynchronyChangeDetector(envelope=1, **kw).fit_synchrony(r, np.zeros(900))
    env = SynchronyChangeDetector(envelope=25, **kw).fit_synchrony(r, np.zeros(900))
    assert raw.change_points_ == [295, 600]
    assert max(raw.scores_[300:350]) == pytest.approx(0.32 / (np.sqrt(0.0128) + 0.02))
    assert env.change_points_ == [624]
    assert max(env.scores_[:600]) == 0.0


def test_input_roughness_scores() -> None:
    # a = c = 0, c_u = 1: the score is the hypot of the shift scores of each input column's
    # log roughness (synchrony_roughness of u_j from the first sample after the warm-up)
    rng = np.random.default_rng(4)
    u = np.column_stack([np.where(np.arange(600) < 300, 0.1, 1.0) * rng.standard_normal(600),
                         np.sin(np.arange(600) / 5.0)])
    r = np.full(600, 0.5)
    r[:40] = np.nan
    kw = {"window": 30, "reference": 90, "threshold": 1e6, "smoothing": 10}
    det = SynchronyChangeDetector(level_weight=0.0, roughness_weight=0.0, input_weight=1.0,
                                  **kw).fit_synchrony(r, np.zeros(600), u)
    rho = [synchrony_roughness(u[40:, j], 10) for j in range(2)]
    for t in (99, 250, 330, 599):
        now = t + 1 - 40
        start = max(0, now - 30 - 90)
        expected = np.hypot(*[shift_score(x[start:now - 30], x[now - 30:now], 0.1) for x in rho])
        assert det.scores_[t] == pytest.approx(expected, rel=1e-9)
    # synchrony alone ignores u; with c_u > 0 the input column terms add in quadrature
    alone = SynchronyChangeDetector(input_weight=0.0, **kw).fit_synchrony(r, np.zeros(600))
    both = SynchronyChangeDetector(input_weight=1.0, **kw).fit_synchrony(r, np.zeros(600), u)
    np.testing.assert_allclose(both.scores_, np.hypot(alone.scores_, det.scores_), rtol=1e-12)
    # a gain on u adds a constant to each ρ_u (but for the 1e-5 inside the logarithm and the
    # first sample's ρ_u = ln 1e-5, in the reference up to t = 40 + 30 + 90): the input term
    # does not depend on the input scaling
    louder = SynchronyChangeDetector(level_weight=0.0, roughness_weight=0.0, input_weight=1.0,
                                     **kw).fit_synchrony(r, np.zeros(600), 3.0 * u)
    np.testing.assert_allclose(louder.scores_[161:], det.scores_[161:], rtol=1e-3)
    with pytest.raises(ValueError, match="needs the input"):  # the defaults have c_u = 1
        SynchronyChangeDetector().fit_synchrony(r, np.zeros(600))


def test_fit_with_input_equals_fit_synchrony() -> None:
    s = thomas_switching(n_steps=1600, segment_range=(800, 800), seed=2)
    params = RhythmicParams(n_nodes=30, warmup=100)
    fitted = SynchronyChangeDetector(window=100, input_weight=1.0, params=params,
                                     scaling="standard", scale_from="warmup",
                                     input_gain=1.5).fit(s.x)
    scale = s.x[:100].mean(axis=0), s.x[:100].std(axis=0)
    replay = SynchronyChangeDetector(window=100, input_weight=1.0).fit_synchrony(
        np.asarray(fitted.R_), np.asarray(fitted.mean_phase_),
        1.5 * (s.x - scale[0]) / scale[1])
    # the same scores after the warm-up (update's warm-up moves the reference start too)
    np.testing.assert_allclose(replay.scores_[100:], fitted.scores_[100:], rtol=1e-9)
    assert replay.change_points_ == fitted.change_points_


def test_reference_starts_after_the_warm_up() -> None:
    # R is NaN during a warm-up of 20 samples: the reference starts at 20 and holds w = 10
    # samples from t = 20 + 2w - 1 = 39 on (not only once the L-step span has left the NaNs)
    r = 0.2 + 1e-3 * np.random.default_rng(0).standard_normal(120)
    r[:20] = np.nan
    det = SynchronyChangeDetector(window=10, reference=30, settle=15, threshold=4.0,
                                  roughness_weight=0.5, response_delay=0, smoothing=1,
                                  **SYNCHRONY).fit_synchrony(r, np.zeros(120))
    assert det.scores_[38] == 0.0 < det.scores_[39]


def test_phase_velocity_wraps() -> None:
    np.testing.assert_allclose(phase_velocity(np.array([6.2, 0.05, 0.15])),
                               [0.0, 0.05 + 2 * np.pi - 6.2, 0.1], atol=1e-12)


def test_synchrony_features_columns() -> None:
    r = np.array([0.5, 0.5, 1.0, 1.0])
    f = synchrony_features(r, np.array([0.0, 0.1, 0.2, 0.3]), window=2)
    assert f.shape == (4, 5)
    np.testing.assert_allclose(f[:, 1], [0.5, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(f[:, 2], [0.0, 0.0, 0.25, 0.0], atol=1e-12)
    np.testing.assert_allclose(f[1:, 3], [0.05, 0.1, 0.1])
    np.testing.assert_allclose(f[:, 4], synchrony_roughness(r, 2))


def test_synchrony_roughness_hand_computed() -> None:
    # |ΔR| = 0, 0.5, 0, 0.25 (first difference 0); trailing means over 2: 0, 0.25, 0.25, 0.125
    rho = synchrony_roughness(np.array([0.5, 1.0, 1.0, 0.75]), 2)
    np.testing.assert_allclose(rho, np.log(np.array([0.0, 0.25, 0.25, 0.125]) + 1e-5))
    with pytest.raises(ValueError, match="smoothing"):
        synchrony_roughness(np.ones(3), 0)


def test_online_roughness_equals_vectorised() -> None:
    r = 0.5 + 0.3 * np.sin(np.arange(300) / 7.0) ** 3
    det = SynchronyChangeDetector(window=20, smoothing=10, **SYNCHRONY).fit_synchrony(
        np.concatenate([[np.nan] * 5, r]), np.zeros(305))
    np.testing.assert_allclose(det.roughness_[5:], synchrony_roughness(r, 10), atol=1e-12)
    assert np.all(np.isnan(det.roughness_[:5]))


def test_scoring_hand_computed() -> None:
    assert match_changes([100, 500], [90, 130, 700], 20) == [(0, 0)]
    s = detection_scores([100, 500], [90, 130, 510], 20, alarm_times=[120, 150, 530])
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == 1.0
    assert s["f1"] == pytest.approx(0.8) and s["mean_delay"] == pytest.approx(25.0)
    assert detection_scores([100], [], 10)["f1"] == 0.0


def test_detects_a_thomas_regime_switch() -> None:
    s = thomas_switching(n_steps=1600, segment_range=(800, 800), seed=2)
    det = SynchronyChangeDetector(window=100, params=RhythmicParams(n_nodes=60)).fit(s.x)
    assert len(det.R_) == len(s.x)
    assert any(abs(c - s.switch_times[0]) <= 100 for c in det.change_points_)
    assert all(a >= c for a, c in zip(det.alarm_times_, det.change_points_, strict=True))
    np.testing.assert_array_equal(det.predict(s.x), det.change_points_)


def test_fit_synchrony_replays_fit() -> None:
    s = thomas_switching(n_steps=1600, segment_range=(800, 800), seed=2)
    det = SynchronyChangeDetector(window=100, params=RhythmicParams(n_nodes=40)).fit(s.x)
    replay = SynchronyChangeDetector(window=100).fit_synchrony(
        np.asarray(det.R_), np.asarray(det.mean_phase_), det.scale_input(s.x))
    assert replay.change_points_ == det.change_points_
    assert replay.alarm_times_ == det.alarm_times_
    with pytest.raises(ValueError, match="R must"):
        replay.fit_synchrony(np.array([0.5, 1.5]), np.zeros(2), np.zeros(2))


def test_spiking_nodes_run() -> None:
    s = thomas_switching(n_steps=900, segment_range=(450, 450), seed=0)
    det = SynchronyChangeDetector(window=50, nodes="lif",
                                  params=RhythmicParams(n_nodes=40, warmup=100)).fit(s.x)
    assert np.all(np.isfinite(det.R_[100:]))
    assert type(det._reservoir).__name__ == "SpikingRhythmicReservoir"


def test_update_is_online_and_matches_fit_with_warmup_scaling() -> None:
    s = thomas_switching(n_steps=700, segment_range=(350, 350), seed=1)
    params = RhythmicParams(n_nodes=30, warmup=100)
    fitted = SynchronyChangeDetector(window=50, params=params, scale_from="warmup").fit(s.x)
    online = SynchronyChangeDetector(window=50, params=params)
    for row in s.x:
        online.update(row)
    np.testing.assert_array_equal(np.asarray(online.R_), np.asarray(fitted.R_))


def test_fit_equals_update_on_a_series_flat_after_the_warm_up() -> None:
    # the reservoir runs on constant input, so fit (one compiled run after the warm-up) works
    # where update (one step per sample) does, with the same synchrony and changes
    x = np.zeros((400, 2))
    x[:100] = np.random.default_rng(3).standard_normal((100, 2))
    params = RhythmicParams(n_nodes=30, warmup=100)
    fitted = SynchronyChangeDetector(window=50, params=params, scale_from="warmup").fit(x)
    online = SynchronyChangeDetector(window=50, params=params)
    for row in x:
        online.update(row)
    np.testing.assert_array_equal(np.asarray(online.R_), np.asarray(fitted.R_))
    np.testing.assert_array_equal(np.asarray(online.scores_), np.asarray(fitted.scores_))
    assert np.nanmax(fitted.scores_) > 0  # the scores compared are not all zero
    assert online.change_points_ == fitted.change_points_


@pytest.mark.parametrize("kwargs", [{"window": 1}, {"threshold": 0.0}, {"min_gap": 0},
                                    {"min_gap": 2.5}, {"threshold": np.inf},
                                    {"noise_floor": np.inf}, {"roughness_floor": np.nan},
                                    {"reference": 40}, {"settle": -1},
                                    {"noise_floor": 0.0}, {"smoothing": 0},
                                    {"envelope": 0}, {"envelope": 2.5},
                                    {"roughness_floor": 0.0}, {"roughness_weight": -0.1},
                                    {"response_delay": -1}, {"level_weight": -0.1},
                                    {"input_weight": -0.1},
                                    {"scaling": "global"}, {"scale_from": "future"},
                                    {"input_gain": 0.0}, {"input_gain": np.nan},
                                    {"nodes": "izhikevich"}])
def test_detector_bad_parameters(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        SynchronyChangeDetector(**kwargs)


def test_detector_needs_a_weighted_score() -> None:
    with pytest.raises(ValueError, match="nothing to score"):
        SynchronyChangeDetector(level_weight=0.0, roughness_weight=0.0, input_weight=0.0)


def test_detector_bad_series() -> None:
    det = SynchronyChangeDetector(window=20, params=RhythmicParams(n_nodes=20, warmup=50))
    with pytest.raises(ValueError, match="constant"):
        det.fit(np.ones((200, 2)))
    with pytest.raises(ValueError, match="NaN"):
        det.fit(np.where(np.arange(200) == 7, np.nan, np.arange(200.0)))
    with pytest.raises(ValueError, match="at least"):
        det.fit(np.arange(60.0))
    with pytest.raises(ValueError, match="constant"):
        for _ in range(50):
            det.update(np.array([1.0, 2.0]))


def test_constant_warmup_is_scaled_by_the_series() -> None:
    """A warm-up that is constant is refused only when the scale comes from it: scaled on the
    whole series (the default of ``fit``), the detector runs; ``update`` alone refuses it."""
    x = np.concatenate([np.ones((50, 1)), np.sin(np.arange(250.0) / 7)[:, None]])
    params = RhythmicParams(n_nodes=20, warmup=50)
    det = SynchronyChangeDetector(window=20, params=params).fit(x)
    assert len(det.R_) == len(x) and np.isfinite(det.R_[params.warmup:]).all()
    with pytest.raises(ValueError, match="constant"):
        SynchronyChangeDetector(window=20, params=params, scale_from="warmup").fit(x)


def test_phase_velocity_of_an_empty_series_is_empty() -> None:
    assert phase_velocity(np.zeros(0)).shape == (0,)
    np.testing.assert_allclose(phase_velocity(np.array([0.1, 0.3, 6.2])),
                               [0.0, 0.2, 5.9 - 2 * np.pi])


@pytest.mark.parametrize(("how", "centre", "spread"), [
    ("none", [0.0, 0.0], [1.0, 1.0]),
    ("standard", [2.5, 10.0], [np.sqrt(1.25), 1.0]),
    ("range", [2.5, 10.0], [1.5, 1.0]),
    ("robust", [2.5, 10.0], [1.5 / 1.3489795003921634, 1.0]),
])
def test_column_scale_by_hand(how: str, centre: list, spread: list) -> None:
    """Columns 1, 2, 3, 4 and a constant 10 (spread 1: only centred); the quartiles of
    1..4 are 1.75 and 3.25."""
    x = np.column_stack([[1.0, 2.0, 3.0, 4.0], [10.0] * 4])
    c, s = column_scale(x, how)
    np.testing.assert_allclose(c, centre)
    np.testing.assert_allclose(s, spread)


def test_scale_input_is_what_the_reservoir_sees() -> None:
    """scale_input gives the series fit drives the reservoir with: the same R(t) from a
    reservoir fed it by hand; a robust warm-up scaling ignores what follows the warm-up."""
    s = thomas_switching(n_steps=600, segment_range=(300, 300), seed=3)
    params = RhythmicParams(n_nodes=30, warmup=100)
    det = SynchronyChangeDetector(window=50, params=params, seed=5, scaling="robust",
                                  scale_from="warmup")
    u = det.scale_input(s.x)
    q1, med, q3 = np.percentile(s.x[:100], [25, 50, 75], axis=0)
    np.testing.assert_allclose(u, det.input_gain * (s.x - med) / ((q3 - q1) / 1.3489795003921634))
    det.fit(s.x)
    trace = RhythmicReservoir.from_params(params, 3, seed=5).run(u)
    np.testing.assert_allclose(np.asarray(det.R_)[100:], trace.R[100:], rtol=0, atol=1e-12)
    spiky = s.x.copy()
    spiky[300:] *= 50.0
    np.testing.assert_array_equal(det.scale_input(spiky)[:100], u[:100])


def test_default_scaling_uses_the_whole_series_for_fit() -> None:
    """fit scales by the mean and twice the standard deviation of the whole series."""
    s = thomas_switching(n_steps=600, segment_range=(300, 300), seed=3)
    det = SynchronyChangeDetector(window=50, params=RhythmicParams(warmup=100))
    np.testing.assert_allclose(det.scale_input(s.x),
                               2.0 * (s.x - s.x.mean(axis=0)) / s.x.std(axis=0))


def test_warm_up_scaling_does_not_look_ahead() -> None:
    """With scale_from="warmup" the scale comes from the first params.warmup rows only:
    changing the series after row 300 leaves the scale, the scaled rows and R(t) before row
    300 unchanged; with the whole-series default the scale (and so R from the start) moves."""
    s = thomas_switching(n_steps=600, segment_range=(300, 300), seed=4)
    changed = s.x.copy()
    changed[300:] = 3.0 * changed[300:] + 5.0
    params = RhythmicParams(n_nodes=30, warmup=100)
    online = SynchronyChangeDetector(window=50, params=params, scale_from="warmup")
    u, u_changed = online.scale_input(s.x), online.scale_input(changed)
    np.testing.assert_array_equal(u[:300], u_changed[:300])
    centre, spread = s.x[:100].mean(axis=0), s.x[:100].std(axis=0)
    np.testing.assert_allclose(u_changed[300:], 2.0 * (changed[300:] - centre) / spread)
    r = np.asarray(online.fit(s.x).R_)
    r_changed = np.asarray(online.fit(changed).R_)
    np.testing.assert_array_equal(r[:300], r_changed[:300])
    offline = SynchronyChangeDetector(window=50, params=params)
    assert not np.allclose(offline.scale_input(s.x)[:300], offline.scale_input(changed)[:300])
