"""Seeded, vectorised percentile bootstrap of means and of the ratio of two sides' means.

- **Confidence intervals** are percentile bootstraps, like Criterion's. They are vectorised:
  resampling a row is a multinomial weight vector, so one seeded (B x n) weight matrix per
  sample size turns every benchmark's B bootstrap means into one matrix product. Both sides
  get independent weight matrices; the change's interval is the percentile interval of the
  ratio of the two sides' bootstrap means (Criterion's `change/estimates.json` does the same
  with independent resamples). A fixed seed makes results identical run to run.
- **Bounded memory.** A weight matrix costs B x n numbers: for a run of 100,000 samples
  and 2,000 resamples that would be 1.6 GB. Above `MAX_WEIGHTS` numbers the resamples are
  drawn and applied in chunks (each chunk seeded from the seed, sample size, stream and
  chunk index), so memory stays at about `MAX_WEIGHTS` numbers and time grows linearly
  with the samples. Small runs keep the one-matrix path (and its exact numbers).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from vmbench.stats.summary import FloatArray, quantiles

MAX_WEIGHTS = 1 << 23  # numbers in one weight matrix (64 MiB of float64)


@lru_cache(maxsize=64)
def _weights(n: int, resamples: int, seed: int, stream: int) -> FloatArray:
    rng = np.random.default_rng([seed, n, stream])
    # Row b counts how often each sample is drawn in resample b: multinomial(n, 1/n), drawn
    # as n indices with replacement (numpy's multinomial is 20 times slower at n = 100).
    picks = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    counts = np.bincount(picks.ravel(), minlength=resamples * n).reshape(resamples, n)
    w: FloatArray = counts.astype(np.float64) / n
    w.setflags(write=False)
    return w


def bootstrap_means(x: FloatArray, *, resamples: int, seed: int, stream: int) -> FloatArray:
    """B bootstrap means of every row of `x` (shape (rows, B)), seeded and vectorised.

    `stream` separates independent resampling schemes (baseline vs candidate, run index).
    Rows of the same call share one weight matrix; each row's resampling is still a proper
    bootstrap, and sides use different streams so they are independent of each other.
    """
    x2 = np.atleast_2d(x)
    n = x2.shape[1]
    if n * resamples <= MAX_WEIGHTS:
        weights = _weights(n, resamples, seed, stream)
        out: FloatArray = x2 @ weights.T
        return out
    chunk = max(1, MAX_WEIGHTS // n)
    out = np.empty((x2.shape[0], resamples))
    for k, start in enumerate(range(0, resamples, chunk)):
        size = min(chunk, resamples - start)
        rng = np.random.default_rng([seed, n, stream, k, 1])
        picks = rng.integers(0, n, size=(size, n))  # indices drawn with replacement
        for row in range(x2.shape[0]):
            out[row, start : start + size] = x2[row][picks].mean(axis=1)
    return out


def percentile_interval(boot: FloatArray, confidence: float) -> FloatArray:
    """Percentile bootstrap interval of each row: shape (rows, 2)."""
    tail = (1.0 - confidence) / 2.0
    lo, hi = quantiles(boot, (tail, 1.0 - tail))
    return np.stack([lo, hi], axis=1)


def ratio_interval(
    boot_baseline: FloatArray, boot_candidate: FloatArray, confidence: float
) -> FloatArray:
    """Interval of candidate/baseline - 1 from the two sides' bootstrap means."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = boot_candidate / boot_baseline - 1.0
    ratio = np.where(np.isfinite(ratio), ratio, np.nan)
    return percentile_interval(ratio, confidence)
