"""Units of measurement: parse them, convert to a base unit, format values that read well.

Time is stored in nanoseconds everywhere in vmbench; a file may say ns, µs (or us), ms
or s. Other metrics (code size, hit rates, throughput) keep their own unit, and each
unit has a default direction: for time and bytes lower is better, for %, ratio and
ops/s higher is better. A metric can override the default (a "%" that is a miss rate
is lower-is-better).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from vmbench.model import Direction

UnitKind = Literal["time", "bytes", "percent", "ratio", "count", "rate"]


@dataclass(frozen=True)
class Unit:
    """A unit a value can be given in: its canonical name, kind and scale to the base unit."""

    name: str
    kind: UnitKind
    scale: float  # multiply a value in this unit by `scale` to get the base unit
    base: str  # the base unit of the kind: ns, bytes, %, ratio, count, ops/s
    direction: Direction


_TIME = {"ns": 1.0, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9}
_BYTES = {
    "b": 1.0,
    "byte": 1.0,
    "bytes": 1.0,
    "kib": 1024.0,
    "mib": 1024.0**2,
    "gib": 1024.0**3,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
}
_BYTES_NAMES = {"b": "bytes", "byte": "bytes", "bytes": "bytes", "kib": "KiB", "mib": "MiB"}
_BYTES_NAMES |= {"gib": "GiB", "kb": "kB", "mb": "MB", "gb": "GB"}
_OTHER: dict[str, tuple[str, UnitKind, Direction]] = {
    "%": ("%", "percent", "higher"),
    "percent": ("%", "percent", "higher"),
    "ratio": ("ratio", "ratio", "higher"),
    "x": ("ratio", "ratio", "higher"),
    "count": ("count", "count", "lower"),
    "ops/s": ("ops/s", "rate", "higher"),
    "op/s": ("ops/s", "rate", "higher"),
    "elem/s": ("ops/s", "rate", "higher"),
}

TIME_UNITS: tuple[str, ...] = ("ns", "µs", "ms", "s")
KNOWN_UNITS: tuple[str, ...] = ("ns", "µs", "us", "ms", "s", "bytes", "KiB", "MiB", "GiB")
KNOWN_UNITS += ("kB", "MB", "GB", "%", "ratio", "count", "ops/s")


def parse_unit(text: str) -> Unit:
    """The `Unit` a unit string names; ValueError for a unit vmbench does not know."""
    raw = text.strip()
    if raw in _TIME:
        name = "µs" if _TIME[raw] == 1e3 else raw
        return Unit(name, "time", _TIME[raw], "ns", "lower")
    low = raw.lower()
    if low in _BYTES:
        return Unit(_BYTES_NAMES[low], "bytes", _BYTES[low], "bytes", "lower")
    if low in _OTHER:
        name, kind, direction = _OTHER[low]
        return Unit(name, kind, 1.0, name, direction)
    known = ", ".join(KNOWN_UNITS)
    raise ValueError(f"unknown unit {text!r} (known: {known})")


def to_base(value: float, unit: str) -> tuple[float, str]:
    """`value` in `unit` converted to its kind's base unit (ns for time, bytes for sizes)."""
    parsed = parse_unit(unit)
    return value * parsed.scale, parsed.base


def default_direction(unit: str) -> Direction:
    """Whether lower or higher is better for a value in `unit`, unless a metric says."""
    return parse_unit(unit).direction


_DURATION = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµμ]+)\s*$")


def parse_duration(text: str) -> float:
    """'1.55 ms' -> 1550000.0 (ns). ValueError for anything else."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (expected e.g. '1.55 ms')")
    unit = parse_unit(match.group(2))
    if unit.kind != "time":
        raise ValueError(f"not a time unit: {match.group(2)!r}")
    return float(match.group(1)) * unit.scale


def time_unit_for(ns: float) -> str:
    """The time unit in which `ns` reads as a number between 1 and 1000."""
    size = abs(ns)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        # Compare after rounding to 3 significant digits so 999.96 µs becomes "1.00 ms".
        if size >= scale * 0.9995:
            return unit
    return "ns"


def _three_digits(value: float) -> str:
    # The magnitude after rounding picks the decimals, so 99.96 prints as "100", not
    # "100.0"; the value itself is what is rounded to them, once: rounding the rounded
    # value again would print 0.205078125 as "0.20" (0.205 is 0.20499... in binary).
    size = abs(float(f"{value:.3g}"))
    if size >= 100 or size == 0:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_duration(ns: float) -> str:
    """A duration that reads well: 1550000.0 -> '1.55 ms', 12.3 -> '12.3 ns'."""
    if not math.isfinite(ns):
        return "n/a"
    unit = time_unit_for(ns)
    return f"{_three_digits(ns / _TIME[unit])} {unit}"


def bytes_unit_for(size: float) -> str:
    """The binary size unit in which `size` bytes reads as a number below 1024."""
    for unit in ("GiB", "MiB", "KiB"):
        if abs(size) >= _BYTES[unit.lower()] * 0.9995:
            return unit
    return "bytes"


def format_value(value: float, unit: str) -> str:
    """A value in `unit` for display: durations and sizes scaled, others as they are."""
    if not math.isfinite(value):
        return "n/a"
    parsed = parse_unit(unit)
    if parsed.kind == "time":
        return format_duration(value * parsed.scale)
    if parsed.kind == "bytes":
        base = value * parsed.scale
        best = bytes_unit_for(base)
        return f"{_three_digits(base / _BYTES[best.lower()])} {best}"
    if parsed.kind == "percent":
        return f"{_three_digits(value)}%"
    if parsed.kind == "count" and float(value).is_integer():
        return f"{int(value)}"
    return f"{_three_digits(value)} {parsed.name}"
