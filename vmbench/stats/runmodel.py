"""The run-level model: per-run estimates in, per-benchmark changes with intervals out.

Pure numerics (numpy and scipy.special/stats only). The unit of inference is the run:
`y[i, r]` is log(location of benchmark i in run r) (`vmbench.stats.location`), NaN where
run r did not measure benchmark i. Runs belong to groups of identical code: the
baseline side (0), the candidate side (1) and, optionally, A/A noise runs (2, 3, ...).

Model (all in log space, so effects are relative):

    y[i, r] = mu[i, group(r)] + g[r] + e[i, r],    e[i, r] ~ N(0, sigma_i^2)

- `g[r]` is the **run effect**: the whole machine slower or faster during run r, shared
  by every benchmark of the run. Within each group it is estimated robustly as the median
  over benchmarks of the run's deviations from the benchmark's group mean, centred so the
  group's run effects sum to zero (the group mean is unchanged). `tau^2`, the variance of
  run effects, comes from them with sum(k_group - 1) degrees of freedom. Too few
  benchmarks (< MIN_SUITE) to take a median over: no run effects are removed.
- `sigma_i^2`, each benchmark's own run-to-run variance after run effects, is estimated
  from the replication there is (several runs a side, A/A runs) and **moderated** towards
  a prior estimated from every benchmark of the suite: Smyth's empirical Bayes
  (limma, "Linear models and empirical Bayes methods for assessing differential
  expression in microarray experiments", 2004): the prior `s0^2` and its degrees of
  freedom `d0` are fitted to the observed variances by the method of moments on
  log s^2 (`vmbench.stats.moderation.fit_f_dist`), then each benchmark's posterior variance is
  (d0 s0^2 + d_i s_i^2) / (d0 + d_i) with d0 + d_i degrees of freedom. Nothing is fitted
  to a data set: d0 is large when benchmarks' noises are alike and ~0 when they differ,
  and is taken at its lower confidence bound (`D0_CONFIDENCE`), not its point estimate:
  honest degrees of freedom for a prior fitted to a few dozen benchmarks. The prior's
  centre is each benchmark's own: the suite's common run-offset variance plus the
  benchmark's within-run sampling variance of its location (`prior_scale`), so the few
  benchmarks whose work varies from sample to sample do not make the whole suite look
  heterogeneous.
- The **suite shift** `delta`: the median over benchmarks of the candidate-minus-baseline
  difference. Between two sides with one run each it is indistinguishable from a run
  effect; it is tested on its own, against `tau`, and each benchmark's change is judged
  relative to it (the change specific to that benchmark). See `vmbench.compare.verdicts`
  for the decisions made from these numbers.

References for every constant are in the code. MIN_SUITE = 8: a median over fewer
benchmarks is moved by two outliers (its breakdown point is 50 %, so with 8 benchmarks
three changed ones cannot move it past the unchanged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from vmbench.stats.moderation import Prior, fit_f_dist, mad_variance, squeeze_var
from vmbench.stats.significance import adjust_p_values
from vmbench.stats.summary import FloatArray

MIN_SUITE = 8
# The comparison's prior df at their one-sided 95 % lower confidence bound (`fit_f_dist`):
# the level of the verdicts' default alpha, 0.05. Measured on seeds no rule was fitted to
# (benchmarks/results/moderation-2026-12-02.md): identical-code comparisons that fail the
# gate, 2 v 1 at sigma_run 5-15 %, from 6-15 % to 0-4 %; 1 v 1 with a noise model from
# 4-9 % to 1-5 %; 3 v 3 at sigma_run 10 % from 11 %/6 % to 7 %/5 %, at 15 % from 13 %/6 %
# to 8 %/6 %; the price, power for +25 %, 3 v 3 at sigma_run 5 %: 72 %/63 % -> 66 %/63 %.
D0_CONFIDENCE = 0.95


@dataclass(frozen=True)
class RunEffects:
    """Run effects (log) per run, their variance and its degrees of freedom."""

    effects: FloatArray  # (R,) zero for runs of groups with one run
    tau2: float | None  # variance of run effects; None when no group has two runs
    df: int


def run_effects(y: FloatArray, groups: np.ndarray) -> RunEffects:
    """Robust run effects within each group of runs (see the module docstring)."""
    _m, runs = y.shape
    effects = np.zeros(runs)
    ss, df = 0.0, 0
    for g in np.unique(groups):
        cols = np.flatnonzero(groups == g)
        if cols.size < 2:
            continue
        block = y[:, cols]
        complete = np.all(np.isfinite(block), axis=1)
        if int(complete.sum()) < MIN_SUITE:
            continue
        dev = block[complete] - block[complete].mean(axis=1, keepdims=True)
        eff = np.median(dev, axis=0)
        eff = eff - eff.mean()
        effects[cols] = eff
        ss += float(np.sum(eff**2))
        df += cols.size - 1
    return RunEffects(effects, ss / df if df else None, df)


@dataclass(frozen=True)
class Residuals:
    """Each benchmark's run-to-run variance within groups, after run effects."""

    s2: FloatArray  # (m,) NaN where df == 0
    df: FloatArray  # (m,) residual degrees of freedom


