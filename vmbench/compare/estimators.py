"""The per-run log locations the run-level model reads, and `--estimator auto`'s choice
of location estimator per benchmark.

`log_locations` lays one estimator's per-run locations out as a (benchmarks x runs)
matrix of logs, with each benchmark's within-run sampling variance of its log change.
`auto_locations` chooses, per benchmark, between the `AUTO_CANDIDATES` (min, median)
from each benchmark's within-run variances and one number for the whole suite, never
from a difference between the sides. It is opt-in: measured in
benchmarks/results/estimator-auto-2026-12-01.md, it helps simulated variable-work
benchmarks but not the held-out real runs, so `min` stays the default.
"""

from __future__ import annotations

import math

import numpy as np

from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import BenchmarkComparison
from vmbench.compare.verdicts import Extra
from vmbench.settings import AUTO_CANDIDATES
from vmbench.stats.runmodel import residual_variance, run_effects, typical_run_variance


def log_locations(
    ids: tuple[str, ...],
    results: dict[str, tuple[BenchmarkComparison, Extra]],
    columns: list[tuple[int, str]],
    estimator: str | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The (benchmarks x runs) matrix of log locations and each benchmark's within-run
    sampling variance of its log change, for `estimator` (None: the one computed)."""
    col = {key: j for j, key in enumerate(columns)}
    y = np.full((len(ids), len(columns)), np.nan)
    within = np.zeros(len(ids))
    for i, bid in enumerate(ids):
        extra = results[bid][1]
        where, within[i] = (
            (extra.locations, extra.log_variance)
            if estimator is None
            else extra.alternatives[estimator]
        )
        for side, label, location in where:
            if location > 0 and math.isfinite(location):
                y[i, col[(side, label)]] = math.log(location)
    return y, within


def auto_locations(
    ids: tuple[str, ...],
    results: dict[str, tuple[BenchmarkComparison, Extra]],
    columns: list[tuple[int, str]],
    groups: np.ndarray,
    noise: NoiseModel | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`Settings.estimator == "auto"`: per benchmark, the first candidate (`min`) unless
    its own within-run sampling variance exceeds the suite's typical run-to-run variance
    of it (`vmbench.stats.runmodel.typical_run_variance`), then the second (`median`).

    The minimum is chosen for its immunity to one-sided interference, which dominates
    run-to-run noise on a shared machine; where instead the minimum's own sampling error
    dominates (work that varies from sample to sample: it rests on one lucky sample),
    the median, whose sampling variance is several times smaller, is the better estimate.
    The rule sees each benchmark's within-run variance and one number for the whole
    suite, never a difference between the sides.

    A noise model was learned with one estimator and its variances hold for that one
    only: with a noise model every benchmark uses the model's estimator when it is a
    candidate, else the first candidate.
    """
    names = list(AUTO_CANDIDATES)
    mats = [log_locations(ids, results, columns, e) for e in names]
    if noise is not None:
        pick = np.full(len(ids), names.index(noise.estimator) if noise.estimator in names else 0)
    else:
        c = np.array(
            [1.0 / results[b][1].k_baseline + 1.0 / results[b][1].k_candidate for b in ids]
        )
        per_run = mats[0][1] / c  # within-run sampling variance of one run's log location
        typical = typical_run_variance(mats[0][0], groups)
        dominated = np.isfinite(typical) & (per_run > typical)
        # ...and, where runs were replicated, the second candidate must also vary less
        # between runs of the same code than the first.
        first, second = (
            residual_variance(m[0], groups, run_effects(m[0], groups).effects) for m in mats
        )
        steadier = np.where(first.df > 0, second.s2 < first.s2, True)
        pick = np.where(dominated & steadier, 1, 0)
    rows = np.arange(len(ids))
    y = np.stack([m[0] for m in mats])[pick, rows]
    within = np.stack([m[1] for m in mats])[pick, rows]
    return y, within, [names[k] for k in pick]
