"""`vmbench.format`: one rendering of each kind of number, blanks for undefined values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from vmbench import format as fmt


@pytest.mark.parametrize(
    ("x", "text"),
    [(0.1234, "+12.3%"), (-0.004, "-0.4%"), (0.0, "+0.0%"), (2.0, "+200.0%")],
)
def test_percent(x: float, text: str) -> None:
    assert fmt.percent(x) == text
    assert fmt.percent(np.float64(x)) == text
    assert fmt.percent(abs(x), signed=False) == text.lstrip("+-").replace("+", "")


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.5, "0.500"), (0.0421, "0.042"), (0.001, "0.001"), (0.00099, "<0.001"), (0.0, "<0.001")],
)
def test_p_value(p: float, text: str) -> None:
    assert fmt.p_value(p) == text


@pytest.mark.parametrize("undefined", [None, math.nan, math.inf, pd.NA, np.nan, "x"])
def test_undefined_numbers_print_the_callers_blank(undefined: object) -> None:
    assert fmt.percent(undefined) == "n/a"
    assert fmt.p_value(undefined, missing="-") == "-"
    assert fmt.duration(undefined, missing="") == ""
    assert fmt.value(undefined, "ms") == "n/a"


def test_durations_values_and_severities() -> None:
    assert fmt.duration(1_550_000.0) == "1.55 ms"
    assert fmt.value(4096, "bytes") == "4.00 KiB"
    assert fmt.severity("🔴", "high") == "🔴 high"
