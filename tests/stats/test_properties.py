"""Property-based tests (hypothesis) of the statistics and the verdict.

Suites of 1 to 8 benchmarks, 1 to 3 runs a side (so every path of the run-level model is
taken: no test possible, the suite's spread, replicate runs):

- swapping the sides maps every change c to 1/(1+c) - 1 (the run-level change, the change
  of means and the suite shift), swaps the slower and faster p-values, keeps the within-run
  p and q, and mirrors the verdict: a regression becomes an improvement (and back, and
  stable stays stable, with thresholds symmetric in log space);
- multiplying every time by a constant changes no verdict, no within-run p, no change;
- identical inputs are never flagged and never fail the gate;
- q >= p, everything in range, and no NaN ever reaches the JSON.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.support.runs import run
from vmbench import stats
from vmbench.compare.engine import compare
from vmbench.compare.result import BenchmarkComparison, Comparison
from vmbench.model import Benchmark, Run
from vmbench.settings import Settings

FAST = Settings(resamples=200)
# log-symmetric: an improvement below -1/11 is exactly a +10 % regression seen backwards
SYMMETRIC = Settings(resamples=200, regression=0.10, high=0.10, improvement=1 - 1 / 1.1)
FLAGS = ("high", "medium", "improvement")

times_list = st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=10)


@st.composite
def side(draw: st.DrawFn, n_ids: int, runs: int, label: str) -> list[Run]:
    """Runs label0.. of benchmarks b0..b{n-1}, integer ns totals, Flat or Linear schedules."""
    factors = [draw(st.sampled_from([1.0, 1.0, 1.3, 0.7, 2.0])) for _ in range(n_ids)]
    out = []
    for k in range(runs):
        benches = []
        for i in range(n_ids):
            totals = draw(times_list)
            linear = draw(st.booleans())
            d = draw(st.integers(min_value=1, max_value=30))
            iters = [(j + 1) * d if linear else d for j in range(len(totals))]
            benches.append(
                Benchmark(
                    id=f"g/b{i}",
                    group="g",
                    function=f"b{i}",
                    value=None,
                    iters=np.asarray(iters, float),
                    times=np.round(np.asarray(totals, float) * factors[i])
                    * np.asarray(iters, float),
                    sampling_mode="Linear" if linear else "Flat",
                )
            )
        out.append(run(f"{label}{k}", benches))
    return out


shapes = st.tuples(st.sampled_from([1, 3, 8]), st.integers(1, 3), st.integers(1, 3))
pairs = shapes.flatmap(lambda t: st.tuples(side(t[0], t[1], "a"), side(t[0], t[2], "b")))


def _near(x: float, s: Settings) -> bool:
    """A log change (or interval end) within float noise of a threshold or of zero."""
    edges = (s.regression, s.high, -s.improvement)
    return abs(x) < 1e-9 or any(abs(x - math.log1p(e)) < 1e-9 for e in edges)


def _fragile(b: BenchmarkComparison, s: Settings) -> bool:
    """A verdict that float rounding alone could move (at a threshold or at alpha)."""
    v = b.run_level
    if v is None:
        return False
    ends = [v.change, *(v.ci or ())]
    if any(_near(math.log1p(x), s) for x in ends if x > -1):
        return True
    return any(p is not None and abs(p - s.alpha) < 1e-9 for p in (v.p_slower, v.p_faster))


def _approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-12)


def _assert_inverse(x: float, y: float) -> None:
    """x == 1/(1+y) - 1, compared in log space (an interval end can sit at -100 %)."""
    if min(1 + x, 1 + y) > 1e-6:
        assert math.log1p(x) == pytest.approx(-math.log1p(y), rel=1e-9, abs=1e-9)


def _p_or_none(p: float | None) -> float | None:
    # A change of exactly 0 with a standard error of 0 has no p (0/0); it may read as NaN.
    return None if p is None or math.isnan(p) else p


def _check_swapped(forward: Comparison, backward: Comparison, s: Settings) -> None:
    for f in forward.benchmarks:
        r = backward.get(f.id)
        assert r is not None
        assert f.p_value == r.p_value
        assert f.q_value == r.q_value
        if f.change is not None and r.change is not None:
            assert r.change == _approx(1 / (1 + f.change) - 1)
        assert (f.run_level is None) == (r.run_level is None)
        if f.run_level is not None and r.run_level is not None:
            fv, rv = f.run_level, r.run_level
            assert rv.change == _approx(1 / (1 + fv.change) - 1)
            assert (fv.ci is None) == (rv.ci is None)
            if fv.ci is not None and rv.ci is not None:
                _assert_inverse(rv.ci[0], fv.ci[1])
                _assert_inverse(rv.ci[1], fv.ci[0])
            for p, q in ((fv.p_slower, rv.p_faster), (fv.p_faster, rv.p_slower)):
                assert _p_or_none(p) == pytest.approx(_p_or_none(q), abs=1e-9)
            assert rv.runs == fv.runs[::-1]
        if _fragile(f, s) or _fragile(r, s):
            continue
        assert f.significant == r.significant
        if f.severity in ("high", "medium"):
            assert r.severity == "improvement"
        if s is SYMMETRIC:
            mirror = {"high": "improvement", "improvement": "high"}
            assert r.severity == mirror.get(f.severity, f.severity)
        if f.severity in ("insufficient", "new", "removed"):
            assert r.severity == {"new": "removed", "removed": "new"}.get(f.severity, f.severity)
    fs, rs = forward.suite, backward.suite
    assert (fs is None) == (rs is None)
    if fs is not None and rs is not None:
        assert (1 + fs.shift) * (1 + rs.shift) == _approx(1.0)


@settings(max_examples=30, deadline=None)
@given(pairs)
def test_swapping_sides_flips_the_change_and_mirrors_the_verdict(pair: tuple) -> None:
    a, b = pair
    for s in (FAST, SYMMETRIC):
        forward = compare(a, b, settings=s)
        backward = compare(b, a, settings=s)
        _check_swapped(forward, backward, s)


def _scaled(runs: list[Run], c: float) -> list[Run]:
    return [
        run(
            r.label,
            [
                Benchmark(
                    id=x.id,
                    group=x.group,
                    function=x.function,
                    value=x.value,
                    iters=x.iters,
                    times=x.times * c,
                    sampling_mode=x.sampling_mode,
                )
                for x in r.benchmarks.values()
            ],
        )
        for r in runs
    ]


@settings(max_examples=30, deadline=None)
@given(pairs, st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_every_time_changes_no_verdict(pair: tuple, c: float) -> None:
    a, b = pair
    plain = compare(a, b, settings=FAST)
    bigger = compare(_scaled(a, c), _scaled(b, c), settings=FAST)
    for p, q in zip(plain.benchmarks, bigger.benchmarks, strict=True):
        assert p.id == q.id
        assert p.p_value == q.p_value
        if p.change is not None:
            assert q.change == _approx(p.change)
        assert (p.run_level is None) == (q.run_level is None)
        if p.run_level is not None and q.run_level is not None:
            assert q.run_level.change == pytest.approx(p.run_level.change, abs=1e-9)
        assume(not _fragile(p, FAST) and not _fragile(q, FAST))
        assert p.severity == q.severity
    if plain.suite is not None and bigger.suite is not None:
        assert bigger.suite.shift == pytest.approx(plain.suite.shift, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    st.tuples(st.sampled_from([1, 3, 8]), st.integers(1, 3)).flatmap(
        lambda t: side(t[0], t[1], "a")
    )
)
def test_identical_inputs_are_never_flagged(runs: list[Run]) -> None:
    result = compare(runs, runs, settings=FAST)
    for b in result.benchmarks:
        assert b.severity not in FLAGS
        assert not b.significant
        assert b.change == 0.0
        assert b.run_level is not None
        assert b.run_level.change == 0.0
    assert result.suspects("medium") == []
    assert {result.gate(f) for f in ("high", "medium", "never")} == {0}
    assert result.verdict not in FLAGS


@settings(max_examples=30, deadline=None)
@given(pairs)
def test_q_at_least_p_and_no_nan_in_json(pair: tuple) -> None:
    a, b = pair
    result = compare(a, b, settings=FAST)
    for x in result.benchmarks:
        assert x.p_value is not None
        assert x.q_value is not None
        assert 0.0 <= x.p_value <= x.q_value <= 1.0
        assert x.cliffs_delta is not None
        assert -1.0 <= x.cliffs_delta <= 1.0
        assert x.change_ci is not None
        assert x.change is not None
        assert x.change_ci[0] <= x.change_ci[1]
        v = x.run_level
        assert v is not None
        for p in (v.p_slower, v.p_faster):
            assert _p_or_none(p) is None or 0.0 <= p <= 1.0  # type: ignore[operator]
            if p is not None and math.isnan(p):  # only where there is nothing to test
                assert v.change == 0.0
                assert v.ci == (0.0, 0.0)
        if v.ci is not None:
            assert v.ci[0] <= v.change <= v.ci[1]
    assert result.gate("medium") in (0, 1, 3)
    json.dumps(result.to_dict(), allow_nan=False)
    frame = result.to_frame()
    assert not frame["change"].isna().any()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=50),
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=50),
)
def test_pure_statistics_stay_in_range(x: list[float], y: list[float]) -> None:
    a, b = np.asarray(x), np.asarray(y)
    s = stats.summarize(a)
    assert a.min() <= s.median[0] <= a.max()
    assert s.mad[0] >= 0
    assert s.low_severe[0] + s.low_mild[0] + s.high_mild[0] + s.high_severe[0] <= a.size
    hl = stats.hodges_lehmann(b[None, :], a[None, :])[0]
    assert b.min() - a.max() <= hl <= b.max() - a.min()
    u, p = stats.mann_whitney(b[None, :], a[None, :])
    assert 0.0 <= p[0] <= 1.0
    assert 0.0 <= u[0] <= a.size * b.size
    assert 0.0 < stats.min_p_value(a.size, b.size) <= 1.0
