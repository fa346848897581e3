"""vmbench.stats against independent references: numpy, scipy, brute force, published
values (google/benchmark's U-test fixtures) and Criterion's own stored estimates."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from vmbench import stats
from vmbench.stats import bootstrap


def _per_iteration(sample_path: Path) -> tuple[np.ndarray, str]:
    raw = json.loads(sample_path.read_text())
    if isinstance(raw, list):  # Criterion <= 0.3.2: [[iters], [times]]
        iters, times, mode = raw[0], raw[1], "unknown"
    else:
        iters, times, mode = raw["iters"], raw["times"], raw["sampling_mode"]
    return np.asarray(times, float) / np.asarray(iters, float), mode


def test_quantiles_match_numpy_linear() -> None:
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=(7, 53))
    probs = (0.0, 0.025, 0.25, 0.5, 0.75, 0.975, 1.0)
    np.testing.assert_allclose(stats.quantiles(x, probs), np.quantile(x, probs, axis=1))


@pytest.mark.realdata
def test_tukey_fences_equal_criterions_tukey_json(realdata: Path) -> None:
    files = sorted(realdata.rglob("tukey.json"))
    assert len(files) > 100
    for tukey in files:
        x, _ = _per_iteration(tukey.with_name("sample.json"))
        ours = stats.tukey_fences(x)[0]
        np.testing.assert_allclose(
            ours, json.loads(tukey.read_text()), rtol=1e-12, err_msg=str(tukey)
        )


@pytest.mark.realdata
def test_summaries_equal_criterions_point_estimates(realdata: Path) -> None:
    checked = 0
    for est_path in sorted(realdata.rglob("new/estimates.json")):
        est = json.loads(est_path.read_text())
        if "mean" not in est:
            continue  # <= 0.3.2 layout, capitalised keys: same numbers, checked elsewhere
        x, _ = _per_iteration(est_path.with_name("sample.json"))
        s = stats.summarize(x)
        for ours, key in (
            (s.mean[0], "mean"),
            (s.median[0], "median"),
            (s.std_dev[0], "std_dev"),
            (s.mad[0], "median_abs_dev"),
        ):
            assert ours == pytest.approx(est[key]["point_estimate"], rel=1e-9), (est_path, key)
        checked += 1
    assert checked > 50


def test_outlier_counts_follow_the_fences() -> None:
    x = np.array([10.0] * 20 + [11.0] * 20 + [1.0, 30.0, 12.6, 100.0])
    s = stats.summarize(x)
    q1, q3 = np.quantile(x, [0.25, 0.75])
    iqr = q3 - q1
    assert s.low_severe[0] == np.sum(x < q1 - 3 * iqr) == 1
    assert s.high_severe[0] == np.sum(x > q3 + 3 * iqr) == 2
    assert s.high_mild[0] == np.sum((x > q3 + 1.5 * iqr) & (x <= q3 + 3 * iqr)) == 1
    assert s.low_mild[0] == 0


def test_bootstrap_is_seeded_and_matches_explicit_resampling() -> None:
    rng = np.random.default_rng(2)
    x = rng.lognormal(size=(3, 40))
    a = stats.bootstrap_means(x, resamples=500, seed=7, stream=0)
    b = stats.bootstrap_means(x, resamples=500, seed=7, stream=0)
    c = stats.bootstrap_means(x, resamples=500, seed=7, stream=1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # Each bootstrap mean is the mean of a real resample: weights are counts / n.
    weights = bootstrap._weights(40, 500, 7, 0)
    assert np.all(weights.sum(axis=1) == pytest.approx(1.0))
    assert np.all(np.isclose(weights * 40, np.round(weights * 40)))
    # The bootstrap distribution of the mean is centred on the mean, spread ~ s/sqrt(n).
    assert np.mean(a, axis=1) == pytest.approx(x.mean(axis=1), rel=0.03)
    assert np.std(a, axis=1) == pytest.approx(x.std(axis=1) / math.sqrt(40), rel=0.15)


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("BM_Two", "time"),
        ("BM_Two", "cpu"),
        ("short", "time"),
        ("short", "cpu"),
    ],
)
@pytest.mark.realdata
def test_mann_whitney_matches_google_benchmark_published_pvalues(
    realdata: Path, case: str, key: str
) -> None:
    expected = json.loads((realdata / "google-benchmark/_derived_expected_utest.json").read_text())
    entry = expected["test3_run0_vs_test3_run1"][case]
    before, after = entry[f"{key}_samples"]
    _, p = stats.mann_whitney(np.array([before], float), np.array([after], float))
    assert p[0] == pytest.approx(entry[f"{key}_pvalue"], rel=1e-12)


def test_mann_whitney_is_scipys_per_row_and_handles_constant_rows() -> None:
    rng = np.random.default_rng(3)
    c = rng.normal(size=(5, 30))
    b = rng.normal(0.3, size=(5, 30))
    u, p = stats.mann_whitney(c, b)
    for i in range(5):
        ref = sps.mannwhitneyu(c[i], b[i], alternative="two-sided")
        assert u[i] == ref.statistic
        assert p[i] == pytest.approx(ref.pvalue, rel=1e-12)
    u0, p0 = stats.mann_whitney(np.full((1, 10), 3.0), np.full((1, 12), 3.0))
    assert p0[0] == 1.0
    assert u0[0] == 60.0


@pytest.mark.parametrize(("n1", "n2"), [(1, 1), (2, 2), (3, 3), (3, 4), (4, 4), (5, 7), (6, 6)])
def test_min_p_value_is_the_exact_tests_best(n1: int, n2: int) -> None:
    # Completely separated samples give the smallest exact two-sided p-value.
    res = sps.mannwhitneyu(np.arange(n1) + 100.0, np.arange(n2), method="exact")
    assert stats.min_p_value(n1, n2) == pytest.approx(min(1.0, res.pvalue), rel=1e-9)


def test_min_p_value_for_large_samples_does_not_overflow() -> None:
    assert 0.0 <= stats.min_p_value(5000, 5000) < 1e-300


def test_bh_matches_scipy_and_a_worked_example() -> None:
    rng = np.random.default_rng(4)
    p = rng.uniform(size=200) ** 3
    np.testing.assert_allclose(
        stats.adjust_p_values(p, "fdr_bh"), sps.false_discovery_control(p, method="bh")
    )
    # Worked by hand: sorted p (0.01, 0.02, 0.03, 0.5), m = 4 -> p*m/rank = 0.04, 0.04,
    # 0.04, 0.5, monotone from the top.
    q = stats.adjust_p_values(np.array([0.03, 0.5, 0.01, 0.02]), "fdr_bh")
    np.testing.assert_allclose(q, [0.04, 0.5, 0.04, 0.04])
    np.testing.assert_allclose(
        stats.adjust_p_values(np.array([0.01, 0.2]), "bonferroni"), [0.02, 0.4]
    )
    assert stats.adjust_p_values(np.array([]), "fdr_bh").size == 0


def test_hodges_lehmann_and_cliffs_delta_by_brute_force() -> None:
    rng = np.random.default_rng(5)
    c = rng.exponential(size=(4, 9))
    b = rng.exponential(size=(4, 11))
    hl = stats.hodges_lehmann(c, b, chunk=3)
    u, _ = stats.mann_whitney(c, b)
    delta = stats.cliffs_delta(u, 9, 11)
    for i in range(4):
        diffs = [x - y for x, y in itertools.product(c[i], b[i])]
        assert hl[i] == pytest.approx(np.median(diffs))
        gt = sum(x > y for x, y in itertools.product(c[i], b[i]))
        lt = sum(x < y for x, y in itertools.product(c[i], b[i]))
        assert delta[i] == pytest.approx((gt - lt) / 99)


def test_ratio_interval_covers_the_true_ratio() -> None:
    rng = np.random.default_rng(6)
    base = rng.lognormal(0, 0.2, size=(300, 60))
    cand = 1.1 * rng.lognormal(0, 0.2, size=(300, 60))
    ci = stats.ratio_interval(
        stats.bootstrap_means(base, resamples=1000, seed=1, stream=0),
        stats.bootstrap_means(cand, resamples=1000, seed=1, stream=1),
        0.95,
    )
    covered = np.mean((ci[:, 0] <= 0.1) & (ci[:, 1] >= 0.1))
    assert 0.90 <= covered <= 0.99


def _linear_sample(rng: np.random.Generator, n: int, overhead: float) -> np.ndarray:
    """Per-iteration times of one Linear-mode Criterion run: sample i runs 10*i iterations
    of skewed cost (mean 100 ns), plus a fixed per-sample overhead."""
    iters = np.arange(1, n + 1) * 10.0
    per_iter = rng.gamma(4.0, 25.0, size=(n, 10 * n))
    mask = np.arange(10 * n)[None, :] < iters[:, None]
    times = (per_iter * mask).sum(axis=1) + overhead
    return times / iters


@pytest.mark.parametrize(("overhead", "lowest"), [(0.0, 0.025), (500.0, 0.0)])
def test_linear_mode_mwu_keeps_its_level_under_h0(overhead: float, lowest: float) -> None:
    # Heteroscedastic per-iteration times (variance ~ 1/iters) on both sides with the same
    # schedule: the MWU's false-positive rate must not exceed alpha (module docstring);
    # without overhead it is close to alpha, with one it is conservative.
    rng = np.random.default_rng(8)
    n, trials = 30, 400
    base = np.stack([_linear_sample(rng, n, overhead) for _ in range(trials)])
    cand = np.stack([_linear_sample(rng, n, overhead) for _ in range(trials)])
    _, p = stats.mann_whitney(cand, base)
    rate = float(np.mean(p < 0.05))
    assert lowest <= rate <= 0.075, rate
    # and it still finds a 5% slowdown most of the time
    _, p_slow = stats.mann_whitney(cand * 1.05, base)
    assert np.mean(p_slow < 0.05) > 0.5


def test_t_quantile_tends_to_the_normal() -> None:
    assert stats.t_quantile(0.95, 1e9) == pytest.approx(1.959964, rel=1e-5)
    assert stats.t_quantile(0.95, 4) == pytest.approx(2.776445, rel=1e-5)


def test_welch_p_is_scipys_and_constant_rows_get_1() -> None:
    rng = np.random.default_rng(9)
    c, b = rng.normal(1.0, 1, size=(3, 25)), rng.normal(0.0, 2, size=(3, 30))
    p = stats.welch_p_value(c, b)
    for i in range(3):
        assert p[i] == pytest.approx(sps.ttest_ind(c[i], b[i], equal_var=False).pvalue)
    assert stats.welch_p_value(np.full((1, 5), 2.0), np.full((1, 5), 2.0))[0] == 1.0


@pytest.mark.parametrize(
    ("p", "ci", "verdict"),
    [
        (0.01, (0.02, 0.05), "regressed"),
        (0.01, (-0.05, -0.02), "improved"),
        (0.01, (0.005, 0.05), "within noise"),
        (0.20, (0.02, 0.05), "no change"),
    ],
)
def test_criterion_verdict_rule(p: float, ci: tuple[float, float], verdict: str) -> None:
    assert stats.criterion_verdict(p, ci) == verdict
