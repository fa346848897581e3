"""How often a benchmark's whole run is far off its usual level: the run-level tails of
runs of identical code.

A run-to-run noise model (a run offset per benchmark, lognormal) says how far a run's
location usually moves. On a shared machine it now and then moves much further, and only
one way: other processes held the core for the seconds a benchmark ran (a contention
episode), so every sample of that run is slower. `run_level_tails` measures it on runs of
the same code: per benchmark, each run's log location (`Settings.estimator`) minus the
run's effect on the whole suite (median over benchmarks) and minus the benchmark's median
run; then the share of benchmark-runs beyond +/-10, 20, 30 and 50 %, and beyond four
robust sds of their own benchmark (normal noise: 6 in 100,000). Medians throughout, not
`vmbench.stats.runmodel.run_effects` (deviations from each benchmark's mean): a mean is
moved by the very episodes this counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from vmbench.model import Run
from vmbench.stats.location import run_location

STEPS = (0.10, 0.20, 0.30, 0.50)


def run_level_tails(runs: Sequence[Run], estimator: str) -> dict[str, object]:
    """Shares of benchmark-runs far above or below their benchmark's median run."""
    ids = sorted(set.intersection(*(set(r.benchmarks) for r in runs)))
    y = np.array(
        [
            [math.log(run_location(r.benchmarks[b].per_iteration, estimator)) for r in runs]
            for b in ids
        ]
    )
    dev = y - np.median(y, axis=1, keepdims=True)
    dev = dev - np.median(dev, axis=0, keepdims=True)  # the run's effect on the whole suite
    dev = dev - np.median(dev, axis=1, keepdims=True)
    mad = 1.4826 * np.median(np.abs(dev), axis=1)
    robust = dev / np.maximum(mad, 1e-3)[:, None]
    return {
        "runs": len(runs),
        "benchmarks": len(ids),
        "typical_sd": float(np.median(mad)),
        "slower": {f"{s:.0%}": float(np.mean(dev > math.log1p(s))) for s in STEPS},
        "faster": {f"{s:.0%}": float(np.mean(dev < math.log1p(-s))) for s in STEPS},
        "beyond_4_robust_sd": float(np.mean(np.abs(robust) > 4.0)),
    }
