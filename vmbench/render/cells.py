"""Plain-text cell values shared by the table and markdown renderers (escape afterwards)."""

from __future__ import annotations

import math

from vmbench.compare.result import BenchmarkComparison, SideSummary
from vmbench.units import format_duration, format_value


def value(side: SideSummary | None) -> str:
    """A side's mean (time) or point value, in a unit that reads well."""
    if side is None:
        return "-"
    if side.unit == "ns":
        return format_duration(side.value)
    try:
        return format_value(side.value, side.unit)
    except ValueError:  # a unit the units table does not know: show it as given
        return f"{side.value:.4g} {side.unit}"


def mean_with_ci(side: SideSummary | None) -> str:
    if side is None or side.mean_ci_ns is None:
        return value(side)
    lo, hi = side.mean_ci_ns
    return f"{value(side)} [{format_duration(lo)}, {format_duration(hi)}]"


def percent(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:+.1%}"


def change(b: BenchmarkComparison) -> str:
    return "-" if b.change is None else percent(b.change)


def change_ci(b: BenchmarkComparison) -> str:
    if b.change_ci is None:
        return "-"
    return f"[{percent(b.change_ci[0])}, {percent(b.change_ci[1])}]"


def pvalue(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def severity(b: BenchmarkComparison) -> str:
    return f"{b.indicator} {b.severity}"
