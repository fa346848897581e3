"""Hostile benchmark names stay text in every format (vmbench.escape)."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmbench import escape

HOSTILE = [
    "<script>alert(1)</script>",
    "| col | more |",
    "back`tick` and ```fence```",
    "@user and @org/team",
    "line\nbreak\r\nand\ttab",
    "rtl \u202eevil\u202c text \u2066x\u2069",
    "../../etc/passwd",
    "x" * 500,
    "**bold** _em_ [link](http://e.x) ![img](http://e.x/i.png) #1 ~strike~",
    "\x1b[31mred\x1b[0m",
    "$\\alpha$ & <b>",
]

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_cannot_break_a_table_run_html_or_mention(name: str) -> None:
    out = escape.markdown(name)
    assert "\n" not in out
    assert "\r" not in out
    assert "<" not in out
    assert ">" not in out
    assert not _UNESCAPED_PIPE.search(out)
    assert "`" not in out.replace("\\`", "")
    assert re.search(r"@(?!\u200b)", out) is None
    assert "\u202e" not in out
    assert "\x1b" not in out
    assert "[" not in out.replace("\\[", "")


def test_markdown_keeps_the_text_readable() -> None:
    assert escape.markdown("gc/minor_collect/1024") == "gc/minor\\_collect/1024"
    assert escape.markdown("<b>") == "&lt;b&gt;"
    assert escape.markdown("rtl\u202e") == "rtl\\\\u202e"
    assert escape.markdown("a" * 300, width=20) == "a" * 9 + "…" + "a" * 10


@pytest.mark.parametrize("name", HOSTILE)
def test_html_terminal_and_plot_labels(name: str) -> None:
    html_out = escape.html_text(name)
    assert "<" not in html_out
    assert '"' not in html_out
    assert "\n" not in html_out
    term = escape.terminal(name, width=60)
    assert "\x1b" not in term
    assert "\n" not in term
    assert len(term) <= 60 or len(escape.visible(name)) <= 60
    label = escape.plot_label(name)
    assert len(label) <= 60 + label.count("\\$")
    assert re.search(r"(?<!\\)\$", label) is None


def test_csv_cells_are_not_formulas() -> None:
    assert escape.csv_cell('=HYPERLINK("http://e.x")').startswith("'=")
    assert escape.csv_cell("+1") == "'+1"
    assert escape.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape.csv_cell("gc/minor") == "gc/minor"


@given(st.text(max_size=300))
def test_filename_is_always_one_safe_component(name: str) -> None:
    out = escape.filename(name)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", out)
    assert not out.startswith(".")
    assert out not in ("", ".", "..")
    assert len(out) <= 80


def test_filenames_of_different_names_differ() -> None:
    assert escape.filename("a/b") != escape.filename("a_b")
    assert escape.filename("../../x").startswith("x-")


@given(st.text(max_size=200))
def test_visible_never_leaves_controls_or_newlines(text: str) -> None:
    out = escape.visible(text)
    assert "\n" not in out
    assert all(ch.isprintable() or ch == " " for ch in out)


# --- issue 13: whole outputs made inert for a terminal -------------------------------------

ATTACKS = {
    "erase": "\x1b[2J",
    "osc_title": "\x1b]0;pwned\x07",
    "forged_line": "\r\nvmbench: error: forged",
    "bidi": "\u202eevil\u202c",
    "c1_csi": "\x9b31m",
    "line_separator": "a\u2028b",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_inert_leaves_no_control_character(attack: str) -> None:
    out = escape.inert(f"id {attack} end\n\tnext line")
    assert out.endswith("\n\tnext line")  # newlines and tabs of the layout stay
    controls = [c for c in out if c not in "\n\t" and unicodedata.category(c)[0] in "CZ"]
    assert all(c == " " for c in controls), out


def test_inert_is_lossless_inside_json() -> None:
    data = {"id": "x" + "".join(ATTACKS.values()) + "\U000e0001", "n": 1}
    text = escape.inert(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data


def test_encodable_turns_lone_surrogates_into_text() -> None:
    name = b"crit\xff".decode("utf-8", "surrogateescape")
    assert escape.encodable(name) == "crit\\udcff"
    assert escape.encodable("plain") == "plain"
