"""Insights and recommendations written from a comparison's data (plain sentences).

`insights` says what the data shows: which category moved most (geometric mean of its
benchmarks' changes), where the flagged changes concentrate, how large the run-to-run
noise was and which benchmarks it leaves undecided. `recommendations` says what to do
for a firmer answer. Every sentence is derived from the `Comparison`; none is canned
text shown regardless of the data. Sentences are plain text: renderers escape them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from vmbench import format as fmt
from vmbench.compare.result import BenchmarkComparison, Comparison

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


UNJUDGED = ("noisy", "insufficient")  # their change says nothing: left out of category means


def category_changes(comparison: Comparison) -> list[tuple[str, float, int]]:
    """(category, geometric-mean change, benchmarks) over judged time benchmarks, worst first.

    Noisy and insufficient benchmarks are left out: their change cannot be told from
    noise, and one wild benchmark would otherwise move its whole category.
    """
    logs: dict[str, list[float]] = defaultdict(list)
    for b in _timed(comparison):
        if b.change is not None and b.change > -1.0 and b.severity not in UNJUDGED:
            logs[b.category].append(math.log1p(b.change))
    rows = [(cat, math.expm1(sum(v) / len(v)), len(v)) for cat, v in logs.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


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
        if largest.change is not None:
            ci = largest.change_ci
            interval = f" (95% interval {fmt.percent(ci[0])} to {fmt.percent(ci[1])})" if ci else ""
            out.append(
                f"Largest regression: {largest.id} at {fmt.percent(largest.change)}{interval}."
            )
    improved = [b for b in comparison.sorted_benchmarks() if b.severity == "improvement"]
    if improved and improved[0].change is not None:
        out.append(
            f"{len(improved)} benchmark(s) got faster; the largest is {improved[0].id} "
            f"at {fmt.percent(improved[0].change)}."
        )
    noise = [b.noise for b in comparison.benchmarks if b.noise is not None]
    if noise:
        sigmas = sorted(n.sigma for n in noise)
        median = sigmas[len(sigmas) // 2]
        out.append(
            f"Measured run-to-run noise: median {median:.1%}, largest {sigmas[-1]:.1%} "
            f"(sd of a run's mean between runs of the same code, over {len(noise)} benchmarks); "
            "a change must clear each benchmark's noise band to be flagged."
        )
    elif _timed(comparison):
        out.append(
            "Run-to-run noise is unknown (one run per side, no noise model): two runs of the "
            "same code on a shared machine often differ by 5-30%, so a flagged change close "
            "to a threshold may be the machine, not the code."
        )
    within_noise = [
        b.id
        for b in comparison.benchmarks
        if b.severity == "stable" and b.p_value is not None and b.q_value is not None
        and b.q_value < s.alpha and b.noise is not None
    ]  # fmt: skip
    if within_noise:
        out.append(
            f"{len(within_noise)} benchmark(s) differ significantly within a run but not "
            f"beyond their run-to-run noise, so they are not flagged: {_names(within_noise)}."
        )
    noisy = [b for b in comparison.sorted_benchmarks() if b.severity == "noisy"]
    if noisy:
        bands = [b.noise.band for b in noisy if b.noise is not None]
        band_text = f" (noise bands {min(bands):.0%} to {max(bands):.0%})" if bands else ""
        out.append(
            f"{len(noisy)} benchmark(s) are too noisy to judge against the "
            f"{s.regression:.0%} threshold{band_text}: {_names([b.id for b in noisy])}."
        )
    insufficient = [b.id for b in comparison.sorted_benchmarks() if b.severity == "insufficient"]
    if insufficient:
        out.append(
            f"{len(insufficient)} benchmark(s) have too few samples to reach p < {s.alpha:g}: "
            f"{_names(insufficient)}."
        )
    unstable = [b.id for b in comparison.sorted_benchmarks() if b.unstable]
    if unstable:
        out.append(
            f"{len(unstable)} benchmark(s) look unstable within a run (level jumps or many "
            f"severe outliers): {_names(unstable)}."
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
    has_noise = any(b.noise is not None for b in comparison.benchmarks)
    if not has_noise and _timed(comparison):
        out.append(
            "Measure the run-to-run noise: run the baseline code 3 or more times on the same "
            "runner (cargo bench -- --save-baseline aa1, aa2, ...) and pass those runs as the "
            "noise model, or compare several runs per side."
        )
    borderline = [
        b.id for b in flagged if b.change_ci is not None and b.change_ci[0] <= s.regression
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
    noisy = [b for b in comparison.benchmarks if b.severity == "noisy"]
    if noisy:
        out.append(
            f"For the {len(noisy)} noisy benchmark(s): more runs per side narrow the noise "
            "band by the square root of the run count; a quieter, dedicated runner (fixed CPU "
            "frequency, no neighbours) lowers the noise itself."
        )
    if any(b.severity == "insufficient" for b in comparison.benchmarks):
        out.append(
            "For benchmarks with too few samples: raise Criterion's sample_size (at least 10 "
            "a side lets the rank test reach p < 0.05) or its measurement_time."
        )
    if any(b.unstable for b in comparison.benchmarks):
        out.append(
            "Unstable benchmarks changed level during their run: check for background load "
            "or CPU frequency scaling, and give them a longer warm-up."
        )
    if not out:
        out.append(
            "Nothing undecided: every benchmark was judged with its noise accounted for; "
            "keep the same runner for future comparisons so the noise model stays valid."
        )
    return out
