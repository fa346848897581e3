"""Summaries of raw per-iteration samples, as Criterion computes them (no I/O).

Functions take 2-D arrays whose rows are benchmarks with the same sample count, so that a
comparison of thousands of benchmarks costs a handful of numpy calls, not thousands.

- **Summaries** follow Criterion: the mean is the mean of per-iteration times
  (`times[i] / iters[i]`), `std_dev` divides by n - 1, the MAD is scaled by 1.4826 (as f32),
  percentiles interpolate linearly between order statistics, and Tukey's fences sit at
  1.5 and 3 IQR (checked against Criterion's stored `tukey.json`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Consistency constant for the normal distribution. Criterion writes `A::cast(1.4826)`,
# which goes through f32: use the same value so our MAD equals its stored one exactly.
MAD_SCALE = float(np.float32(1.4826))


@dataclass(frozen=True)
class Summary:
    """Column-wise summaries of a (k x n) block of per-iteration times."""

    mean: FloatArray
    median: FloatArray
    std_dev: FloatArray
    mad: FloatArray
    low_severe: IntArray
    low_mild: IntArray
    high_mild: IntArray
    high_severe: IntArray


def quantiles(x: FloatArray, probs: tuple[float, ...]) -> FloatArray:
    """Row-wise linear-interpolation quantiles (numpy's and Criterion's definition).

    Uses `np.partition` on only the needed order statistics: much cheaper than a sort.
    Returns an array of shape (len(probs), rows).
    """
    x2 = np.atleast_2d(x)
    n = x2.shape[1]
    positions = [p * (n - 1) for p in probs]
    kth = sorted({math.floor(h) for h in positions} | {math.ceil(h) for h in positions})
    part = np.partition(x2, kth, axis=1)
    out = np.empty((len(probs), x2.shape[0]))
    for i, h in enumerate(positions):
        lo, hi = math.floor(h), math.ceil(h)
        frac = h - lo
        out[i] = part[:, lo] + (part[:, hi] - part[:, lo]) * frac
    return out


def tukey_fences(x: FloatArray) -> FloatArray:
    """Criterion's Tukey fences per row: [low severe, low mild, high mild, high severe]."""
    q1, q3 = quantiles(x, (0.25, 0.75))
    iqr = q3 - q1
    return np.stack([q1 - 3.0 * iqr, q1 - 1.5 * iqr, q3 + 1.5 * iqr, q3 + 3.0 * iqr], axis=1)


def summarize(x: FloatArray) -> Summary:
    """Mean, median, std, MAD and Tukey outlier counts of each row of `x`."""
    x2 = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x2.shape[1]
    mean = x2.mean(axis=1)
    std = x2.std(axis=1, ddof=1) if n > 1 else np.zeros(x2.shape[0])
    q1, median, q3 = quantiles(x2, (0.25, 0.5, 0.75))  # one partition for all three
    mad = MAD_SCALE * quantiles(np.abs(x2 - median[:, None]), (0.5,))[0]
    iqr = q3 - q1
    fences = np.stack([q1 - 3.0 * iqr, q1 - 1.5 * iqr, q3 + 1.5 * iqr, q3 + 3.0 * iqr], axis=1)
    below_severe = x2 < fences[:, 0:1]
    below_mild = x2 < fences[:, 1:2]
    above_mild = x2 > fences[:, 2:3]
    above_severe = x2 > fences[:, 3:4]
    return Summary(
        mean=mean,
        median=median,
        std_dev=std,
        mad=mad,
        low_severe=below_severe.sum(axis=1),
        low_mild=(below_mild & ~below_severe).sum(axis=1),
        high_mild=(above_mild & ~above_severe).sum(axis=1),
        high_severe=above_severe.sum(axis=1),
    )
