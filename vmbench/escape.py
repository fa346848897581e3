"""Escaping benchmark names (and any other text from data) for each output format.

Benchmark ids come from whoever wrote the benchmarks: `<script>alert(1)</script>`,
`| col |`, backticks, `@user`, newlines, right-to-left overrides and very long names must
show as the text they are and never break a table, run markup, mention a user, reorder
the surrounding text or name a file outside the output directory.

- `visible()`: control and bidirectional/format characters become `\\uXXXX` text,
  newlines and tabs become spaces (common to every format below);
- `markdown()`: literal text inside GitHub markdown (tables included): HTML-escaped,
  markdown punctuation backslash-escaped, `@` followed by a zero-width space so that
  GitHub does not turn `@user` into a mention;
- `html_text()`: text or attribute content in HTML;
- `encodable()`: a file name that is not UTF-8 made into text every encoder accepts;
- `terminal()`: safe for a terminal (no escape sequences), optionally shortened;
- `inert()`: whole multi-line output (tables, JSON) made safe for a terminal: newlines and
  tabs kept, every other control, format or line-separator character written as a
  `\\uXXXX` escape (lossless inside JSON strings, where only such escapes can appear);
- `plot_label()`: matplotlib labels (`$` would start mathtext), shortened;
- `csv_cell()`: spreadsheet formula injection (`=`, `+`, `-`, `@` first) neutralised;
- `filename()`: a safe single path component derived from a name.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_SPACE = re.compile(r"[\t\n\r\v\f\u2028\u2029\x85]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!{}])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hidden(ch: str) -> bool:
    # Cc: control (ESC, NUL...), Cf: format (RTL/LTR marks and overrides, zero-width...),
    # Co/Cs/Cn: private use, surrogates, unassigned.
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn")


def visible(text: str) -> str:
    """One line of visible characters: whitespace runs -> one space, controls -> \\uXXXX."""
    flat = _SPACE.sub(" ", str(text))
    if flat.isascii() and flat.isprintable():  # the usual id: nothing to replace
        return flat
    return "".join(
        f"\\u{ord(ch):04x}" if _hidden(ch) else " " if unicodedata.category(ch) == "Zs" else ch
        for ch in flat
    )


def _escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # a surrogate pair, as JSON writes it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _unsafe(ch: str) -> bool:
    # U+200B stays: `markdown()` puts it after `@` (no mentions); it moves nothing on a terminal.
    return ch not in "\n\t\u200b" and (_hidden(ch) or unicodedata.category(ch) in ("Zl", "Zp"))


def inert(text: str) -> str:
    """Multi-line text for a terminal: controls (ESC, C1, CR...), bidi and format characters
    become `\\uXXXX` text; newlines and tabs stay. Plain text passes through unchanged."""
    lines = str(text).split("\n")
    for i, line in enumerate(lines):
        if not line.replace("\t", " ").isprintable():  # fast path: most lines are plain
            lines[i] = "".join(_escape(ch) if _unsafe(ch) else ch for ch in line)
    return "\n".join(lines)


def encodable(text: object) -> str:
    """Text that encodes as UTF-8: lone surrogates (a non-UTF-8 file name, decoded by
    Python with surrogateescape) become `\\udcff` text instead of failing every encoder
    (pandas/Arrow strings, JSON files, notebooks) later on."""
    value = str(text)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def shorten(text: str, width: int) -> str:
    """At most `width` characters, an ellipsis in the middle when cut (ids differ at ends)."""
    if width < 5 or len(text) <= width:
        return text
    keep = width - 1
    head = keep // 2
    return text[:head] + "…" + text[len(text) - (keep - head) :]


def markdown(text: str, *, width: int | None = None) -> str:
    """Literal text for GitHub markdown, table cells included."""
    flat = visible(text)
    if width is not None:
        flat = shorten(flat, width)
    flat = html.escape(flat, quote=False)  # & < > first (the & of later entities is ours)
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return flat.replace("@", "@\u200b")


def html_text(text: str, *, width: int | None = None) -> str:
    """Text for HTML element content or a quoted attribute."""
    flat = visible(text)
    if width is not None:
        flat = shorten(flat, width)
    return html.escape(flat, quote=True)


def terminal(text: str, *, width: int | None = None) -> str:
    """Text for a terminal table: no control sequences, optionally shortened."""
    flat = visible(text)
    return shorten(flat, width) if width is not None else flat


def plot_label(text: str, *, width: int = 60) -> str:
    """A matplotlib label: `$` escaped so mathtext never parses a name, shortened."""
    return shorten(visible(text), width).replace("$", r"\$")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not evaluate as a formula."""
    flat = str(text)
    return "'" + flat if flat.startswith(_FORMULA_START) else flat


def filename(text: str, *, max_length: int = 80) -> str:
    """A single, safe path component for a name (never '..', '/', a dotfile or empty).

    Characters outside [A-Za-z0-9._-] become '_'; a short hash of the original keeps two
    names that map to the same slug apart.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._") or "unnamed"
    digest = hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:8]
    slug = slug[: max(1, max_length - 9)]
    return f"{slug}-{digest}"
