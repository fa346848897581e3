"""The run-to-run noise model (version 2): its estimator, file format (version 1 files still
read), and what it does to verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.runs import lognormal_run, runner_runs
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.errors import InputError, SchemaVersionError
from vmbench.model import Run
from vmbench.settings import Settings
from vmbench.stats.location import run_location

IDS = [f"gc/b{i}" for i in range(8)]  # MIN_SUITE: enough benchmarks to see run effects
FLAGS = ("high", "medium", "improvement")


def test_with_few_benchmarks_sigma_is_the_sd_of_log_run_locations() -> None:
    # Three benchmarks are too few for a median over the suite: no run effects removed.
    frame = pd.DataFrame(
        {
            "run": ["a", "b", "c", "a", "b", "x"],
            "id": ["g/1", "g/1", "g/1", "g/2", "g/2", "g/3"],
            "mean_ns": [100.0, 110.0, 90.0, 5.0, 5.0, 7.0],
        }
    )
    model = NoiseModel.from_frame(frame)
    assert model.estimator == "mean"  # what a `mean_ns` column holds
    assert model.benchmarks["g/1"].sigma == pytest.approx(
        np.std(np.log([100.0, 110.0, 90.0]), ddof=1)
    )
    assert model.benchmarks["g/1"].runs == 3
    assert model.benchmarks["g/1"].df == 2
    assert model.benchmarks["g/1"].location_ns == pytest.approx(
        float(np.exp(np.mean(np.log([100.0, 110.0, 90.0]))))
    )
    assert model.benchmarks["g/2"].sigma == 0.0
    assert "g/3" not in model.benchmarks  # one run says nothing about run-to-run noise
    assert model.run_sigma is None
    assert model.run_df == 0
    assert model.prior_sigma == pytest.approx(np.median([model.benchmarks["g/1"].sigma, 0.0]))
    with pytest.raises(InputError, match="lacks columns"):
        NoiseModel.from_frame(frame.drop(columns=["mean_ns"]))


def test_run_effects_are_estimated_and_removed_from_each_benchmarks_sigma() -> None:
    # Every benchmark of a run moves with the machine (levels), plus 0.5 % of its own.
    levels = [1.0, 1.10, 0.95, 1.05]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        [
            {
                "run": f"r{k}",
                "id": bid,
                "location_ns": 100.0 * (i + 1) * lv * rng.lognormal(0, 0.005),
            }
            for k, lv in enumerate(levels)
            for i, bid in enumerate(IDS)
        ]
    )
    model = NoiseModel.from_frame(frame, estimator="min")
    expected = float(np.std(np.log(levels), ddof=1))
    assert model.run_sigma == pytest.approx(expected, rel=0.1)
    assert model.run_df == len(levels) - 1
    sigmas = [b.sigma for b in model.benchmarks.values()]
    assert max(sigmas) < 0.015 < expected  # the machine's moves are not the benchmarks'
    assert all(b.df == len(levels) - 1 for b in model.benchmarks.values())
    # exact when the benchmarks have no noise of their own
    exact = frame.assign(location_ns=[100.0 * (i + 1) * lv for lv in levels for i in range(8)])
    clean = NoiseModel.from_frame(exact)
    assert clean.run_sigma == pytest.approx(expected, rel=1e-9)
    assert max(b.sigma for b in clean.benchmarks.values()) == pytest.approx(0.0, abs=1e-12)


def _aa_runs(count: int, seed: int = 0) -> list[Run]:
    return [
        lognormal_run(f"aa{i}", dict.fromkeys(IDS, 1.0), seed=seed + i, level=1 + 0.03 * i)
        for i in range(count)
    ]


@pytest.mark.parametrize("estimator", ["min", "mean", "q10"])
def test_from_runs_equals_from_frame_of_per_run_locations(estimator: str) -> None:
    runs = _aa_runs(3)
    model = NoiseModel.from_runs(runs, estimator=estimator)
    assert model.runs == ("aa0", "aa1", "aa2")
    assert model.estimator == estimator
    frame = pd.DataFrame(
        [
            {
                "run": r.label,
                "id": b,
                "location_ns": run_location(r.benchmarks[b].per_iteration, estimator),
            }
            for r in runs
            for b in IDS
        ]
    )
    assert model.to_dict() == NoiseModel.from_frame(frame, estimator=estimator).to_dict()
    assert "3 runs" in model.describe()
    assert f"{estimator} per run" in model.describe()
    assert NoiseModel.from_runs(runs).estimator == Settings().estimator


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = NoiseModel.from_runs(_aa_runs(4))
    assert model.run_sigma is not None
    path = tmp_path / "noise.json"
    model.save(path)
    again = NoiseModel.load(path)
    assert again == model
    assert again.to_dict() == model.to_dict()
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2
    assert data["estimator"] == model.estimator
    assert data["run_df"] == 3


def test_version_1_files_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "kind": "vmbench-noise-model",
                "runs": ["aa1", "aa2", "aa3"],
                "benchmarks": {
                    bid: {"sigma": 0.01, "runs": 3, "mean_ns": 1000.0 * (i + 1)}
                    for i, bid in enumerate(IDS)
                },
            }
        )
    )
    model = NoiseModel.load(path)
    assert model.runs == ("aa1", "aa2", "aa3")
    assert model.estimator == "mean"  # version 1 learned sigma of run means
    assert model.run_sigma is None  # run effects unknown: left in sigma
    b0 = model.benchmarks["gc/b0"]
    assert (b0.sigma, b0.runs, b0.df, b0.mean_ns) == (0.01, 3, 2.0, 1000.0)
    # a comparison uses it as measured noise
    result = compare(_aa_runs(1)[0], _aa_runs(2, seed=5)[1], noise=model)
    v = result.benchmarks[0].run_level
    assert v is not None
    assert v.source == "noise model"
    assert result.noise_model is not None


def _v2(benchmarks: str, top: str = "") -> str:
    return (
        '{"kind": "vmbench-noise-model", "schema_version": 2, ' + top + '"benchmarks": '
        + benchmarks
        + "}"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (
            '{"kind": "vmbench-noise-model", "schema_version": 99, "benchmarks": {}}',
            SchemaVersionError,
            "schema_version 99",
        ),
        (
            '{"kind": "vmbench-noise-model", "schema_version": true, "benchmarks": {}}',
            SchemaVersionError,
            "schema_version True",
        ),
        ('{"kind": "something else"}', InputError, "not a vmbench noise model"),
        ("[1, 2]", InputError, "not a vmbench noise model"),
        (
            '{"kind": "vmbench-noise-model", "schema_version": 1, '
            '"benchmarks": {"a": {"sigma": -1, "runs": 3}}}',
            InputError,
            "sigma >= 0",
        ),
        (
            '{"kind": "vmbench-noise-model", "schema_version": 1, '
            '"benchmarks": {"a": {"runs": 3}}}',
            InputError,
            "malformed",
        ),
        (_v2('{"a": {"sigma": 0.01, "runs": 1, "df": 0.5}}'), InputError, "runs >= 2"),
        (_v2('{"a": {"sigma": 0.01, "runs": 3, "df": 3}}'), InputError, "0 < df < runs"),
        (_v2('{"a": {"sigma": 0.01, "runs": 3, "df": "two"}}'), InputError, "malformed"),
        (_v2('{"a": {"sigma": NaN, "runs": 3}}'), InputError, "sigma >= 0"),
        (_v2('{"a": 5}'), InputError, "malformed"),
        (_v2("[]"), InputError, "must be an object"),
        (_v2("{}", '"run_sigma": -0.1, "run_df": 2, '), InputError, "run_sigma/run_df"),
        (_v2("{}", '"run_sigma": 0.1, "run_df": true, '), InputError, "run_sigma/run_df"),
        (_v2("{}", '"run_sigma": "x", "run_df": 2, '), InputError, "run_sigma/run_df"),
        ("{not json", InputError, "invalid JSON"),
    ],
)
def test_bad_noise_files_are_refused_with_one_line(
    tmp_path: Path, content: str, error: type, message: str
) -> None:
    path = tmp_path / "noise.json"
    path.write_text(content)
    with pytest.raises(error, match=message) as info:
        NoiseModel.load(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_missing_noise_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(InputError, match="not found") as info:
        NoiseModel.load(path)
    assert str(path) in str(info.value)


def _aa(seed: int, level: float) -> Run:
    return lognormal_run(f"aa{seed}", dict.fromkeys(IDS, 1.0), seed=seed, level=level, sigma=0.02)


def test_noise_model_measures_the_noise_and_judges_the_machines_shift_by_it() -> None:
    # Identical code; the candidate run's machine happens to sit 12 % above the baseline's.
    base, cand = _aa(1, 1.00), _aa(2, 1.12)
    without = compare(base, cand)
    assert not any(b.severity in FLAGS for b in without.benchmarks)
    first = without.benchmarks[0].run_level
    assert first is not None
    assert "spread of the suite" in first.source
    assert any("run-to-run noise not measured" in w for w in without.warnings)
    assert without.suite is not None
    assert without.suite.ci is None  # one run a side: the machine's noise is unknown

    noise = NoiseModel.from_runs([_aa(3, 1.0), _aa(4, 1.09), _aa(5, 0.95), _aa(6, 1.05)])
    assert noise.run_sigma is not None
    assert noise.run_sigma > 0.03  # the A/A runs' machine moved too
    with_model = compare(base, cand, noise=noise)
    assert not any(b.severity in FLAGS for b in with_model.benchmarks)
    b = with_model.benchmarks[0]
    assert b.run_level is not None
    assert b.run_level.source == "noise model"
    assert b.run_level.relative_to_suite
    assert "run-to-run noise" in b.note
    assert with_model.noise_model is not None
    assert not any("not measured" in w for w in with_model.warnings)
    # The +12 % the whole suite shares is judged against the machine's measured noise: it
    # has an interval now, wide enough to hold zero (it is the machine here).
    assert with_model.suite is not None
    assert with_model.suite.ci is not None
    assert with_model.suite.ci[0] < 0.0 < with_model.suite.ci[1]
    assert with_model.suite.severity != "stable"


def test_noisy_benchmarks_are_inconclusive_never_stable_and_big_changes_never_pass() -> None:
    # Each benchmark moves ~10 % run to run on its own: too noisy for a 10 % threshold.
    flat = dict.fromkeys(IDS, 1.0)
    kw = {"runs": 1, "run_sigma": 0.0, "bench_sigma": 0.10, "sigma": 0.02}
    noise = NoiseModel.from_runs(
        runner_runs("aa", flat, runs=4, seed=50, run_sigma=0.0, bench_sigma=0.10, sigma=0.02)
    )
    assert noise.prior_sigma > 0.05
    base = runner_runs("main", flat, seed=60, **kw)  # type: ignore[arg-type]
    same = compare(base, runner_runs("pr", flat, seed=61, **kw), noise=noise)  # type: ignore[arg-type]
    assert not any(b.severity in FLAGS for b in same.benchmarks)
    assert "stable" not in {b.severity for b in same.benchmarks}
    assert same.counts["inconclusive"] >= len(IDS) // 2
    assert not same.failed("medium")
    for b in same.benchmarks:
        if b.severity == "inconclusive":
            assert b.run_level is not None
            assert "inconclusive: suspected" in b.note
            # suspected regressions are exactly the inconclusive ones that lean slower
            # with an interval reaching past the gate's threshold
            ci = b.run_level.ci
            assert ci is not None
            reaches = b.run_level.change > 0 and ci[1] > 0.10
            assert (b.id in same.suspects("medium")) == reaches
    assert same.gate("medium") == (3 if same.suspects("medium") else 0)
    # Far beyond even this noise, on one run a side: suspects, rerun before the gate fails
    # (one run cannot be told from a contention episode, `MIN_RUNS_TO_FLAG`)...
    doubled = flat | {"gc/b0": 2.5, "gc/b1": 2.5}
    big = compare(base, runner_runs("pr", doubled, seed=61, **kw), noise=noise)  # type: ignore[arg-type]
    assert not any(b.severity in FLAGS for b in big.benchmarks)
    assert {"gc/b0", "gc/b1"} <= set(big.suspects("medium"))
    assert big.gate("medium") == 3
    assert "rests on one run" in next(b.note for b in big.benchmarks if b.id == "gc/b0")
    # ...and flagged once two runs a side stand behind them
    two = kw | {"runs": 2}
    both = compare(
        runner_runs("main", flat, seed=60, **two),  # type: ignore[arg-type]
        runner_runs("pr", doubled, seed=61, **two),  # type: ignore[arg-type]
        noise=noise,
    )
    assert {b.id: b.severity for b in both.benchmarks if b.severity in FLAGS} == {
        "gc/b0": "high",
        "gc/b1": "high",
    }
    assert both.gate("medium") == 1


def test_a_noise_model_adds_degrees_of_freedom_and_more_runs_narrow_the_interval() -> None:
    flat = dict.fromkeys(IDS, 1.0)
    kw = {"run_sigma": 0.03, "bench_sigma": 0.02, "sigma": 0.02}
    runs = runner_runs("q", flat, runs=8, seed=70, **kw)
    noise = NoiseModel.from_runs(runner_runs("aa", flat, runs=5, seed=71, **kw))

    def first(k: int, model: NoiseModel | None) -> tuple[float, float]:
        v = compare(runs[:k], runs[4 : 4 + k], noise=model).benchmarks[0].run_level
        assert v is not None
        assert v.ci is not None
        assert v.df is not None
        return v.df, v.ci[1] - v.ci[0]

    df_runs, _ = first(2, None)
    df_both, _ = first(2, noise)
    assert df_both > df_runs
    _, one = first(1, noise)
    _, four = first(4, noise)
    assert four < 0.6 * one  # 1/sqrt(4) of the standard error, and more df


def test_partial_noise_model_is_warned_about() -> None:
    noise = NoiseModel.from_runs(
        [lognormal_run(f"n{i}", {"gc/b0": 1.0}, seed=50 + i) for i in range(3)]
    )
    result = compare(_aa(1, 1.0), _aa(2, 1.0), noise=noise)
    assert any(f"covers 1 of {len(IDS)}" in w for w in result.warnings)


def test_empty_noise_model_describes_itself() -> None:
    model = NoiseModel.from_runs([])
    assert model.benchmarks == {}
    assert model.describe() == "empty noise model"
    assert model.prior_sigma == 0.0
