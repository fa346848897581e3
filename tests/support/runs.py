"""Builders of in-memory runs for the comparison tests (seeded, no files)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from vmbench.model import Benchmark, Metric, Run, Throughput


def bench(
    bid: str,
    per_iter: Iterable[float],
    *,
    iters: Iterable[float] | None = None,
    mode: str = "Flat",
    throughput: Throughput | None = None,
) -> Benchmark:
    """A benchmark whose per-iteration times are `per_iter` (times = per_iter * iters)."""
    x = np.asarray(list(per_iter), dtype=float)
    it = np.full(x.size, 100.0) if iters is None else np.asarray(list(iters), dtype=float)
    return Benchmark(
        id=bid,
        group=bid.split("/")[0],
        function=bid.split("/")[-1],
        value=None,
        iters=it,
        times=x * it,
        sampling_mode=mode,  # type: ignore[arg-type]
        throughput=throughput,
    )


def run(
    label: str,
    benches: Iterable[Benchmark] = (),
    metrics: Iterable[Metric] = (),
    *,
    fmt: str = "criterion",
) -> Run:
    return Run(
        label=label,
        source=Path(label),
        format=fmt,  # type: ignore[arg-type]
        benchmarks={b.id: b for b in benches},
        metrics={m.id: m for m in metrics},
    )


def lognormal_run(
    label: str,
    factors: Mapping[str, float],
    *,
    seed: int,
    n: int = 50,
    sigma: float = 0.05,
    level: float = 1.0,
) -> Run:
    """One run: benchmark id -> true mean factor (x 1000 ns), lognormal noise per sample."""
    rng = np.random.default_rng(seed)
    return run(
        label,
        [
            bench(bid, 1000.0 * level * f * rng.lognormal(0.0, sigma, size=n))
            for bid, f in factors.items()
        ],
    )


def runner_runs(
    prefix: str,
    factors: Mapping[str, float],
    *,
    runs: int,
    seed: int,
    run_sigma: float = 0.03,
    bench_sigma: float = 0.01,
    sigma: float = 0.03,
    n: int = 40,
    levels: Iterable[float] | None = None,
    throughput: Mapping[str, Throughput] | None = None,
) -> list[Run]:
    """`runs` runs of one code on a shared CI runner (labels prefix0, prefix1, ...).

    Each run has a machine level shared by all its benchmarks (lognormal `run_sigma`, or
    the given `levels`), each benchmark a run-to-run offset of its own (`bench_sigma`), and
    lognormal noise per sample within the run (`sigma`); benchmark id -> true factor
    (x 1000 ns). The run, not the sample, is the replicate of a comparison.
    """
    rng = np.random.default_rng(seed)
    machine = list(levels) if levels is not None else list(rng.lognormal(0.0, run_sigma, size=runs))
    assert len(machine) == runs
    return [
        run(
            f"{prefix}{k}",
            [
                bench(
                    bid,
                    1000.0
                    * f
                    * machine[k]
                    * rng.lognormal(0.0, bench_sigma)
                    * rng.lognormal(0.0, sigma, size=n),
                    throughput=(throughput or {}).get(bid),
                )
                for bid, f in factors.items()
            ],
        )
        for k in range(runs)
    ]
