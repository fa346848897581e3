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
from nbconvert import HTMLExporter, MarkdownExporter
from traitlets.config import Config

TEMPLATES = Path(__file__).parent / "templates"

# Markdown export: prefer the markdown rendering, then plain text; never HTML or images.
_MARKDOWN_PRIORITY = ["text/markdown", "text/plain"]

# Anything that would make a browser fetch from the network when the page opens.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"""(?:@import\s+|url\()\s*["']?(?:https?:)?//""", re.IGNORECASE)


def export_html(nb: nbformat.NotebookNode, *, title: str) -> str:
    """Self-contained HTML of `nb`: outputs only, styles inlined, nothing external."""
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="lab",
        extra_template_paths=[str(TEMPLATES)],
        template_file="report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
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
