"""How numbers read in every report: durations, values, percentages, p/q-values, severities.

One rendering each, used by the terminal table, the markdown comment, the trend text and
the notebooks, so the PR comment and the notebook print the same number the same way:

- a duration or a value with a unit: three significant digits in a unit that reads well
  (`1.55 ms`, `12.3 ns`, `4.00 KiB`; see `vmbench.units`);
- a relative change: one decimal of a percent, signed (`+12.3%`, `-0.4%`);
- a p- or q-value: three decimals, and `<0.001` below that (no test here resolves
  smaller values meaningfully: permutation tests stop at 1/1000, and q-values of
  thousands of benchmarks are reported to the same precision);
- a severity: its indicator and name (`🔴 high`).

An undefined number (None, NaN, missing in a frame) prints as `missing`, "n/a" unless the
caller's table uses another blank ("-" in the comparison table, "" in notebooks).
"""

from __future__ import annotations

import math

from vmbench.units import format_duration, format_value

MISSING = "n/a"
P_FLOOR = 0.001  # p- and q-values below this print as "<0.001"


def _finite(x: object) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)  # type: ignore[arg-type]  # numpy and pandas scalars too
    except (TypeError, ValueError):  # pandas.NA and the like
        return None
    return value if math.isfinite(value) else None


def duration(ns: object, *, missing: str = MISSING) -> str:
    """A duration in nanoseconds: `1.55 ms`."""
    value = _finite(ns)
    return missing if value is None else format_duration(value)


def value(x: object, unit: str, *, missing: str = MISSING) -> str:
    """A value in `unit`: durations and sizes scaled, others as they are."""
    number = _finite(x)
    return missing if number is None else format_value(number, unit)


def percent(x: object, *, signed: bool = True, missing: str = MISSING) -> str:
    """A relative change (0.123 = 12.3 %): `+12.3%`, or `12.3%` unsigned."""
    number = _finite(x)
    if number is None:
        return missing
    return f"{number:+.1%}" if signed else f"{number:.1%}"


def p_value(p: object, *, missing: str = MISSING) -> str:
    """A p- or q-value: `0.042`, `<0.001`."""
    number = _finite(p)
    if number is None:
        return missing
    return f"<{P_FLOOR:g}" if number < P_FLOOR else f"{number:.3f}"


def severity(indicator: str, name: str) -> str:
    """A severity with its indicator: `🔴 high`."""
    return f"{indicator} {name}"
