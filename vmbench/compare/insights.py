"""Insights and recommendations written from a comparison's data (plain sentences).

`insights` says what the data shows: which category moved most (geometric mean of its
benchmarks' changes), whether the whole suite shifted, where the flagged changes
concentrate, how large the measured run-to-run noise was and which benchmarks it leaves
inconclusive (suspected slower or faster, to confirm with more runs). `recommendations`
says what to do for a firmer answer. Every sentence is derived from the `Comparison`;
none is canned text shown regardless of the data. Sentences are plain text: renderers
escape them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from vmbench import format as fmt
from vmbench.compare.result import BenchmarkComparison, Comparison
from vmbench.compare.verdicts import RunVerdict

FLAGGED = ("high", "medium")
MAX_NAMES = 5  # ids named in one sentence; the rest are counted


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:MAX_NAMES])
    more = len(ids) - MAX_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def _timed(comparison: Comparison) -> list[BenchmarkComparison]:
    return [
        b
        for b in comparison.benchmarks
        if b.kind == "time" and b.change is not None and math.isfinite(b.change)
    ]


UNJUDGED = ("inconclusive", "insufficient")  # their change says nothing: left out of means
SPREAD = "spread of the suite"  # RunVerdict.source when no run-to-run noise was measured


def category_changes(comparison: Comparison) -> list[tuple[str, float, int]]:
    """(category, geometric-mean change, benchmarks) over judged time benchmarks, worst first.

    Inconclusive and insufficient benchmarks are left out: their change cannot be told
    from noise, and one wild benchmark would otherwise move its whole category.
    """
    logs: dict[str, list[float]] = defaultdict(list)
    for b in _timed(comparison):
        if b.change is not None and b.change > -1.0 and b.severity not in UNJUDGED:
            logs[b.category].append(math.log1p(b.change))
    rows = [(cat, math.expm1(sum(v) / len(v)), len(v)) for cat, v in logs.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _measured(comparison: Comparison) -> list[RunVerdict]:
    """Run-level verdicts whose run-to-run noise was measured (replicate runs, noise model)."""
    return [
        b.run_level
        for b in comparison.benchmarks
        if b.run_level is not None
        and b.run_level.ci is not None
        and b.run_level.sigma is not None
        and not b.run_level.source.startswith(SPREAD)
    ]


def _interval(b: BenchmarkComparison) -> str:
    ci = b.run_level.ci if b.run_level is not None else b.change_ci
    return f" (interval {fmt.percent(ci[0])} to {fmt.percent(ci[1])})" if ci else ""


def _leaning(benches: Sequence[BenchmarkComparison], side: str) -> str:
    """'slower by +12.0% (gc/a), +8.1% (gc/b)': the suspected sizes, largest first."""
    sized = [(b.judged_change, b.id) for b in benches if b.judged_change is not None]
    picked = sorted(
        ((c, i) for c, i in sized if (c > 0) == (side == "slower") and c != 0),
        key=lambda t: -abs(t[0]),
    )
    if not picked:
        return ""
    shown = ", ".join(f"{fmt.percent(c)} ({i})" for c, i in picked[:MAX_NAMES])
    more = len(picked) - MAX_NAMES
    return f"{len(picked)} suspected {side} by {shown}" + (f" and {more} more" if more > 0 else "")


def insights(comparison: Comparison) -> list[str]:
    """What the comparison shows, most important first."""
    s = comparison.settings
    out = [comparison.summary + "."]
    flagged = [b for b in comparison.sorted_benchmarks() if b.severity in FLAGGED]
    by_cat = category_changes(comparison)
    if by_cat:
        worst, change, n = by_cat[0]
        flagged_here = sum(1 for b in flagged if b.category == worst)
        if change > 0 and flagged_here:
            out.append(
                f"Category {worst} regressed most: geometric-mean change "
                f"{fmt.percent(change)} over "
                f"its {n} judged benchmarks, {flagged_here} of them flagged."
            )
        elif change > 0:
            out.append(
                f"Largest category change: {worst} at {fmt.percent(change)} (geometric mean over "
                f"{n} judged benchmarks), none of them flagged."
            )
        best, change, n = by_cat[-1]
        improved_here = any(
            b.severity == "improvement" and b.category == best for b in comparison.benchmarks
        )
        if len(by_cat) > 1 and change < 0 and improved_here:
            out.append(
                f"Category {best} got faster most: geometric-mean change {fmt.percent(change)} "
                f"over its {n} judged benchmarks."
            )
    suite = comparison.suite
    if suite is not None and suite.severity in ("high", "medium", "improvement"):
        word = "slower" if suite.shift > 0 else "faster"
        out.append(
            f"The whole suite is {word}: {fmt.percent(suite.shift)} over {suite.benchmarks} "
            "benchmarks, beyond the machine's run-to-run noise."
        )
    elif suite is not None and suite.severity == "inconclusive":
        out.append(
            f"The whole suite shifted {fmt.percent(suite.shift)} between the sides, and the runs "
            "cannot tell whether the machine or the code moved it; each benchmark is judged "
            "relative to that shift."
        )
    if flagged:
        cats = Counter(b.category for b in flagged)
        top, count = cats.most_common(1)[0]
        total_in_top = sum(1 for b in comparison.benchmarks if b.category == top)
        if len(cats) == 1:
            out.append(
                f"All {len(flagged)} flagged regressions are in {top} "
                f"({count} of its {total_in_top} benchmarks): the change is concentrated there."
            )
        else:
            spread = ", ".join(f"{c} {k}" for c, k in cats.most_common())
            out.append(f"Flagged regressions by category: {spread}.")
        largest = flagged[0]
        if largest.judged_change is not None:
            out.append(
                f"Largest regression: {largest.id} at {fmt.percent(largest.judged_change)}"
                f"{_interval(largest)}."
            )
    improved = [b for b in comparison.sorted_benchmarks() if b.severity == "improvement"]
    if improved and improved[0].judged_change is not None:
        out.append(
            f"{len(improved)} benchmark(s) got faster; the largest is {improved[0].id} "
            f"at {fmt.percent(improved[0].judged_change)}."
        )
    measured = _measured(comparison)
    if measured:
        sigmas = sorted(v.sigma for v in measured if v.sigma is not None)
        median = sigmas[len(sigmas) // 2]
        used = sorted({v.estimator for v in measured})
        out.append(
            f"Measured run-to-run noise: median {median:.1%}, largest {sigmas[-1]:.1%} "
            f"(sd of a run's {' or '.join(used)} between runs of the same code, after "
            f"run effects, from {measured[0].source}, over {len(measured)} benchmarks); "
            "a change is flagged only when its run-level test says so."
        )
    elif any(b.run_level is not None and b.run_level.ci is not None for b in comparison.benchmarks):
        out.append(
            "Run-to-run noise was not measured (one run per side, no noise model): each "
            "benchmark was judged against the spread of the whole suite's changes, which "
            "holds only if most benchmarks did not change."
        )
    elif _timed(comparison):
        out.append(
            "Run-to-run noise is unknown (one run per side, no noise model, too few "
            "benchmarks to learn it from the suite): two runs of the same code on a shared "
            "machine often differ by 5-30%, so no change could be tested."
        )
    within_run = [
        b.id
        for b in comparison.benchmarks
        if b.severity == "stable" and b.q_value is not None and b.q_value < s.alpha
        and b.run_level is not None
    ]  # fmt: skip
    if within_run:
        out.append(
            f"{len(within_run)} benchmark(s) differ significantly within a run but not "
            f"between runs, so they are not flagged: {_names(within_run)}."
        )
    inconclusive = [b for b in comparison.sorted_benchmarks() if b.severity == "inconclusive"]
    if inconclusive:
        leaning = "; ".join(
            t for t in (_leaning(inconclusive, "slower"), _leaning(inconclusive, "faster")) if t
        )
        out.append(
            f"{len(inconclusive)} benchmark(s) are inconclusive (their {1 - s.alpha:.0%} "
            f"interval reaches past the -{s.improvement:.0%}/+{s.regression:.0%} thresholds "
            f"but the evidence does not reach a flag)" + (f": {leaning}." if leaning else ".")
        )
    suspects = comparison.suspects("medium")
    if suspects:
        named = ["the whole suite" if i == "*" else i for i in suspects]
        out.append(
            f"{len(suspects)} suspected regression(s) need confirmation runs before the "
            f"gate can pass (`vmbench detect` exits 3): {_names(named)}."
        )
    insufficient = [b.id for b in comparison.sorted_benchmarks() if b.severity == "insufficient"]
    if insufficient:
        out.append(
            f"{len(insufficient)} benchmark(s) could not be tested between runs (no "
            f"replicated runs, too few benchmarks or no usable value): {_names(insufficient)}."
        )
    unstable = [b.id for b in comparison.sorted_benchmarks() if b.unstable]
    if unstable:
        out.append(
            f"{len(unstable)} benchmark(s) look unstable within a run (level jumps or many "
            f"severe outliers; a note, not a verdict): {_names(unstable)}."
        )
    for kind, verb in (("new", "only in the candidate"), ("removed", "only in the baseline")):
        ids = [b.id for b in comparison.sorted_benchmarks() if b.severity == kind]
        if ids:
            out.append(f"{len(ids)} benchmark(s) {verb}: {_names(ids)}.")
    return out


def recommendations(comparison: Comparison) -> list[str]:
    """What to do next for a firmer answer, from what the comparison could not decide."""
    s = comparison.settings
    out: list[str] = []
    k_base, k_cand = len(comparison.baseline_runs), len(comparison.candidate_runs)
    flagged = [b for b in comparison.benchmarks if b.severity in FLAGGED]
    if not _measured(comparison) and _timed(comparison):
        out.append(
            "Measure the run-to-run noise: run the baseline code 3 or more times on the same "
            "runner (cargo bench -- --save-baseline aa1, aa2, ...) and pass those runs as the "
            "noise model, or compare several runs per side."
        )
    borderline = [
        b.id
        for b in flagged
        if b.run_level is not None
        and b.run_level.ci is not None
        and b.run_level.ci[0] <= s.regression
    ]
    if borderline:
        out.append(
            f"{len(borderline)} flagged benchmark(s) have an interval reaching below the "
            f"{s.regression:.0%} threshold ({_names(borderline)}): confirm with "
            f"{max(3, k_base + 2)} or more runs per side on the same runner before acting."
        )
    if flagged and min(k_base, k_cand) < 3:
        out.append(
            f"This comparison has {k_base} baseline and {k_cand} candidate run(s); 3 or more "
            "runs per side on the same machine separate code changes from machine noise."
        )
    inconclusive = {b.id for b in comparison.benchmarks if b.severity == "inconclusive"}
    others = [
        "the whole suite" if i == "*" else i
        for i in comparison.suspects("medium")
        if i not in inconclusive
    ]
    if inconclusive or others:
        what = [f"the {len(inconclusive)} inconclusive benchmark(s)"] if inconclusive else []
        if others:
            what.append(f"the suspected regression of {_names(others)}")
        out.append(
            f"Confirm {' and '.join(what)} with more runs: rerun only those, base and "
            "candidate interleaved on the same runner (`vmbench detect --suspects FILE` lists "
            "the suspects); the interval narrows with the square root of the run count, and "
            "a quieter, dedicated runner lowers the noise itself."
        )
    if any(b.severity == "insufficient" and b.test != "thresholds" for b in comparison.benchmarks):
        out.append(
            "For benchmarks that could not be tested between runs: run each side 2 or more "
            "times, or pass a noise model learned from A/A runs of identical code."
        )
    if any(b.unstable for b in comparison.benchmarks):
        out.append(
            "Unstable benchmarks changed level during their run: check for background load "
            "or CPU frequency scaling, and give them a longer warm-up."
        )
    if not out:
        out.append(
            "Nothing undecided: every benchmark was judged against its measured run-to-run "
            "noise; keep the same runner for future comparisons so the noise model stays valid."
        )
    return out
