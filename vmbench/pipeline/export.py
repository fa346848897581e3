"""Export an executed notebook to a self-contained HTML page and to GitHub markdown.

HTML: the lab template without code cells and without anything fetched from a CDN
(`templates/report.html.j2` drops require.js, MathJax, mermaid and the widget manager);
images are already data URIs inside the outputs, so the page opens offline.

Markdown: what a pull-request comment can show. Outputs that carry a `text/markdown`
version (vmbench's display objects do) use it; images are dropped, since a comment
cannot show a data URI and the report has no place to upload files.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter, MarkdownExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"  # vmbench/templates

# Markdown export: prefer the markdown rendering, then plain text; never HTML or images.
_MARKDOWN_PRIORITY = ["text/markdown", "text/plain"]

# Anything that would make a browser fetch from the network when the page opens.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"""(?:@import\s+|url\()\s*["']?(?:https?:)?//""", re.IGNORECASE)


class _ReportHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its BeautifulSoup pass over the finished page.

    That pass parses and re-serialises the whole page to add `alt` to images without
    one and `tabindex="0"` to cell inputs and outputs: for a report with 1,000-row
    tables it is most of the export time. The same two edits are made here on the
    template's own tags (`_accessible`); data inside outputs is escaped, so it cannot
    look like one. The steps before rendering are HTMLExporter.from_notebook_node's.
    """

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code",
            Highlight2HTML(pygments_lexer=lexer, parent=self),  # type: ignore[no-untyped-call]
        )
        resources = self._init_resources(resources)  # type: ignore[no-untyped-call]
        filter_data_type = WidgetsDataTypeFilter(  # type: ignore[no-untyped-call]
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight_code)  # type: ignore[no-untyped-call]
        self.register_filter("filter_data_type", filter_data_type)  # type: ignore[no-untyped-call]
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _accessible(html), resources


_FOCUSABLE = re.compile(
    r'(<div class="(?:[^"<>]*\s)?jp-(?:Cell-inputWrapper|OutputArea-output)(?:\s[^"<>]*)?")'
)
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^<>]*\balt=)")


def _accessible(html: str) -> str:
    """HTMLExporter's accessibility edits: focusable cells, a text for images without."""
    html = _FOCUSABLE.sub(r'\1 tabindex="0"', html)
    return _IMG_WITHOUT_ALT.sub('<img alt="No description has been provided for this image"', html)


# How a report page is made: lab template minus what would fetch from the network
# (report.html.j2), code hidden, plots embedded as data URIs.
HTML_SETTINGS: dict[str, Any] = {
    "template_name": "lab",
    "extra_template_paths": [str(TEMPLATES)],
    "template_file": "report.html.j2",
    "exclude_input": True,
    "exclude_input_prompt": True,
    "exclude_output_prompt": True,
    "embed_images": True,
}


def export_html(nb: nbformat.NotebookNode, *, title: str) -> str:
    """Self-contained HTML of `nb`: outputs only, styles inlined, nothing external."""
    exporter = _ReportHTMLExporter(**HTML_SETTINGS)  # type: ignore[no-untyped-call]
    doc = copy.deepcopy(nb)
    doc.metadata["title"] = title
    body, _ = exporter.from_notebook_node(doc)
    text: str = body
    return text


def export_markdown(nb: nbformat.NotebookNode) -> str:
    """Markdown of `nb` for a GitHub comment: text and tables, no code, no images."""
    config = Config(
        {
            "NbConvertBase": {"display_data_priority": _MARKDOWN_PRIORITY},
            "ExtractOutputPreprocessor": {"enabled": False},
            "ExtractAttachmentsPreprocessor": {"enabled": False},
        }
    )
    exporter = MarkdownExporter(config=config, exclude_input=True)  # type: ignore[no-untyped-call]
    body, _ = exporter.from_notebook_node(_without_images(nb))
    text: str = body
    # Three or more blank lines come from hidden cells; one blank line reads the same.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def external_references(html: str) -> list[str]:
    """Tags and CSS imports in `html` that would fetch something from the network."""
    found = [m.group(0) for m in _EXTERNAL.finditer(html)]
    found += [m.group(0) for m in _CSS_IMPORT.finditer(html)]
    return found


def _without_images(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    doc = copy.deepcopy(nb)
    for cell in doc.cells:
        if cell.cell_type == "markdown":
            cell.pop("attachments", None)
            continue
        if cell.cell_type != "code":
            continue
        kept: list[Any] = []
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is not None:
                for mime in [m for m in data if m not in _MARKDOWN_PRIORITY]:
                    del data[mime]
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    return doc
