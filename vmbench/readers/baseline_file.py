"""The design document's baseline file, `benches/baselines/main.json`.

Shape (one object, one entry per benchmark or metric):

    {"jit/tier1_compile": {"value": 1.55, "unit": "ms",
                           "description": "Tier 1 compilation time", "date": "2025-12-28"}}

`value` and `unit` are required; `unit` is a time unit (ns, µs/us, ms, s) or another
known unit (bytes, KiB, %, ratio, count, ops/s: see vmbench.units). `description` and
`date` are optional, and so is `direction` ("lower"/"higher") for metrics whose unit's
default direction is wrong for them (a miss rate in %). The file holds point values
only, no samples, so it loads as `Metric`s: times in ns with the file's unit kept as
`display_unit`.

Format history: the design document's shape is the only one so far (no version field,
so that files written by hand or by the original scripts keep loading).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmbench.atomic import atomic_write_text, locked
from vmbench.errors import InputError, Skipped
from vmbench.model import Direction, Metric, Run
from vmbench.readers.jsonfiles import read_json
from vmbench.units import parse_unit, time_unit_for

SIGNIFICANT_DIGITS = 4  # 1.553 ms: well below any threshold a comparison uses


@dataclass(frozen=True)
class BaselineEntry:
    """One entry as written to the file (value in `unit`, not converted)."""

    value: float
    unit: str
    description: str = ""
    date: str | None = None
    direction: Direction | None = None  # written only when it differs from the unit's

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "unit": self.unit}
        if self.description:
            out["description"] = self.description
        if self.date:
            out["date"] = self.date
        if self.direction and self.direction != parse_unit(self.unit).direction:
            out["direction"] = self.direction
        return out


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string {value[:20]!r}"
    return type(value).__name__


def _metric(name: str, raw: Any, path: Path) -> Metric:
    """One entry as a Metric; ValueError with the reason when it cannot be used."""
    if not isinstance(raw, dict):
        raise ValueError(f"entry must be an object with value and unit, not {_describe(raw)}")
    if "value" not in raw:
        raise ValueError("has no value")
    value = raw["value"]
    if type(value) not in (int, float):
        raise ValueError(f"value must be a number, not {_describe(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError("value is a number too large for a float") from None
    if not math.isfinite(value):
        raise ValueError(f"value must be a finite number, not {value!r}")
    if not isinstance(raw.get("unit"), str):
        raise ValueError(f"unit must be a string such as 'ms', not {_describe(raw.get('unit'))}")
    unit = parse_unit(raw["unit"])  # ValueError names the unknown unit and the known ones
    direction = raw.get("direction", unit.direction)
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be 'lower' or 'higher', not {direction!r}")
    description, date = raw.get("description", ""), raw.get("date")
    if not isinstance(description, str) or not (date is None or isinstance(date, str)):
        raise ValueError("description and date must be strings")
    is_time = unit.kind == "time"
    if is_time and not math.isfinite(value * unit.scale):
        raise ValueError(f"value {value!r} {raw['unit']} is too large to hold in ns")
    return Metric(
        id=name,
        value=value * unit.scale if is_time else value,
        unit="ns" if is_time else unit.name,
        direction=direction,
        description=description,
        date=date,
        display_unit=raw["unit"],
        source=path,
    )


def load_baseline_file(path: Path, *, label: str | None = None) -> Run:
    """A baseline file as a Run of Metrics; bad entries are skipped with their reason.

    InputError when the file is not a JSON object of entries or no entry is usable.
    """
    path = Path(path)
    raw = read_json(path)
    if not isinstance(raw, dict):
        raise InputError(
            path, f"must be a JSON object of {{name: {{value, unit}}}}, not {_describe(raw)}"
        )
    if not raw:
        raise InputError(path, "has no entries")
    metrics: dict[str, Metric] = {}
    skipped: list[Skipped] = []
    for name, entry in raw.items():
        try:
            metrics[name] = _metric(name, entry, path)
        except ValueError as exc:
            skipped.append(Skipped(path, " ".join(str(exc).split()), name))
    if not metrics:  # the file "loads if other entries are good"; here none is
        first = skipped[0]
        raise InputError(
            path, f"no usable entry ({len(skipped)} skipped); first: [{first.id}] {first.reason}"
        )
    return Run(
        label=label or path.stem,
        source=path,
        format="baseline-file",
        metrics=metrics,
        skipped=tuple(skipped),
    )


def _round(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    return float(f"{value:.{digits}g}")


def entry_for(metric: Metric) -> BaselineEntry:
    """A Metric as a file entry; times get the unit in which they read well (1.55 ms)."""
    if metric.is_time:
        unit = time_unit_for(metric.value)
        value = _round(metric.value / parse_unit(unit).scale)
    else:
        unit, value = metric.unit, _round(metric.value)
    return BaselineEntry(value, unit, metric.description, metric.date, metric.direction)


def _as_written(metric: Metric) -> BaselineEntry:
    """An entry loaded from a file, written back in its own unit (no rounding)."""
    unit = metric.display_unit or metric.unit
    value = metric.value / parse_unit(unit).scale if metric.is_time else metric.value
    return BaselineEntry(_round(value, 12), unit, metric.description, metric.date, metric.direction)


def baseline_from_run(
    run: Run, *, old: Run | None = None, date: str, keep_missing: bool = True
) -> dict[str, BaselineEntry]:
    """New baseline entries: each benchmark's mean time per iteration, dated `date`.

    Descriptions (and directions) come from `old` where it has the same name. With
    `keep_missing`, entries of `old` that this run does not measure are kept as they
    were (a run of one bench target must not erase the others).
    """
    previous = dict(old.metrics) if old is not None else {}
    out: dict[str, BaselineEntry] = {}
    if keep_missing:
        out.update({name: _as_written(m) for name, m in previous.items()})
    for name, bench in run.benchmarks.items():
        before = previous.get(name)
        metric = Metric(
            id=name,
            value=bench.mean_ns,
            unit="ns",
            description=before.description if before else "",
            date=date,
        )
        out[name] = entry_for(metric)
    for name, metric in run.metrics.items():
        before = previous.get(name)
        description = metric.description or (before.description if before else "")
        out[name] = entry_for(
            Metric(
                id=name,
                value=metric.value,
                unit=metric.unit,
                direction=metric.direction,
                description=description,
                date=date,
            )
        )
    return dict(sorted(out.items()))


def render_baseline_file(entries: Mapping[str, BaselineEntry] | Iterable[Metric]) -> str:
    """The file's JSON text (sorted by name, two-space indent, UTF-8 names kept)."""
    if isinstance(entries, Mapping):
        data = {name: entry.to_json() for name, entry in sorted(entries.items())}
    else:
        data = {m.id: entry_for(m).to_json() for m in sorted(entries, key=lambda m: m.id)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_baseline_file(
    path: Path, entries: Mapping[str, BaselineEntry] | Iterable[Metric]
) -> None:
    """Write the baseline file atomically (readers see the old or the new file, whole)."""
    atomic_write_text(Path(path), render_baseline_file(entries))


@dataclass(frozen=True)
class BaselineUpdate:
    """What `update_baseline_file` wrote, and the old file's entries it could not read."""

    entries: dict[str, BaselineEntry]
    skipped: tuple[Skipped, ...]


def update_baseline_file(
    path: Path, run: Run, *, date: str, keep_missing: bool = True
) -> BaselineUpdate:
    """Merge `run` into the baseline file at `path` (see `baseline_from_run`), atomically.

    The read, merge and write happen under an exclusive lock on `.<name>.lock` beside
    the file: CI jobs updating different benchmarks at once each see the others' entries.
    """
    path = Path(path)
    with locked(path):
        old = load_baseline_file(path) if path.exists() or path.is_symlink() else None
        entries = baseline_from_run(run, old=old, date=date, keep_missing=keep_missing)
        write_baseline_file(path, entries)
    return BaselineUpdate(entries, old.skipped if old is not None else ())
