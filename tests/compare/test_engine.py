"""The comparison engine on seeded in-memory runs: planted effects are found at the right
severity and nothing else is; one-sided, point-value, metric and edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.support.runs import bench, lognormal_run, run
from vmbench.compare.engine import compare
from vmbench.errors import UsageError
from vmbench.model import Metric, Throughput
from vmbench.settings import Settings

IDS = [f"vm/bench{i}" for i in range(10)]


def _planted() -> tuple[dict[str, float], dict[str, float]]:
    base = dict.fromkeys(IDS, 1.0)
    cand = dict(base)
    cand["vm/bench1"] = 1.30  # high
    cand["vm/bench2"] = 1.15  # medium
    cand["vm/bench3"] = 0.85  # improvement
    cand["vm/bench4"] = 1.03  # real but below every threshold: stable
    return base, cand


def test_planted_changes_get_their_severity_and_nothing_else_is_flagged() -> None:
    base, cand = _planted()
    result = compare(lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2))
    severities = {b.id: b.severity for b in result.benchmarks}
    assert severities.pop("vm/bench1") == "high"
    assert severities.pop("vm/bench2") == "medium"
    assert severities.pop("vm/bench3") == "improvement"
    assert set(severities.values()) == {"stable"}
    assert result.counts["high"] == result.counts["medium"] == result.counts["improvement"] == 1
    assert result.verdict == "high"
    assert result.failed("medium")
    assert result.failed("high")
    assert not result.failed("never")
    b1 = result.get("vm/bench1")
    assert b1 is not None
    assert b1.change_ci is not None
    assert b1.change_ci[0] < b1.change < b1.change_ci[1]
    assert b1.change == pytest.approx(0.30, abs=0.04)
    assert b1.cliffs_delta is not None
    assert b1.cliffs_delta > 0.9
    assert result.sorted_benchmarks()[0].id == "vm/bench1"
    # a single run per side without a noise model says run-to-run noise is unknown
    assert any("run-to-run noise unknown" in w for w in result.warnings)


def test_identical_runs_are_never_flagged() -> None:
    base = lognormal_run("main", dict.fromkeys(IDS, 1.0), seed=3)
    result = compare(base, base)
    assert {b.severity for b in result.benchmarks} == {"stable"}
    assert all(b.change == 0.0 and b.p_value == 1.0 for b in result.benchmarks)


def test_results_are_identical_run_to_run() -> None:
    base, cand = _planted()
    a = compare(lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2))
    b = compare(lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2))
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_new_removed_and_insufficient() -> None:
    rng = np.random.default_rng(4)
    base = run("main", [bench("g/old", rng.normal(100, 1, 20)), bench("g/few", [1.0, 2, 3])])
    cand = run("pr", [bench("g/new", rng.normal(100, 1, 20)), bench("g/few", [9.0, 9.5, 9.9])])
    result = compare(base, cand)
    got = {b.id: b for b in result.benchmarks}
    assert got["g/old"].severity == "removed"
    assert got["g/new"].severity == "new"
    few = got["g/few"]
    # 3 vs 3 samples: the best possible p is 0.1 > alpha, whatever the change (+300 %)
    assert few.severity == "insufficient"
    assert few.min_p_value == pytest.approx(0.1)
    assert "too few samples" in few.note
    assert not result.failed("medium")


def test_baseline_file_point_values_are_classified_by_thresholds_alone() -> None:
    rng = np.random.default_rng(5)
    base = run(
        "main.json",
        metrics=[
            Metric("g/slow", 1000.0, "ns"),
            Metric("g/same", 1000.0, "ns"),
        ],
        fmt="baseline-file",
    )
    cand = run(
        "new", [bench("g/slow", rng.normal(1150, 5, 50)), bench("g/same", rng.normal(1000, 5, 50))]
    )
    result = compare(base, cand)
    slow = result.get("g/slow")
    assert slow is not None
    assert slow.severity == "medium"
    assert slow.p_value is None
    assert slow.test == "thresholds"
    assert "no significance test" in slow.note
    assert any("thresholds alone" in w for w in result.warnings)
    assert slow.baseline is not None
    assert slow.baseline.n is None
    assert slow.candidate is not None
    assert slow.candidate.n == 50


@pytest.mark.parametrize(
    ("unit", "direction", "before", "after", "severity"),
    [
        ("ops/s", "higher", 100.0, 80.0, "high"),  # 20 % fewer ops/s = 25 % more time per op
        ("ops/s", "higher", 100.0, 130.0, "improvement"),
        ("%", "higher", 95.0, 94.0, "stable"),  # hit rate down one point
        ("bytes", "lower", 1000.0, 1150.0, "medium"),  # code size
        ("bytes", "lower", 1000.0, 900.0, "improvement"),
        ("ratio", "higher", 3.0, 2.0, "high"),  # compression ratio
    ],
)
def test_metrics_are_compared_in_their_direction(
    unit: str, direction: str, before: float, after: float, severity: str
) -> None:
    base = run("main", metrics=[Metric("m/x", before, unit, direction)])  # type: ignore[arg-type]
    cand = run("pr", metrics=[Metric("m/x", after, unit, direction)])  # type: ignore[arg-type]
    result = compare(base, cand)
    (b,) = result.benchmarks
    assert b.kind == "metric"
    assert b.severity == severity
    assert b.change == pytest.approx(after / before - 1)
    if direction == "higher":
        assert "higher is better" in b.note


def test_metric_edge_cases() -> None:
    zero = compare(
        run("a", metrics=[Metric("m/z", 0.0, "count")]),
        run("b", metrics=[Metric("m/z", 3.0, "count")]),
    )
    assert zero.benchmarks[0].severity == "insufficient"
    assert zero.benchmarks[0].change is None
    json.dumps(zero.to_dict(), allow_nan=False)
    units = compare(
        run("a", metrics=[Metric("m/u", 1.0, "bytes")]),
        run("b", metrics=[Metric("m/u", 1.0, "%")]),
    )
    assert units.benchmarks[0].severity == "insufficient"
    assert "units differ" in units.benchmarks[0].note


def test_faster_benchmark_with_throughput_is_an_improvement_and_more_throughput() -> None:
    rng = np.random.default_rng(6)
    tp = Throughput("bytes", 4096.0)
    base = run("main", [bench("io/copy", rng.normal(1000, 5, 60), throughput=tp)])
    cand = run("pr", [bench("io/copy", rng.normal(800, 5, 60), throughput=tp)])
    (b,) = compare(base, cand).benchmarks
    assert b.severity == "improvement"
    assert b.throughput is not None
    assert b.throughput.change > 0.2
    assert b.throughput.candidate_per_s == pytest.approx(4096 / (b.candidate.mean_ns * 1e-9))  # type: ignore[union-attr]


def test_zero_baseline_mean_is_insufficient_not_a_crash() -> None:
    base = run("a", [bench("g/z", [0.0] * 20)])
    cand = run("b", [bench("g/z", np.linspace(1, 2, 20))])
    result = compare(base, cand)
    (b,) = result.benchmarks
    assert b.severity == "insufficient"
    assert b.change is None
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert "NaN" not in text


def test_filter_and_exclude() -> None:
    base, cand = _planted()
    a, b = lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2)
    only = compare(a, b, include=r"bench[12]$")
    assert [x.id for x in only.benchmarks] == ["vm/bench1", "vm/bench2"]
    without = compare(a, b, exclude=r"bench1$")
    assert "vm/bench1" not in {x.id for x in without.benchmarks}
    assert len(without.benchmarks) == 9
    with pytest.raises(UsageError, match="not a valid regular expression"):
        compare(a, b, include="(")
    with pytest.raises(UsageError, match="no baseline run"):
        compare([], b)


def test_level_jump_mid_run_is_reported_as_unstable() -> None:
    rng = np.random.default_rng(7)
    jumpy = np.concatenate([rng.normal(1000, 5, 50), rng.normal(1200, 5, 50)])
    base = run("main", [bench("g/j", jumpy), bench("g/ok", rng.normal(1000, 5, 100))])
    cand = run(
        "pr", [bench("g/j", rng.normal(1100, 5, 100)), bench("g/ok", rng.normal(1000, 5, 100))]
    )
    result = compare(base, cand)
    j, ok = result.get("g/j"), result.get("g/ok")
    assert j is not None
    assert ok is not None
    assert j.unstable
    assert "jumps +20" in j.note
    assert not ok.unstable
    assert any("look unstable" in w for w in result.warnings)


def _aa_runs(seed: int, levels: list[float]) -> list:
    """Runs of identical code whose level moves run to run (a shared machine)."""
    return [
        lognormal_run(f"r{i}", dict.fromkeys(IDS, 1.0), seed=seed + i, level=lv, sigma=0.02)
        for i, lv in enumerate(levels)
    ]


def test_several_runs_per_side_account_for_run_to_run_noise() -> None:
    # Same code everywhere, but each run sits 0-14 % apart: a single pair looks like a
    # regression; with three runs a side the within-side spread widens the verdict.
    base = _aa_runs(10, [1.00, 1.06, 0.97])
    cand = _aa_runs(20, [1.12, 1.03, 1.09])
    single = compare(base[0], cand[0])
    assert single.counts["medium"] == len(IDS)  # +12 %, tiny within-run noise
    several = compare(base, cand)
    assert several.counts["medium"] == several.counts["high"] == 0
    assert {b.severity for b in several.benchmarks} <= {"stable", "noisy"}
    b0 = several.benchmarks[0]
    assert b0.noise is not None
    assert b0.noise.source == "runs within each side"
    assert b0.baseline is not None
    assert b0.baseline.runs == ("r0", "r1", "r2")
    assert b0.baseline.n == 150
    # the hierarchical interval is much wider than the within-run one
    assert b0.change_ci is not None
    assert single.benchmarks[0].change_ci is not None
    width = b0.change_ci[1] - b0.change_ci[0]
    assert width > 3 * (single.benchmarks[0].change_ci[1] - single.benchmarks[0].change_ci[0])
    # the point estimate is the mean of run means
    assert b0.baseline.mean_ns == pytest.approx(
        np.mean([r.benchmarks[b0.id].mean_ns for r in base])
    )


def test_several_runs_still_find_a_real_regression() -> None:
    base = _aa_runs(30, [1.00, 1.01, 0.99, 1.00])
    cand = _aa_runs(40, [1.40, 1.41, 1.39, 1.40])
    result = compare(base, cand)
    assert {b.severity for b in result.benchmarks} == {"high"}


def test_json_schema_fields() -> None:
    base, cand = _planted()
    data = compare(lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2)).to_dict()
    for key in ("schema_version", "baseline", "candidate", "settings", "benchmarks", "counts"):
        assert key in data
    assert data["baseline"] == "main"
    assert data["candidate"] == "pr"
    for key in ("alpha", "regression", "high", "improvement", "correction", "noise_model"):
        assert key in data["settings"]
    item = data["benchmarks"][0]
    for key in (
        "id",
        "category",
        "baseline",
        "candidate",
        "change",
        "change_ci",
        "p_value",
        "q_value",
        "severity",
        "note",
    ):
        assert key in item
    for key in ("n", "iterations", "mean_ns", "median_ns", "std_dev_ns", "mean_ci_ns"):
        assert key in item["baseline"]
    assert set(data["counts"]) == {
        "high",
        "medium",
        "improvement",
        "stable",
        "new",
        "removed",
        "insufficient",
        "noisy",
    }
    assert sum(data["counts"].values()) == len(data["benchmarks"])
    json.dumps(data, allow_nan=False)


def test_to_frame_is_tidy() -> None:
    base, cand = _planted()
    frame = compare(
        lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2)
    ).to_frame()
    assert len(frame) == len(IDS)
    assert frame["id"].is_unique
    assert frame["change"].dtype == np.float64
    assert {"severity", "q_value", "baseline_mean_ns", "candidate_ci_high_ns"} <= set(frame.columns)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.0},
        {"alpha": 1.5},
        {"regression": -0.1},
        {"high": 0.05},  # below the regression threshold
        {"improvement": 1.0},
        {"correction": "holm"},
        {"resamples": 10},
        {"confidence": math.nan},
    ],
)
def test_settings_are_validated(kwargs: dict) -> None:
    with pytest.raises(UsageError):
        Settings(**kwargs)


def test_thresholds_are_configurable() -> None:
    base, cand = _planted()
    strict = Settings(regression=0.02, high=0.10, improvement=0.02)
    result = compare(
        lognormal_run("main", base, seed=1), lognormal_run("pr", cand, seed=2), settings=strict
    )
    assert result.get("vm/bench2").severity == "high"  # type: ignore[union-attr]
    assert result.get("vm/bench4").severity == "medium"  # type: ignore[union-attr]
    assert result.to_dict()["settings"]["regression"] == 0.02


def test_benchmark_missing_from_one_of_several_runs_says_so() -> None:
    base = [
        lognormal_run("a1", {"g/x": 1.0, "g/y": 1.0}, seed=1),
        lognormal_run("a2", {"g/x": 1.0}, seed=2),
    ]
    result = compare(base, lognormal_run("b", {"g/x": 1.0, "g/y": 1.0}, seed=3))
    y = result.get("g/y")
    assert y is not None
    assert "measured in 1 of 2 baseline runs" in y.note
    assert y.baseline is not None
    assert y.baseline.runs == ("a1",)


def test_flag_on_a_run_that_is_unstable_within_itself_is_noisy() -> None:
    rng = np.random.default_rng(12)
    jumpy = np.concatenate([rng.normal(1000, 5, 50), rng.normal(1400, 5, 50)])
    base = run("main", [bench("lock/a", rng.normal(1000, 5, 100))])
    cand = run("pr", [bench("lock/a", jumpy)])  # +20 % on average, from a mid-run jump
    (b,) = compare(base, cand).benchmarks
    assert b.unstable
    assert b.severity == "noisy"
    assert "unstable within itself" in b.note
    assert b.change == pytest.approx(0.2, abs=0.02)
