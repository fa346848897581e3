"""Render a `TrendReport` and a run list as a terminal table, markdown or JSON.

Every format shows the same data as `TrendReport.to_dict()`; names are escaped for the
format (benchmark ids come from whoever wrote the benchmarks).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd

from vmbench import escape
from vmbench import format as fmt
from vmbench.history.trend import TrendReport
from vmbench.units import format_duration

TrendFormat = Literal["table", "markdown", "json"]
_ID_WIDTH = 48


def day(value: Any) -> str:
    """A run's date as YYYY-MM-DD ("" when unknown)."""
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


CHANGE_POINT_HEADER = [
    "benchmark",
    "category",
    "commit",
    "date",
    "before",
    "after",
    "change",
    "q",
    "runs after",
]


def change_point_rows(steps: pd.DataFrame, cell: Callable[[str], str] = str) -> list[list[str]]:
    """One row of `CHANGE_POINT_HEADER` per change point (`TrendReport.change_points` rows);
    `cell` escapes the names for the output format."""
    return [
        [
            cell(str(r["id"])),
            cell(str(r["category"])),
            cell(str(r["commit"])[:12]),
            day(r["date"]),
            format_duration(float(r["before_ns"])),
            format_duration(float(r["after_ns"])),
            fmt.percent(r["change"]),
            fmt.p_value(r["q_value"]),
            _runs_after(r),
        ]
        for _, r in steps.iterrows()
    ]


def _runs_after(row: Any) -> str:
    """Runs the step rests on after it; provisional steps say so."""
    runs = int(row["runs_after"])
    return f"{runs} (provisional)" if bool(row["provisional"]) else str(runs)


DRIFT_HEADER = [
    "benchmark",
    "category",
    "runs (before/after)",
    "before",
    "after",
    "change",
    "p",
    "q",
]


def drift_rows(drift: pd.DataFrame, cell: Callable[[str], str] = str) -> list[list[str]]:
    """One row of `DRIFT_HEADER` per drifting series (`TrendReport.drift` rows)."""
    return [
        [
            cell(str(r["id"])),
            cell(str(r["category"])),
            f"{int(r['runs_before'])}/{int(r['runs_after'])}",
            format_duration(float(r["before_ns"])),
            format_duration(float(r["after_ns"])),
            fmt.percent(r["change"]),
            fmt.p_value(r["p_value"]),
            fmt.p_value(r["q_value"]),
        ]
        for _, r in drift.iterrows()
    ]


def _headline(report: TrendReport) -> str:
    span = f"{day(report.first_date)} to {day(report.last_date)}"
    return (
        f"{report.runs} runs of branch {report.branch!r} on machine {report.machine!r} "
        f"({span}), {report.benchmarks} benchmarks; "
        f"{len(report.change_points)} change points "
        f"({sum(map(bool, report.change_points['provisional']))} provisional); "
        f"drift: last {report.window_days:g} days against the {report.window_days:g} before"
    )


def _method(report: TrendReport) -> str:
    return (
        f"Method: {report.settings.describe()}. Drift: window means, AR(1) t-test, "
        f"Benjamini-Hochberg q across benchmarks."
    )


def render_table(report: TrendReport, *, drift_limit: int = 20) -> str:
    def cell(text: str) -> str:
        return escape.terminal(text, width=_ID_WIDTH)

    parts = [_headline(report), ""]
    parts += ["Change points (first run after the step)", ""]
    rows = change_point_rows(report.change_points, cell)
    parts.append(_table(CHANGE_POINT_HEADER, rows) if rows else "none")
    parts += ["", f"Drift (largest {drift_limit})", ""]
    drows = drift_rows(report.drift.head(drift_limit), cell)
    parts.append(_table(DRIFT_HEADER, drows) if drows else "none (no runs in both windows)")
    if not report.category_drift.empty:
        crows = [
            [cell(str(r["category"])), str(int(r["benchmarks"])), fmt.percent(r["change"])]
            for _, r in report.category_drift.iterrows()
        ]
        parts += ["", "Drift per category (geometric mean)", ""]
        parts.append(_table(["category", "benchmarks", "change"], crows))
    parts += ["", _method(report)]
    parts += [f"note: {escape.terminal(n)}" for n in report.notes]
    return "\n".join(parts) + "\n"


def render_markdown(report: TrendReport, *, drift_limit: int = 20) -> str:
    def cell(text: str) -> str:
        return escape.markdown(text, width=_ID_WIDTH)

    parts = ["## Performance trend", "", escape.markdown(_headline(report)), ""]
    parts += ["### Change points", ""]
    rows = change_point_rows(report.change_points, cell)
    parts.append(_md_table(CHANGE_POINT_HEADER, rows) if rows else "No change point found.")
    parts += ["", f"### Drift (largest {drift_limit})", ""]
    drows = drift_rows(report.drift.head(drift_limit), cell)
    parts.append(_md_table(DRIFT_HEADER, drows) if drows else "No runs in both windows.")
    if not report.category_drift.empty:
        crows = [
            [cell(str(r["category"])), str(int(r["benchmarks"])), fmt.percent(r["change"])]
            for _, r in report.category_drift.iterrows()
        ]
        parts += ["", "### Drift per category (geometric mean)", ""]
        parts.append(_md_table(["category", "benchmarks", "change"], crows))
    parts += ["", escape.markdown(_method(report))]
    parts += [f"> {escape.markdown(n)}" for n in report.notes]
    return "\n".join(parts) + "\n"


def render_trend(report: TrendReport, output_format: TrendFormat) -> str:
    """The report in one of the formats of `vmbench trend --format`."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return render_markdown(report)
    return render_table(report)


def render_runs(runs: pd.DataFrame, output_format: Literal["table", "json"]) -> str:
    """`vmbench history list`: one line (or JSON object) per recorded run."""
    if output_format == "json":
        records = []
        for row in runs.to_dict(orient="records"):
            clean = {
                str(k): (
                    v.isoformat()
                    if isinstance(v, pd.Timestamp)
                    else (None if isinstance(v, float) and math.isnan(v) else v)
                )
                for k, v in row.items()
            }
            records.append(clean)
        return json.dumps({"runs": records}, indent=2, ensure_ascii=False, default=str) + "\n"
    if runs.empty:
        return "no runs recorded\n"
    rows = [
        [
            escape.terminal(str(r["run_id"])),
            day(r["date"]),
            escape.terminal(str(r["commit"])[:12]),
            escape.terminal(str(r["branch"]), width=24),
            escape.terminal(str(r["machine"]), width=24),
            str(int(r["benchmarks"])),
            "yes" if r["has_samples"] else "pruned",
            f"{int(r['size_bytes']) / 1024:.0f} KiB",
        ]
        for _, r in runs.iterrows()
    ]
    header = ["run", "date", "commit", "branch", "machine", "benchmarks", "samples", "size"]
    return _table(header, rows) + f"\n{len(rows)} runs\n"
