"""Per-benchmark summaries of one run, computed for all benchmarks at once.

A run of 1,000 benchmarks is summarised with a handful of numpy reductions over the
concatenated samples (not 1,000 small loops), so recording a run stays well under a
second. The columns match the history store's schema (`vmbench.history.store`).
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
from scipy import stats

from vmbench.model import Benchmark


@functools.cache
def _t975(df: int) -> float:
    return float(stats.t.ppf(0.975, df))


def _segment_median(
    values: np.ndarray, seg: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    # Sort within segments once, then average the one or two middle values of each.
    ordered = values[np.lexsort((values, seg))]
    lo = starts + (counts - 1) // 2
    hi = starts + counts // 2
    out: np.ndarray = (ordered[lo] + ordered[hi]) / 2.0
    return out


def summary_columns(benches: list[Benchmark]) -> dict[str, pa.Array]:
    """Summary and sample columns of every benchmark, computed for all of them at once."""
    counts = np.array([b.n for b in benches], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    starts = offsets[:-1]
    seg = np.repeat(np.arange(len(benches)), counts)
    iters = np.concatenate([b.iters for b in benches])
    times = np.concatenate([b.times for b in benches])
    x = times / iters  # time per iteration of each sample
    mean = np.add.reduceat(x, starts) / counts
    dev = x - mean[seg]
    dof = np.maximum(counts - 1, 1)
    std = np.where(counts > 1, np.sqrt(np.add.reduceat(dev * dev, starts) / dof), 0.0)
    # 95% CI of the mean from Student's t: exact for normal data, deterministic, and
    # cheap for thousands of benchmarks per run (the comparison engine bootstraps).
    t = np.array([_t975(int(c) - 1) if c > 1 else 0.0 for c in counts])
    half = t * std / np.sqrt(counts)
    median = _segment_median(x, seg, starts, counts)
    mad = 1.4826 * _segment_median(np.abs(x - median[seg]), seg, starts, counts)  # Criterion's
    ordered = x[np.lexsort((x, seg))]
    throughput = [b.throughput for b in benches]
    list_offsets = pa.array(offsets, type=pa.int32())
    return {
        "id": pa.array([b.id for b in benches], pa.string()),
        "group": pa.array([b.group for b in benches], pa.string()),
        "function": pa.array([b.function for b in benches], pa.string()),
        "value": pa.array([b.value for b in benches], pa.string()),
        "n": pa.array(counts, pa.int32()),
        "iterations": pa.array(np.round(np.add.reduceat(iters, starts)).astype(np.int64)),
        "mean_ns": pa.array(mean),
        "median_ns": pa.array(median),
        "std_dev_ns": pa.array(std),
        "mad_ns": pa.array(mad),
        "ci_low": pa.array(mean - half),
        "ci_high": pa.array(mean + half),
        "min_ns": pa.array(ordered[starts]),
        "max_ns": pa.array(ordered[offsets[1:] - 1]),
        "sampling_mode": pa.array([b.sampling_mode for b in benches], pa.string()),
        "throughput_kind": pa.array([tp.kind if tp else None for tp in throughput], pa.string()),
        "throughput_per_iteration": pa.array(
            [tp.per_iteration if tp else None for tp in throughput], pa.float64()
        ),
        "iters": pa.ListArray.from_arrays(list_offsets, pa.array(iters)),
        "times": pa.ListArray.from_arrays(list_offsets, pa.array(times)),
    }
