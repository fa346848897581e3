"""Property-based tests (hypothesis) of the statistics and the verdict.

- swapping the sides maps change c to 1/(1+c) - 1, keeps p and q, and turns every
  regression into an improvement (and back, with thresholds symmetric in log space);
- multiplying every time by a constant changes no verdict, no p-value, no change;
- identical inputs are never flagged;
- q >= p, everything in range, and no NaN ever reaches the JSON.
"""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.support.runs import run
from vmbench import stats
from vmbench.compare.engine import compare
from vmbench.model import Benchmark
from vmbench.settings import Settings

FAST = Settings(resamples=200)
# log-symmetric: an improvement below -1/11 is exactly a +10 % regression seen backwards
SYMMETRIC = Settings(resamples=200, regression=0.10, high=0.10, improvement=1 - 1 / 1.1)

times_list = st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=30)


@st.composite
def side(draw: st.DrawFn, n_ids: int) -> list[Benchmark]:
    """Benchmarks b0..b{n-1}, integer ns totals, Flat or Linear iteration schedules."""
    out = []
    for i in range(n_ids):
        totals = draw(times_list)
        factor = draw(st.sampled_from([1.0, 1.0, 1.3, 0.7, 2.0]))
        linear = draw(st.booleans())
        d = draw(st.integers(min_value=1, max_value=30))
        iters = [(k + 1) * d if linear else d for k in range(len(totals))]
        out.append(
            Benchmark(
                id=f"g/b{i}",
                group="g",
                function=f"b{i}",
                value=None,
                iters=np.asarray(iters, float),
                times=np.round(np.asarray(totals, float) * factor) * np.asarray(iters, float),
                sampling_mode="Linear" if linear else "Flat",
            )
        )
    return out


pairs = st.integers(min_value=1, max_value=4).flatmap(lambda n: st.tuples(side(n), side(n)))


def _near_threshold(change: float, s: Settings) -> bool:
    lc = math.log1p(change)
    edges = (s.regression, s.high, -s.improvement)
    return any(abs(lc - math.log1p(e)) < 1e-9 for e in edges)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_swapping_sides_flips_the_change_and_the_verdict(pair: tuple) -> None:
    a, b = pair
    for s in (FAST, SYMMETRIC):
        forward = compare(run("a", a), run("b", b), settings=s)
        backward = compare(run("b", b), run("a", a), settings=s)
        for f in forward.benchmarks:
            r = backward.get(f.id)
            assert r is not None
            assert f.p_value == r.p_value
            assert f.q_value == r.q_value
            if f.change is None or r.change is None:
                continue
            assume(not _near_threshold(f.change, s))
            assert r.change == _approx(1 / (1 + f.change) - 1)
            assert f.significant == r.significant
            if f.severity in ("high", "medium"):
                assert r.severity == "improvement"
            if s is SYMMETRIC and f.severity == "improvement":
                assert r.severity in ("high", "medium")
            if f.severity in ("stable", "insufficient", "noisy") and s is SYMMETRIC:
                assert r.severity == f.severity


def _approx(x: float) -> object:
    import pytest

    return pytest.approx(x, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(pairs, st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_every_time_changes_no_verdict(pair: tuple, c: float) -> None:
    a, b = pair

    def scaled(benches: list[Benchmark]) -> list[Benchmark]:
        return [
            Benchmark(
                id=x.id,
                group=x.group,
                function=x.function,
                value=x.value,
                iters=x.iters,
                times=x.times * c,
                sampling_mode=x.sampling_mode,
            )
            for x in benches
        ]

    plain = compare(run("a", a), run("b", b), settings=FAST)
    bigger = compare(run("a", scaled(a)), run("b", scaled(b)), settings=FAST)
    for p, q in zip(plain.benchmarks, bigger.benchmarks, strict=True):
        assert p.p_value == q.p_value
        if p.change is not None:
            assume(not _near_threshold(p.change, FAST))
            assert q.change == _approx(p.change)
        assert p.severity == q.severity


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=4).flatmap(side))
def test_identical_inputs_are_never_flagged(benches: list[Benchmark]) -> None:
    result = compare(run("a", benches), run("b", benches), settings=FAST)
    for b in result.benchmarks:
        assert b.severity in ("stable", "insufficient")
        assert b.change == 0.0
        assert not b.significant


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_q_at_least_p_and_no_nan_in_json(pair: tuple) -> None:
    a, b = pair
    result = compare(run("a", a), run("b", b), settings=FAST)
    for x in result.benchmarks:
        assert x.p_value is not None
        assert x.q_value is not None
        assert 0.0 <= x.p_value <= x.q_value <= 1.0
        assert x.cliffs_delta is not None
        assert -1.0 <= x.cliffs_delta <= 1.0
        assert x.change_ci is not None
        assert x.change is not None
        assert x.change_ci[0] <= x.change_ci[1]
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
