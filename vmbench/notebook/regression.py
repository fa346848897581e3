"""What the regression notebook calls: load from parameters, compare, format, write JSON.

A notebook cell calls one of these and displays the result (`vmbench.render.display`), so the
notebooks hold no logic and the same functions serve a user's own notebook. Tables
returned here are already formatted (strings with units), ready to display; the raw
numbers go to the JSON summary through `Comparison.to_dict()`. The category notebook's
functions are in `vmbench.notebook.category`; the loaders, `skipped_table` and `write_json`
are in `vmbench.notebook.common`.

Over 400 lines on purpose: every table, plot and section of the regression notebook is a
small function here so that the notebook's cells stay one call each; they share the
same loaded comparison and formatting helpers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from vmbench import format as fmt
from vmbench.compare.insights import FLAGGED, category_changes, insights, recommendations
from vmbench.compare.noise import NoiseModel
from vmbench.compare.refs import compare_refs
from vmbench.compare.result import BenchmarkComparison, Comparison, clean_dict
from vmbench.errors import UsageError
from vmbench.model import Run
from vmbench.notebook.common import (
    FOLD_ROWS,
    TABLE_LIMIT,
    JsonSummary,
    as_list,
    pct,
)
from vmbench.readers.categories import Categories
from vmbench.readers.frames import samples_frame, skipped_frame
from vmbench.render import cells, plots
from vmbench.render.display import Bullets, Nothing, Plot, Stack, Table
from vmbench.settings import DEFAULT_ESTIMATOR, DEFAULTS, Estimator, Settings
from vmbench.stats.location import DESCRIPTIONS
from vmbench.stats.runmodel import MIN_SUITE
from vmbench.units import format_duration

MD_CATEGORY_ROWS = 20  # rows of one category table in the markdown (PR comment) report


@dataclass(frozen=True)
class RegressionData:
    """Everything the regression report shows, computed once."""

    comparison: Comparison
    baseline: tuple[Run, ...]
    candidate: tuple[Run, ...]
    noise: NoiseModel | None
    noise_excluded: tuple[str, ...]  # noise runs left out because they are compared
    categories: Categories
    skipped: pd.DataFrame  # vmbench.readers.frames.skipped_frame of every run loaded
    # The suspects compared again with their confirmation runs added (the gate's final
    # word on them), when confirmation runs were given.
    confirmation: Comparison | None = None


def regression_data(
    *,
    criterion_dir: str | Path,
    baseline: str | Sequence[str],
    candidate: str | Sequence[str],
    noise_runs: Sequence[str] = (),
    categories_file: str | Path | None = None,
    alpha: float = DEFAULTS.alpha,
    regression: float = DEFAULTS.regression,
    high: float = DEFAULTS.high,
    improvement: float = DEFAULTS.improvement,
    estimator: str = "",
    confirm_benchmarks: Sequence[str] = (),
    confirm_baseline: Sequence[str] = (),
    confirm_candidate: Sequence[str] = (),
) -> RegressionData:
    """Load the runs, learn the noise model, compare.

    With `confirm_benchmarks` (the suspects `vmbench bench --confirm` measured again in the
    runs `confirm_baseline` and `confirm_candidate`), those benchmarks are also compared
    with every run of each side, as the CI gate decides them after confirmation.

    `estimator` is the per-run location the verdicts compare (empty: vmbench's default);
    an unknown name is a UsageError listing the known ones.

    Noise runs must be identical code measured apart from the compared runs; a run that
    is itself compared is left out of the noise model (its difference would be counted
    as noise, which is circular) and listed in `noise_excluded`. A run with no usable
    benchmark is an InputError naming the first skipped file: an empty comparison must
    not pass as "no regression".
    """
    settings = Settings(
        alpha=alpha,
        regression=regression,
        high=high,
        improvement=improvement,
        estimator=cast(Estimator, estimator or DEFAULT_ESTIMATOR),
    )
    categories_path = Path(categories_file) if categories_file else None
    result = compare_refs(
        criterion_dir=Path(criterion_dir),
        baseline=as_list(baseline),
        candidate=as_list(candidate),
        settings=settings,
        noise_refs=[str(r) for r in noise_runs],
        categories_file=categories_path,
    )
    confirmation = None
    if confirm_benchmarks:
        if not confirm_baseline or not confirm_candidate:
            raise UsageError("confirmation benchmarks need confirmation runs on both sides")
        confirmation = compare_refs(
            criterion_dir=Path(criterion_dir),
            baseline=[*as_list(baseline), *as_list(confirm_baseline)],
            candidate=[*as_list(candidate), *as_list(confirm_candidate)],
            settings=settings,
            categories_file=categories_path,
            include="^(?:" + "|".join(re.escape(i) for i in confirm_benchmarks) + ")$",
        ).comparison
    return RegressionData(
        comparison=result.comparison,
        baseline=result.baseline_runs,
        candidate=result.candidate_runs,
        noise=result.noise,
        noise_excluded=result.noise_excluded,
        categories=result.categories,
        skipped=skipped_frame(result.runs),
        confirmation=confirmation,
    )


# --- formatted tables ---------------------------------------------------------------------


def _side(b: BenchmarkComparison, which: str) -> str:
    side = b.baseline if which == "baseline" else b.candidate
    if side is None:
        return ""
    if b.kind != "time" or side.mean_ns is None:
        return f"{side.value:.4g} {side.unit}"
    text = format_duration(side.mean_ns)
    if side.mean_ci_ns is not None:
        low, high = side.mean_ci_ns
        text += f" [{format_duration(low)}, {format_duration(high)}]"
    return text


def _interval(b: BenchmarkComparison) -> tuple[float, float] | None:
    """The interval of the change the verdict rests on (run level; else of the means)."""
    return b.run_level.ci if b.run_level is not None else b.change_ci


def _change(b: BenchmarkComparison) -> str:
    text = pct(b.judged_change)
    ci = _interval(b)
    if text and ci is not None:
        text += f" [{pct(ci[0])}, {pct(ci[1])}]"
    return text


CHANGE = "change [interval]"  # run-level change, its (1 - alpha) interval
COLUMNS = (
    "benchmark",
    "baseline mean [95% CI]",
    "candidate mean [95% CI]",
    CHANGE,
    "q (BH)",
    "severity",
    "note",
)


def benchmark_rows(benchmarks: Sequence[BenchmarkComparison]) -> pd.DataFrame:
    """One formatted row per benchmark: means with their 95% CI, the run-level change the
    verdict rests on with its interval, its BH-adjusted p-value (q-value), severity and note."""
    return pd.DataFrame(
        [
            {
                "benchmark": b.id,
                "baseline mean [95% CI]": _side(b, "baseline"),
                "candidate mean [95% CI]": _side(b, "candidate"),
                CHANGE: _change(b),
                "q (BH)": fmt.p_value(cells.verdict_p(b), missing=""),
                "severity": f"{b.indicator} {b.severity}",
                "note": b.note,
            }
            for b in benchmarks
        ],
        columns=list(COLUMNS),
    )


def counts_table(comparison: Comparison) -> Table:
    from vmbench.compare.verdicts import INDICATORS, SEVERITIES

    frame = pd.DataFrame(
        [
            {"": INDICATORS[s], "severity": s, "benchmarks": str(comparison.counts.get(s, 0))}
            for s in SEVERITIES
            if comparison.counts.get(s, 0)
        ],
        columns=["", "severity", "benchmarks"],
    )
    return Table(frame, title="Counts")


def settings_lines(data: RegressionData) -> list[str]:
    """What decided the verdicts: runs, thresholds, the method, the noise and the suite."""
    c = data.comparison
    s = c.settings
    lines = [
        f"Baseline: {', '.join(c.baseline_runs)}; candidate: {', '.join(c.candidate_runs)}.",
        f"Thresholds: high (🔴) above {s.high:+.0%}, medium (🟡) above {s.regression:+.0%}, "
        f"improvement (🟢) below {-s.improvement:+.0%}.",
        f"The run is the unit: each run of a benchmark is summarised by its {s.estimator} "
        f"({DESCRIPTIONS.get(s.estimator, s.estimator)}); run effects are removed and each "
        "benchmark's run-to-run noise is moderated towards the suite's (empirical Bayes).",
        "Flagged when a one-sided run-level test passes Benjamini-Hochberg's correction at "
        f"false discovery rate {s.alpha:g} (identical code is flagged at most that often) "
        "and the change is past its threshold; stable only when an "
        f"equivalence test at {s.alpha:g} (two one-sided tests: the {1 - 2 * s.alpha:.0%} "
        "interval) puts the change within the thresholds; otherwise inconclusive (never "
        "counted as stable). Within-run instability is a note, never a verdict.",
        f"Noise model: {c.noise_model or 'none'}.",
    ]
    suite = cells.suite_line(c)
    if suite is not None:
        lines.append(suite + ".")
    if data.noise_excluded:
        lines.append(
            f"Left out of the noise model because they are compared: "
            f"{', '.join(data.noise_excluded)}."
        )
    lines += [f"Warning: {w}." for w in c.warnings]
    if len(data.skipped):
        lines.append(
            f"Warning: {len(data.skipped)} benchmarks or files could not be loaded and are "
            "left out (listed under 'Skipped while loading')."
        )
    return lines


def category_tables(comparison: Comparison) -> Stack:
    """One table per category (worst first), folded when long; flagged rows on top."""
    order = [name for name, _, _ in category_changes(comparison)]
    others = sorted({b.category for b in comparison.benchmarks} - set(order))
    tables = []
    for name in [*order, *others]:
        benches = [b for b in comparison.sorted_benchmarks() if b.category == name]
        flagged = sum(1 for b in benches if b.severity in FLAGGED)
        geo = next((g for n, g, _ in category_changes(comparison) if n == name), None)
        title = f"{name}: {len(benches)} benchmarks, {flagged} flagged" + (
            f", geometric-mean change {pct(geo)}" if geo is not None else ""
        )
        unsettled = sum(1 for b in benches if b.severity != "stable")
        tables.append(
            Table(
                benchmark_rows(benches),
                title=title,
                fold=len(benches) > FOLD_ROWS or flagged == 0,
                limit=TABLE_LIMIT,
                # In a PR comment: what is not stable (sorted first), plus a few stable rows.
                md_limit=min(MD_CATEGORY_ROWS, max(3, unsettled)),
            )
        )
    return Stack(tables)


def forest_frame(comparison: Comparison) -> pd.DataFrame:
    """Time benchmarks with a change, most important first (for `plots.forest_plot`): the
    change each verdict rests on (run level) with its interval."""
    rows = [
        {
            "id": b.id,
            "change": b.judged_change,
            "change_ci_low": ci[0] if ci else math.nan,
            "change_ci_high": ci[1] if ci else math.nan,
            "severity": b.severity,
        }
        for b, ci in ((b, _interval(b)) for b in comparison.sorted_benchmarks())
        if b.kind == "time" and b.judged_change is not None and math.isfinite(b.judged_change)
    ]
    return pd.DataFrame(
        rows, columns=["id", "change", "change_ci_low", "change_ci_high", "severity"]
    )


def forest(data: RegressionData, *, limit: int = 40) -> Plot | Nothing:
    """The forest plot of changes with intervals and threshold lines."""
    frame = forest_frame(data.comparison)
    if frame.empty:
        return Nothing("No benchmark with samples on both sides: no change to plot.")
    s = data.comparison.settings
    figure = plots.forest_plot(
        frame, regression=s.regression, high=s.high, improvement=s.improvement, limit=limit
    )
    shown = min(limit, len(frame))
    return Plot(figure, alt=f"Changes of {shown} of {len(frame)} benchmarks, worst first")


def flagged_distributions(data: RegressionData, *, limit: int = 12) -> Plot | Nothing:
    """Raw per-iteration samples, baseline against candidate, of the flagged benchmarks
    and the suspected regressions (what confirmation runs will decide)."""
    ids = flagged_ids(data.comparison)
    if not ids:
        return Nothing("Nothing flagged or suspected: no distributions to compare.")
    shown = ids[:limit]
    figure = plots.sample_distributions(
        side_samples(data, shown),
        shown,
        baseline=data.comparison.baseline,
        candidate=data.comparison.candidate,
        limit=limit,
    )
    more = f" (first {len(shown)} of {len(ids)})" if len(ids) > len(shown) else ""
    return Plot(figure, alt=f"Raw samples of the flagged and suspected benchmarks{more}")


def flagged_ids(comparison: Comparison) -> list[str]:
    """Regressions and improvements with samples on both sides, worst first, then the
    suspected regressions at `medium`."""
    timed = {b.id for b in comparison.benchmarks if b.kind == "time"}
    flags = ("high", "medium", "improvement")
    flagged = [b.id for b in comparison.sorted_benchmarks() if b.severity in flags]
    # suspects are never flagged (undecided by definition), so nothing is listed twice
    return [i for i in flagged + comparison.suspects("medium") if i in timed]


def side_samples(data: RegressionData, ids: Sequence[str]) -> pd.DataFrame:
    """Raw samples of `ids`, run labels replaced by the side labels of the comparison."""
    wanted = set(ids)
    frames = []
    for runs, label in (
        (data.baseline, data.comparison.baseline),
        (data.candidate, data.comparison.candidate),
    ):
        picked = [
            Run(
                label=label,
                source=r.source,
                format=r.format,
                benchmarks={i: b for i, b in r.benchmarks.items() if i in wanted},
            )
            for r in runs
        ]
        frames.append(samples_frame(picked, data.categories))
    return pd.concat(frames, ignore_index=True)


def extremes(comparison: Comparison, count: int = 10) -> Stack:
    """The fastest and slowest benchmarks by the candidate's mean time per iteration."""
    timed = [
        b for b in comparison.benchmarks if b.kind == "time" and b.candidate and b.candidate.mean_ns
    ]
    timed.sort(key=lambda b: (b.candidate.mean_ns if b.candidate else 0.0, b.id))
    return Stack(
        [
            Table(benchmark_rows(timed[:count]).iloc[:, :4], title=f"Fastest {count}"),
            Table(benchmark_rows(timed[::-1][:count]).iloc[:, :4], title=f"Slowest {count}"),
        ]
    )


def status_table(comparison: Comparison, severity: str) -> Table:
    benches = [b for b in comparison.sorted_benchmarks() if b.severity == severity]
    frame = benchmark_rows(benches)[
        [
            "benchmark",
            "baseline mean [95% CI]",
            "candidate mean [95% CI]",
            CHANGE,
            "note",
        ]
    ]
    return Table(
        frame,
        title=f"{severity} ({len(benches)})",
        fold=len(benches) > FOLD_ROWS,
        limit=TABLE_LIMIT,
    )


def status_tables(comparison: Comparison) -> Stack:
    """New, removed, insufficient and inconclusive benchmarks (cannot-tell is a result too)."""
    return Stack(
        [status_table(comparison, s) for s in ("new", "removed", "insufficient", "inconclusive")]
    )


def confirmation_section(data: RegressionData) -> Stack | Nothing:
    """The suspects compared again with their confirmation runs: the gate's final verdicts
    on them, which replace the first runs' verdicts above."""
    confirmed = data.confirmation
    if confirmed is None:
        return Nothing("No confirmation runs: the verdicts above are the final ones.")
    line = (
        f"{len(confirmed.benchmarks)} suspected benchmarks measured again and compared with "
        f"every run: baseline {', '.join(confirmed.baseline_runs)}; candidate "
        f"{', '.join(confirmed.candidate_runs)}. These verdicts replace the first runs' "
        "verdicts for them, as the CI gate decides."
    )
    return Stack(
        [
            Bullets([line, str(confirmed.summary)], title="The suspects with every run"),
            Table(benchmark_rows(confirmed.sorted_benchmarks()), title="After confirmation"),
        ]
    )


def suite_section(comparison: Comparison) -> Stack | Nothing:
    """The shift the whole suite shares (judged against the machine's run-to-run noise) and
    each run's effect: how much faster or slower the machine was in that run."""
    suite = comparison.suite
    line = cells.suite_line(comparison)
    if suite is None or line is None:
        return Nothing(
            f"Fewer than {MIN_SUITE} benchmarks on both sides: no suite shift is estimated "
            "and run effects are not removed."
        )
    base = set(comparison.baseline_runs)
    frame = pd.DataFrame(
        [
            {
                "run": label,
                "side": "baseline" if label in base else "candidate",
                "run effect": pct(effect),
            }
            for label, effect in suite.run_effects.items()
        ],
        columns=["run", "side", "run effect"],
    )
    sigma = "" if suite.run_sigma is None else f" (sd of run effects {pct(suite.run_sigma, False)})"
    return Stack(
        [
            Bullets([line], title="Whole suite"),
            Table(frame, title=f"Run effects within each side{sigma}"),
        ]
    )


# --- JSON summaries -----------------------------------------------------------------------


def regression_summary(data: RegressionData) -> dict[str, Any]:
    """The comparison JSON plus the report's insights and recommendations."""
    out = data.comparison.to_dict()  # already clean: only what is added here is cleaned
    added: dict[str, Any] = {
        "report": "regression",
        "insights": insights(data.comparison),
        "recommendations": recommendations(data.comparison),
        "noise_runs": list(data.noise.runs) if data.noise else [],
        "noise_excluded": list(data.noise_excluded),
        "skipped": data.skipped.to_dict(orient="records"),
        "category_changes": [
            {"category": n, "geomean_change": g, "benchmarks": k}
            for n, g, k in category_changes(data.comparison)
        ],
    }
    if data.confirmation is not None:  # the suspects' final verdicts (already clean)
        out["confirmation"] = data.confirmation.to_dict()
    return JsonSummary(out | clean_dict(added))