def residual_variance(y: FloatArray, groups: np.ndarray, effects: FloatArray) -> Residuals:
    z = y - effects[None, :]
    m = y.shape[0]
    ss, df = np.zeros(m), np.zeros(m)
    for g in np.unique(groups):
        block = z[:, groups == g]
        present = np.isfinite(block)
        count = present.sum(axis=1)
        mean = np.where(count > 0, np.nansum(block, axis=1) / np.maximum(count, 1), 0.0)
        dev = np.where(present, block - mean[:, None], 0.0)
        ss += np.sum(dev**2, axis=1)
        df += np.maximum(count - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = np.where(df > 0, ss / np.maximum(df, 1), np.nan)
    return Residuals(s2, df)


def typical_run_variance(y: FloatArray, groups: np.ndarray) -> float:
    """The suite's typical run-to-run variance of one run's log location.

    With replication, the median over benchmarks of the residual variance within groups
    after run effects (`residual_variance`); without, from the spread of the benchmarks'
    candidate-minus-baseline differences around their median (`mad_variance`, halved:
    a difference of two runs has twice one run's variance). A median over benchmarks, so
    no single benchmark moves it much. NaN when neither can be had.
    """
    res = residual_variance(y, groups, run_effects(y, groups).effects)
    replicated = res.df > 0
    if int(replicated.sum()) >= MIN_SUITE:
        return float(np.median(res.s2[replicated]))
    base, cand = groups == 0, groups == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.nanmean(y[:, cand], axis=1) - np.nanmean(y[:, base], axis=1)
    diff = diff[np.isfinite(diff)]
    if diff.size < MIN_SUITE:
        return math.nan
    var, _ = mad_variance(diff - np.median(diff))
    return var / 2.0


def t_cdf(t: FloatArray, df: FloatArray) -> FloatArray:
    """Student's t distribution function (normal where df is infinite); NaN stays NaN.

    scipy.special, not scipy.stats: the latter costs a third of a second to import.
    """
    t = np.asarray(t, dtype=np.float64)
    df = np.broadcast_to(np.asarray(df, dtype=np.float64), t.shape)
    finite_df = np.where(np.isinf(df), 1.0, df)
    out: FloatArray = np.where(np.isinf(df), special.ndtr(t), special.stdtr(finite_df, t))
    return out


def t_ppf(level: float, df: FloatArray) -> FloatArray:
    """Quantile `level` of Student's t (normal where df is infinite)."""
    df = np.asarray(df, dtype=np.float64)
    finite_df = np.where(np.isinf(df) | ~(df > 0), 1.0, df)
    out: FloatArray = np.where(
        np.isinf(df), special.ndtri(level), special.stdtrit(finite_df, level)
    )
    return out


def holm(p: FloatArray) -> FloatArray:
    """Holm's step-down adjusted p-values (family-wise error control, any dependence)."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    k = order.size
    adj = np.maximum.accumulate(np.minimum(1.0, (k - np.arange(k)) * p[order]))
    out[order] = adj
    return out


def benjamini_hochberg(p: FloatArray) -> FloatArray:
    """Benjamini-Hochberg step-up adjusted p-values (q-values); NaN stays NaN and is not
    counted in the family. Controls the false discovery rate for independent or positively
    dependent tests (Benjamini & Yekutieli 2001), and, when no hypothesis is false, the
    chance of any rejection: then FDR and family-wise error are the same number."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    out[ok] = adjust_p_values(p[ok], "fdr_bh")
    return out


def prior_scale(s2: FloatArray, df: FloatArray, within_run: FloatArray | None) -> FloatArray:
    """Each benchmark's expected run-to-run variance, up to the suite's common factor.

    A run's location moves between runs for two reasons: the run offset (another core,
    another cache layout), which the suite's benchmarks share in kind, and the location
    estimate's own sampling error within the run (`within_run`, per run), which each
    benchmark's samples measure. The second is large exactly where the work varies from
    sample to sample (GC pauses, contended locks: the fastest of 100 samples then moves
    far), and those few benchmarks make the suite's variances look heterogeneous, so a
    prior fitted to the raw variances gets few degrees of freedom and every benchmark
    pays. Scaling each variance by (common run-offset variance + its own within-run
    variance) before the prior is fitted and after it is applied moderates the part the
    benchmarks share; the approach is limma-trend's (a prior whose centre moves with a
    known covariate: Law, Chen, Shi & Smyth, "voom", Genome Biology 2014), with the
    covariate's form given by the variance decomposition rather than fitted. The common
    part is the median over benchmarks of (variance - within-run variance), at least 0.
    Ones (plain moderation) without within-run variances or where a scale would be 0.

    When a benchmark's within-run variance overstates its run-to-run variance (the
    bootstrap variance of a fastest sample can: one lucky sample), its scaled variance is
    a low outlier of the prior fit, which lowers the prior's degrees of freedom for all:
    every benchmark is then judged more on its own variance, with fewer degrees of
    freedom, which holds the level and costs power. Capping the within-run part at the
    measured variance avoids that but failed more identical-code comparisons on the real
    wall-clock runs (2 v 1: 50 % of splits against 33 %), so it is not done. Measured in
    benchmarks/results/moderation-2026-12-02.md.
    """
    ones = np.ones_like(s2)
    if within_run is None:
        return ones
    w = np.where(np.isfinite(within_run), np.maximum(within_run, 0.0), 0.0)
    ok = np.isfinite(s2) & (df > 0) & (s2 > 0)
    if not ok.any():
        return ones
    common = max(float(np.median((s2 - w)[ok])), 0.0)
    scale = common + w
    if not bool(np.all(scale[ok] > 0)):
        return ones
    # (scale is 0 only where common and w are both 0, for benchmarks without a variance)
    out: FloatArray = np.where(scale > 0, scale, 1.0)
    return out


@dataclass(frozen=True)
class SuiteShift:
    """The median candidate-minus-baseline difference over the suite (log)."""

    shift: float  # log; NaN when fewer than MIN_SUITE benchmarks are on both sides
    se: float  # NaN when the run-effect variance is unknown
    df: float
    removed: bool  # True: benchmark changes are judged relative to it


@dataclass(frozen=True)
class Assessment:
    """Per-benchmark run-level estimates of one comparison (all log scale)."""

    total: FloatArray  # candidate minus baseline group means
    change: FloatArray  # what is judged: total, or total - suite shift when removed
    se: FloatArray  # standard error of `change`; NaN when there is no noise information
    df: FloatArray
    sigma: FloatArray  # moderated run-to-run sd of one run (after run effects)
    source: str  # where the noise came from
    replicated: bool  # False: no run was replicated, the noise is the suite's spread
    suite: SuiteShift
    effects: RunEffects
    prior: Prior | None


@np.errstate(all="ignore")  # degenerate inputs give NaN or inf entries, never a warning
def assess(
    y: FloatArray,
    groups: np.ndarray,
    *,
    extra_ss: FloatArray | None = None,
    extra_df: FloatArray | None = None,
    extra_tau: tuple[float, int] | None = None,
    within_var: FloatArray | None = None,
) -> Assessment:
    """Run-level estimates for every benchmark (rows of `y`).

    `groups` gives each run's group: 0 baseline, 1 candidate, 2.. runs of identical code
    that only inform the noise (A/A runs). `extra_ss`/`extra_df` add residual sums of
    squares learned elsewhere (a saved noise model), `extra_tau` its run-effect variance
    and df. `within_var` is each benchmark's within-run sampling variance of `total`: with
    replication it is a floor under the variance of the change (a run's estimate cannot
    vary less between runs than its own sampling error, so a moderated variance below it
    was shrunk too far, as happens to benchmarks whose work varies from sample to sample);
    without replication it separates benchmarks that the suite's spread treats alike.
    """
    effects = run_effects(y, groups)
    res = residual_variance(y, groups, effects.effects)
    ss = np.where(res.df > 0, np.nan_to_num(res.s2) * res.df, 0.0)
    df = res.df.astype(np.float64)
    sources = []
    if float(df.sum()) > 0:
        sources.append("replicate runs")
    if extra_ss is not None and extra_df is not None:
        ss = ss + np.nan_to_num(extra_ss)
        df = df + extra_df
        sources.append("noise model")
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = np.where(df > 0, ss / np.maximum(df, 1e-300), np.nan)
    tau2, tau_df = effects.tau2, effects.df
    if extra_tau is not None:
        t2, tdf = extra_tau
        tot = (tau2 or 0.0) * tau_df + t2 * tdf
        tau_df += tdf
        tau2 = tot / tau_df if tau_df else None

    base = groups == 0
    cand = groups == 1
    kb = np.isfinite(y[:, base]).sum(axis=1)
    kc = np.isfinite(y[:, cand]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mb = np.nansum(y[:, base], axis=1) / kb
        mc = np.nansum(y[:, cand], axis=1) / kc
        c = 1.0 / kb + 1.0 / kc
    total = mc - mb
    both = np.isfinite(total)

    # The suite shift: a robust centre of the benchmarks' differences.
    m_both = int(both.sum())
    if m_both >= MIN_SUITE:
        shift = float(np.median(total[both]))
        c_med = float(np.median(c[both]))
        se_shift = math.sqrt(tau2 * c_med) if tau2 is not None else math.nan
        suite = SuiteShift(shift, se_shift, float(tau_df) if tau2 is not None else 0.0, True)
    else:
        suite = SuiteShift(math.nan, math.nan, 0.0, False)

    # Moderate relative to each benchmark's expected variance (see `prior_scale`): the
    # prior is fitted to, and shrinks towards, the suite's common level times that scale.
    scale = prior_scale(s2, df, within_var / c if within_var is not None else None)
    prior = fit_f_dist(s2 / scale, df, d0_confidence=D0_CONFIDENCE)
    post, post_df = squeeze_var(s2 / scale, df, prior)
    post = post * scale
    if suite.removed:
        change = total - suite.shift
    else:
        change = total
        # Without a suite median to remove, the run effects stay in the difference.
        if tau2 is not None:
            post = post + tau2
            post_df = np.minimum(post_df, float(tau_df)) if tau_df else post_df
    if not sources and suite.removed:
        # No replication anywhere: the spread of the benchmarks' changes around the suite
        # shift is the only measure of run-to-run noise (one run a side).
        var, vdf = mad_variance(change[both])
        extra = np.zeros_like(change)
        if within_var is not None:
            w = np.where(np.isfinite(within_var), within_var, 0.0)
            extra = np.maximum(0.0, w - float(np.median(w[both])))
        se = np.sqrt(var + extra)
        out_df = np.full_like(change, vdf)
        sigma = np.sqrt(var / 2.0) * np.ones_like(change)
        source = "spread of the suite (one run a side, no replication)"
    else:
        var = post * c
        if within_var is not None:
            # A run's location cannot vary less from run to run than its own sampling
            # error: where the moderated variance says it does, it was shrunk too far.
            var = np.maximum(var, np.where(np.isfinite(within_var), within_var, 0.0))
        se = np.sqrt(var)
        out_df = post_df
        sigma = np.sqrt(post)
        source = " and ".join(sources) if sources else "none"
        if suite.removed:
            # The suite median is itself estimated: about 1.25 sd / sqrt(m) for a median.
            se = np.sqrt(se**2 + (1.2533**2) * float(np.nanmedian(se[both] ** 2)) / m_both)
    se = np.where(both, se, np.nan)
    return Assessment(
        total=total,
        change=change,
        se=se,
        df=np.asarray(out_df, dtype=np.float64),
        sigma=sigma,
        source=source,
        replicated=bool(sources),
        suite=suite,
        effects=effects,
        prior=prior,
    )
