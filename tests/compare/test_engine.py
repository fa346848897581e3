"""The comparison engine on seeded in-memory runs: planted effects are found at the right
severity and nothing else is flagged; cannot-tell (inconclusive, insufficient) is a result
that never passes as stable; one-sided, point-value, metric and edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.support.runs import bench, lognormal_run, run, runner_runs
from vmbench.calibration.simulate import NoiseSpec, Suite, make_suite, simulate_run
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.compare.verdicts import SEVERITIES
from vmbench.errors import UsageError
from vmbench.model import Metric, Run, Throughput
from vmbench.settings import Estimator, Settings

IDS = [f"vm/bench{i}" for i in range(10)]  # >= 8: the suite can be told from the machine
FLAGS = ("high", "medium", "improvement")
PLANTED = {"vm/bench1": 1.30, "vm/bench2": 1.15, "vm/bench3": 0.85}  # high, medium, improvement


def _planted() -> tuple[dict[str, float], dict[str, float]]:
    base = dict.fromkeys(IDS, 1.0)
    cand = base | PLANTED
    cand["vm/bench4"] = 1.03  # real but below every threshold
    return base, cand


def _sides(runs: int = 3, **noise: float) -> tuple[list[Run], list[Run]]:
    """The planted suite on a shared runner, `runs` runs a side (quiet unless told)."""
    base, cand = _planted()
    kw = {"bench_sigma": 0.005, "sigma": 0.02} | noise
    return (
        runner_runs("main", base, runs=runs, seed=1, **kw),
        runner_runs("pr", cand, runs=runs, seed=2, **kw),
    )


def _flags(result: object) -> dict[str, str]:
    return {b.id: b.severity for b in result.benchmarks if b.severity in FLAGS}  # type: ignore[attr-defined]


def test_planted_changes_get_their_severity_and_nothing_else_is_flagged() -> None:
    base, cand = _sides()
    result = compare(base, cand)
    assert _flags(result) == {
        "vm/bench1": "high",
        "vm/bench2": "medium",
        "vm/bench3": "improvement",
    }
    # the unchanged and the +3 % one: their whole interval lies within the thresholds
    assert {b.severity for b in result.benchmarks if b.id not in PLANTED} == {"stable"}
    assert result.counts["high"] == result.counts["medium"] == result.counts["improvement"] == 1
    assert result.verdict == "high"
    assert result.failed("medium")
    assert result.failed("high")
    assert not result.failed("never")
    assert result.gate("medium") == result.gate("high") == 1
    assert result.gate("never") == 0
    for bid, factor in PLANTED.items():
        b = result.get(bid)
        assert b is not None
        v = b.run_level
        assert v is not None
        assert v.runs == (3, 3)
        assert v.source == "replicate runs"
        assert v.estimator == Settings().estimator
        assert v.ci is not None
        assert v.ci[0] < v.change < v.ci[1]
        assert v.change == pytest.approx(factor - 1, abs=0.04)
        assert b.judged_change == v.change
        assert b.significant
        # the descriptive change of means tells the same story
        assert b.change == pytest.approx(factor - 1, abs=0.05)
    b1 = result.get("vm/bench1")
    assert b1 is not None
    assert b1.run_level is not None
    assert b1.run_level.p_slower is not None
    assert b1.run_level.p_slower < Settings().alpha
    assert b1.cliffs_delta is not None
    assert b1.cliffs_delta > 0.9
    assert result.sorted_benchmarks()[0].id == "vm/bench1"
    assert not any("not measured" in w for w in result.warnings)


def test_one_run_a_side_never_calls_a_planted_change_stable() -> None:
    # The rule for one run a side: every planted change of 12 % or more is flagged
    # or inconclusive in its direction, and the run-to-run noise is said to be unmeasured.
    base, cand = _sides(runs=1, bench_sigma=0.02, sigma=0.03)
    result = compare(base, cand)
    for bid, factor in PLANTED.items():
        b = result.get(bid)
        assert b is not None
        assert b.run_level is not None
        assert b.severity in ("inconclusive", "high", "medium", "improvement"), b.note
        assert math.copysign(1.0, b.run_level.change) == math.copysign(1.0, factor - 1)
        if b.severity == "inconclusive":
            side = "slower" if factor > 1 else "faster"
            assert f"suspected {side}" in b.note
    assert set(_flags(result)) <= set(PLANTED)
    assert result.gate("medium") != 0  # +30 % and +15 %: never a silent pass
    b0 = result.get("vm/bench0")
    assert b0 is not None
    assert b0.run_level is not None
    assert "spread of the suite" in b0.run_level.source
    assert any("run-to-run noise not measured" in w for w in result.warnings)


@pytest.mark.parametrize("runs", [1, 3])
def test_identical_runs_are_never_flagged(runs: int) -> None:
    base, _ = _sides(runs=runs, bench_sigma=0.02, sigma=0.05)
    result = compare(base, base)
    assert _flags(result) == {}
    assert all(b.change == 0.0 and b.p_value == 1.0 for b in result.benchmarks)
    assert all(b.run_level is not None and b.run_level.change == 0.0 for b in result.benchmarks)
    assert result.suite is not None
    assert result.suite.shift == 0.0
    assert result.suspects("medium") == []
    assert {result.gate(f) for f in ("high", "medium", "never")} == {0}


def test_results_are_identical_run_to_run() -> None:
    a = compare(*_sides())
    b = compare(*_sides())
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
    # One run a side, one benchmark and no noise model: no run-level test is possible,
    # whatever the change (+800 %)...
    assert few.severity == "insufficient"
    assert few.run_level is not None
    assert few.run_level.ci is None
    assert few.run_level.p_slower is None
    assert "run-to-run noise unknown" in few.note
    # ...and the within-run rank test could not reach alpha with 3 v 3 samples anyway
    assert few.min_p_value == pytest.approx(0.1)
    # Cannot-tell is not a pass: a point change past the threshold is a suspected regression.
    assert not result.failed("medium")
    assert result.suspects("medium") == ["g/few"]
    assert result.gate("medium") == 3
    assert result.gate("never") == 0
    assert "Suspected regression" in result.summary


def test_estimators_that_disagree_without_noise_information_make_a_suspect() -> None:
    """A real cargo run (one run a side, four benchmarks, a busy machine): the slowed
    benchmark's fastest candidate sample was no slower than the baseline's while its mean
    was 24 % slower. With no noise information the minimum's own error is unknown: the
    gate must ask for confirmation, not pass on the one estimate it judged."""
    rng = np.random.default_rng(11)
    steady = {f"g/b{i}": rng.normal(100, 1, 20) for i in range(3)}
    base_slowed = np.concatenate([[95.0], rng.normal(100, 1, 19)])
    # one fast sample as fast as the baseline's, the rest about 1.25x slower
    cand_slowed = np.concatenate([[94.0], rng.normal(125, 2, 19)])
    base = run("main", [bench(k, v) for k, v in steady.items()] + [bench("g/slow", base_slowed)])
    cand = run(
        "pr",
        [bench(k, v * rng.normal(1, 0.005)) for k, v in steady.items()]
        + [bench("g/slow", cand_slowed)],
    )
    result = compare(base, cand)
    slow = next(b for b in result.benchmarks if b.id == "g/slow")
    assert slow.severity in ("insufficient", "inconclusive")
    assert slow.run_level is not None
    assert slow.run_level.ci is None
    assert slow.run_level.change < 0.0  # the judged estimate (the minimum) leans faster
    assert slow.change is not None
    assert slow.change > 0.2
    assert result.suspects("medium") == ["g/slow"]
    assert result.gate("medium") == 3
    assert "disagrees with the run-level change" in slow.note
    # ...while the steady ones, whose estimates agree within the thresholds, are not
    assert result.suspects("high") == ["g/slow"]


def test_a_comparison_that_cannot_tell_is_not_called_stable() -> None:
    rng = np.random.default_rng(4)
    base = run("main", [bench("g/few", rng.normal(100, 1, 20))])
    cand = run("pr", [bench("g/few", rng.normal(300, 1, 20))])
    result = compare(base, cand)
    assert result.counts["insufficient"] == 1
    assert result.verdict != "stable"


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
    tp = {"io/copy": Throughput("bytes", 4096.0)}
    factors = dict.fromkeys(IDS, 1.0) | {"io/copy": 1.0}
    kw = {"runs": 3, "bench_sigma": 0.005, "sigma": 0.01, "throughput": tp}
    base = runner_runs("main", factors, seed=6, **kw)  # type: ignore[arg-type]
    cand = runner_runs("pr", factors | {"io/copy": 0.8}, seed=7, **kw)  # type: ignore[arg-type]
    b = compare(base, cand).get("io/copy")
    assert b is not None
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
    a, b = _sides(runs=1)
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


@pytest.mark.parametrize("estimator", ["min", "mean"])
def test_instability_within_a_run_is_a_note_and_never_changes_the_severity(
    estimator: str,
) -> None:
    # The candidate of lock/a jumps +40 % mid-run. The same samples in shuffled order hold
    # no jump: every per-run location is the same, so the verdict must be too; only the
    # note differs.
    rng = np.random.default_rng(12)
    factors = dict.fromkeys(IDS, 1.0)
    base = runner_runs("main", factors, runs=2, seed=12)
    cand = runner_runs("pr", factors, runs=2, seed=13)
    jumpy = np.concatenate([rng.normal(1000, 5, 50), rng.normal(1400, 5, 50)])
    shuffled = rng.permutation(jumpy)
    s = Settings(estimator=estimator)  # type: ignore[arg-type]

    steady = bench("lock/a", rng.normal(1000, 5, 100))

    def with_lock(samples: np.ndarray) -> object:
        b = [run(r.label, [*r.benchmarks.values(), steady]) for r in base]
        c = [run(r.label, [*r.benchmarks.values(), bench("lock/a", samples)]) for r in cand]
        return compare(b, c, settings=s).get("lock/a")

    unstable, calm = with_lock(jumpy), with_lock(shuffled)
    assert unstable is not None
    assert calm is not None
    assert unstable.unstable  # type: ignore[attr-defined]
    assert "looks unstable" in unstable.note  # type: ignore[attr-defined]
    assert "jumps +40" in unstable.note  # type: ignore[attr-defined]
    assert not calm.unstable  # type: ignore[attr-defined]
    assert unstable.severity == calm.severity  # type: ignore[attr-defined]
    assert unstable.run_level == calm.run_level  # type: ignore[attr-defined]


def test_several_runs_per_side_account_for_run_to_run_noise() -> None:
    # Same code everywhere, but each run's machine sits 0-15 % apart: every benchmark of
    # the single pair is +11 %. That shared shift is the suite's, not a benchmark's: no
    # benchmark is flagged, and the shift, which one run a side cannot tell from the
    # machine, is a suspected regression to confirm, never a silent pass.
    base = _aa_runs(10, [1.00, 1.06, 0.97])
    cand = _aa_runs(20, [1.12, 1.03, 1.09])
    single = compare(base[0], cand[0])
    assert _flags(single) == {}
    assert single.suite is not None
    assert single.suite.shift == pytest.approx(0.11, abs=0.02)
    assert single.suite.ci is None  # the machine's run-to-run noise is unknown
    assert single.suite.severity == "inconclusive"
    assert single.suspects("medium") == ["*"]
    assert single.gate("medium") == 3
    assert "Suspected regression" in single.summary
    assert any("whole suite moved" in w for w in single.warnings)
    several = compare(base, cand)
    assert _flags(several) == {}
    assert several.suite is not None
    assert several.suite.ci is not None  # three runs a side measure the machine's noise
    assert several.suite.ci[0] < several.suite.shift < several.suite.ci[1]
    assert several.suite.run_sigma is not None
    assert several.suite.run_sigma > 0.02
    assert set(several.suite.run_effects) == {"r0", "r1", "r2"}
    b0 = several.benchmarks[0]
    assert b0.run_level is not None
    assert b0.run_level.source == "replicate runs"
    assert b0.run_level.runs == (3, 3)
    assert b0.baseline is not None
    assert b0.baseline.runs == ("r0", "r1", "r2")
    assert b0.baseline.n == 150
    # the descriptive hierarchical interval of the means is much wider than one run's
    assert b0.change_ci is not None
    assert single.benchmarks[0].change_ci is not None
    width = b0.change_ci[1] - b0.change_ci[0]
    assert width > 3 * (single.benchmarks[0].change_ci[1] - single.benchmarks[0].change_ci[0])
    # the point estimate is the mean of run means
    assert b0.baseline.mean_ns == pytest.approx(
        np.mean([r.benchmarks[b0.id].mean_ns for r in base])
    )


def _aa_runs(seed: int, levels: list[float], factors: dict[str, float] | None = None) -> list[Run]:
    """Runs of identical code whose level moves run to run (a shared machine)."""
    return [
        lognormal_run(
            f"r{i}", factors or dict.fromkeys(IDS, 1.0), seed=seed + i, level=lv, sigma=0.02
        )
        for i, lv in enumerate(levels)
    ]


def test_several_runs_still_find_a_real_regression() -> None:
    base = _aa_runs(30, [1.00, 1.01, 0.99, 1.00])
    three = dict.fromkeys(IDS, 1.0) | dict.fromkeys(IDS[:3], 1.40)
    result = compare(base, _aa_runs(40, [1.00, 1.01, 0.99, 1.00], three))
    assert _flags(result) == dict.fromkeys(IDS[:3], "high")
    # every benchmark 40 % slower: the suite shift is the finding
    whole = compare(base, _aa_runs(40, [1.40, 1.41, 1.39, 1.40]))
    assert _flags(whole) == {}
    assert whole.suite is not None
    assert whole.suite.severity == "high"
    assert whole.suite.shift == pytest.approx(0.40, abs=0.03)
    assert whole.verdict == "high"
    assert whole.gate("medium") == 1
    assert "whole suite +40" in whole.summary


def test_json_schema_fields() -> None:
    data = compare(*_sides()).to_dict()
    for key in (
        "schema_version",
        "baseline",
        "candidate",
        "settings",
        "benchmarks",
        "counts",
        "suite",
        "gate",
        "suspects",
    ):
        assert key in data
    assert data["schema_version"] == 2
    assert data["baseline"] == "main0+main1+main2"
    assert data["candidate"] == "pr0+pr1+pr2"
    assert data["gate"] == {"high": 1, "medium": 1, "never": 0}
    for key in ("alpha", "regression", "high", "improvement", "correction", "noise_model"):
        assert key in data["settings"]
    assert data["settings"]["estimator"] == Settings().estimator
    assert "noise_confidence" not in data["settings"]
    for key in ("shift", "ci", "severity", "run_sigma", "run_effects", "benchmarks"):
        assert key in data["suite"]
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
        "run_level",
    ):
        assert key in item
    assert "noise" not in item
    for key in ("estimator", "runs", "change", "ci", "p_slower", "p_faster", "sigma", "df"):
        assert key in item["run_level"]
    for key in ("n", "iterations", "mean_ns", "median_ns", "std_dev_ns", "mean_ci_ns"):
        assert key in item["baseline"]
    assert set(data["counts"]) == set(SEVERITIES)
    assert "noisy" not in data["counts"]
    assert sum(data["counts"].values()) == len(data["benchmarks"])
    json.dumps(data, allow_nan=False)


def test_to_frame_is_tidy() -> None:
    frame = compare(*_sides()).to_frame()
    assert len(frame) == len(IDS)
    assert frame["id"].is_unique
    assert frame["change"].dtype == np.float64
    assert frame["run_change"].dtype == np.float64
    assert {
        "severity",
        "q_value",
        "run_change",
        "run_change_ci_low",
        "baseline_mean_ns",
        "candidate_ci_high_ns",
    } <= set(frame.columns)


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
        {"estimator": "mode"},
    ],
)
def test_settings_are_validated(kwargs: dict) -> None:
    with pytest.raises(UsageError):
        Settings(**kwargs)


def test_thresholds_are_configurable() -> None:
    strict = Settings(regression=0.02, high=0.10, improvement=0.02)
    result = compare(*_sides(), settings=strict)
    assert result.get("vm/bench2").severity == "high"  # type: ignore[union-attr]
    # +3 %: with a 2 % threshold its interval can no longer lie within the thresholds
    assert result.get("vm/bench4").severity in ("medium", "inconclusive")  # type: ignore[union-attr]
    assert compare(*_sides()).get("vm/bench4").severity == "stable"  # type: ignore[union-attr]
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


# --- `auto`: a per-benchmark choice between the minimum and the median ------------------


def _simulated_sides(seed: int, runs: int = 3) -> tuple[list[Run], list[Run], Suite]:
    rng = np.random.default_rng(seed)
    suite = make_suite(40, NoiseSpec(sigma_run=0.05, variable_work=0.25), rng)
    base = [simulate_run(suite, f"b{k}", rng) for k in range(runs)]
    cand = [simulate_run(suite, f"c{k}", rng) for k in range(runs)]
    return base, cand, suite


def _chosen(result: Comparison) -> dict[str, str]:
    return {b.id: b.run_level.estimator for b in result.benchmarks if b.run_level is not None}


def test_auto_takes_the_median_where_work_varies_and_the_minimum_elsewhere() -> None:
    base, cand, suite = _simulated_sides(7)
    chosen = _chosen(compare(base, cand, settings=Settings(estimator="auto")))
    variable = {bid for bid, v in zip(suite.ids, suite.variable, strict=True) if v}
    assert variable
    assert len(variable) < len(chosen)
    quiet = set(chosen) - variable
    # the simulation's quiet benchmarks keep the minimum; most variable-work ones switch
    assert {chosen[b] for b in quiet} == {"min"}
    assert sum(chosen[b] == "median" for b in variable) >= 0.75 * len(variable)
    # the verdict says which estimate each benchmark was judged on
    result = compare(base, cand, settings=Settings(estimator="auto"))
    switched = next(b for b in result.benchmarks if b.id in variable and "median per run" in b.note)
    assert switched.run_level is not None
    assert switched.run_level.estimator == "median"
    assert result.to_dict()["settings"]["estimator"] == "auto"


def test_an_explicit_estimator_is_used_for_every_benchmark() -> None:
    base, cand, _ = _simulated_sides(7)
    estimators: tuple[Estimator, ...] = ("min", "median", "q10")
    for estimator in estimators:
        chosen = _chosen(compare(base, cand, settings=Settings(estimator=estimator)))
        assert set(chosen.values()) == {estimator}


def test_auto_choice_does_not_depend_on_which_side_is_which() -> None:
    base, cand, _ = _simulated_sides(11)
    auto = Settings(estimator="auto")
    assert _chosen(compare(base, cand, settings=auto)) == _chosen(
        compare(cand, base, settings=auto)
    )


def test_auto_with_a_noise_model_uses_the_models_estimator() -> None:
    base, cand, _ = _simulated_sides(7)
    auto = Settings(estimator="auto")
    noise = NoiseModel.from_runs(base[1:], estimator="auto")
    assert noise.estimator == "min"  # the noise model's variances hold for one estimator
    with_noise = _chosen(compare(base[:1], cand[:1], settings=auto, noise=noise))
    assert set(with_noise.values()) == {"min"}
