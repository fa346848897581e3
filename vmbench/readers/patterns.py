"""Regular expressions from users and from data files, matched in linear time (RE2).

`--filter REGEX` and the `re:` rules of a categories file come from whoever runs vmbench,
or from a pull request that edits `params/categories.yaml`. Python's `re` backtracks: a
pattern such as `(a+)+$` takes longer than a CI job may run on 40 characters. RE2
(Google's engine, PyPI package `google-re2`) matches in time linear in the text,
whatever the pattern, so no pattern can hang a command.

Where RE2 differs from Python's `re` (https://github.com/google/re2/wiki/Syntax):
- no backreferences (`\\1`, `(?P=name)`) and no look-around (`(?=...)`, `(?<!...)`): such a
  pattern is refused with one line saying so;
- `\\Z` (end of text in Python) is rewritten to RE2's `\\z`, which means the same;
- counted repetitions are bounded (`{1001}` or `(a{100}){100}` are refused);
- the rest of the Python syntax used for ids is the same: classes, `\\d \\w \\s`,
  `(?P<name>...)`, `(?i)`, `(?s:...)`, lazy quantifiers, anchors.
"""

from __future__ import annotations

import re
from typing import Protocol

import re2

_PYTHON_END = re.compile(r"(?<!\\)((?:\\\\)*)\\Z")


class Matcher(Protocol):
    """What vmbench uses of a compiled pattern."""

    def search(self, text: str) -> object | None: ...

    def match(self, text: str) -> object | None: ...


class PatternError(ValueError):
    """A pattern RE2 does not accept; `str()` is a one-line reason."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would also print its own line on stderr
    return options


def compile_regex(pattern: str) -> Matcher:
    """`pattern` compiled by RE2 (linear-time matching); PatternError when it cannot be."""
    try:
        matcher: Matcher = re2.compile(_PYTHON_END.sub(r"\1\\z", pattern), options=_options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        hint = ""
        if re.search(r"\\[1-9]|\(\?P=|\(\?<?[=!]", pattern):
            hint = " (backreferences and look-around are not supported: linear-time engine)"
        raise PatternError(f"{' '.join(str(reason).split())}{hint}") from None
    except (TypeError, ValueError) as exc:  # e.g. a NUL byte
        raise PatternError(" ".join(str(exc).split())) from None
    return matcher
