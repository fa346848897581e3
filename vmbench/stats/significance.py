"""Significance tests and effect sizes on raw per-iteration samples (no I/O, no printing).

Functions take 2-D arrays whose rows are benchmarks with the same sample count, so that a
comparison of thousands of benchmarks costs a handful of numpy calls, not thousands.

Choices, with the reason for each (summaries: `vmbench.stats.summary`; intervals:
`vmbench.stats.bootstrap`):

- **Test**: two-sided Mann-Whitney U (scipy, exact for small samples without ties,
  normal approximation with tie and continuity correction otherwise). It is called
  `insufficient` when the smallest p-value the sample sizes can produce,
  2 / C(n1 + n2, n1), is above alpha (as asv does): such a benchmark cannot be judged.
- **Linear sampling mode** (sample i runs i*d iterations): per-iteration times of the later
  samples average more iterations, so their spread is smaller (variance ~ 1/iters). We keep
  the MWU on per-iteration times. When both sides use the same iteration schedule (what
  Criterion does for the same benchmark and settings) each pair of samples with the same
  iteration count is exchangeable under H0, and every cross pair (x_i, y_j) together with
  (x_j, y_i) has P(x < y) summing to 1, so E[U] = n1*n2/2 exactly. The variance of U is
  at most the i.i.d. one: the test keeps its level and is conservative when a fixed
  per-sample overhead makes per-iteration time depend on the iteration count (about 1.5 %
  false positives at alpha = 5 % in that simulation, 5 % without overhead);
  `tests/stats/test_against_references.py` checks both by simulation, and that a 5 %
  slowdown is still found.
  The bootstrap of the mean is unaffected (it resamples the values Criterion averages).
- **Multiple comparisons**: Benjamini-Hochberg q-values (scipy's `false_discovery_control`).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats as sps

from vmbench.stats.summary import FloatArray


def round_significant(x: FloatArray, bits: int = 40) -> FloatArray:
    """`x` with its mantissa rounded to `bits` bits (about 12 significant digits)."""
    mantissa, exponent = np.frexp(np.asarray(x, dtype=np.float64))
    out: FloatArray = np.ldexp(np.round(mantissa * 2.0**bits), exponent - bits)
    return out


def mann_whitney(candidate: FloatArray, baseline: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Two-sided Mann-Whitney U per row: (U of the candidate, p-value).

    Values are ranked after rounding to 40 mantissa bits (about 12 digits), so that the
    float noise of `times / iters` (0.023/23 is not 0.001) cannot break a real tie. Rows
    where every value on both sides is equal get p = 1 (scipy's normal approximation
    divides by a zero variance there).
    """
    c2 = round_significant(np.atleast_2d(candidate))
    b2 = round_significant(np.atleast_2d(baseline))
    u = np.empty(c2.shape[0])
    p = np.ones(c2.shape[0])
    joined = np.concatenate([c2, b2], axis=1)
    constant = np.all(joined == joined[:, :1], axis=1)
    u[constant] = c2.shape[1] * b2.shape[1] / 2.0
    live = ~constant
    if np.any(live):
        res = sps.mannwhitneyu(c2[live], b2[live], alternative="two-sided", axis=1)
        u[live] = res.statistic
        p[live] = np.clip(res.pvalue, 0.0, 1.0)
    return u, p


def welch_p_value(candidate: FloatArray, baseline: FloatArray) -> FloatArray:
    """Two-sided Welch t-test p per row (Criterion's test statistic; it bootstraps the
    null distribution, we use the t distribution). Constant rows get p = 1."""
    c2 = np.atleast_2d(candidate)
    b2 = np.atleast_2d(baseline)
    if c2.shape[1] < 2 or b2.shape[1] < 2:
        return np.ones(c2.shape[0])
    # scipy warns on nearly constant rows (precision loss); those rows are handled below
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sps.ttest_ind(c2, b2, equal_var=False, axis=1)
    p: FloatArray = np.asarray(res.pvalue, dtype=np.float64)
    return np.where(np.isfinite(p), p, 1.0)


def criterion_verdict(
    welch_p: float,
    change_ci: tuple[float, float],
    *,
    significance: float = 0.05,
    noise_threshold: float = 0.01,
) -> str:
    """What Criterion would print for this pair (its defaults): "regressed" or "improved"
    when p < significance and the whole change interval lies beyond +/- noise_threshold,
    "within noise" when p < significance otherwise, else "no change"."""
    if not welch_p < significance:
        return "no change"
    lo, hi = change_ci
    if lo > noise_threshold:
        return "regressed"
    if hi < -noise_threshold:
        return "improved"
    return "within noise"


def min_p_value(n1: int, n2: int) -> float:
    """Smallest two-sided MWU p-value samples of these sizes can produce (asv's check)."""
    if n1 < 1 or n2 < 1:
        return 1.0
    # 2 / C(n1+n2, n1), computed in log space so large samples do not overflow.
    log_comb = math.lgamma(n1 + n2 + 1) - math.lgamma(n1 + 1) - math.lgamma(n2 + 1)
    return min(1.0, 2.0 * math.exp(-log_comb))


def cliffs_delta(u_candidate: FloatArray, n1: int, n2: int) -> FloatArray:
    """P(candidate > baseline) - P(candidate < baseline), from the candidate's U."""
    out: FloatArray = 2.0 * np.asarray(u_candidate) / (n1 * n2) - 1.0
    return out


def hodges_lehmann(candidate: FloatArray, baseline: FloatArray, chunk: int = 64) -> FloatArray:
    """Median of all pairwise differences candidate - baseline, per row (ns)."""
    c2 = np.atleast_2d(candidate)
    b2 = np.atleast_2d(baseline)
    out = np.empty(c2.shape[0])
    for start in range(0, c2.shape[0], chunk):
        c = c2[start : start + chunk]
        b = b2[start : start + chunk]
        diffs = (c[:, None, :] - b[:, :, None]).reshape(c.shape[0], -1)
        out[start : start + chunk] = np.median(diffs, axis=1)
    return out


def adjust_p_values(p: FloatArray, method: str) -> FloatArray:
    """q-values for a family of p-values: Benjamini-Hochberg, Bonferroni, or none."""
    p = np.asarray(p, dtype=np.float64)
    if p.size == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        out: FloatArray = np.minimum(1.0, p * p.size)
        return out
    if method == "fdr_bh":
        q: FloatArray = sps.false_discovery_control(p, method="bh")
        return np.minimum(1.0, q)
    raise ValueError(f"unknown correction {method!r}")


def level_shift(x: FloatArray) -> tuple[float, float]:
    """Relative shift of the second half's median against the first half's, and MWU p.

    A benchmark whose samples jump level mid-run (a frequency change, a noisy neighbour)
    shows a large, highly significant shift between its halves.
    """
    half = x.size // 2
    if half < 2:
        return 0.0, 1.0
    first, second = x[:half], x[half:]
    m1 = float(np.median(first))
    shift = float(np.median(second)) / m1 - 1.0 if m1 > 0 else 0.0
    _, p = mann_whitney(second[None, :], first[None, :])
    return shift, float(p[0])


def t_quantile(level: float, df: float) -> float:
    """Two-sided critical value: t with `df` degrees of freedom (normal when df is huge)."""
    if not math.isfinite(df) or df > 1e6:
        return float(sps.norm.ppf(0.5 + level / 2.0))
    return float(sps.t.ppf(0.5 + level / 2.0, df))
