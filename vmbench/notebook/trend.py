"""What the trend notebook calls: load the history from parameters, analyse, display.

Each function returns a display object (`vmbench.render.display`) or data; the notebook only
calls them. Numbers go to the JSON summary through `trend_summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vmbench import format as fmt
from vmbench.compare.result import BenchmarkComparison
from vmbench.errors import Skipped, VmbenchError
from vmbench.history.latest import LatestComparison, latest_vs_previous
from vmbench.history.store import load_history, skipped_files
from vmbench.history.trend import TrendReport, analyze_trend, category_index, select_line
from vmbench.notebook.common import load_categories
from vmbench.render import trend_plots as plots
from vmbench.render.cells import verdict_p
from vmbench.render.display import Bullets, Headline, Nothing, Plot, Stack, Table
from vmbench.render.trend import (
    CHANGE_POINT_HEADER,
    DRIFT_HEADER,
    change_point_rows,
    day,
    drift_rows,
)
from vmbench.settings import DEFAULTS, STEP_DEFAULTS, Settings, StepSettings


@dataclass(frozen=True)
class TrendData:
    """Everything the trend report shows."""

    history: pd.DataFrame  # the analysed line (one branch, one machine, filtered)
    report: TrendReport
    index: pd.DataFrame  # category index from the window's start
    window_start: pd.Timestamp | None
    latest: LatestComparison | None
    latest_problem: str | None
    settings: Settings
    skipped: tuple[Skipped, ...] = ()  # run files of the store that could not be read


def trend_data(
    *,
    history_dir: str | Path,
    window_days: float,
    branch: str = "",
    machine: str = "",
    category: str = "",
    pattern: str = "",
    categories_file: str | Path | None = "",
    alpha: float = DEFAULTS.alpha,
    step_alpha: float = STEP_DEFAULTS.alpha,
    fdr: float = STEP_DEFAULTS.fdr,
    min_change: float = STEP_DEFAULTS.min_change,
    regression: float = DEFAULTS.regression,
    high: float = DEFAULTS.high,
    improvement: float = DEFAULTS.improvement,
) -> TrendData:
    """Load the history and run every analysis of the trend report (empty string: default).

    `alpha` is the level of latest vs previous; change points use `step_alpha` per series
    and `fdr` across benchmarks (`StepSettings`).
    """
    categories = load_categories(categories_file or None)
    frame = load_history(Path(history_dir), categories=categories)
    steps = StepSettings(alpha=step_alpha, fdr=fdr, min_change=min_change)
    report = analyze_trend(
        frame,
        window_days=window_days,
        branch=branch or None,
        machine=machine or None,
        pattern=pattern or None,
        category=category or None,
        settings=steps,
    )
    line = select_line(
        frame,
        branch=branch or None,
        machine=machine or None,
        pattern=pattern or None,
        category=category or None,
    ).history
    start = None
    if report.first_date is not None and report.last_date is not None:
        start = max(report.first_date, report.last_date - pd.Timedelta(days=window_days))
    settings = Settings(alpha=alpha, regression=regression, high=high, improvement=improvement)
    latest, problem = None, None
    try:
        latest = latest_vs_previous(
            Path(history_dir),
            branch=report.branch,
            machine=report.machine,
            pattern=pattern or None,
            category=category or None,
            settings=settings,
            categories=categories,
            steps=steps,
            history=frame,
        )
    except VmbenchError as exc:  # e.g. one run only, or samples pruned: shown, not fatal
        problem = str(exc)
    return TrendData(
        history=line,
        report=report,
        index=category_index(line, since=start),
        window_start=start,
        latest=latest,
        latest_problem=problem,
        settings=settings,
        skipped=skipped_files(frame),
    )


def headline(data: TrendData) -> Headline:
    r = data.report
    in_window = window_steps(data)
    text = (
        f"{len(in_window)} change point(s) in the last {r.window_days:g} days, "
        f"{len(r.change_points)} over {r.runs} runs"
    )
    details = [
        f"Branch {r.branch!r} on machine {r.machine!r}, {r.benchmarks} benchmarks, "
        f"runs from {day(r.first_date)} to {day(r.last_date)}.",
        f"Change points: {r.settings.describe()}.",
        f"Drift: last {r.window_days:g} days against the {r.window_days:g} days before "
        "(AR(1) t-test on the run medians, Benjamini-Hochberg q across benchmarks).",
        *r.notes,
    ]
    if data.skipped:
        details.append(
            f"Warning: {len(data.skipped)} run file(s) of the store could not be read and are "
            "left out (listed under 'Skipped run files')."
        )
    return Headline(text, details)


def skipped_table(data: TrendData) -> Table:
    """Run files of the store left out (torn, foreign, from a newer vmbench), and why."""
    frame = pd.DataFrame(
        {"file": [s.path.name for s in data.skipped], "reason": [s.reason for s in data.skipped]},
        columns=["file", "reason"],
    )
    return Table(frame, title=f"Skipped run files ({len(frame)})")


def window_steps(data: TrendData) -> pd.DataFrame:
    steps = data.report.change_points
    if data.window_start is None or steps.empty:
        return steps
    return steps[steps["date"] >= data.window_start]


def category_index_plot(data: TrendData) -> Plot | Nothing:
    if data.index.empty:
        return Nothing("no runs in the window")
    return Plot(
        plots.category_index_plot(data.index),
        "Category index: geometric mean of each category's benchmarks relative to the "
        "window's first run",
    )


def trend_ids(data: TrendData, *, limit: int) -> list[str]:
    """Benchmarks to draw: those with change points (largest first), then the top drifts."""
    ids = list(dict.fromkeys(data.report.change_points["id"].astype(str)))
    ids += [i for i in data.report.drift["id"].astype(str) if i not in ids]
    return ids[:limit]


def trend_plots(data: TrendData, *, limit: int = 12) -> Plot | Nothing:
    ids = trend_ids(data, limit=limit)
    if not ids:
        return Nothing("no benchmark to draw")
    return Plot(
        plots.trend_lines(data.history, data.report.change_points, ids),
        "Mean per run with its 95% interval; dashed lines: change points, labelled with "
        "the first commit after the step (change points are found on the run medians)",
    )


def change_point_table(data: TrendData) -> Table:
    rows = change_point_rows(window_steps(data))
    return Table(
        pd.DataFrame(rows, columns=CHANGE_POINT_HEADER),
        title=f"Change points in the last {data.report.window_days:g} days, largest first",
        limit=200,
    )


def confirmation(data: TrendData) -> Bullets:
    """What each provisional step rests on and what would confirm it."""
    steps = data.report.change_points
    need = data.report.settings.confirm_runs
    items = []
    for _, r in steps[steps["provisional"].astype(bool)].iterrows():
        runs = int(r["runs_after"])
        items.append(
            f"{r['id']}: {fmt.percent(r['change'])} at {str(r['commit'])[:12]} "
            f"({day(r['date'])}) rests on {runs} run(s) after the step and "
            f"{int(r['runs_before'])} before (q = {fmt.p_value(r['q_value'])}). It is confirmed "
            f"when {need - runs} more run(s) stay at the new level ({need} in all) and the "
            "search over the whole series still finds it (until then it may rest on the test "
            "of the last runs alone), or at once "
            f"by re-running {str(r['commit'])[:12]} and the commit before it on this machine "
            "and comparing them (vmbench compare); if the next runs fall back to the old "
            "level it was a burst, not a step."
        )
    return Bullets(
        items,
        title=f"Provisional steps (fewer than {need} runs after them)",
        empty="no provisional step: every step reported rests on enough runs after it",
    )


def drift_tables(data: TrendData, *, limit: int = 20) -> Stack:
    r = data.report
    rows = pd.DataFrame(drift_rows(r.drift.head(limit)), columns=DRIFT_HEADER)
    cats = [
        {
            "category": c["category"],
            "benchmarks": int(c["benchmarks"]),
            "change": fmt.percent(c["change"]),
        }
        for _, c in r.category_drift.iterrows()
    ]
    return Stack(
        [
            Table(rows, title=f"Benchmarks drifting the most (top {limit})"),
            Table(pd.DataFrame(cats), title="Drift per category (geometric mean)"),
        ]
    )


def _adjusted_p(b: BenchmarkComparison) -> str:
    """The BH-adjusted run-level p-value (q-value) in the direction of the change (n/a: none)."""
    return fmt.p_value(verdict_p(b))


def latest_section(data: TrendData) -> Stack:
    """The latest run against the previous one: verdict, warnings, what is not stable."""
    if data.latest is None:
        return Stack([Nothing(f"no latest-vs-previous comparison: {data.latest_problem}")])
    latest = data.latest
    comparison = latest.comparison
    rows = [
        {
            "benchmark": b.id,
            "category": b.category,
            "change": fmt.percent(b.judged_change),
            "q (BH)": _adjusted_p(b),
            "severity": f"{b.indicator} {b.severity}",
        }
        for b in comparison.not_stable()
    ]
    details = [
        f"{latest.latest_commit[:12]} against {latest.previous_commit[:12]}; run-to-run "
        f"noise learned from {latest.noise_runs} earlier runs.",
        *latest.warnings,
        *comparison.warnings,
    ]
    return Stack(
        [
            Headline(comparison.summary, details),
            Table(pd.DataFrame(rows), title="Benchmarks that are not stable", limit=100)
            if rows
            else Bullets([], empty="every benchmark is stable"),
        ]
    )


def trend_summary(data: TrendData) -> dict[str, Any]:
    """The trend JSON (`vmbench trend --format json`) plus the latest-vs-previous result."""
    out = data.report.to_dict()
    out["report"] = "trend"
    out["provisional"] = list(confirmation(data).items)
    out["window_start"] = None if data.window_start is None else data.window_start.isoformat()
    out["latest_vs_previous"] = (
        None
        if data.latest is None
        else {
            "latest_run": data.latest.latest_run,
            "previous_run": data.latest.previous_run,
            "latest_commit": data.latest.latest_commit,
            "previous_commit": data.latest.previous_commit,
            "noise_runs": data.latest.noise_runs,
            "warnings": list(data.latest.warnings),
            "comparison": data.latest.comparison.to_dict(),
        }
    )
    out["latest_problem"] = data.latest_problem
    out["skipped"] = [{"path": str(s.path), "reason": s.reason} for s in data.skipped]
    return out
