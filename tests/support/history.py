"""Seeded synthetic runs and histories with planted steps and spikes.

Used by the tests (known answers), by the project's benchmark script (a year of daily
runs of 1,000 benchmarks) and to measure the store's size. Run-to-run noise is
log-normal, like the variation between processes on a shared machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vmbench.history.machine import MachineInfo
from vmbench.history.store import add_run
from vmbench.model import Benchmark, Run

SYNTHETIC_MACHINE = MachineInfo(
    name="synthetic", cpu="Synthetic CPU", cores=2, os="Linux", rustc="rustc 1.95.0"
)


@dataclass(frozen=True)
class Plan:
    """What to plant: a step multiplies a benchmark's level from run `at` on; a spike only there.

    `steps` and `spikes` map a benchmark index to (run index, factor) pairs.
    """

    runs: int = 20
    benchmarks: int = 4
    samples: int = 20
    run_noise: float = 0.03  # sigma of log(mean) between runs
    sample_noise: float = 0.02  # sigma of log(time) between samples of one run
    steps: Mapping[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    spikes: Mapping[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    seed: int = 1
    start: dt.datetime = dt.datetime(2025, 1, 1, 3, 0, tzinfo=dt.timezone.utc)


def levels(plan: Plan) -> np.ndarray:
    """Mean time (ns) of every benchmark (columns) in every run (rows), noise included."""
    rng = np.random.default_rng(plan.seed)
    base = 10 ** rng.uniform(2, 6, size=plan.benchmarks)
    log_level = np.log(base)[None, :] + rng.normal(0, plan.run_noise, (plan.runs, plan.benchmarks))
    for b, steps in plan.steps.items():
        for at, factor in steps:
            log_level[at:, b] += np.log(factor)
    for b, spikes in plan.spikes.items():
        for at, factor in spikes:
            log_level[at, b] += np.log(factor)
    out: np.ndarray = np.exp(log_level)
    return out


def benchmark_id(index: int) -> str:
    groups = ("jit", "gc", "memory", "tlb", "async", "snapshot", "cross_arch", "concurrency")
    return f"{groups[index % len(groups)]}/bench_{index:04d}"


def make_run(means: np.ndarray, *, samples: int, sample_noise: float, seed: int, label: str) -> Run:
    """A Criterion-like run (linear sampling) whose per-iteration means are about `means`."""
    rng = np.random.default_rng(seed)
    iters = np.arange(1, samples + 1, dtype=np.float64) * 10.0
    benchmarks = {}
    noise = rng.lognormal(0.0, sample_noise, size=(means.size, samples))
    for b, mean in enumerate(means):
        bid = benchmark_id(b)
        group, _, function = bid.partition("/")
        benchmarks[bid] = Benchmark(
            id=bid,
            group=group,
            function=function,
            value=None,
            iters=iters,
            times=np.round(iters * mean * noise[b]),  # Criterion times are whole ns
            sampling_mode="Linear",
        )
    return Run(label=label, source=Path(label), format="history", benchmarks=benchmarks)


def build_history(store: Path, plan: Plan, *, branch: str = "main") -> list[Path]:
    """Write `plan.runs` daily runs into `store`; run ids and commits are deterministic."""
    table = levels(plan)
    paths = []
    for r in range(plan.runs):
        run = make_run(
            table[r],
            samples=plan.samples,
            sample_noise=plan.sample_noise,
            seed=plan.seed * 100_003 + r,
            label=f"r{r:04d}",
        )
        date = plan.start + dt.timedelta(days=r)
        commit = f"c{r:04d}" + "0" * 35
        paths.append(
            add_run(
                store,
                run,
                commit=commit,
                branch=branch,
                date=date,
                machine=SYNTHETIC_MACHINE,
                run_id=f"{date:%Y%m%dT%H%M%SZ}-{commit[:12]}-{r:08x}",
            )
        )
    return paths
