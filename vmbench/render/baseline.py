"""Render a baseline file (a Run of point values) as a terminal table or JSON."""

from __future__ import annotations

import json

from vmbench import escape
from vmbench.model import Metric, Run
from vmbench.units import format_duration, format_value

_HEAD = ("benchmark", "value", "direction", "date", "description")


def _value(metric: Metric) -> str:
    if metric.is_time:
        return format_duration(metric.value)
    try:
        return format_value(metric.value, metric.unit)
    except ValueError:
        return f"{metric.value:.4g} {metric.unit}"


def render_baseline_table(run: Run) -> str:
    """One row per entry: name, value in a unit that reads well, direction, date."""
    rows = [
        (
            escape.terminal(m.id, width=60),
            _value(m),
            f"{m.direction} is better",
            escape.terminal(m.date or "-"),
            escape.terminal(m.description, width=60),
        )
        for m in sorted(run.metrics.values(), key=lambda m: m.id)
    ]
    lines = [f"{escape.terminal(str(run.source))}: {len(rows)} entries"]
    if rows:
        widths = [max(len(r[i]) for r in [_HEAD, *rows]) for i in range(len(_HEAD))]
        for row in [_HEAD, tuple("-" * w for w in widths), *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def render_baseline_json(run: Run) -> str:
    """Entries with values in base units (ns for time), for scripts."""
    data = {
        m.id: {
            "value": m.value,
            "unit": m.unit,
            "display_unit": m.display_unit,
            "direction": m.direction,
            "date": m.date,
            "description": m.description,
        }
        for m in sorted(run.metrics.values(), key=lambda m: m.id)
    }
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
