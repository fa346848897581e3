"""Insights and recommendations follow the data of the comparison they describe."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vmbench.compare.engine import compare
from vmbench.compare.insights import category_changes, insights, recommendations
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.model import Benchmark, Run


def _bench(bid: str, mean: float, seed: int, sd: float = 0.01, n: int = 40) -> Benchmark:
    group, _, function = bid.partition("/")
    iters = np.arange(1, n + 1, dtype=float) * 5
    per_iter = np.random.default_rng(seed).lognormal(math.log(mean), sd, n)
    return Benchmark(
        id=bid,
        group=group,
        function=function or None,
        value=None,
        iters=iters,
        times=per_iter * iters,
        sampling_mode="Linear",
    )


IDS = [f"{c}/b{i}" for c in ("gc", "memory", "jit") for i in range(4)]


def _run(label: str, seed: int, factors: dict[str, float] | None = None) -> Run:
    factors = factors or {}
    benches = {
        bid: _bench(bid, 1000.0 * (k + 1) * factors.get(bid, 1.0), seed * 100 + k)
        for k, bid in enumerate(IDS)
    }
    return Run(label=label, source=Path(label), format="criterion", benchmarks=benches)


def _compare(factors: dict[str, float], *, noise: bool, runs: int = 1) -> Comparison:
    """One run a side by default; a flag needs two (`MIN_RUNS_TO_FLAG`)."""
    model = NoiseModel.from_runs([_run(f"aa{k}", 10 + k) for k in range(3)]) if noise else None
    base = [_run(f"main{k}", 1 + 20 * k) for k in range(runs)]
    cand = [_run(f"pr{k}", 2 + 20 * k, factors) for k in range(runs)]
    return compare(base, cand, noise=model)


def test_names_the_category_that_regressed_most_and_where_flags_concentrate() -> None:
    c = _compare({"gc/b0": 1.3, "gc/b1": 1.15}, noise=True, runs=2)
    assert {b.id for b in c.benchmarks if b.severity in ("high", "medium")} == {"gc/b0", "gc/b1"}
    text = insights(c)
    assert text[0].startswith(c.summary)
    assert any(
        t.startswith("Category gc regressed most") and "2 of them flagged" in t for t in text
    )
    assert any("All 2 flagged regressions are in gc (2 of its 4 benchmarks)" in t for t in text)
    largest = next(t for t in text if t.startswith("Largest regression: gc/b0 at +"))
    assert "interval" in largest  # the run-level interval the flag rests on
    noise = next(t for t in text if t.startswith("Measured run-to-run noise: median"))
    assert "noise model" in noise
    assert f"sd of a run's {c.settings.estimator}" in noise


def test_unmeasured_noise_is_said_and_a_noise_model_is_recommended() -> None:
    c = _compare({"memory/b2": 1.3}, noise=False)
    text = insights(c)
    assert any(t.startswith("Run-to-run noise was not measured") for t in text)
    assert not any(t.startswith("Measured run-to-run noise") for t in text)
    advice = recommendations(c)
    assert any(t.startswith("Measure the run-to-run noise") for t in advice)
    if c.counts["high"] or c.counts["medium"]:
        assert any("1 baseline and 1 candidate run(s)" in t for t in advice)


def test_unknown_noise_is_said_when_no_run_level_test_is_possible() -> None:
    # Four benchmarks, one run a side, no noise model: nothing to learn the noise from.
    few = [b for b in IDS if b.startswith("gc/")]
    base, cand = _run("main", 1), _run("pr", 2, {"gc/b0": 1.3})
    c = compare(base, cand, include="^gc/")
    assert {b.id for b in c.benchmarks} == set(few)
    assert c.counts["insufficient"] == len(few)
    text = insights(c)
    assert any(t.startswith("Run-to-run noise is unknown") for t in text)
    assert any(t.startswith("4 benchmark(s) could not be tested between runs") for t in text)
    suspects = next(t for t in text if "suspected regression(s) need confirmation" in t)
    assert "gc/b0" in suspects
    advice = recommendations(c)
    assert any(t.startswith("For benchmarks that could not be tested") for t in advice)
    assert any("the suspected regression of gc/b0" in t for t in advice)


def _wild(label: str, seed: int) -> Run:
    """A run whose every benchmark sits ~10 % off on its own (not the machine's shift)."""
    rng = np.random.default_rng(seed)
    return _run(label, seed, {b: float(rng.lognormal(0.0, 0.10)) for b in IDS})


def test_inconclusive_benchmarks_are_counted_with_their_suspected_direction() -> None:
    noise = NoiseModel.from_runs([_wild(f"aa{k}", 30 + k) for k in range(3)])
    c = compare(_wild("main", 1), _wild("pr", 2), noise=noise)
    inconclusive = c.counts["inconclusive"]
    assert inconclusive > 0
    text = insights(c)
    sentence = next(t for t in text if " are inconclusive " in t)
    assert sentence.startswith(f"{inconclusive} benchmark(s) are inconclusive (their 95% interval")
    assert "suspected slower by +" in sentence or "suspected faster by -" in sentence
    advice = recommendations(c)
    assert any(
        t.startswith(f"Confirm the {inconclusive} inconclusive benchmark(s)") for t in advice
    )
    # Inconclusive benchmarks say nothing about their category's change.
    judged = sum(n for _, _, n in category_changes(c))
    assert judged == len(IDS) - inconclusive - c.counts["insufficient"]
    if c.suspects("medium"):
        assert any("need confirmation runs" in t for t in text)


def test_a_shift_of_the_whole_suite_is_named() -> None:
    everything = dict.fromkeys(IDS, 1.3)
    base = [_run(f"main{k}", 1 + k) for k in range(3)]
    cand = [_run(f"pr{k}", 5 + k, everything) for k in range(3)]
    c = compare(base, cand)
    assert c.suite is not None
    assert c.suite.severity == "high"
    text = insights(c)
    assert any(t.startswith("The whole suite is slower: +30") for t in text)


def test_category_changes_are_geometric_means_worst_first() -> None:
    c = _compare({"jit/b0": 1.5, "jit/b1": 1.5, "jit/b2": 1.5, "jit/b3": 1.5}, noise=True, runs=2)
    rows = category_changes(c)
    assert rows[0][0] == "jit"
    assert rows[0][1] > 0.45
    assert rows[0][2] == 4
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)


def test_a_quiet_comparison_says_nothing_is_undecided() -> None:
    c = _compare({}, noise=True)
    assert c.counts["stable"] == len(IDS)
    advice = recommendations(c)
    assert len(advice) == 1
    assert advice[0].startswith("Nothing undecided")
