"""Renderers: text, markdown, JSON, CSV, HTML display objects and plots.

- `table`, `markdown`, `json`, `csv`: a `Comparison` for the terminal, a PR comment,
  machines and spreadsheets (`render(comparison, fmt)` picks one);
- `cells`: formatted table cells shared by `table` and `markdown`;
- `baseline`: the baseline file as text (`vmbench baseline show`);
- `trend`: a `TrendReport` as text (`vmbench trend`);
- `display`: notebook display objects with an HTML and a markdown rendering;
- `plots`, `trend_plots`: matplotlib figures (imported only by the notebook layer).

They only format what the layers below computed; no statistics here. Every string that
comes from data goes through `vmbench.escape` for its format.

May import: `vmbench.history`, `vmbench.compare`, `vmbench.stats`, `vmbench.readers` and
the root modules. Not `notebook`, `pipeline` or `cli`. This `__init__` imports no
matplotlib: `display`, `plots` and `trend_plots` are loaded only when imported by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vmbench.compare.result import Comparison

Format = Literal["table", "markdown", "json", "csv"]
FORMATS: tuple[Format, ...] = ("table", "markdown", "json", "csv")


def render(comparison: Comparison, fmt: Format, *, only_not_stable: bool = False) -> str:
    """`comparison` in one of `FORMATS`; `only_not_stable` drops stable benchmarks.

    Each format's module is imported when that format is asked for: a command prints
    one format, and its start-up should not pay for the others."""
    if fmt == "table":
        from vmbench.render.table import render_table

        return render_table(comparison, only_not_stable=only_not_stable)
    if fmt == "markdown":
        from vmbench.render.markdown import render_markdown

        return render_markdown(comparison, only_not_stable=only_not_stable)
    if fmt == "json":
        from vmbench.render.json import render_json

        return render_json(comparison, only_not_stable=only_not_stable)
    if fmt == "csv":
        from vmbench.render.csv import render_csv

        return render_csv(comparison, only_not_stable=only_not_stable)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["FORMATS", "Format", "render"]
