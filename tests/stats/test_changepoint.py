"""Change-point detection on seeded synthetic series with planted steps and spikes."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal, special, stats

from vmbench.errors import UsageError
from vmbench.settings import StepSettings
from vmbench.stats.changepoint import (
    Noise,
    detect_steps,
    diff_variance,
    mad_difference_df,
    median3,
    noise_model,
    scan,
    scan_p_value,
    suite_noise,
    suite_steps,
    trailing_p_value,
    two_families,
)


def series(
    n: int,
    *,
    seed: int,
    noise: float = 0.03,
    steps: tuple[tuple[int, float], ...] = (),
    spikes: tuple[tuple[int, float], ...] = (),
    level: float = 1e4,
) -> np.ndarray:
    """Run means (ns): log-normal run-to-run noise, steps from run `at` on, one-run spikes."""
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, noise, n)
    for at, factor in steps:
        y[at:] += np.log(factor)
    for at, factor in spikes:
        y[at] += np.log(factor)
    out: np.ndarray = level * np.exp(y)
    return out


SEEDS = range(10)
# Each series is one family at level alpha (default 0.005); the rates are tested on their
# own in tests/test_trend_calibration.py.
STRICT = StepSettings()


@pytest.mark.parametrize("seed", SEEDS)
def test_one_step_is_found_at_the_right_run(seed: int) -> None:
    found = detect_steps(series(40, seed=seed, steps=((23, 1.15),)), STRICT)
    assert len(found) == 1
    assert abs(found[0].index - 23) <= 1
    assert found[0].change == pytest.approx(0.15, abs=0.03)
    assert found[0].p_value < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_two_steps_up_then_down_are_both_found(seed: int) -> None:
    # Binary segmentation's blind spot: a step up and back down again.
    found = detect_steps(series(45, seed=seed, steps=((15, 1.2), (30, 1 / 1.2))), STRICT)
    assert [abs(s.index - at) <= 1 for s, at in zip(found, (15, 30), strict=True)] == [True, True]
    assert found[0].change > 0.1
    assert found[1].change < -0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_two_steps_in_the_same_direction_are_both_found(seed: int) -> None:
    found = detect_steps(series(60, seed=seed, steps=((20, 1.1), (40, 1.1))), STRICT)
    assert [s.index for s in found] == pytest.approx([20, 40], abs=1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("at", [0, 1, 12, 25, 38, 39])
def test_a_single_run_spike_is_not_a_change_point(seed: int, at: int) -> None:
    assert detect_steps(series(40, seed=seed, spikes=((at, 3.0),)), STRICT) == []
    assert detect_steps(series(40, seed=seed, spikes=((at, 0.3),)), STRICT) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_spike_next_to_a_step_does_not_move_it(seed: int) -> None:
    found = detect_steps(series(40, seed=seed, steps=((20, 1.2),), spikes=((8, 2.5),)), STRICT)
    assert [s.index for s in found] == pytest.approx([20], abs=1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [8, 30, 200])
def test_pure_noise_has_no_change_point(seed: int, n: int) -> None:
    assert detect_steps(series(n, seed=seed, noise=0.1), STRICT) == []


def test_false_alarm_rate_on_noise_is_about_alpha() -> None:
    # Independent noise: the scan p-value is calibrated, so the share of noise series with
    # a step stays near alpha, not at "one per series".
    loose = StepSettings(alpha=0.05)
    runs = [detect_steps(series(100, seed=1000 + s, noise=0.1), loose) for s in range(200)]
    assert sum(map(bool, runs)) / 200 <= 0.10
    strict = [detect_steps(series(100, seed=1000 + s, noise=0.1)) for s in range(200)]
    assert sum(map(bool, strict)) / 200 <= 0.02


def test_same_input_same_output() -> None:
    x = series(300, seed=7, steps=((100, 1.05), (200, 0.9)), noise=0.05)
    assert detect_steps(x) == detect_steps(x.copy())


def test_planted_step_in_eight_runs_is_found_with_its_size() -> None:
    # 8 runs, 4 before and 4 after, +20 % against 1 % noise: a rank test cannot go below
    # p = 2/70 here; the magnitude test can.
    x = np.array([100, 101, 99, 100.5, 120, 121, 119.5, 120.5])
    (step,) = detect_steps(x)
    assert step.index == 4
    assert step.p_value < 0.005
    assert step.before == pytest.approx(100.25)
    assert step.after == pytest.approx(120.25)
    assert step.runs_before == 4
    assert step.runs_after == 4
    assert step.provisional  # 4 runs after it, confirm_runs is 5


def test_two_runs_after_a_large_step_are_enough() -> None:
    rng = np.random.default_rng(424242)
    hits = 0
    for _ in range(100):
        y = rng.normal(0.0, 0.03, 7)
        y[5:] += np.log(1.25)
        found = detect_steps(np.exp(y))
        hits += any(s.index == 5 and s.provisional and s.runs_after == 2 for s in found)
    assert hits >= 80


def test_diff_variance_matches_the_ar1_covariance_matrix() -> None:
    for phi in (0.0, 0.3, 0.7):
        for n1, n2 in ((2, 2), (5, 2), (30, 7)):
            m = n1 + n2
            cov = phi ** np.abs(np.subtract.outer(np.arange(m), np.arange(m)))
            a = np.r_[np.full(n1, -1.0 / n1), np.full(n2, 1.0 / n2)]
            expected = a @ cov @ a
            got = diff_variance(np.array([float(n1)]), np.array([float(n2)]), phi)[0]
            assert got == pytest.approx(expected, rel=1e-9)


def test_noise_model_recovers_sigma_and_phi_despite_a_step() -> None:
    from scipy import signal

    rng = np.random.default_rng(31337)
    for phi in (0.0, 0.4, 0.6):
        e = rng.normal(0.0, 0.05 * np.sqrt(1 - phi**2), 3000)
        y = signal.lfilter([1.0], [1.0, -phi], e)
        y[1500:] += 0.3
        noise = noise_model(y, 0.2)
        assert noise.phi == pytest.approx(phi, abs=0.07)
        assert noise.sigma == pytest.approx(0.05, rel=0.12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            st.sampled_from([0.0, -0.0, 1.0, 1e-300, -1e300]),  # ties and extremes
        ),
        min_size=1,
        max_size=60,
    )
)
def test_median_is_numpys_bit_for_bit(values: list[float]) -> None:
    from vmbench.stats.changepoint import median

    x = np.array(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, 1e308 + 1e308
        expected = float(np.median(x))
        got = median(x)
    if np.isnan(expected):
        assert np.isnan(got)
    else:  # the same float, down to the sign of a zero
        assert got == expected
        assert np.signbit(got) == np.signbit(expected)


def test_scan_p_value_matches_simulation_of_the_maximum() -> None:
    # Siegmund's approximation (or Bonferroni) against the simulated maximum of the
    # standardised statistic over every split of independent normal series.
    rng = np.random.default_rng(99)
    for m in (7, 40, 200):
        z = rng.normal(size=(4000, m))
        peaks = np.array([np.max(np.abs(scan(row, Noise(1.0, 0.0, 10**6), 2)[0])) for row in z])
        for level in (0.05, 0.01):
            cut = float(np.quantile(peaks, 1 - level))
            assert scan_p_value(cut, m, 2, 10**6) == pytest.approx(level, rel=0.35)


def test_suite_fdr_keeps_strong_steps_and_drops_borderline_ones() -> None:
    strong = detect_steps(series(60, seed=5, steps=((30, 1.3),), noise=0.01))
    assert strong
    weak = [dataclasses.replace(s, p_value=0.004) for s in strong]
    kept = suite_steps([strong, *([[]] * 99)], 0.05)
    assert [s.index for s in kept[0]] == [s.index for s in strong]
    assert kept[0][0].q_value <= 0.05
    # One p = 0.004 among 100 benchmarks: q = 0.4, not reported.
    assert suite_steps([weak, *([[]] * 99)], 0.05)[0] == []


def test_median3_removes_a_lone_spike_and_keeps_a_two_run_step() -> None:
    z = np.array([0, 0, 5, 0, 0, 0, 3, 3], dtype=float)
    assert median3(z).tolist() == [0, 0, 0, 0, 0, 0, 3, 3]


def test_min_change_hides_small_steps() -> None:
    x = series(60, seed=3, steps=((30, 1.04),), noise=0.005)
    assert len(detect_steps(x)) == 1
    assert detect_steps(x, StepSettings(min_change=0.05)) == []


def test_short_series_have_no_steps() -> None:
    assert detect_steps([]) == []
    assert detect_steps([1.0, 2.0, 3.0]) == []


@pytest.mark.parametrize("bad", [[1.0, -2.0, 3.0, 4.0], [1.0, float("nan"), 3.0, 4.0]])
def test_times_must_be_positive_and_finite(bad: list[float]) -> None:
    with pytest.raises(UsageError, match="finite positive"):
        detect_steps(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.0},
        {"min_size": 1},
        {"fdr": 0.0},
        {"min_change": -1},
        {"min_noise": -1},
        {"confirm_runs": 1},
        {"short_phi": 0.95},
    ],
)
def test_settings_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        StepSettings(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(1e-3, 1e6),
    at=st.integers(6, 34),
    factor=st.sampled_from([0.7, 0.85, 1.2, 1.5]),
)
def test_scaling_every_time_changes_no_step(
    seed: int, scale: float, at: int, factor: float
) -> None:
    x = series(40, seed=seed, steps=((at, factor),))
    base = detect_steps(x)
    scaled = detect_steps(x * scale)
    assert [(s.index, s.p_value) for s in scaled] == [(s.index, s.p_value) for s in base]
    for a, b in zip(scaled, base, strict=True):
        assert a.change == pytest.approx(b.change, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), at=st.integers(4, 36), factor=st.floats(1.3, 5.0))
def test_reversing_time_mirrors_a_step(seed: int, at: int, factor: float) -> None:
    x = series(40, seed=seed, steps=((at, factor),))
    forward = [s.index for s in detect_steps(x)]
    backward = [40 - s.index for s in detect_steps(x[::-1])]
    assert sorted(backward) == pytest.approx(sorted(forward), abs=1)


def test_only_series_of_ten_runs_or_more_get_the_trailing_test() -> None:
    # min_size 2, confirm_runs 5: 3 trailing splits; the search must have more than 6.
    assert not two_families(9, STRICT)
    assert two_families(10, STRICT)
    # Bonferroni over the 3 trailing splits of Student's t.
    assert trailing_p_value(3.0, 100, STRICT, 50) == pytest.approx(
        3 * 2 * float(stats.t.sf(3.0, 50))
    )


def test_a_recent_step_is_found_by_the_trailing_test_and_provisional() -> None:
    # +6 % two runs old against 2 % noise: about 4.2 standard errors, under what a search
    # over 117 splits needs at the series' alpha (the search alone found 16 of these 40).
    hits = 0
    for seed in range(40):
        x = series(120, seed=5000 + seed, noise=0.02, steps=((118, 1.06),))
        hits += any(
            (s.index, s.runs_after, s.provisional) == (118, 2, True) for s in detect_steps(x)
        )
    assert hits >= 20, f"{hits}/40"


def test_suite_noise_moderates_short_series_only() -> None:
    long = [series(200, seed=s, noise=0.02) for s in range(5)]
    short = [series(7, seed=10 + s, noise=0.02) for s in range(20)]
    noises = suite_noise(long + short)
    assert all(n.prior is None for n in noises[:5])
    assert all(n.prior is not None and n.short for n in noises[5:])
    # alike noise: the prior carries many degrees of freedom and sigma moves toward 2 %
    spread_own = np.std([noise_model(np.log(x), STRICT.short_phi).sigma for x in short])
    spread_post = np.std([n.sigma for n in noises[5:]])
    assert spread_post < spread_own
    assert suite_noise([short[0]]) == [noise_model(np.log(short[0]), STRICT.short_phi)]


@pytest.mark.parametrize("m", [4, 6, 11, 18])
def test_mad_difference_df_matches_the_spread_of_log_mad(m: int) -> None:
    rng = np.random.default_rng(8_000 + m)
    d = np.diff(rng.normal(size=(40_000, m + 1)), axis=1)
    mad = np.median(np.abs(d - np.median(d, axis=1, keepdims=True)), axis=1)
    observed = float(np.var(np.log(mad**2)))
    assert float(special.polygamma(1, mad_difference_df(m) / 2)) == pytest.approx(
        observed, rel=0.06
    )


def test_a_step_found_with_three_runs_after_is_kept_with_five() -> None:
    # +10 % against 3 % AR(1) noise (phi 0.4): with 3 runs after it the trailing test finds
    # it; with 5 the search must, which pays for every split. The trailing split beside
    # the search's candidate stands in when the search cannot confirm it, so a step once
    # found is seldom lost when two more runs come (before: 14 of these 200 were lost).
    rng = np.random.default_rng(7_800_000)
    phi, lost = 0.4, 0
    for _ in range(200):
        e = rng.normal(0.0, 0.03 * np.sqrt(1.0 - phi * phi), 105)
        e[0] /= np.sqrt(1.0 - phi * phi)
        y = signal.lfilter([1.0], [1.0, -phi], e)
        y[100:] += np.log(1.1)
        x = np.exp(y)
        with_three = any(abs(s.index - 100) <= 2 for s in detect_steps(x[:103]))
        with_five = any(abs(s.index - 100) <= 2 for s in detect_steps(x))
        lost += with_three and not with_five
    assert lost <= 10, f"{lost} of 200 steps found with 3 runs after were lost with 5"
