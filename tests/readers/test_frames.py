"""Tidy frames: one row per sample / per benchmark, built from loaded runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.paths import TEST_DATA
from vmbench.model import Benchmark, Metric, Run
from vmbench.readers.categories import Categories
from vmbench.readers.criterion import load_criterion
from vmbench.readers.frames import (
    BENCHMARK_COLUMNS,
    SAMPLE_COLUMNS,
    benchmarks_frame,
    metrics_frame,
    samples_frame,
    skipped_frame,
)

TREE = TEST_DATA / "loaders" / "criterion"


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    return [load_criterion(TREE, "main"), load_criterion(TREE, "new")]


def test_samples_frame_has_one_row_per_sample(runs: list[Run]) -> None:
    df = samples_frame(runs)
    assert tuple(df.columns) == SAMPLE_COLUMNS
    assert len(df) == sum(b.n for run in runs for b in run.benchmarks.values())
    for run in runs:
        for bench in run.benchmarks.values():
            rows = df[(df["run"] == run.label) & (df["id"] == bench.id)]
            assert rows["sample"].tolist() == list(range(bench.n))
            np.testing.assert_array_equal(rows["iterations"], bench.iters)
            np.testing.assert_array_equal(rows["time_ns"], bench.times)
            np.testing.assert_allclose(rows["per_iter_ns"], bench.times / bench.iters)
            assert set(rows["group"]) == {bench.group}
            assert set(rows["sampling_mode"]) == {bench.sampling_mode}


def test_samples_frame_labels(runs: list[Run]) -> None:
    df = samples_frame(runs)
    row = df[(df["run"] == "new") & (df["id"] == "memory/alloc sized/4096")].iloc[0]
    assert (row["group"], row["function"], row["value"]) == ("memory", "alloc sized", "4096")
    assert row["category"] == "memory"
    assert (row["throughput_kind"], row["throughput_per_iter"]) == ("bytes", 4096.0)
    plain = df[df["id"] == "vm::dispatch loop"].iloc[0]
    assert pd.isna(plain["function"])
    assert pd.isna(plain["throughput_per_iter"])
    assert plain["category"] == "vm::dispatch loop"  # no pattern matches: its group


def test_custom_categories_are_used(runs: list[Run]) -> None:
    cats = Categories.parse("categories:\n  hot: ['re:dispatch']\n")
    df = samples_frame(runs, cats)
    assert set(df.loc[df["id"] == "vm::dispatch loop", "category"]) == {"hot"}
    assert set(df.loc[df["id"] == "memory/alloc sized/4096", "category"]) == {"memory"}


def test_benchmarks_frame_matches_samples(runs: list[Run]) -> None:
    bf = benchmarks_frame(runs)
    sf = samples_frame(runs)
    assert tuple(bf.columns) == BENCHMARK_COLUMNS
    assert len(bf) == sum(len(run.benchmarks) for run in runs)
    by = sf.groupby(["run", "id"])["per_iter_ns"]
    merged = bf.set_index(["run", "id"]).join(
        pd.DataFrame({"m": by.mean(), "md": by.median(), "s": by.std(), "k": by.size()})
    )
    np.testing.assert_allclose(merged["mean_ns"], merged["m"], rtol=1e-12)
    np.testing.assert_allclose(merged["median_ns"], merged["md"], rtol=1e-12)
    np.testing.assert_allclose(merged["std_ns"], merged["s"], rtol=1e-12)
    assert (merged["n"] == merged["k"]).all()
    np.testing.assert_allclose(merged["criterion_mean_ns"], merged["m"], rtol=1e-9)
    row = bf[(bf["run"] == "new") & (bf["id"] == "memory/alloc sized/4096")].iloc[0]
    assert row["iterations"] == 15
    assert row["source"].endswith("4096/new")
    assert row["criterion_mean_lower_ns"] < row["criterion_mean_ns"]


def test_empty_runs_give_empty_frames_with_columns() -> None:
    empty = Run(label="x", source=Path("x"), format="criterion")
    assert tuple(samples_frame([empty]).columns) == SAMPLE_COLUMNS
    assert len(samples_frame([])) == 0
    assert tuple(benchmarks_frame([]).columns) == BENCHMARK_COLUMNS
    assert list(skipped_frame([empty]).columns) == ["run", "path", "id", "reason"]


def test_metrics_and_skipped_frames(write_bench, tmp_path: Path) -> None:
    write_bench("good/one")
    write_bench("bad/one", sample="[")
    run = load_criterion(tmp_path / "criterion", label="pr")
    sk = skipped_frame([run])
    assert sk["run"].tolist() == ["pr"]
    assert sk["path"].iloc[0].endswith("bad/one/new/sample.json")
    metric = Metric(id="code_size", value=10.0, unit="KiB", description="size")
    mrun = Run(label="file", source=Path("b.json"), format="baseline-file", metrics={"c": metric})
    mf = metrics_frame([mrun])
    assert mf[["run", "id", "value", "unit", "direction"]].values.tolist() == [
        ["file", "code_size", 10.0, "KiB", "lower"]
    ]


@st.composite
def _runs(draw: st.DrawFn) -> list[Run]:
    runs = []
    for r in range(draw(st.integers(1, 3))):
        benches = {}
        for b in range(draw(st.integers(0, 4))):
            n = draw(st.integers(1, 6))
            iters = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n))
            times = draw(st.lists(st.floats(0, 1e12, allow_nan=False), min_size=n, max_size=n))
            bench_id = f"g{b % 2}/f{b}"
            benches[bench_id] = Benchmark(
                id=bench_id,
                group=f"g{b % 2}",
                function=f"f{b}",
                value=None,
                iters=np.array(iters, dtype=float),
                times=np.array(times),
            )
        runs.append(Run(label=f"r{r}", source=Path("x"), format="criterion", benchmarks=benches))
    return runs


@settings(max_examples=60, deadline=None)
@given(_runs())
def test_frames_agree_with_the_model(runs: list[Run]) -> None:
    sf = samples_frame(runs)
    bf = benchmarks_frame(runs)
    assert len(sf) == sum(b.n for run in runs for b in run.benchmarks.values())
    assert len(bf) == sum(len(run.benchmarks) for run in runs)
    for run in runs:
        for bench in run.benchmarks.values():
            rows = sf[(sf["run"] == run.label) & (sf["id"] == bench.id)]
            np.testing.assert_array_equal(rows["per_iter_ns"], bench.per_iteration)
            row = bf[(bf["run"] == run.label) & (bf["id"] == bench.id)].iloc[0]
            assert row["mean_ns"] == pytest.approx(bench.mean_ns, rel=1e-12, abs=1e-12)
            assert row["iterations"] == bench.total_iterations
            assert pd.isna(row["criterion_mean_ns"])
