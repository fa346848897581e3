"""Display objects: one object, escaped HTML and escaped markdown, folded and capped."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from vmbench.render.display import Bullets, Headline, Nothing, Plot, Stack, Table

HOSTILE = ["<script>alert(1)</script>", "| col | `x` @user", "line\nbreak", "a\u202eb"]


def _table(n: int = 4, **kw: object) -> Table:
    frame = pd.DataFrame({"benchmark": (HOSTILE * n)[:n], "change": [f"+{i}%" for i in range(n)]})
    return Table(frame, title="t <b>", **kw)  # type: ignore[arg-type]


def test_markdown_table_keeps_its_columns_whatever_the_names() -> None:
    md = _table()._repr_markdown_()
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 4  # header, rule, four rows: no name broke a line
    for row in rows:
        unescaped_pipes = row.count("|") - row.count("\\|")
        assert unescaped_pipes == 3
    assert "<script>" not in md
    assert "@user" not in md
    assert "\u202e" not in md
    assert "**t &lt;b&gt;**" in md


def test_html_table_escapes_cells_and_title() -> None:
    html = _table()._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "t &lt;b&gt;" in html
    assert html.count("<tr>") == 5


def test_long_tables_fold_and_cap_in_each_format() -> None:
    table = _table(60, fold=True, limit=50, md_limit=10)
    html = table._repr_html_()
    assert html.startswith("<details><summary>t &lt;b&gt; (60 rows)</summary>")
    assert html.count("<tr>") == 51
    assert "10 more rows" in html
    md = table._repr_markdown_()
    assert md.startswith("<details><summary>t &lt;b&gt; (60 rows)</summary>\n\n")
    assert md.rstrip().endswith("</details>")
    assert sum(1 for line in md.splitlines() if line.startswith("| ")) == 11
    assert "50 more rows in the HTML report" in md


def test_empty_table_says_none() -> None:
    empty = Table(pd.DataFrame(columns=["a"]), title="new (0)")
    assert "_none_" in empty._repr_markdown_()
    assert "<em>none</em>" in empty._repr_html_()


def test_plot_is_an_embedded_png_in_html_and_a_pointer_in_markdown() -> None:
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [0, 1])
    plot = Plot(fig, alt="changes of <script> benchmarks")
    html = plot._repr_html_()
    assert '<img alt="changes of &lt;script&gt; benchmarks" src="data:image/png;base64,' in html
    md = plot._repr_markdown_()
    assert "![" not in md
    assert "data:" not in md
    assert md.startswith("_Plot in the HTML report: changes of &lt;script&gt; benchmarks._")


def test_bullets_headline_nothing_and_stack_escape_text() -> None:
    stack = Stack(
        [
            Headline("🔴 verdict <i>", ["detail @user"]),
            Bullets(["x <script>", "y"], title="Insights"),
            Bullets([], title="Recommendations", empty="nothing to do"),
            Nothing("no <plot>"),
        ]
    )
    html = stack._repr_html_()
    md = stack._repr_markdown_()
    for text in (html, md):
        assert "<script>" not in text
        assert "<i>" not in text
        assert "<plot>" not in text
    assert "<h3>🔴 verdict &lt;i&gt;</h3>" in html
    assert "- x &lt;script&gt;" in md
    assert "_nothing to do_" in md
    assert "@\u200buser" in md
