"""Notebook parameter values checked before a kernel starts (issue 13).

papermill only warns about unknown names and lets a wrongly typed value fail inside the
notebook ("notebook failed", exit 1). Here each value is checked against the annotation
papermill's inspection reads from the notebook's parameters cell (`str`, `float`,
`list[str]`, `int | None`...), and text that is not UTF-8 (a non-UTF-8 file name, which
papermill cannot write into the notebook) is refused: one line naming the parameter,
exit 2 on the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmbench import escape
from vmbench.errors import UsageError


def check_values(
    notebook: str, known: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any]
) -> None:
    """UsageError naming the first parameter whose value does not fit its annotation."""
    for name, value in parameters.items():
        if not _utf8(value):  # papermill writes parameters into the notebook as UTF-8
            raise UsageError(
                f"parameter {name} holds text that is not UTF-8 (a file name with other "
                f"bytes?): {escape.encodable(value)}; rename it or pass a symlink"
            )
        type_name = str(known[name].get("inferred_type_name") or "")
        if not _fits(value, type_name):
            hint = f" (quote text that looks like a number: -p {name} '\"...\"')"
            raise UsageError(
                f"parameter {name} of notebook {notebook} must be {type_name}, "
                f"not {type(value).__name__} {_short(value)}" + (hint if "str" in type_name else "")
            )


def _utf8(value: Any) -> bool:
    if isinstance(value, str):
        return escape.encodable(value) == value
    if isinstance(value, list | tuple):
        return all(_utf8(v) for v in value)
    if isinstance(value, dict):
        return all(_utf8(k) and _utf8(v) for k, v in value.items())
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fits(value: Any, type_name: str) -> bool:
    """Whether a parameter value fits a notebook annotation (`str`, `float`, `list[str]`,
    `int | None`...); an annotation this does not know accepts anything."""
    text = type_name.replace(" ", "")
    if not text or text == "None":
        # `x = None` without an annotation: papermill infers "None", which says nothing
        # about the values the notebook accepts
        return True
    options = _split_union(text)
    if len(options) > 1:
        return any(_fits(value, option) for option in options)
    if text.startswith("Optional[") and text.endswith("]"):
        return value is None or _fits(value, text[9:-1])
    if text.startswith(("list[", "List[")) and text.endswith("]"):
        return isinstance(value, list) and all(_fits(v, text[5:-1]) for v in value)
    if text == "str":  # the run parameters also take a list of runs
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
    checks: dict[str, Any] = {
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "list": lambda v: isinstance(v, list),
        "dict": lambda v: isinstance(v, dict),
        "None": lambda v: v is None,
        "NoneType": lambda v: v is None,
    }
    check = checks.get(text)
    return True if check is None else bool(check(value))


def _split_union(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]
