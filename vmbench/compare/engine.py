"""`compare()`: the comparison engine. Pure and deterministic; renderers format its result.

For each benchmark measured on both sides (one or several runs per side): summaries per
side, change = candidate mean / baseline mean - 1 with a bootstrap interval, median ratio,
Hodges-Lehmann shift, Cliff's delta, a two-sided Mann-Whitney U test on raw per-iteration
samples, Benjamini-Hochberg q-values over every test in the comparison, and a severity
(rules in `vmbench.compare.verdicts`; statistics in `vmbench.stats`; result classes and JSON in
`vmbench.compare.result`).

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

from collections.abc import Sequence
from typing import Any

from vmbench import stats
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import BenchmarkComparison, Comparison, SideSummary
from vmbench.compare.sampled import (
    Holder,
    RunStats,
    compare_sampled,
    ratio,
    run_stats,
    side_summary,
)
from vmbench.compare.verdicts import (
    Categorizer,
    Extra,
    by_threshold,
    cost_change,
    finish,
    warnings_for,
)
from vmbench.errors import UsageError
from vmbench.model import Run
from vmbench.readers.patterns import Matcher, PatternError, compile_regex
from vmbench.settings import Settings

CHUNK = 512  # benchmarks per batch: bounds memory to CHUNK x resamples bootstrap means


def _as_runs(runs: Run | Sequence[Run], role: str) -> tuple[Run, ...]:
    out = (runs,) if isinstance(runs, Run) else tuple(runs)
    if not out:
        raise UsageError(f"no {role} run given")
    return out


def _compile(pattern: str | None, what: str) -> Matcher | None:
    if pattern is None:
        return None
    try:
        return compile_regex(pattern)  # RE2: linear time, no pattern can hang a CI job
    except PatternError as exc:
        raise UsageError(f"{what} {pattern!r} is not a valid regular expression: {exc}") from None


def _gather(runs: tuple[Run, ...], keep: set[str]) -> dict[str, Holder]:
    out: dict[str, Holder] = {}
    for run in runs:
        for bid, bench in run.benchmarks.items():
            if bid in keep:
                out.setdefault(bid, Holder()).benches.append((run.label, bench))
        for bid, metric in run.metrics.items():
            if bid in keep and bid not in run.benchmarks:
                out.setdefault(bid, Holder()).metrics.append((run.label, metric))
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
        from vmbench.readers.categories import Categories

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
        i for i in keep if base.get(i, Holder()).benches and cand.get(i, Holder()).benches
    )
    results: dict[str, tuple[BenchmarkComparison, Extra]] = {}
    for start in range(0, len(sampled), CHUNK):
        chunk = sampled[start : start + CHUNK]
        results.update(
            compare_sampled(chunk, base, cand, settings, (len(base_runs), len(cand_runs)))
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


# --- point values and one-sided benchmarks ----------------------------------------------


def _point_side(holder: Holder, settings: Settings, stream: int) -> SideSummary:
    if holder.benches:  # samples on this side only (the other side is a point value)
        label, bench = holder.benches[0]
        runs = [RunStats(stream, label, bench, bench.per_iteration, stream)]
        run_stats(runs, settings)
        ci = stats.percentile_interval(runs[0].boot[None, :], settings.confidence)[0]
        return side_summary(runs, bench.per_iteration, ci)
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
    bid: str, base: Holder | None, cand: Holder | None, settings: Settings
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
        change=ratio(c_side.value, b_side.value),
        test="thresholds",
        severity="insufficient" if cost is None else by_threshold(cost, settings),
        note="; ".join(notes),
    )
