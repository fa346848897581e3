"""vmbench.readers.patterns: user regexes in linear time (RE2), or one clear refusal."""

from __future__ import annotations

import time

import pytest

from vmbench.readers.patterns import PatternError, compile_regex


@pytest.mark.parametrize(
    "pattern", [r"^(a+)+$", r"^(a|aa)+$", r"(x+x+)+y", r"^(\w+\s?)*$"], ids=str
)
def test_catastrophic_patterns_run_in_linear_time(pattern: str) -> None:
    matcher = compile_regex(pattern)
    start = time.perf_counter()
    assert matcher.search("a" * 5_000 + "!") is None or pattern == r"^(\w+\s?)*$"
    assert time.perf_counter() - start < 1.0  # Python's re: longer than the universe


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"(a)\1", "backreferences and look-around are not supported"),
        (r"(?=a)b", "backreferences and look-around are not supported"),
        (r"(?<!a)b", "backreferences and look-around are not supported"),
        ("a{2000}", "invalid repetition size"),
        ("(", r"missing \)"),
    ],
)
def test_unsupported_patterns_are_refused_in_one_line(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=problem) as err:
        compile_regex(pattern)
    assert "\n" not in str(err.value)


def test_python_syntax_that_ids_use_still_works() -> None:
    assert compile_regex(r"^jit/(?P<tier>tier\d)_\w+\Z").search("jit/tier1_compile")
    assert not compile_regex(r"compile\Z").search("compile/x")  # \Z is the end, as in Python
    assert compile_regex(r"(?i)GC").search("vm/gc_minor")
    assert compile_regex(r"(?s:.*?)(?:alloc)").match("memory/alloc_4096")
