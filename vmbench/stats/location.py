"""Per-run location estimates: one robust number per benchmark and run.

Samples of one Criterion run share their process's machine state, so they are not
independent replicates of a comparison: the run is the unit of inference
(`vmbench.stats.runmodel`), and each run is first reduced to one location estimate.

Interference from other processes on a shared machine is one-sided: it only ever makes a
sample slower. The fast part of a run is therefore its most stable part (Chen & Revels,
"Robust benchmarking in noisy environments", 2016; BenchmarkTools.jl judges on the
minimum). The minimum itself is a poor choice when the work varies from sample to sample
(GC pauses, contended locks, allocator state): it then rests on one lucky sample. A low
quantile keeps most of the minimum's immunity to slow-downs while averaging over many
samples.

`vmbench.settings.ESTIMATORS` lists the candidates. The default, `min`, was chosen by
measurement on the six identical wall-clock runs of `examples/data/wallclock/sequential`
(recorded while the 2-core machine ran at a load of 9 to 14): after removing run effects,
the median run-to-run sd over the 21 benchmarks was 6.5 % for `min`, 9.2 % for `low5`,
11.5 % for `q05`, 15.0 % for `q10`, 18.1 % for `mean`, 18.4 % for `trimmed` and
`lower_half`, 22.9 % for `median` and 28.8 % for `q25` (90th percentiles 17 % for `min`
against 38 % for `mean`). The caveat shows too: on `tlb/flush`, whose work varies from
sample to sample, `min` moved 40 % against 22 % for `mean`. The run-level model gives each
benchmark its own run-to-run variance, so such a benchmark is judged with the wider
interval it needs rather than flagged. The interleaved runs and the runs with planted
changes were not used for the choice.

`auto` (`Settings.estimator`, not the default) chooses per benchmark between `min` and
`median` (`vmbench.compare.estimators`): the median where the minimum's own within-run
sampling variance (`log_variance`) exceeds the suite's typical run-to-run variance of the
minimum and, with replicated runs, the median also varies less between runs of the same
code. Measured in benchmarks/results/estimator-auto-2026-12-01.md: it finds more of the
changes planted in simulated variable-work benchmarks, but fails more simulated 2 v 1 A/A
comparisons and does not improve the held-out real wall-clock runs (on real runs the
median moves far more than the minimum), so `min` stays the default.

All estimators take per-iteration times (`times[i] / iters[i]`, ns) of one run, or a
(k x n) block of k runs with the same sample count, and work in Criterion's linear
sampling mode too (every estimator is scale-equivariant: multiplying all times by a
factor multiplies the estimate by it, so a planted x1.3 change is a x1.3 change of every
estimator).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vmbench.settings import DEFAULT_ESTIMATOR, LOCATIONS
from vmbench.stats.summary import FloatArray, quantiles

DESCRIPTIONS: dict[str, str] = {
    "mean": "mean of per-iteration times (Criterion's point estimate)",
    "median": "median of per-iteration times",
    "q25": "25th percentile of per-iteration times",
    "q10": "10th percentile of per-iteration times",
    "min": "fastest sample (BenchmarkTools.jl's estimator)",
    "trimmed": "mean of the 10th-90th percentile range",
    "lower_half": "mean of the faster half of the samples",
    "q05": "5th percentile of per-iteration times",
    "low10": "mean of the fastest 10 % of the samples",
    "low5": "mean of the fastest 5 % of the samples",
    "auto": "per benchmark the fastest sample or, where that rests on too few samples "
    "(work varying from sample to sample), the median; each verdict's note says which",
}


def _rows(x: FloatArray) -> FloatArray:
    return np.atleast_2d(np.asarray(x, dtype=np.float64))


def _trimmed(x: FloatArray, lo: float, hi: float) -> FloatArray:
    block = np.sort(_rows(x), axis=1)
    n = block.shape[1]
    a, b = int(np.floor(lo * n)), max(int(np.ceil(hi * n)), int(np.floor(lo * n)) + 1)
    out: FloatArray = block[:, a:b].mean(axis=1)
    return out


_FUNCS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "mean": lambda x: _rows(x).mean(axis=1),
    "median": lambda x: quantiles(_rows(x), (0.5,))[0],
    "q25": lambda x: quantiles(_rows(x), (0.25,))[0],
    "q10": lambda x: quantiles(_rows(x), (0.10,))[0],
    "min": lambda x: _rows(x).min(axis=1),
    "trimmed": lambda x: _trimmed(x, 0.10, 0.90),
    "lower_half": lambda x: _trimmed(x, 0.0, 0.5),
    "q05": lambda x: quantiles(_rows(x), (0.05,))[0],
    "low10": lambda x: _trimmed(x, 0.0, 0.1),
    "low5": lambda x: _trimmed(x, 0.0, 0.05),
}


def locations(x: FloatArray, estimator: str = DEFAULT_ESTIMATOR) -> FloatArray:
    """Location of each row of a (k x n) block of per-iteration times."""
    try:
        func = _FUNCS[estimator]
    except KeyError:
        raise ValueError(
            f"unknown location estimator {estimator!r}; one of {', '.join(LOCATIONS)}"
        ) from None
    return func(x)


def run_location(per_iteration_ns: FloatArray, estimator: str = DEFAULT_ESTIMATOR) -> float:
    """The location estimate of one run's per-iteration times (ns)."""
    return float(locations(per_iteration_ns, estimator)[0])


