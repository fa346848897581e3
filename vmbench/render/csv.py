"""CSV output: the tidy frame, one row per benchmark; text cells safe for spreadsheets."""

from __future__ import annotations

from vmbench import escape
from vmbench.compare.result import Comparison

_TEXT = ("id", "category", "group", "note")


def render_csv(comparison: Comparison, *, only_not_stable: bool = False) -> str:
    frame = comparison.to_frame()
    if frame.empty:
        return "id,severity,change\n"
    if only_not_stable:
        frame = frame[frame["severity"] != "stable"]
    frame = frame.drop(columns=["indicator"])
    for col in _TEXT:
        frame[col] = frame[col].map(lambda v: escape.csv_cell(escape.visible(str(v))))
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text
