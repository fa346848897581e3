"""Significance tests and effect sizes on raw per-iteration samples (no I/O, no printing).

Functions take 2-D arrays whose rows are benchmarks with the same sample count, so that a
comparison of thousands of benchmarks costs a handful of numpy calls, not thousands.

Choices, with the reason for each (summaries: `vmbench.stats.summary`; intervals:
`vmbench.stats.bootstrap`):

- **Test**: two-sided Mann-Whitney U: exact for small samples without ties (scipy's
  `mannwhitneyu`), otherwise the normal approximation with tie and continuity correction,
  computed here as scipy computes it (vectorised over rows; `tests/stats/` checks it
  equals scipy's). scipy.stats is imported only for the exact case: importing it costs
  most of a `vmbench detect`'s start-up; scipy.special does not. It is called
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
- **Multiple comparisons**: Benjamini-Hochberg q-values (the step-up computation of scipy's
  `false_discovery_control`, checked against it).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from vmbench.stats.summary import FloatArray, quantiles


def round_significant(x: FloatArray, bits: int = 40) -> FloatArray:
    """`x` with its mantissa rounded to `bits` bits (about 12 significant digits)."""
    mantissa, exponent = np.frexp(np.asarray(x, dtype=np.float64))
    out: FloatArray = np.ldexp(np.round(mantissa * 2.0**bits), exponent - bits)
    return out


def mann_whitney(candidate: FloatArray, baseline: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Two-sided Mann-Whitney U per row: (U of the candidate, p-value).

    Values are ranked after rounding to 40 mantissa bits (about 12 digits), so that the
    float noise of `times / iters` (0.023/23 is not 0.001) cannot break a real tie. Rows
    where every value on both sides is equal get p = 1 (the normal approximation divides
    by a zero variance there). Like scipy's `method="auto"`: exact when a side has at most
    8 values and there are no ties, the normal approximation otherwise.
    """
    c2 = round_significant(np.atleast_2d(candidate))
    b2 = round_significant(np.atleast_2d(baseline))
    n1, n2 = c2.shape[1], b2.shape[1]
    u = np.empty(c2.shape[0])
    p = np.ones(c2.shape[0])
    joined = np.concatenate([c2, b2], axis=1)
    constant = np.all(joined == joined[:, :1], axis=1)
    u[constant] = n1 * n2 / 2.0
    live = ~constant
    if not np.any(live):
        return u, p
    ranks, ties = _average_ranks(joined[live])
    if (n1 > 8 and n2 > 8) or np.any(ties > 0):
        u1 = ranks[:, :n1].sum(axis=1) - n1 * (n1 + 1) / 2.0
        u[live] = u1
        p[live] = _mwu_normal_p(u1, n1, n2, ties)
    else:
        from scipy import stats as sps  # the exact distribution; small samples only

        res = sps.mannwhitneyu(c2[live], b2[live], alternative="two-sided", axis=1)
        u[live] = res.statistic
        p[live] = np.clip(res.pvalue, 0.0, 1.0)
    return u, p


def _average_ranks(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per row of `x`: ranks 1..n with tied values given their average rank, and the tie
    term sum(t**3 - t) over the groups of t equal values."""
    rows, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    ordered = np.take_along_axis(x, order, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts.ravel()) - 1  # one id per run of equal values, over all rows
    sizes = np.bincount(group).astype(np.float64)
    positions = np.tile(np.arange(1.0, n + 1.0), rows)
    average = np.bincount(group, weights=positions) / sizes
    ranks = np.empty((rows, n))
    np.put_along_axis(ranks, order, average[group].reshape(rows, n), axis=1)
    row_of_group = np.repeat(np.arange(rows), starts.sum(axis=1))
    ties = np.bincount(row_of_group, weights=sizes**3 - sizes, minlength=rows)
    return ranks, ties.astype(np.float64)


def _mwu_normal_p(u1: FloatArray, n1: int, n2: int, ties: FloatArray) -> FloatArray:
    """Two-sided p of the normal approximation with tie and continuity correction (the
    formula of scipy's `mannwhitneyu`, method="asymptotic")."""
    u = np.maximum(u1, n1 * n2 - u1)
    n = n1 + n2
    sd = np.sqrt(n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - n1 * n2 / 2.0 - 0.5) / sd
    p: FloatArray = np.clip(2.0 * special.ndtr(-z), 0.0, 1.0)
    return p


def welch_p_value(candidate: FloatArray, baseline: FloatArray) -> FloatArray:
    """Two-sided Welch t-test p per row (Criterion's test statistic; it bootstraps the
    null distribution, we use the t distribution, as scipy's `ttest_ind(equal_var=False)`
    does). Constant rows get p = 1."""
    c2 = np.atleast_2d(candidate)
    b2 = np.atleast_2d(baseline)
    n1, n2 = c2.shape[1], b2.shape[1]
    if n1 < 2 or n2 < 2:
        return np.ones(c2.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        v1 = c2.var(axis=1, ddof=1) / n1
        v2 = b2.var(axis=1, ddof=1) / n2
        t = (c2.mean(axis=1) - b2.mean(axis=1)) / np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        # Both variances zero: df is undefined and does not matter (scipy uses 1).
        df = np.where(np.isnan(df), 1.0, df)
        p: FloatArray = 2.0 * special.stdtr(df, -np.abs(t))
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


HL_MAX_PAIRS = 1 << 22  # pairwise differences of one row computed exactly


def hodges_lehmann(candidate: FloatArray, baseline: FloatArray, chunk: int = 64) -> FloatArray:
    """Median of all pairwise differences candidate - baseline, per row (ns).

    Exact up to `HL_MAX_PAIRS` pairs per row. Beyond that (a run of 100,000 samples would
    need 10^10 differences), each side is reduced to `sqrt(HL_MAX_PAIRS)` evenly spaced
    order statistics (its quantiles) first: the same estimator on the two empirical
    distributions, in bounded memory and time.
    """
    c2 = np.atleast_2d(candidate)
    b2 = np.atleast_2d(baseline)
    if c2.shape[1] * b2.shape[1] > HL_MAX_PAIRS:
        keep = int(np.sqrt(HL_MAX_PAIRS))
        probs = tuple(np.linspace(0.0, 1.0, keep))
        c2 = quantiles(c2, probs).T if c2.shape[1] > keep else c2
        b2 = quantiles(b2, probs).T if b2.shape[1] > keep else b2
        chunk = max(1, HL_MAX_PAIRS // (c2.shape[1] * b2.shape[1]))
    out = np.empty(c2.shape[0])
    for start in range(0, c2.shape[0], chunk):
        c = c2[start : start + chunk]
        b = b2[start : start + chunk]
        diffs = (c[:, None, :] - b[:, :, None]).reshape(c.shape[0], -1)
        out[start : start + chunk] = np.median(diffs, axis=1, overwrite_input=True)
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
        # Step-up: q of the i-th smallest p is min over j >= i of p_(j) * m / j.
        order = np.argsort(p, kind="stable")
        scaled = p[order] * (p.size / np.arange(1, p.size + 1))
        q: FloatArray = np.empty(p.size)
        q[order] = np.minimum.accumulate(scaled[::-1])[::-1]
        return np.clip(q, 0.0, 1.0)
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
        return float(special.ndtri(0.5 + level / 2.0))
    return float(special.stdtrit(df, 0.5 + level / 2.0))
