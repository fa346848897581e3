"""What the notebook glue modules share: parameters to runs, table limits, JSON output.

Notebook parameters arrive as strings or lists (`as_list`, `load_runs`,
`load_categories`); tables longer than `FOLD_ROWS` fold, and no table shows more than
`TABLE_LIMIT` rows (the JSON summary has all of them); `write_json` writes a report's
summary atomically without NaN.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from vmbench import format as fmt
from vmbench.atomic import atomic_write_text
from vmbench.compare.result import clean_dict
from vmbench.errors import UsageError
from vmbench.model import Run
from vmbench.readers.categories import Categories
from vmbench.readers.refs import load_ref
from vmbench.render.display import Table

FOLD_ROWS = 15  # tables longer than this are folded under <details>
TABLE_LIMIT = 500  # rows rendered in one table; the JSON has all of them


def as_list(refs: str | Sequence[str]) -> list[str]:
    """A notebook parameter that is one name or a list of names, as a list.

    A name given on the command line may arrive as a number (`-p candidate 2024`).
    """
    out = [str(r) for r in refs] if isinstance(refs, list | tuple) else [str(refs)]
    if not out or any(not r for r in out):
        raise UsageError("a run reference is empty; give a baseline name or a list of names")
    return out


def load_runs(refs: str | Sequence[str], *, criterion_dir: str | Path) -> tuple[Run, ...]:
    return tuple(load_ref(r, criterion_dir=Path(criterion_dir)) for r in as_list(refs))


def load_categories(categories_file: str | Path | None) -> Categories:
    return Categories.load(Path(categories_file) if categories_file else None)


def pct(x: float | None, signed: bool = True) -> str:
    """A relative change as a percentage (+12.3%), or "" when undefined (notebook tables)."""
    return fmt.percent(x, signed=signed, missing="")


def skipped_table(skipped: pd.DataFrame, *, criterion_dir: str | Path) -> Table:
    """What was left out while loading the runs (file, benchmark, reason), so a report
    on partly broken data says so instead of silently comparing fewer benchmarks."""
    root = Path(criterion_dir)
    frame = pd.DataFrame(
        {
            "run": skipped["run"],
            "file": [_relative(Path(p), root) for p in skipped["path"]],
            "benchmark": skipped["id"].fillna(""),
            "reason": skipped["reason"],
        },
        columns=["run", "file", "benchmark", "reason"],
    )
    return Table(
        frame,
        title=f"Skipped while loading ({len(frame)})",
        fold=len(frame) > FOLD_ROWS,
        limit=TABLE_LIMIT,
    )


def _relative(path: Path, root: Path) -> str:
    # Shown relative to the Criterion directory of the parameters, when inside it.
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


class JsonSummary(dict[str, Any]):
    """A summary already made JSON-safe by `clean`: `write_json` need not walk it again
    (for 1,000 benchmarks the second walk took as long as writing the file)."""


def write_json(path: str | Path, data: dict[str, Any]) -> None:
    """Write a report's JSON summary atomically (no NaN: undefined numbers are null)."""
    safe = data if isinstance(data, JsonSummary) else clean_dict(data)
    atomic_write_text(path, json.dumps(safe, indent=2, ensure_ascii=False) + "\n")
