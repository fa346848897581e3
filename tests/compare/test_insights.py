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


def _compare(factors: dict[str, float], *, noise: bool) -> Comparison:
    model = NoiseModel.from_runs([_run(f"aa{k}", 10 + k) for k in range(3)]) if noise else None
    return compare(_run("main", 1), _run("pr", 2, factors), noise=model)


def test_names_the_category_that_regressed_most_and_where_flags_concentrate() -> None:
    c = _compare({"gc/b0": 1.3, "gc/b1": 1.15}, noise=True)
    text = insights(c)
    assert text[0].startswith(c.summary)
    assert any(
        t.startswith("Category gc regressed most") and "2 of them flagged" in t for t in text
    )
    assert any("All 2 flagged regressions are in gc (2 of its 4 benchmarks)" in t for t in text)
    assert any(t.startswith("Largest regression: gc/b0 at +") for t in text)
    assert any(t.startswith("Measured run-to-run noise: median") for t in text)


def test_unknown_noise_is_said_and_a_noise_model_is_recommended() -> None:
    c = _compare({"memory/b2": 1.3}, noise=False)
    text = insights(c)
    assert any(t.startswith("Run-to-run noise is unknown") for t in text)
    advice = recommendations(c)
    assert any(t.startswith("Measure the run-to-run noise") for t in advice)
    assert any("1 baseline and 1 candidate run(s)" in t for t in advice)


def test_noisy_benchmarks_are_counted_with_their_bands() -> None:
    # Noise runs that disagree by ~15 % make every benchmark too noisy for a 10 % threshold.
    wild = [_run(f"aa{k}", 30 + k, {b: f for b in IDS}) for k, f in enumerate((0.85, 1.0, 1.15))]
    c = compare(_run("main", 1), _run("pr", 2), noise=NoiseModel.from_runs(wild))
    noisy = c.counts["noisy"]
    assert noisy > 0
    text = insights(c)
    sentence = next(t for t in text if "too noisy to judge" in t)
    assert sentence.startswith(f"{noisy} benchmark(s) are too noisy to judge against the 10%")
    assert "noise bands" in sentence
    advice = recommendations(c)
    assert any(f"For the {noisy} noisy benchmark(s)" in t for t in advice)
    # Noisy benchmarks say nothing about their category's change.
    judged = sum(n for _, _, n in category_changes(c))
    assert judged == len(IDS) - noisy


def test_category_changes_are_geometric_means_worst_first() -> None:
    c = _compare({"jit/b0": 1.5, "jit/b1": 1.5, "jit/b2": 1.5, "jit/b3": 1.5}, noise=False)
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
