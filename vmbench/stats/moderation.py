"""Empirical-Bayes moderation of variances: Smyth's scaled-F prior, fitted to a suite.

Pure numerics (numpy and scipy.special). `fit_f_dist` fits the prior s0^2 with d0 degrees
of freedom to many variances by the method of moments on log s^2 (limma's `fitFDist`,
Smyth 2004); `squeeze_var` gives each variance its posterior (limma's `squeezeVar`);
`mad_variance` is the robust variance used where there is no replication. The comparison's
run model (`vmbench.stats.runmodel`), its confirmation rounds
(`vmbench.compare.confirm`) and the trend's change-point noise
(`vmbench.stats.changepoint`) all moderate with these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from vmbench.stats.summary import FloatArray


def _trigamma_inverse(x: float) -> float:
    """Solve trigamma(y) = x for y > 0 (Newton's method, limma's `trigammaInverse`)."""
    if x > 1e7:
        return 1.0 / math.sqrt(x)
    if x < 1e-6:
        return 1.0 / x
    y = 0.5 + 1.0 / x
    for _ in range(50):
        tri = float(special.polygamma(1, y))
        dif = tri * (1.0 - tri / x) / float(special.polygamma(2, y))
        y += dif
        if -dif / y < 1e-8:
            break
    return y


@dataclass(frozen=True)
class Prior:
    """The suite's prior for benchmark variances: s0^2 with d0 degrees of freedom."""

    s02: float
    d0: float  # math.inf when the benchmarks' variances look alike (pure pooling)
    # The residual degrees of freedom of the variances it was fitted to: no posterior
    # variance rests on more than those (limma caps df.total at sum(df) the same way).
    pooled_df: float = math.inf


def fit_f_dist(
    s2: FloatArray, df: FloatArray, *, d0_confidence: float | None = None
) -> Prior | None:
    """Smyth's moment estimator of the scaled F prior (limma `fitFDist`).

    `d0_confidence`: take the prior degrees of freedom at their one-sided lower confidence
    bound at that level instead of the point estimate. d0 comes from the spread of the
    benchmarks' log variances beyond what sampling explains; a suite of 20 benchmarks
    with 1-4 df each estimates that spread so loosely that the point estimate is
    sometimes several times too large (or infinite), and a too-large d0 shrinks the
    noisiest benchmarks' variances too far, which is what makes their tests
    anticonservative. The bound takes the spread at its upper confidence limit,
    (n - 1) S^2 / chi2_{n-1}(1 - level), the normal-theory interval for a variance; log
    variances are skewed, so its coverage is approximate: on suites of 20 from Smyth's own
    model the 95 % bound exceeded the true d0 in 7-13 % of suites, the point estimate in
    about 55 % (`tests/stats/test_runmodel.py`).
    """
    ok = np.isfinite(s2) & (df > 0) & (s2 > 0)
    if int(ok.sum()) < 2:
        return None
    pooled = float(np.sum(df[np.isfinite(s2) & (df > 0)]))
    x, d = s2[ok], df[ok]
    z = np.log(x)
    e = z - special.digamma(d / 2.0) + np.log(d / 2.0)
    n = e.size
    emean = float(e.mean())
    spread = float(np.sum((e - emean) ** 2) / (n - 1))
    if d0_confidence is not None and n > 1:
        # chdtri(k, p) is the chi-square quantile with upper tail p: here the lower
        # (1 - level) quantile, so the spread is scaled up to its upper bound.
        spread *= (n - 1) / float(special.chdtri(n - 1, d0_confidence))
    evar = spread - float(np.mean(special.polygamma(1, d / 2.0)))
    if evar > 0:
        d0 = 2.0 * _trigamma_inverse(evar)
        s02 = math.exp(emean + float(special.digamma(d0 / 2.0)) - math.log(d0 / 2.0))
        return Prior(s02, d0, pooled)
    return Prior(math.exp(emean), math.inf, pooled)


def squeeze_var(
    s2: FloatArray, df: FloatArray, prior: Prior | None
) -> tuple[FloatArray, FloatArray]:
    """Posterior variances and their degrees of freedom (limma `squeezeVar`), capped at
    the degrees of freedom the prior was fitted on (`s2` need not be those variances)."""
    if prior is None:
        return s2, df
    pooled = prior.pooled_df
    if math.isinf(prior.d0):
        return np.full_like(s2, prior.s02), np.full_like(df, pooled)
    has = df > 0
    post = np.where(
        has, (prior.d0 * prior.s02 + df * np.nan_to_num(s2)) / (prior.d0 + df), prior.s02
    )
    return post, np.minimum(prior.d0 + df, pooled)


def mad_variance(values: FloatArray) -> tuple[float, float]:
    """Robust variance of values around their median, and its effective df.

    1.4826 x MAD is consistent for the normal sd; its asymptotic efficiency is 37 %
    (Huber, Robust Statistics, 1981), so m values carry about 0.37 (m - 1) degrees of
    freedom of information about the variance.
    """
    v = values[np.isfinite(values)]
    if v.size < 3:
        return math.nan, 0.0
    mad = 1.4826 * float(np.median(np.abs(v - np.median(v))))
    return mad**2, max(1.0, 0.37 * (v.size - 1))
