"""Seeded synthetic Criterion data for vmbench's own performance benchmark.

`write_criterion_tree` writes a real on-disk `target/criterion` tree (the layout of
Criterion 0.3.3 to 0.8: `<dir>/<baseline>/{benchmark.json,sample.json,estimates.json,
tukey.json}`) with a `main` and a `pr` baseline and planted changes in `pr`, so that
loading, comparing and reporting run exactly the code paths real data takes.

Estimates are the sample statistics themselves (point estimates exact, intervals from a
normal approximation) rather than Criterion's bootstrap: the benchmark measures vmbench,
not the fidelity of the fixture, and a bootstrap of 20,000 benchmarks would dominate the
run. Directory names are sanitised the way Criterion 0.3.6 does (`make_filename_safe`).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CATEGORIES = ("jit", "cross_arch", "memory", "gc", "tlb", "async", "concurrency", "snapshot")
SAMPLES = 100
# Planted changes in `pr` (factor on the per-iteration time) and how often each occurs.
PLANTED = (("high", 1.30, 0.02), ("medium", 1.15, 0.02), ("improvement", 0.85, 0.02))
_UNSAFE = str.maketrans({c: "_" for c in '?"/\\*<>:|^'})


def make_filename_safe(name: str) -> str:
    """Criterion 0.3.6's directory-name sanitiser (non-Windows): replace, cut to 64 bytes."""
    safe = name.translate(_UNSAFE)
    encoded = safe.encode("utf-8")
    if len(encoded) <= 64:
        return safe
    return encoded[:64].decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class BenchSpec:
    """One synthetic benchmark: its Criterion id parts and true time per iteration."""

    group: str
    function: str | None
    value: str | None
    time_ns: float

    @property
    def full_id(self) -> str:
        return "/".join(p for p in (self.group, self.function, self.value) if p is not None)

    @property
    def directory(self) -> str:
        return "/".join(
            make_filename_safe(p) for p in (self.group, self.function, self.value) if p is not None
        )


def bench_specs(n: int, *, seed: int = 0) -> list[BenchSpec]:
    """`n` benchmarks spread over the VM categories, a third of them parameterized."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(n):
        group = CATEGORIES[i % len(CATEGORIES)]
        time_ns = float(10 ** rng.uniform(3, 6))  # 1 µs .. 1 ms, like the demo crate
        if i % 3 == 0:
            specs.append(BenchSpec(group, f"op_{i // 3:05d}", str(1024 << (i % 4)), time_ns))
        else:
            specs.append(BenchSpec(group, f"bench_{i:05d}", None, time_ns))
    return specs


def planted_factors(n: int, *, seed: int = 0) -> dict[int, tuple[str, float]]:
    """Index -> (expected severity, factor) for the benchmarks changed in `pr`."""
    rng = np.random.default_rng(seed + 1)
    order = rng.permutation(n)
    planted: dict[int, tuple[str, float]] = {}
    start = 0
    for severity, factor, share in PLANTED:
        count = max(1, round(n * share))
        for index in order[start : start + count]:
            planted[int(index)] = (severity, factor)
        start += count
    return planted


def _estimate(point: float, se: float) -> dict[str, object]:
    return {
        "confidence_interval": {
            "confidence_level": 0.95,
            "lower_bound": point - 1.96 * se,
            "upper_bound": point + 1.96 * se,
        },
        "point_estimate": point,
        "standard_error": se,
    }


def _estimates(iters: np.ndarray, times: np.ndarray) -> dict[str, object]:
    per_iter = times / iters
    n = per_iter.size
    mean = float(per_iter.mean())
    median = float(np.median(per_iter))
    std = float(per_iter.std(ddof=1))
    mad = float(np.median(np.abs(per_iter - median)) * 1.4826)
    slope = float((iters * times).sum() / (iters * iters).sum())
    se = std / math.sqrt(n)
    return {
        "mean": _estimate(mean, se),
        "median": _estimate(median, 1.25 * se),
        "median_abs_dev": _estimate(mad, mad / math.sqrt(n)),
        "slope": _estimate(slope, se),
        "std_dev": _estimate(std, std / math.sqrt(2 * (n - 1))),
    }


def _tukey(per_iter: np.ndarray) -> list[float]:
    q1, q3 = np.percentile(per_iter, [25, 75])
    iqr = q3 - q1
    return [float(q1 - 3 * iqr), float(q1 - 1.5 * iqr), float(q3 + 1.5 * iqr), float(q3 + 3 * iqr)]


def samples(
    spec: BenchSpec, factor: float, rng: np.random.Generator, n: int = SAMPLES
) -> tuple[np.ndarray, np.ndarray]:
    """Criterion linear sampling: sample i runs (i+1)*d iterations; 3% lognormal noise."""
    d = max(1.0, round(2e6 / (spec.time_ns * n * (n + 1) / 2)))
    iters = d * np.arange(1, n + 1, dtype=np.float64)
    noise = rng.lognormal(0.0, 0.03, size=n)
    times = np.round(iters * spec.time_ns * factor * noise)
    return iters, times


def write_benchmark(
    root: Path, spec: BenchSpec, baseline: str, iters: np.ndarray, times: np.ndarray
) -> None:
    """Write one benchmark's four files for one baseline, as Criterion does."""
    folder = root / spec.directory / baseline
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "group_id": spec.group,
        "function_id": spec.function,
        "value_str": spec.value,
        "throughput": None,
        "full_id": spec.full_id,
        "directory_name": spec.directory,
        "title": spec.full_id,
    }
    sample = {"sampling_mode": "Linear", "iters": iters.tolist(), "times": times.tolist()}
    (folder / "benchmark.json").write_text(json.dumps(meta))
    (folder / "sample.json").write_text(json.dumps(sample))
    (folder / "estimates.json").write_text(json.dumps(_estimates(iters, times)))
    (folder / "tukey.json").write_text(json.dumps(_tukey(times / iters)))


def write_criterion_tree(
    root: Path,
    n: int,
    *,
    baselines: Iterable[str] = ("main", "pr"),
    seed: int = 0,
    samples_per_benchmark: int = SAMPLES,
) -> dict[str, str]:
    """Write a `target/criterion` tree of `n` benchmarks; return full_id -> planted severity.

    The last baseline in `baselines` carries the planted changes; the others are
    identical code (only noise differs).
    """
    names = list(baselines)
    specs = bench_specs(n, seed=seed)
    planted = planted_factors(n, seed=seed)
    rng = np.random.default_rng(seed + 2)
    for index, spec in enumerate(specs):
        for position, baseline in enumerate(names):
            factor = 1.0
            if position == len(names) - 1 and index in planted:
                factor = planted[index][1]
            iters, times = samples(spec, factor, rng, samples_per_benchmark)
            write_benchmark(root, spec, baseline, iters, times)
    return {specs[i].full_id: severity for i, (severity, _) in planted.items()}


def measure_again(criterion: Path, run: str, again: str, *, slower: float = 1.03) -> None:
    """Add run `again` to a Criterion directory: every benchmark of `run` measured a second
    time, `slower` times its times (a second run of the same code must not be a byte
    copy: that would fake agreement between the runs)."""
    for sample in criterion.rglob(f"{run}/sample.json"):
        copy = sample.parent.with_name(again)
        shutil.copytree(sample.parent, copy)
        raw = json.loads(sample.read_text())
        raw["times"] = [t * slower for t in raw["times"]]
        (copy / "sample.json").write_text(json.dumps(raw))
