"""Plain-text cell values shared by the table and markdown renderers (escape afterwards).

Numbers are formatted by `vmbench.format`; this module picks what goes in each cell.
"""

from __future__ import annotations

from vmbench import format as fmt
from vmbench.compare.result import BenchmarkComparison, Comparison, SideSummary
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
    return fmt.percent(x)


def change(b: BenchmarkComparison) -> str:
    """The change the verdict was made on: run level when there is one."""
    judged = b.judged_change
    return "-" if judged is None else percent(judged)


def change_ci(b: BenchmarkComparison) -> str:
    """The interval of that change (run level; else the bootstrap interval of the means)."""
    ci = b.run_level.ci if b.run_level is not None else b.change_ci
    if ci is None:
        return "-"
    return f"[{percent(ci[0])}, {percent(ci[1])}]"


def verdict_p(b: BenchmarkComparison) -> float | None:
    """BH-adjusted run-level p-value (q-value) in the direction of the change."""
    v = b.run_level
    if v is None:
        return None
    return v.p_slower if v.change > 0 else v.p_faster


def pvalue(p: float | None) -> str:
    return fmt.p_value(p, missing="-")


def severity(b: BenchmarkComparison) -> str:
    return fmt.severity(b.indicator, b.severity)


def suite_line(comparison: Comparison) -> str | None:
    """The shift the whole suite shares and the run effects, or None."""
    suite = comparison.suite
    if suite is None:
        return None
    ci = f" [{percent(suite.ci[0])}, {percent(suite.ci[1])}]" if suite.ci else ""
    judged = {
        "unknown": "not judged: the machine's run-to-run noise is unknown",
        "inconclusive": "inconclusive: machine or code cannot be told apart",
    }.get(suite.severity, suite.severity)
    effects = ", ".join(f"{label} {percent(e)}" for label, e in suite.run_effects.items() if e)
    tail = f"; run effects removed within each side: {effects}" if effects else ""
    return (
        f"Whole suite: {percent(suite.shift)}{ci} over {suite.benchmarks} benchmarks "
        f"({judged}); each benchmark is judged relative to it{tail}"
    )
