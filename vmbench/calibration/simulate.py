"""Seeded simulations of Criterion runs on a shared CI runner, for calibration and tests.

A simulated run looks like what Criterion writes: per benchmark, 100 samples of
`iters[k]` iterations taking `times[k]` ns, in linear sampling mode (sample k runs
k x d iterations, where the multiplier d is set from each run's own warm-up estimate, so
it varies from run to run). The noise is what shared runners add, each part separately
sized so a calibration can say which part a rule copes with:

- `sigma_run`: each benchmark's run offset (lognormal): the process landed on a slower
  core, another cache layout, another frequency; the same for every sample of the run.
  Benchmarks differ in how much they move: each gets its own sigma, lognormal around
  `sigma_run` with log-sd `sigma_spread` (contended locks move more than compute loops).
- `sigma_shared`: the machine as a whole slower or faster for a whole run (every
  benchmark of the run shares it) when runs are measured one after another.
- contention bursts: with probability `burst_prob` per benchmark and run, a contiguous
  stretch of samples (`burst_fraction`) is slowed by a factor drawn from `burst_slow`:
  one-sided, as other processes only ever slow a sample down.
- contention episodes: with probability `episode_prob` per benchmark and run, the whole
  measurement window of the benchmark is slowed by a factor drawn from `episode_slow`
  (another process held the core for the seconds it ran). Unlike a run offset it is
  one-sided and heavy-tailed: in the identical wall-clock runs bundled in
  examples/data, 13-24 % of benchmark-runs are more than 10 % slower than the
  benchmark's median run and none more than 10 % faster in the first recording
  (benchmarks/results/episodes-2026-12-02.md). Off by default, so the published cells
  stay comparable; the calibration's `--episodes` turns it on.
- `sigma_sample`: per-sample jitter; `overhead_ns` a fixed per-sample cost, which makes
  per-iteration time depend on the iteration count in linear mode.
- `variable_work`: the share of benchmarks whose work varies from sample to sample
  (GC pauses, lock hand-offs): their per-sample jitter is `variable_sigma`, right-skewed.

Nothing here is fitted to vmbench's bundled data. The calibration sweeps `sigma_run` and
`sigma_shared` over 2-15 %; bursts slow 5-60 % of a stretch of samples, the range reported
for hosted CI runners; the other defaults are plausible values, and each can be changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vmbench.model import Benchmark, Run

SAMPLES = 100


@dataclass(frozen=True)
class NoiseSpec:
    sigma_run: float = 0.05
    sigma_spread: float = 0.5
    sigma_shared: float = 0.03
    burst_prob: float = 0.2
    burst_fraction: tuple[float, float] = (0.05, 0.3)
    burst_slow: tuple[float, float] = (0.05, 0.6)
    episode_prob: float = 0.0
    episode_slow: tuple[float, float] = (0.05, 0.6)
    sigma_sample: float = 0.02
    overhead_ns: float = 20.0
    variable_work: float = 0.15
    variable_sigma: float = 0.25


@dataclass(frozen=True)
class Suite:
    """Benchmarks of a simulated suite: ids, true per-iteration times, noise levels."""

    ids: tuple[str, ...]
    base_ns: np.ndarray
    sigma: np.ndarray  # each benchmark's own run-offset sd
    variable: np.ndarray  # bool: work varies from sample to sample
    spec: NoiseSpec = field(default_factory=NoiseSpec)


def make_suite(count: int, spec: NoiseSpec, rng: np.random.Generator) -> Suite:
    groups = ("jit", "cross_arch", "memory", "gc", "tlb", "async", "concurrency", "snapshot")
    ids = tuple(f"{groups[i % len(groups)]}/bench_{i:03d}" for i in range(count))
    base = np.exp(rng.uniform(np.log(200.0), np.log(2e6), size=count))
    sigma = spec.sigma_run * np.exp(rng.normal(0.0, spec.sigma_spread, size=count))
    variable = rng.random(count) < spec.variable_work
    return Suite(ids, base, sigma, variable, spec)


def simulate_run(
    suite: Suite,
    label: str,
    rng: np.random.Generator,
    *,
    factors: Mapping[str, float] | None = None,
    shared: float | None = None,
    only: Sequence[str] | None = None,
) -> Run:
    """One run of the suite (or of the benchmarks in `only`), with its own noise draw.

    `shared` is the run's machine effect (log); drawn from `sigma_shared` when None.
    Interleaved measurement (A B A B per benchmark) is `shared=0.0`: runs of one
    benchmark follow each other within seconds, so no run-wide slow-down is shared.
    """
    spec = suite.spec
    factors = factors or {}
    g = rng.normal(0.0, spec.sigma_shared) if shared is None else shared
    wanted = set(only) if only is not None else None
    benches: dict[str, Benchmark] = {}
    k = np.arange(1, SAMPLES + 1, dtype=np.float64)
    for i, bid in enumerate(suite.ids):
        if wanted is not None and bid not in wanted:
            continue
        true = suite.base_ns[i] * factors.get(bid, 1.0)
        level = true * np.exp(g + rng.normal(0.0, suite.sigma[i]))
        # (drawn only when on: a seed's other draws stay what they were without episodes)
        if spec.episode_prob > 0.0 and rng.random() < spec.episode_prob:
            level *= 1.0 + rng.uniform(*spec.episode_slow)
        # Criterion picks d so that the 100 samples fill ~5 s, from a noisy warm-up.
        d = max(1.0, np.round(5e9 / (level * k.sum()) * np.exp(rng.normal(0.0, 0.2))))
        iters = k * d
        jitter = spec.variable_sigma if suite.variable[i] else spec.sigma_sample
        per_iter = level * np.exp(rng.normal(0.0, jitter, size=SAMPLES))
        if suite.variable[i]:
            per_iter *= 1.0 + rng.exponential(jitter, size=SAMPLES)
        if rng.random() < spec.burst_prob:
            length = max(1, int(SAMPLES * rng.uniform(*spec.burst_fraction)))
            start = int(rng.integers(0, SAMPLES - length + 1))
            per_iter[start : start + length] *= 1.0 + rng.uniform(*spec.burst_slow)
        times = per_iter * iters + spec.overhead_ns
        group, function = bid.split("/", 1)
        benches[bid] = Benchmark(
            id=bid,
            group=group,
            function=function,
            value=None,
            iters=iters,
            times=times,
            sampling_mode="Linear",
        )
    return Run(
        label=label, source=Path(f"<simulated {label}>"), format="criterion", benchmarks=benches
    )
