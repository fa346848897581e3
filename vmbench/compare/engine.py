"""`compare()`: the comparison engine. Pure and deterministic; renderers format its result.

A run's data flows down once, each stage a function of the one before:

1. **gather**: every benchmark's runs on each side (`_gather`);
2. **per-run summaries** (`vmbench.compare.sampled`): Criterion's summaries, the per-run
   location the verdict compares (`Settings.estimator`, `vmbench.stats.location`), and the
   descriptive sample statistics the reports show (mean and its bootstrap 95 % interval
   per side, change of means, median ratio, Hodges-Lehmann, Cliff's delta, within-run
   Mann-Whitney U with q-values);
3. **run-level model** over all benchmarks at once (`vmbench.stats.runmodel.assess`): run
   effects removed, each benchmark's run-to-run noise moderated towards the suite's
   (empirical Bayes), the suite shift estimated;
4. **verdicts** (`vmbench.compare.verdicts.judge`): intervals, FDR-controlled flags,
   stable / inconclusive / insufficient, the suite's own verdict;
5. **result** (`vmbench.compare.result.Comparison`).

The run is the unit of inference: samples of one process share its machine state, so a
within-run test calls any run-to-run offset significant. The within-run statistics are
kept as description only. Several runs per side, `--noise` runs of identical code or a
saved noise model make the run-to-run noise measured; with one run a side and none of
them the suite's spread stands in for it (and the comparison says so).

Point values (the design document's baseline file, code size, hit rates, ops/s) cannot be
tested: they are classified by the thresholds alone in their `direction`, and say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from vmbench import format as fmt
from vmbench import stats
from vmbench.compare.estimators import auto_locations, log_locations
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
    RunVerdict,
    Severity,
    SuiteVerdict,
    by_threshold,
    cost_change,
    disagreement,
    judge,
    notes_for,
    warnings_for,
)
from vmbench.errors import UsageError
from vmbench.model import Run
from vmbench.readers.patterns import Matcher, PatternError, compile_regex
from vmbench.settings import Settings
from vmbench.stats.runmodel import assess

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

    judgement = _run_level(results, base_runs, cand_runs, noise, settings)
    final = _verdicts(results, judgement, settings, categories)
    covered = None
    if noise is not None:
        covered = sum(1 for bid in judgement.ids if noise.get(bid) is not None)
    return Comparison.build(
        baseline="+".join(r.label for r in base_runs),
        candidate="+".join(r.label for r in cand_runs),
        baseline_runs=tuple(r.label for r in base_runs),
        candidate_runs=tuple(r.label for r in cand_runs),
        settings=settings,
        noise_model=noise.describe() if noise is not None else None,
        warnings=tuple(warnings_for(base_runs, cand_runs, final, covered, judgement.suite)),
        benchmarks=tuple(final[i] for i in sorted(final)),
        suite=judgement.suite,
    )


# --- the run-level stage: per-run locations of every benchmark -> verdicts --------------


@dataclass(frozen=True)
class _Judged:
    ids: tuple[str, ...]
    severity: dict[str, Severity]
    verdicts: dict[str, RunVerdict | None]
    suite: SuiteVerdict | None


def _run_level(
    results: dict[str, tuple[BenchmarkComparison, Extra]],
    base_runs: tuple[Run, ...],
    cand_runs: tuple[Run, ...],
    noise: NoiseModel | None,
    settings: Settings,
) -> _Judged:
    """One matrix of log per-run locations (benchmarks x runs), the run-level model over
    all of it at once (run effects, moderated variances and the suite shift need every
    benchmark), then a verdict per benchmark (`vmbench.compare.verdicts.judge`)."""
    ids = tuple(bid for bid, (_, extra) in results.items() if extra.locations)
    columns = [(0, r.label) for r in base_runs] + [(1, r.label) for r in cand_runs]
    groups = np.array([side for side, _ in columns])
    runs = [(results[bid][1].k_baseline, results[bid][1].k_candidate) for bid in ids]
    y, within = log_locations(ids, results, columns, None)
    estimators: str | list[str] = settings.estimator
    if settings.estimator == "auto":
        y, within, estimators = auto_locations(ids, results, columns, groups, noise)
    extra_ss = extra_df = None
    extra_tau = None
    if noise is not None:
        learned = [noise.get(bid) for bid in ids]
        extra_df = np.array([b.df if b is not None else 0.0 for b in learned], dtype=np.float64)
        extra_ss = np.array(
            [b.sigma**2 * b.df if b is not None else 0.0 for b in learned], dtype=np.float64
        )
        if noise.run_sigma is not None and noise.run_df > 0:
            extra_tau = (noise.run_sigma**2, noise.run_df)
    assessment = assess(
        y, groups, extra_ss=extra_ss, extra_df=extra_df, extra_tau=extra_tau, within_var=within
    )
    judged = judge(
        assessment,
        settings,
        estimator=estimators,
        runs=runs,
        run_labels=[label for _, label in columns],
    )
    return _Judged(
        ids,
        dict(zip(ids, judged.severity, strict=True)),
        dict(zip(ids, judged.verdicts, strict=True)),
        judged.suite,
    )


FLAGGED: tuple[Severity, ...] = ("high", "medium", "improvement")


def _verdicts(
    results: dict[str, tuple[BenchmarkComparison, Extra]],
    judged: _Judged,
    settings: Settings,
    categories: Categorizer,
) -> dict[str, BenchmarkComparison]:
    """Severities, notes, categories and the (descriptive) within-run q-values."""
    tested = [bid for bid, (r, _) in results.items() if r.p_value is not None]
    q = stats.adjust_p_values(
        np.array([results[bid][0].p_value for bid in tested], dtype=np.float64),
        settings.correction,
    )
    q_of = dict(zip(tested, q.tolist(), strict=True))
    out: dict[str, BenchmarkComparison] = {}
    for bid, (r, extra) in results.items():
        category = categories.categorize(bid, r.group)
        if bid not in judged.severity:
            out[bid] = replace(r, category=category)
            continue
        severity = judged.severity[bid]
        verdict = judged.verdicts[bid]
        notes = notes_for(severity, verdict, settings)
        if verdict is None:
            sides = {side for side, _, loc in extra.locations if loc > 0 and math.isfinite(loc)}
            notes.append(
                "the relative change is more than a float can hold"
                if sides == {0, 1}
                else "no positive location on one side: relative change undefined"
            )
        if (
            verdict is not None
            and (past := disagreement(verdict, r.other_changes(), settings.regression)) is not None
        ):
            notes.append(
                f"the change of means or medians ({fmt.percent(past)}) disagrees with the "
                f"run-level change ({verdict.estimator} per run) and the noise is unknown: "
                "a suspect for confirmation runs"
            )
        if extra.unstable:
            notes.append("looks unstable: " + ", ".join(extra.unstable))
        notes.extend(extra.notes)
        out[bid] = replace(
            r,
            category=category,
            q_value=q_of.get(bid),
            severity=severity,
            significant=severity in FLAGGED,
            note="; ".join(notes),
            run_level=verdict,
            unstable=bool(extra.unstable),
        )
    return out


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
        "run_level": None,
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
