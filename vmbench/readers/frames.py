"""Tidy pandas frames of loaded runs: the interchange format for notebooks and reports.

- `samples_frame`: one row per raw sample (what statistics and plots work on);
- `benchmarks_frame`: one row per (run, benchmark) with summaries and Criterion's own
  estimate next to vmbench's;
- `metrics_frame`: one row per (run, point metric) from baseline files;
- `skipped_frame`: what was left out while loading, and why.

Rows are built with numpy concatenation over benchmarks, never per sample in Python,
so 1,000 benchmarks x 100 samples take a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from vmbench.escape import encodable
from vmbench.model import Benchmark, Run
from vmbench.readers.categories import Categories

SAMPLE_COLUMNS = (
    "run",
    "id",
    "group",
    "function",
    "value",
    "category",
    "sample",
    "iterations",
    "time_ns",
    "per_iter_ns",
    "sampling_mode",
    "throughput_kind",
    "throughput_per_iter",
)

BENCHMARK_COLUMNS = (
    "run",
    "id",
    "group",
    "function",
    "value",
    "category",
    "n",
    "iterations",
    "mean_ns",
    "median_ns",
    "std_ns",
    "criterion_mean_ns",
    "criterion_mean_lower_ns",
    "criterion_mean_upper_ns",
    "criterion_confidence_level",
    "sampling_mode",
    "throughput_kind",
    "throughput_per_iter",
    "source",
)


def _pairs(runs: Sequence[Run]) -> list[tuple[str, Benchmark]]:
    return [(encodable(run.label), bench) for run in runs for bench in run.benchmarks.values()]


def _labels(pairs: list[tuple[str, Benchmark]], categories: Categories) -> dict[str, np.ndarray]:
    """Per-benchmark descriptive columns (one entry per benchmark, object arrays)."""

    def col(values: list[object]) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    return {
        "run": col([label for label, _ in pairs]),
        "id": col([b.id for _, b in pairs]),
        "group": col([b.group for _, b in pairs]),
        "function": col([b.function for _, b in pairs]),
        "value": col([b.value for _, b in pairs]),
        "category": col([categories.categorize(b.id, b.group) for _, b in pairs]),
        "sampling_mode": col([b.sampling_mode for _, b in pairs]),
        "throughput_kind": col([b.throughput.kind if b.throughput else None for _, b in pairs]),
    }


def _throughput(pairs: list[tuple[str, Benchmark]]) -> np.ndarray:
    return np.array(
        [b.throughput.per_iteration if b.throughput else np.nan for _, b in pairs],
        dtype=np.float64,
    )


def samples_frame(runs: Sequence[Run], categories: Categories | None = None) -> pd.DataFrame:
    """One row per raw sample of every benchmark in `runs` (columns: `SAMPLE_COLUMNS`)."""
    categories = categories if categories is not None else Categories.load()
    pairs = _pairs(runs)
    counts = np.array([b.n for _, b in pairs], dtype=np.int64)
    index = np.repeat(np.arange(len(pairs)), counts)
    starts = np.cumsum(counts) - counts
    if pairs:
        iters = np.concatenate([b.iters for _, b in pairs])
        times = np.concatenate([b.times for _, b in pairs])
    else:
        iters = times = np.empty(0, dtype=np.float64)
    labels = _labels(pairs, categories)
    columns = {
        "run": labels["run"][index],
        "id": labels["id"][index],
        "group": labels["group"][index],
        "function": labels["function"][index],
        "value": labels["value"][index],
        "category": labels["category"][index],
        "sample": np.arange(index.size, dtype=np.int64) - starts[index],
        "iterations": iters,
        "time_ns": times,
        "per_iter_ns": times / iters,
        "sampling_mode": labels["sampling_mode"][index],
        "throughput_kind": labels["throughput_kind"][index],
        "throughput_per_iter": _throughput(pairs)[index],
    }
    return pd.DataFrame(columns, columns=list(SAMPLE_COLUMNS))


def benchmarks_frame(runs: Sequence[Run], categories: Categories | None = None) -> pd.DataFrame:
    """One row per (run, benchmark) with per-iteration summaries (`BENCHMARK_COLUMNS`).

    `mean_ns`/`median_ns`/`std_ns` are over the samples' time per iteration (std with
    ddof=1, NaN for one sample); `criterion_mean_*` is Criterion's own bootstrap
    estimate from estimates.json (NaN when the source has none).
    """
    categories = categories if categories is not None else Categories.load()
    pairs = _pairs(runs)
    labels = _labels(pairs, categories)
    per_iter = [b.per_iteration for _, b in pairs]
    nan = float("nan")
    estimates = [b.estimates.get("mean") for _, b in pairs]
    columns = {
        **{name: labels[name] for name in ("run", "id", "group", "function", "value")},
        "category": labels["category"],
        "n": np.array([b.n for _, b in pairs], dtype=np.int64),
        "iterations": np.array([b.total_iterations for _, b in pairs], dtype=np.int64),
        "mean_ns": np.array([p.mean() for p in per_iter], dtype=np.float64),
        "median_ns": np.array([np.median(p) for p in per_iter], dtype=np.float64),
        "std_ns": np.array([p.std(ddof=1) if p.size > 1 else nan for p in per_iter]),
        "criterion_mean_ns": np.array([e.point if e else nan for e in estimates]),
        "criterion_mean_lower_ns": np.array([e.lower if e else nan for e in estimates]),
        "criterion_mean_upper_ns": np.array([e.upper if e else nan for e in estimates]),
        "criterion_confidence_level": np.array(
            [e.confidence_level if e else nan for e in estimates]
        ),
        "sampling_mode": labels["sampling_mode"],
        "throughput_kind": labels["throughput_kind"],
        "throughput_per_iter": _throughput(pairs),
        "source": np.array(
            [encodable(b.source) if b.source else None for _, b in pairs], dtype=object
        ),
    }
    return pd.DataFrame(columns, columns=list(BENCHMARK_COLUMNS))


def metrics_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per (run, point metric): baseline-file entries and non-time metrics."""
    rows = [
        {
            "run": encodable(run.label),
            "id": m.id,
            "value": m.value,
            "unit": m.unit,
            "direction": m.direction,
            "description": m.description,
            "date": m.date,
            "display_unit": m.display_unit,
            "source": encodable(m.source) if m.source else None,
        }
        for run in runs
        for m in run.metrics.values()
    ]
    cols = ["run", "id", "value", "unit", "direction", "description", "date", "display_unit"]
    return pd.DataFrame(rows, columns=[*cols, "source"])


def skipped_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per skipped benchmark, file or entry: run, path, id, reason."""
    rows = [
        {
            "run": encodable(run.label),
            "path": encodable(s.path),
            "id": s.id,
            "reason": encodable(s.reason),
        }
        for run in runs
        for s in run.skipped
    ]
    return pd.DataFrame(rows, columns=["run", "path", "id", "reason"])
