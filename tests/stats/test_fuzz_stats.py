"""Property-based fuzzing of the statistics: any valid samples give a report without NaN.

Random sample arrays (tiny and large counts, ties, zeros, huge and tiny magnitudes, one or
several runs per side, benchmarks on one side only, point-value metrics) go through
`compare()` and every renderer. Nothing may raise but a VmbenchError, the JSON must be
strict JSON (no NaN/Infinity), and no rendered text may show `nan` or `inf` as a number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmbench.compare.engine import compare
from vmbench.compare.verdicts import SEVERITIES
from vmbench.errors import VmbenchError
from vmbench.model import Benchmark, Metric, Run
from vmbench.render import render
from vmbench.settings import Settings

FAST = Settings(resamples=200)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOT_A_NUMBER = re.compile(r"(?<![\w\\])[-+]?(nan|inf|infinity)(?!\w)", re.IGNORECASE)

# Per-iteration times from 1 ps to 1000 s, zeros and ties included (Criterion's own range).
PER_ITER = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-3, max_value=1e12),
    st.sampled_from([1.0, 1e-3, 1e9, 123.0]),
)


@st.composite
def per_iteration(draw: st.DrawFn, n: int) -> np.ndarray:
    """Either n drawn values (shrinkable) or a seeded log-normal cloud around a level."""
    if n <= 12 or draw(st.booleans()):
        return np.array(draw(st.lists(PER_ITER, min_size=n, max_size=n)))
    level = draw(PER_ITER)
    spread = draw(st.sampled_from([0.0, 0.01, 0.3, 3.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values: np.ndarray = level * rng.lognormal(0.0, spread, size=n)
    return values


@st.composite
def benchmark(draw: st.DrawFn, bid: str) -> Benchmark:
    n = draw(st.integers(min_value=1, max_value=100))
    mode = draw(st.sampled_from(["Linear", "Flat"]))
    if mode == "Linear":
        d = draw(st.integers(min_value=1, max_value=1000))
        iters = np.arange(1, n + 1, dtype=np.float64) * d
    else:
        iters = np.full(n, float(draw(st.integers(min_value=1, max_value=10**6))))
    per_iter = draw(per_iteration(n))
    group, _, function = bid.partition("/")
    return Benchmark(
        id=bid,
        group=group,
        function=function,
        value=None,
        iters=iters,
        times=per_iter * iters,
        sampling_mode=mode,
    )


@st.composite
def runs(draw: st.DrawFn, label: str, ids: list[str]) -> list[Run]:
    count = draw(st.integers(min_value=1, max_value=3))
    out = []
    for r in range(count):
        present = [i for i in ids if draw(st.integers(0, 9)) > 0]  # 1 in 10 is missing
        benches = {i: draw(benchmark(i)) for i in present}
        metrics: dict[str, Metric] = {}
        if draw(st.booleans()):
            # Metric values as files hold them: 0, or 1e-9 to 1e12 in size, either sign.
            size = draw(st.just(0.0) | st.floats(min_value=1e-9, max_value=1e12))
            value = size * draw(st.sampled_from([1.0, -1.0]))
            unit = draw(st.sampled_from(["ns", "bytes", "%", "ratio", "ops/s", "count"]))
            direction = draw(st.sampled_from(["lower", "higher"]))
            metrics["size/code"] = Metric("size/code", value, unit, direction)
        out.append(
            Run(
                label=f"{label}{r}",
                source=Path(label),
                format="criterion",
                benchmarks=benches,
                metrics=metrics,
            )
        )
    return out


IDS = ["jit/a", "gc/b", "memory/c"]


def check_text(text: str, fmt: str) -> None:
    match = NOT_A_NUMBER.search(text)
    assert match is None, f"{fmt} output shows {match.group(0)!r}:\n{text}"


def check_json(text: str) -> dict[str, Any]:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"JSON output holds {constant}")

    data: dict[str, Any] = json.loads(text, parse_constant=refuse)
    return data


@FUZZ
@given(base=runs("base", IDS), cand=runs("cand", IDS))
def test_compare_and_render_never_nan(base: list[Run], cand: list[Run]) -> None:
    try:
        result = compare(base, cand, settings=FAST)
    except VmbenchError:
        return
    data = check_json(render(result, "json"))
    for item in data["benchmarks"]:
        assert item["severity"] in SEVERITIES
        change = item.get("change")
        assert change is None or isinstance(change, (int, float))
    for fmt in ("markdown", "table", "csv"):
        check_text(render(result, fmt), fmt)  # type: ignore[arg-type]


@FUZZ
@given(
    base=benchmark("jit/a"),
    scale=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
)
def test_identical_samples_are_never_flagged(base: Benchmark, scale: float) -> None:
    """A candidate equal to its baseline is never a regression or an improvement."""
    run = Run(label="base", source=Path("b"), format="criterion", benchmarks={"jit/a": base})
    same = Run(label="cand", source=Path("c"), format="criterion", benchmarks={"jit/a": base})
    (item,) = compare(run, same, settings=FAST).benchmarks
    assert item.severity not in ("high", "medium", "improvement")


def _flat(bid: str, per_iter: list[float]) -> Benchmark:
    iters = np.full(len(per_iter), 100.0)
    return Benchmark(bid, "jit", "a", None, iters, np.array(per_iter) * iters, "Flat")


def _run(label: str, per_iter: list[float]) -> Run:
    bench = _flat("jit/a", per_iter)
    return Run(label=label, source=Path(label), format="criterion", benchmarks={"jit/a": bench})


def test_candidate_of_zero_times_is_reported_not_raised() -> None:
    """Found by the fuzzer: a candidate whose times are all 0 (change = -100%) crashed
    the noise check (`math.log1p(-1.0)`) with two runs per side."""
    base = [_run("b0", [100.0 + i for i in range(20)]), _run("b1", [90.0 + i for i in range(20)])]
    cand = [_run("c0", [0.0] * 20), _run("c1", [0.0] * 20)]
    result = compare(base, cand, settings=FAST)
    check_json(render(result, "json"))
    check_text(render(result, "markdown"), "markdown")
    (item,) = result.benchmarks
    assert item.change == -1.0