_ORDER: dict[str, float] = {"min": 0.0, "q05": 0.05, "q10": 0.10, "q25": 0.25, "median": 0.5}


def _order_weights(n: int, p: float) -> FloatArray:
    """Exact bootstrap distribution of the order statistic a quantile-p estimate rests on.

    Resampling n values with replacement, the j-th smallest of the resample is at most the
    k-th smallest of the sample when at least j draws fall among the k smallest:
    P = P(Binomial(n, k/n) >= j) (Efron & Tibshirani, An Introduction to the Bootstrap,
    1993, the exact bootstrap of order statistics), so no resampling is needed.
    """
    from scipy import special

    j = round(p * (n - 1)) + 1
    k = np.arange(1, n + 1)
    # P(Binomial(n, q) >= j) = I_q(j, n - j + 1), the regularised incomplete beta.
    cdf = special.betainc(j, n - j + 1, np.minimum(k / n, 1.0))
    out: FloatArray = np.diff(np.concatenate([[0.0], cdf]))
    return out


def log_variance(x: FloatArray, estimator: str = DEFAULT_ESTIMATOR) -> FloatArray:
    """Within-run sampling variance of log(location), one value per row.

    Order-statistic estimators (min and the quantiles) use the exact bootstrap variance of
    the order statistic they rest on; mean-type estimators the variance of the mean of the
    samples they average. This is what one run alone says about how far its estimate could
    move; it cannot see run-to-run effects, so `vmbench.stats.runmodel` uses it as a floor
    under the run-to-run variance, and to tell benchmarks apart when no run was replicated.
    """
    block = np.sort(_rows(x), axis=1)
    n = block.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(block > 0, block, np.nan))
    if estimator in _ORDER:
        w = _order_weights(n, _ORDER[estimator])
        centre = np.nansum(logs * w, axis=1)
        out: FloatArray = np.nansum(w * (logs - centre[:, None]) ** 2, axis=1)
        return out
    lo, hi = {"low5": (0.0, 0.05), "low10": (0.0, 0.10), "lower_half": (0.0, 0.5)}.get(
        estimator, (0.10, 0.90) if estimator == "trimmed" else (0.0, 1.0)
    )
    a, b = int(np.floor(lo * n)), max(int(np.ceil(hi * n)), int(np.floor(lo * n)) + 1)
    part = logs[:, a:b]
    count = max(part.shape[1], 1)
    var: FloatArray = np.nanvar(part, axis=1, ddof=1 if count > 1 else 0) / count
    return var
