"""Display objects for report notebooks: one object, an HTML and a markdown rendering.

A notebook cell ends with one of these; Jupyter records both `text/html` and
`text/markdown`. The HTML export shows the HTML, the markdown export (a GitHub comment)
the markdown, so each format gets text built for it instead of HTML pasted into markdown.
Every string that comes from data (benchmark ids, categories, notes) is escaped here for
the format it goes into: a benchmark called `<script>` stays text in both.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from vmbench.escape import html_text
from vmbench.escape import markdown as md_text


def _md_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return md_text(str(value))


def _html_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html_text(str(value))


MD_ROWS = 25


@dataclass(frozen=True)
class Table:
    """A table of already formatted values (strings), folded under a summary when long.

    `limit` caps the rows shown (the rest are counted, not rendered) so that a report on
    thousands of benchmarks stays readable; `fold` puts the table in `<details>`.
    """

    frame: pd.DataFrame
    title: str = ""
    fold: bool = False
    limit: int | None = None
    # Markdown goes into a pull-request comment (GitHub caps one at 65,536 characters):
    # fewer rows there, the first ones (callers sort what matters to the top).
    md_limit: int | None = MD_ROWS

    def _rows(self, limit: int | None = None) -> tuple[pd.DataFrame, int]:
        limit = self.limit if limit is None else limit
        if limit is None or len(self.frame) <= limit:
            return self.frame, 0
        return self.frame.head(limit), len(self.frame) - limit

    def _summary(self) -> str:
        return f"{self.title} ({len(self.frame)} rows)" if self.title else f"{len(self.frame)} rows"

    def _repr_html_(self) -> str:
        rows, hidden = self._rows()
        head = "".join(f"<th>{_html_cell(c)}</th>" for c in rows.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>"
            for row in rows.itertuples(index=False)
        )
        table = (
            f'<table class="vmbench"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )
        if hidden:
            table += f"<p><em>{hidden} more rows in the JSON file.</em></p>"
        if self.frame.empty:
            table = "<p><em>none</em></p>"
        if self.fold:
            return f"<details><summary>{_html_cell(self._summary())}</summary>{table}</details>"
        title = f"<p><strong>{_html_cell(self.title)}</strong></p>" if self.title else ""
        return title + table

    def _repr_markdown_(self) -> str:
        limits = [x for x in (self.limit, self.md_limit) if x is not None]
        rows, hidden = self._rows(min(limits) if limits else None)
        if self.frame.empty:
            table = "_none_"
        else:
            lines = [
                "| " + " | ".join(_md_cell(c) for c in rows.columns) + " |",
                "|" + "---|" * len(rows.columns),
            ]
            lines += [
                "| " + " | ".join(_md_cell(v) for v in row) + " |"
                for row in rows.itertuples(index=False)
            ]
            table = "\n".join(lines)
            if hidden:
                table += f"\n\n_{hidden} more rows in the HTML report and the JSON file._"
        if self.fold:
            # GitHub renders markdown inside <details> only after a blank line.
            summary = _md_cell(self._summary())
            return f"<details><summary>{summary}</summary>\n\n{table}\n\n</details>\n"
        title = f"**{_md_cell(self.title)}**\n\n" if self.title else ""
        return title + table + "\n"


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text sentences (insights, notes), escaped for each format."""

    items: Sequence[str]
    title: str = ""
    empty: str = "nothing to report"

    def _repr_html_(self) -> str:
        title = f"<p><strong>{_html_cell(self.title)}</strong></p>" if self.title else ""
        if not self.items:
            return f"{title}<p><em>{_html_cell(self.empty)}</em></p>"
        return title + "<ul>" + "".join(f"<li>{_html_cell(i)}</li>" for i in self.items) + "</ul>"

    def _repr_markdown_(self) -> str:
        title = f"**{_md_cell(self.title)}**\n\n" if self.title else ""
        if not self.items:
            return f"{title}_{_md_cell(self.empty)}_\n"
        return title + "\n".join(f"- {md_text(i)}" for i in self.items) + "\n"


@dataclass(frozen=True)
class Headline:
    """One prominent line (a verdict) followed by optional plain-text detail lines."""

    text: str
    details: Sequence[str] = field(default_factory=tuple)

    def _repr_html_(self) -> str:
        lines = "".join(f"<p>{_html_cell(d)}</p>" for d in self.details)
        return f"<h3>{_html_cell(self.text)}</h3>{lines}"

    def _repr_markdown_(self) -> str:
        lines = "".join(f"{md_text(d)}\n\n" for d in self.details)
        return f"### {md_text(self.text)}\n\n{lines}"


@dataclass(frozen=True, eq=False)
class Plot:
    """A matplotlib figure as an embedded PNG; in markdown, a pointer to the HTML report."""

    figure: Figure
    alt: str
    dpi: int = 80

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        # No bbox_inches="tight": it draws the figure a second time to measure it, and
        # vmbench's figures use constrained layout, which already fits them to the canvas.
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self._png()).decode("ascii")
        alt = _html_cell(self.alt)
        return (
            f'<figure class="vmbench"><img alt="{alt}" src="data:image/png;base64,{data}"/>'
            f"<figcaption>{alt}</figcaption></figure>"
        )

    def _repr_markdown_(self) -> str:
        return f"_Plot in the HTML report: {md_text(self.alt)}._\n"


@dataclass(frozen=True)
class Nothing:
    """Shown instead of a plot or table when there is nothing to show, with the reason."""

    reason: str

    def _repr_html_(self) -> str:
        return f"<p><em>{_html_cell(self.reason)}</em></p>"

    def _repr_markdown_(self) -> str:
        return f"_{md_text(self.reason)}_\n"


@dataclass(frozen=True)
class Stack:
    """Several display objects shown one after another as one output."""

    parts: Sequence[Table | Bullets | Headline | Plot | Nothing | Stack]

    def _repr_html_(self) -> str:
        return "".join(p._repr_html_() for p in self.parts)

    def _repr_markdown_(self) -> str:
        return "\n".join(p._repr_markdown_() for p in self.parts)
