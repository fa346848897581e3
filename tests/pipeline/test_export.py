"""export_html skips nbconvert's BeautifulSoup pass but makes the same page: parsing our
output the way HTMLExporter does gives exactly HTMLExporter's own output."""

from __future__ import annotations

import copy

import pandas as pd
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from vmbench.pipeline.export import HTML_SETTINGS, export_html
from vmbench.render.display import Table

PNG = "iVBORw0KGgo="
HOSTILE = ['<div class="jp-OutputArea-output">', "<img src=x>", 'a"b', "$x$ & <b>"]


def _notebook() -> object:
    nb = new_notebook()
    nb.cells.append(new_markdown_cell(f'# Title\n\n<img src="data:image/png;base64,{PNG}">'))
    nb.cells.append(new_markdown_cell(f"![described](data:image/png;base64,{PNG})"))
    table = Table(pd.DataFrame({"benchmark": HOSTILE, "x": ["1"] * len(HOSTILE)}), title="t")
    cell = new_code_cell("table")
    cell.outputs = [
        new_output(
            "execute_result",
            data={"text/html": table._repr_html_(), "text/plain": "table"},
            execution_count=1,
        ),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="printed <div class='x'>\n"),
    ]
    nb.cells.append(cell)
    return nb


def test_same_page_as_nbconvert_html_exporter() -> None:
    nb = _notebook()
    ours = export_html(nb, title="vmbench t report")
    stock_exporter = HTMLExporter(**HTML_SETTINGS)
    doc = copy.deepcopy(nb)
    doc.metadata["title"] = "vmbench t report"
    stock, _ = stock_exporter.from_notebook_node(doc)
    assert 'tabindex="0"' in stock
    assert "No description has been provided" in stock
    assert str(BeautifulSoup(ours, features="html.parser")) == stock
