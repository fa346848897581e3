"""Renderers of a `Comparison`: terminal table, markdown (PR comment), JSON and CSV.

They only format what `vmbench.compare.compare()` computed; no statistics here. Every
string that comes from data goes through `vmbench.escape` for its format.
"""

from __future__ import annotations

from typing import Literal

from vmbench.comparison import Comparison
from vmbench.render.csv_out import render_csv
from vmbench.render.json_out import render_json
from vmbench.render.markdown import render_markdown
from vmbench.render.table import render_table

Format = Literal["table", "markdown", "json", "csv"]
FORMATS: tuple[Format, ...] = ("table", "markdown", "json", "csv")


def render(comparison: Comparison, fmt: Format, *, only_not_stable: bool = False) -> str:
    """`comparison` in one of `FORMATS`; `only_not_stable` drops stable benchmarks."""
    if fmt == "table":
        return render_table(comparison, only_not_stable=only_not_stable)
    if fmt == "markdown":
        return render_markdown(comparison, only_not_stable=only_not_stable)
    if fmt == "json":
        return render_json(comparison, only_not_stable=only_not_stable)
    if fmt == "csv":
        return render_csv(comparison, only_not_stable=only_not_stable)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = [
    "FORMATS",
    "Format",
    "render",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_table",
]
