"""Statistics of benchmarks with samples on both sides, batched (used by `compare()`).

Per run: summaries, the location estimate the verdict compares (and its within-run
sampling variance), bootstrap means and a mid-run level-shift check, batched by sample
count. Per benchmark and side: runs combined (hierarchical bootstrap when several) for the
mean and its 95 % interval the reports show. Per benchmark: MWU, Hodges-Lehmann, Welch's t
(for Criterion's own verdict) on the pooled samples, batched by the pair of sample counts:
descriptive statistics of the samples, not the verdict. The verdict comes afterwards from
the per-run locations of every benchmark at once (`vmbench.compare.engine`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vmbench import stats
from vmbench.compare.result import BenchmarkComparison, Outliers, SideSummary, ThroughputChange
from vmbench.compare.verdicts import Extra
from vmbench.model import Benchmark, FloatArray, Metric
from vmbench.settings import AUTO_CANDIDATES, Settings, location_of
from vmbench.stats.location import locations, log_variance


@dataclass
class Holder:
    """What one side holds for one benchmark id: (run label, data) pairs."""

    benches: list[tuple[str, Benchmark]] = field(default_factory=list)
    metrics: list[tuple[str, Metric]] = field(default_factory=list)


def _side_boot(run_boots: list[FloatArray], settings: Settings, stream: int) -> FloatArray:
    """A side's bootstrap means: the run's own, or hierarchical over k > 1 runs."""
    k = len(run_boots)
    if k == 1:
        return run_boots[0]
    b = settings.resamples
    rng = np.random.default_rng([settings.seed, k, stream])
    chosen = rng.integers(0, k, size=(b, k))  # resample runs with replacement...
    # ...then samples within each chosen run: slot j reads the run's bootstrap means at a
    # shifted position, so a run drawn twice contributes two different sample resamples.
    cols = (np.arange(b)[:, None] + 7919 * np.arange(k)[None, :]) % b
    out: FloatArray = np.stack(run_boots)[chosen, cols].mean(axis=1)
    return out


@dataclass
class RunStats:
    side: int
    label: str
    bench: Benchmark
    x: FloatArray
    stream: int
    summary: dict[str, float] = field(default_factory=dict)
    boot: FloatArray = field(default_factory=lambda: np.empty(0))
    shift: float = 0.0
    shift_p: float = 1.0
    location: float = float("nan")
    log_var: float = 0.0
    # estimator -> (location, log variance), for every candidate of `auto`
    alternatives: dict[str, tuple[float, float]] = field(default_factory=dict)


def run_stats(runs: list[RunStats], settings: Settings) -> None:
    """Summaries, bootstrap means and level-shift checks, batched by (length, stream)."""
    groups: dict[tuple[int, int], list[RunStats]] = {}
    for r in runs:
        groups.setdefault((r.x.size, r.stream), []).append(r)
    for (n, stream), members in groups.items():
        block = np.stack([r.x for r in members])
        s = stats.summarize(block)
        names = AUTO_CANDIDATES if settings.estimator == "auto" else ()
        where = locations(block, location_of(settings.estimator))
        spread = log_variance(block, location_of(settings.estimator))
        alt = {e: (locations(block, e), log_variance(block, e)) for e in names}
        boot = stats.bootstrap_means(
            block, resamples=settings.resamples, seed=settings.seed, stream=stream
        )
        half = n // 2
        if half >= 2:
            first, second = block[:, :half], block[:, half:]
            m1 = stats.quantiles(first, (0.5,))[0]
            m2 = stats.quantiles(second, (0.5,))[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                shifts = np.where(m1 > 0, m2 / m1 - 1.0, 0.0)
            _, shift_p = stats.mann_whitney(second, first)
        else:
            shifts, shift_p = np.zeros(len(members)), np.ones(len(members))
        for i, r in enumerate(members):
            r.summary = {
                "mean": float(s.mean[i]),
                "median": float(s.median[i]),
                "std": float(s.std_dev[i]),
                "mad": float(s.mad[i]),
                "ls": float(s.low_severe[i]),
                "lm": float(s.low_mild[i]),
                "hm": float(s.high_mild[i]),
                "hs": float(s.high_severe[i]),
            }
            r.boot = boot[i]
            r.location, r.log_var = float(where[i]), float(spread[i])
            r.alternatives = {e: (float(lo[i]), float(v[i])) for e, (lo, v) in alt.items()}
            r.shift, r.shift_p = float(shifts[i]), float(shift_p[i])


def compare_sampled(
    ids: list[str],
    base: dict[str, Holder],
    cand: dict[str, Holder],
    settings: Settings,
    run_counts: tuple[int, int],
) -> dict[str, tuple[BenchmarkComparison, Extra]]:
    per_bench: list[tuple[list[RunStats], list[RunStats]]] = []
    everything: list[RunStats] = []
    for bid in ids:
        sides = []
        for side, holder in ((0, base[bid]), (1, cand[bid])):
            runs = [
                RunStats(side, label, bench, bench.per_iteration, side * 1000 + r)
                for r, (label, bench) in enumerate(holder.benches)
            ]
            everything.extend(runs)
            sides.append(runs)
        per_bench.append((sides[0], sides[1]))
    run_stats(everything, settings)

    pooled = [tuple(np.concatenate([r.x for r in runs]) for runs in pair) for pair in per_bench]
    boots = [
        tuple(
            _side_boot([r.boot for r in runs], settings, 1000 * runs[0].side + len(runs))
            for runs in pair
        )
        for pair in per_bench
    ]
    # Tests on the pooled samples, batched by (n_baseline, n_candidate).
    count = len(ids)
    u, p, hl, welch = np.empty(count), np.empty(count), np.empty(count), np.empty(count)
    shapes: dict[tuple[int, int], list[int]] = {}
    for j, (bx, cx) in enumerate(pooled):
        shapes.setdefault((bx.size, cx.size), []).append(j)
    for js in shapes.values():
        b_block = np.stack([pooled[j][0] for j in js])
        c_block = np.stack([pooled[j][1] for j in js])
        u[js], p[js] = stats.mann_whitney(c_block, b_block)
        hl[js] = stats.hodges_lehmann(c_block, b_block)
        welch[js] = stats.welch_p_value(c_block, b_block)
    b_boot = np.stack([bb for bb, _ in boots])
    c_boot = np.stack([cb for _, cb in boots])
    change_ci = stats.ratio_interval(b_boot, c_boot, settings.confidence)
    b_ci = stats.percentile_interval(b_boot, settings.confidence)
    c_ci = stats.percentile_interval(c_boot, settings.confidence)

    out: dict[str, tuple[BenchmarkComparison, Extra]] = {}
    for j, bid in enumerate(ids):
        b_runs, c_runs = per_bench[j]
        b_side = side_summary(b_runs, pooled[j][0], b_ci[j])
        c_side = side_summary(c_runs, pooled[j][1], c_ci[j])
        nb, nc = int(pooled[j][0].size), int(pooled[j][1].size)
        assert b_side.mean_ns is not None
        assert c_side.mean_ns is not None
        result = BenchmarkComparison(
            id=bid,
            category="",
            group=b_runs[0].bench.group,
            kind="time",
            unit="ns",
            direction="lower",
            baseline=b_side,
            candidate=c_side,
            change=ratio(c_side.mean_ns, b_side.mean_ns),
            change_ci=(float(change_ci[j, 0]), float(change_ci[j, 1])),
            median_change=ratio(c_side.median_ns, b_side.median_ns),
            hodges_lehmann_ns=float(hl[j]),
            hodges_lehmann=float(hl[j]) / b_side.median_ns if b_side.median_ns else None,
            cliffs_delta=float(stats.cliffs_delta(u[j : j + 1], nc, nb)[0]),
            p_value=float(p[j]),
            q_value=None,
            min_p_value=stats.min_p_value(nb, nc),
            test="mann-whitney-u",
            severity="stable",
            significant=False,
            note="",
            run_level=None,
            unstable=False,
            throughput=_throughput(b_runs[0].bench, c_runs[0].bench, b_side, c_side),
            criterion_verdict=stats.criterion_verdict(
                float(welch[j]), (float(change_ci[j, 0]), float(change_ci[j, 1]))
            ),
        )
        out[bid] = (result, _extra(b_runs, c_runs, settings, run_counts))
    return out


def _extra(
    b_runs: list[RunStats],
    c_runs: list[RunStats],
    settings: Settings,
    run_counts: tuple[int, int],
) -> Extra:
    unstable = []
    for runs, name in ((b_runs, "baseline"), (c_runs, "candidate")):
        for r in runs:
            where = f"{name} {r.label}"
            if r.shift_p < settings.unstable_p and abs(r.shift) > settings.unstable_shift:
                unstable.append(f"{where} jumps {r.shift:+.1%} mid-run")
            severe = (r.summary["ls"] + r.summary["hs"]) / r.x.size
            if severe > settings.unstable_severe_fraction:
                unstable.append(f"{where} has {severe:.0%} severe outliers")
    notes = tuple(
        f"measured in {len(runs)} of {total} {name} runs"
        for runs, total, name in (
            (b_runs, run_counts[0], "baseline"),
            (c_runs, run_counts[1], "candidate"),
        )
        if len(runs) < total
    )
    every = (*b_runs, *c_runs)
    alternatives = {
        e: (
            tuple((r.side, r.label, r.alternatives[e][0]) for r in every),
            _change_log_var(
                [r.alternatives[e][1] for r in b_runs], [r.alternatives[e][1] for r in c_runs]
            ),
        )
        for e in b_runs[0].alternatives
    }
    return Extra(
        locations=tuple((r.side, r.label, r.location) for r in every),
        log_variance=_change_log_var([r.log_var for r in b_runs], [r.log_var for r in c_runs]),
        alternatives=alternatives,
        k_baseline=len(b_runs),
        k_candidate=len(c_runs),
        unstable=tuple(unstable),
        notes=notes,
    )


def _change_log_var(base: list[float], cand: list[float]) -> float:
    """Within-run sampling variance of the log change of the side means of locations."""
    return sum(base) / len(base) ** 2 + sum(cand) / len(cand) ** 2


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else None
    out = a / b - 1.0
    return out if math.isfinite(out) else None  # a subnormal baseline overflows to inf


def side_summary(runs: list[RunStats], pooled: FloatArray, ci: FloatArray) -> SideSummary:
    if len(runs) == 1:
        s = runs[0].summary
        mean, median, std, mad = s["mean"], s["median"], s["std"], s["mad"]
    else:
        one = stats.summarize(pooled)
        mean = float(np.mean([r.summary["mean"] for r in runs]))
        median, std, mad = float(one.median[0]), float(one.std_dev[0]), float(one.mad[0])
    modes = {r.bench.sampling_mode for r in runs}
    return SideSummary(
        runs=tuple(r.label for r in runs),
        n=int(pooled.size),
        iterations=sum(r.bench.total_iterations for r in runs),
        mean_ns=mean,
        median_ns=median,
        std_dev_ns=std,
        mad_ns=mad,
        mean_ci_ns=(float(ci[0]), float(ci[1])),
        outliers=Outliers(
            *(int(sum(r.summary[key] for r in runs)) for key in ("ls", "lm", "hm", "hs"))
        ),
        sampling_mode=modes.pop() if len(modes) == 1 else "mixed",
        value=mean,
        unit="ns",
        samples=pooled,
    )


def _throughput(
    b: Benchmark, c: Benchmark, b_side: SideSummary, c_side: SideSummary
) -> ThroughputChange | None:
    """Work per second per side: higher is better, so a faster benchmark reads as a gain."""
    if b.throughput is None or c.throughput is None or b.throughput.kind != c.throughput.kind:
        return None
    if not b_side.mean_ns or not c_side.mean_ns:
        return None
    b_rate = b.throughput.per_iteration / (b_side.mean_ns * 1e-9)
    c_rate = c.throughput.per_iteration / (c_side.mean_ns * 1e-9)
    return ThroughputChange(b.throughput.kind, b_rate, c_rate, c_rate / b_rate - 1.0)
