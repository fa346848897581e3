"""The significance tests computed without importing scipy.stats equal scipy.stats.

`vmbench.stats` computes the Mann-Whitney normal approximation, the Welch test, the
Benjamini-Hochberg step-up and the t/normal quantiles itself (with scipy.special), because
importing scipy.stats costs most of a `vmbench detect`'s start-up. These tests hold them to
scipy.stats on random batches, with and without ties, at sizes that take either of
scipy's methods, and check that the comparison path does not import scipy.stats.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy import stats as sps

from vmbench import stats


@pytest.mark.parametrize("seed", range(12))
def test_mann_whitney_equals_scipys_batch_call(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n1, n2 = (int(n) for n in rng.integers(2, 40, size=2))
    rows = int(rng.integers(1, 30))
    c = rng.lognormal(0.0, 0.05, (rows, n1)) * rng.uniform(0.95, 1.05, (rows, 1))
    b = rng.lognormal(0.0, 0.05, (rows, n2))
    if seed % 3 == 0:  # coarse timer: many ties
        c, b = np.round(c, 2), np.round(b, 2)
    u, p = stats.mann_whitney(c, b)
    ref = sps.mannwhitneyu(
        stats.round_significant(c), stats.round_significant(b), alternative="two-sided", axis=1
    )
    np.testing.assert_array_equal(u, ref.statistic)
    np.testing.assert_allclose(p, np.clip(ref.pvalue, 0, 1), rtol=1e-13, atol=0)


def test_mann_whitney_small_samples_without_ties_are_exact() -> None:
    u, p = stats.mann_whitney(np.array([[10.0, 11.0, 12.0]]), np.array([[1.0, 2.0, 3.0]]))
    assert u[0] == 9.0
    assert p[0] == pytest.approx(0.1)  # 2 / C(6, 3): the exact distribution, not normal


def test_welch_equals_scipy_including_degenerate_rows() -> None:
    rng = np.random.default_rng(5)
    c = rng.normal(1.0, 1.0, (6, 7))
    b = rng.normal(1.2, 3.0, (6, 11))
    c[0], b[0] = 2.0, 2.0  # both constant and equal: undefined, p = 1
    c[1], b[1] = 1.0, 2.0  # both constant and different: certain, p = 0 (as scipy)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = np.asarray(sps.ttest_ind(c, b, equal_var=False, axis=1).pvalue)
    ref = np.where(np.isfinite(ref), ref, 1.0)
    np.testing.assert_allclose(stats.welch_p_value(c, b), ref, rtol=1e-12, atol=1e-300)
    assert stats.welch_p_value(c, b)[:2].tolist() == [1.0, 0.0]


@pytest.mark.parametrize("size", [1, 2, 7, 500])
def test_benjamini_hochberg_equals_scipy(size: int) -> None:
    p = np.random.default_rng(size).uniform(size=size) ** 4
    p[: size // 3] = p[0]  # equal p-values
    q = stats.adjust_p_values(p, "fdr_bh")
    np.testing.assert_array_equal(q, sps.false_discovery_control(p))
    assert np.all(q >= p)


@pytest.mark.parametrize("df", [1.0, 2.5, 9.0, 120.0, 1e5, float("inf")])
def test_t_quantile_equals_scipys(df: float) -> None:
    for level in (0.8, 0.95, 0.99):
        ref = sps.norm.ppf(0.5 + level / 2) if df > 1e6 else sps.t.ppf(0.5 + level / 2, df)
        assert stats.t_quantile(level, df) == ref


def test_comparing_runs_does_not_import_scipy_stats() -> None:
    code = (
        "import sys, numpy as np\n"
        "from vmbench import stats\n"
        "rng = np.random.default_rng(0)\n"
        "c, b = rng.normal(size=(3, 50)), rng.normal(size=(3, 50))\n"
        "stats.mann_whitney(c, b); stats.welch_p_value(c, b)\n"
        "stats.adjust_p_values(np.array([0.1, 0.01]), 'fdr_bh'); stats.t_quantile(0.95, 9)\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout == "False\n"
