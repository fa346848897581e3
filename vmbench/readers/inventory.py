"""What a Criterion directory holds (`vmbench show`): compute, then render as text or JSON.

`inventory()` loads one baseline and returns its baselines, one row per benchmark and
everything skipped; `render_text` and `inventory_json` are two renderings of that same
data. Names come from benchmark files, so the text rendering escapes control and
direction-changing characters: a benchmark name cannot rewrite the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vmbench.errors import InputError
from vmbench.readers.categories import Categories
from vmbench.readers.criterion import list_baselines, load_criterion
from vmbench.readers.frames import benchmarks_frame, skipped_frame
from vmbench.units import format_duration

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MAX_ID = 100


@dataclass(frozen=True)
class Inventory:
    """One baseline of a Criterion directory: what loaded and what was skipped."""

    path: Path
    baseline: str
    baselines: tuple[str, ...]
    benchmarks: pd.DataFrame  # vmbench.readers.frames.benchmarks_frame
    skipped: pd.DataFrame  # vmbench.readers.frames.skipped_frame


def inventory(
    path: Path,
    *,
    baseline: str = "new",
    categories: Categories | None = None,
    allow_empty: bool = False,
) -> Inventory:
    """Load `baseline` of the Criterion directory `path` and list what it holds.

    InputError when nothing usable is left (unless `allow_empty`), naming the first
    skipped file so the one line says why.
    """
    path = Path(path)
    run = load_criterion(path, baseline)
    if not run.benchmarks and not allow_empty:
        first = f"; first: {run.skipped[0]}" if run.skipped else ""
        raise InputError(
            path,
            f"no usable benchmark in baseline {baseline!r} ({len(run.skipped)} skipped){first}",
        )
    frame = benchmarks_frame([run], categories).sort_values("id", ignore_index=True)
    return Inventory(path, baseline, tuple(list_baselines(path)), frame, skipped_frame([run]))


def safe_text(text: object, *, cut: bool = False) -> str:
    """Text for a terminal: control and bidi characters shown escaped; `cut` long names."""
    out = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))
    return out if not cut or len(out) <= _MAX_ID else out[: _MAX_ID - 1] + "…"


def _relative(path: str, root: Path) -> str:
    # Skipped files are listed relative to the directory shown at the top, when inside it.
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # NaN (missing function, throughput, estimate) becomes None for text and JSON alike.
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in row.items()} for row in rows]


def render_text(inv: Inventory) -> str:
    """A plain-text listing: baselines, a table of benchmarks, then what was skipped."""
    lines = [
        f"Criterion directory: {safe_text(inv.path)}",
        f"Baselines: {', '.join(inv.baselines)} (showing {safe_text(inv.baseline)})",
        f"Benchmarks: {len(inv.benchmarks)}",
        "",
    ]
    rows = [
        [
            safe_text(r["id"], cut=True),
            safe_text(r["category"], cut=True),
            str(r["n"]),
            str(r["iterations"]),
            format_duration(float(r["mean_ns"])),
            str(r["sampling_mode"]),
        ]
        for r in _records(inv.benchmarks)
    ]
    header = ["id", "category", "samples", "iterations", "mean/iter", "mode"]
    if rows:
        lines += _table(header, rows, right={2, 3, 4})
    if len(inv.skipped):
        lines += ["", f"Skipped ({len(inv.skipped)}):"]
        for r in _records(inv.skipped):
            name = f" [{safe_text(r['id'])}]" if r["id"] else ""
            where = safe_text(_relative(str(r["path"]), inv.path))
            lines.append(f"  {where}{name}: {safe_text(r['reason'])}")
    return "\n".join(lines) + "\n"


def inventory_json(inv: Inventory) -> dict[str, Any]:
    """The same data as plain JSON-able values (means in ns, and formatted)."""
    benchmarks = [
        {
            "id": r["id"],
            "category": r["category"],
            "group": r["group"],
            "samples": int(r["n"]),
            "iterations": int(r["iterations"]),
            "mean_ns": float(r["mean_ns"]),
            "mean": format_duration(float(r["mean_ns"])),
            "criterion_mean_ns": r["criterion_mean_ns"],
            "sampling_mode": r["sampling_mode"],
            "throughput_kind": r["throughput_kind"],
            "throughput_per_iter": r["throughput_per_iter"],
            "source": r["source"],
        }
        for r in _records(inv.benchmarks)
    ]
    skipped = [
        {"path": r["path"], "id": r["id"], "reason": r["reason"]} for r in _records(inv.skipped)
    ]
    return {
        "path": str(inv.path),
        "baseline": inv.baseline,
        "baselines": list(inv.baselines),
        "benchmarks": benchmarks,
        "skipped": skipped,
    }
