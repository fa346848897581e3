"""`compare()`: the comparison engine. Pure and deterministic; renderers format its result.

For each benchmark measured on both sides (one or several runs per side): summaries per
side, change = candidate mean / baseline mean - 1 with a bootstrap interval, median ratio,
Hodges-Lehmann shift, Cliff's delta, a two-sided Mann-Whitney U test on raw per-iteration
samples, Benjamini-Hochberg q-values over every test in the comparison, and a severity
(rules in `vmbench.classify`; statistics in `vmbench.stats`; result classes and JSON in
`vmbench.comparison`).

Several runs per side: the point estimate is the mean of the per-run means; the interval
is a hierarchical bootstrap (resample runs, then samples within each chosen run); the MWU
runs on the pooled samples; the spread of the per-run means within each side estimates the
run-to-run noise that a change must exceed (pooled with a noise model when one is given).

One run per side and no noise model: the comparison warns that run-to-run noise is
unknown, and each benchmark whose samples jump level mid-run or hold many severe outliers
is marked `unstable` with a note.

Point values (the design document's baseline file, code size, hit rates, ops/s) cannot be
tested: they are classified by the thresholds alone in their `direction`, and say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vmbench import stats
from vmbench.classify import Categorizer, Extra, by_threshold, cost_change, finish, warnings_for
from vmbench.comparison import (
    BenchmarkComparison,
    Comparison,
    Outliers,
    SideSummary,
    ThroughputChange,
)
from vmbench.errors import UsageError
from vmbench.model import Benchmark, FloatArray, Metric, Run
from vmbench.noise import NoiseModel
from vmbench.settings import Settings

CHUNK = 512  # benchmarks per batch: bounds memory to CHUNK x resamples bootstrap means


@dataclass
class _Holder:
    """What one side holds for one benchmark id: (run label, data) pairs."""

    benches: list[tuple[str, Benchmark]] = field(default_factory=list)
    metrics: list[tuple[str, Metric]] = field(default_factory=list)


def _as_runs(runs: Run | Sequence[Run], role: str) -> tuple[Run, ...]:
    out = (runs,) if isinstance(runs, Run) else tuple(runs)
    if not out:
        raise UsageError(f"no {role} run given")
    return out


def _compile(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{what} {pattern!r} is not a valid regular expression: {exc}") from None


def _gather(runs: tuple[Run, ...], keep: set[str]) -> dict[str, _Holder]:
    out: dict[str, _Holder] = {}
    for run in runs:
        for bid, bench in run.benchmarks.items():
            if bid in keep:
                out.setdefault(bid, _Holder()).benches.append((run.label, bench))
        for bid, metric in run.metrics.items():
            if bid in keep and bid not in run.benchmarks:
                out.setdefault(bid, _Holder()).metrics.append((run.label, metric))
    return out


def compare(
    baseline: Run | Sequence[Run],
    candidate: Run | Sequence[Run],
    *,
    settings: Settings | None = None,
    noise: NoiseModel | None = None,
    categories: Categorizer | None = None,
    include: str | None = None,
    exclude: str | None = None,
) -> Comparison:
    """Compare a candidate against a baseline (each one run, or several runs of one code)."""
    settings = settings or Settings()
    base_runs = _as_runs(baseline, "baseline")
    cand_runs = _as_runs(candidate, "candidate")
    if categories is None:
        from vmbench.categories import Categories

        categories = Categories.load(None)
    inc, exc = _compile(include, "--filter"), _compile(exclude, "--exclude")
    keep = {
        i
        for r in (*base_runs, *cand_runs)
        for i in r.ids
        if (inc is None or inc.search(i)) and (exc is None or not exc.search(i))
    }
    base = _gather(base_runs, keep)
    cand = _gather(cand_runs, keep)
    sampled = sorted(
        i for i in keep if base.get(i, _Holder()).benches and cand.get(i, _Holder()).benches
    )
    results: dict[str, tuple[BenchmarkComparison, Extra]] = {}
    for start in range(0, len(sampled), CHUNK):
        chunk = sampled[start : start + CHUNK]
        results.update(
            _compare_sampled(chunk, base, cand, settings, (len(base_runs), len(cand_runs)))
        )
    for bid in sorted(keep - set(sampled)):
        results[bid] = (_compare_points(bid, base.get(bid), cand.get(bid), settings), Extra())

    final = finish(results, settings=settings, noise=noise, categories=categories)
    return Comparison.build(
        baseline="+".join(r.label for r in base_runs),
        candidate="+".join(r.label for r in cand_runs),
        baseline_runs=tuple(r.label for r in base_runs),
        candidate_runs=tuple(r.label for r in cand_runs),
        settings=settings,
        noise_model=noise.describe() if noise is not None else None,
        warnings=tuple(warnings_for(base_runs, cand_runs, final, noise)),
        benchmarks=tuple(final[i] for i in sorted(final)),
    )


# --- benchmarks with samples on both sides ----------------------------------------------


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
class _RunStats:
    side: int
    label: str
    bench: Benchmark
    x: FloatArray
    stream: int
    summary: dict[str, float] = field(default_factory=dict)
    boot: FloatArray = field(default_factory=lambda: np.empty(0))
    shift: float = 0.0
    shift_p: float = 1.0


def _run_stats(runs: list[_RunStats], settings: Settings) -> None:
    """Summaries, bootstrap means and level-shift checks, batched by (length, stream)."""
    groups: dict[tuple[int, int], list[_RunStats]] = {}
    for r in runs:
        groups.setdefault((r.x.size, r.stream), []).append(r)
    for (n, stream), members in groups.items():
        block = np.stack([r.x for r in members])
        s = stats.summarize(block)
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
            r.shift, r.shift_p = float(shifts[i]), float(shift_p[i])


def _compare_sampled(
    ids: list[str],
    base: dict[str, _Holder],
    cand: dict[str, _Holder],
    settings: Settings,
    run_counts: tuple[int, int],
) -> dict[str, tuple[BenchmarkComparison, Extra]]:
    per_bench: list[tuple[list[_RunStats], list[_RunStats]]] = []
    everything: list[_RunStats] = []
    for bid in ids:
        sides = []
        for side, holder in ((0, base[bid]), (1, cand[bid])):
            runs = [
                _RunStats(side, label, bench, bench.per_iteration, side * 1000 + r)
                for r, (label, bench) in enumerate(holder.benches)
            ]
            everything.extend(runs)
            sides.append(runs)
        per_bench.append((sides[0], sides[1]))
    _run_stats(everything, settings)

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
        b_side = _side_summary(b_runs, pooled[j][0], b_ci[j])
        c_side = _side_summary(c_runs, pooled[j][1], c_ci[j])
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
            change=_ratio(c_side.mean_ns, b_side.mean_ns),
            change_ci=(float(change_ci[j, 0]), float(change_ci[j, 1])),
            median_change=_ratio(c_side.median_ns, b_side.median_ns),
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
            noise=None,
            unstable=False,
            throughput=_throughput(b_runs[0].bench, c_runs[0].bench, b_side, c_side),
            criterion_verdict=stats.criterion_verdict(
                float(welch[j]), (float(change_ci[j, 0]), float(change_ci[j, 1]))
            ),
        )
        out[bid] = (result, _extra(b_runs, c_runs, settings, run_counts))
    return out


def _extra(
    b_runs: list[_RunStats],
    c_runs: list[_RunStats],
    settings: Settings,
    run_counts: tuple[int, int],
) -> Extra:
    ss, df = 0.0, 0
    for runs in (b_runs, c_runs):
        logs = np.log([r.summary["mean"] for r in runs if r.summary["mean"] > 0])
        if logs.size > 1:
            ss += float(np.sum((logs - logs.mean()) ** 2))
            df += int(logs.size) - 1
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
    return Extra(ss, df, len(b_runs), len(c_runs), tuple(unstable), notes)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else None
    return a / b - 1.0


def _side_summary(runs: list[_RunStats], pooled: FloatArray, ci: FloatArray) -> SideSummary:
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


# --- point values and one-sided benchmarks ----------------------------------------------


def _point_side(holder: _Holder, settings: Settings, stream: int) -> SideSummary:
    if holder.benches:  # samples on this side only (the other side is a point value)
        label, bench = holder.benches[0]
        runs = [_RunStats(stream, label, bench, bench.per_iteration, stream)]
        _run_stats(runs, settings)
        ci = stats.percentile_interval(runs[0].boot[None, :], settings.confidence)[0]
        return _side_summary(runs, bench.per_iteration, ci)
    label, metric = holder.metrics[0]
    return SideSummary(
        runs=(label,),
        n=None,
        iterations=None,
        mean_ns=metric.value if metric.is_time else None,
        median_ns=None,
        std_dev_ns=None,
        mad_ns=None,
        mean_ci_ns=None,
        outliers=None,
        sampling_mode=None,
        value=metric.value,
        unit=metric.unit,
    )


def _compare_points(
    bid: str, base: _Holder | None, cand: _Holder | None, settings: Settings
) -> BenchmarkComparison:
    """One-sided benchmarks, and pairs where at least one side is a point value."""
    b_side = _point_side(base, settings, 0) if base is not None else None
    c_side = _point_side(cand, settings, 1) if cand is not None else None
    metrics = [m for h in (base, cand) if h is not None for _, m in h.metrics]
    benches = [b for h in (base, cand) if h is not None for _, b in h.benches]
    direction = metrics[0].direction if metrics else "lower"
    present = b_side or c_side
    unit = present.unit if present is not None else "ns"
    common: dict[str, Any] = {
        "id": bid,
        "category": "",
        "group": benches[0].group if benches else bid.split("/", 1)[0],
        "kind": "time" if unit == "ns" else "metric",
        "unit": unit,
        "direction": direction,
        "baseline": b_side,
        "candidate": c_side,
        "change_ci": None,
        "median_change": None,
        "hodges_lehmann_ns": None,
        "hodges_lehmann": None,
        "cliffs_delta": None,
        "p_value": None,
        "q_value": None,
        "min_p_value": None,
        "significant": False,
        "noise": None,
        "unstable": False,
        "throughput": None,
        "criterion_verdict": None,
    }
    if b_side is None or c_side is None:
        where = "candidate" if b_side is None else "baseline"
        return BenchmarkComparison(
            **common,
            change=None,
            test="none",
            severity="new" if b_side is None else "removed",
            note=f"only in the {where}",
        )
    if b_side.unit != c_side.unit:
        return BenchmarkComparison(
            **common,
            change=None,
            test="none",
            severity="insufficient",
            note=f"units differ ({b_side.unit} vs {c_side.unit}): cannot compare",
        )
    notes = ["point value: compared by thresholds alone, no significance test possible"]
    if direction == "higher":
        notes.append(f"higher is better ({unit})")
    cost = cost_change(b_side.value, c_side.value, direction)
    if cost is None:
        notes.append("baseline value is 0: relative change undefined")
    return BenchmarkComparison(
        **common,
        change=_ratio(c_side.value, b_side.value),
        test="thresholds",
        severity="insufficient" if cost is None else by_threshold(cost, settings),
        note="; ".join(notes),
    )
