"""Category deep-dive computations: checked against Criterion's own files and invariants."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.paths import TEST_DATA
from vmbench.compare import category as cat
from vmbench.errors import UsageError
from vmbench.model import Benchmark, Run, Throughput
from vmbench.readers.categories import Categories
from vmbench.readers.criterion import load_criterion
from vmbench.readers.frames import samples_frame

HOSTILE_DIR = TEST_DATA / "report" / "hostile-criterion"


def _run(label: str, benches: dict[str, tuple[np.ndarray, np.ndarray]], **kw: object) -> Run:
    out = {}
    for bid, (iters, times) in benches.items():
        group, _, rest = bid.partition("/")
        function, _, value = rest.partition("/")
        out[bid] = Benchmark(
            id=bid,
            group=group,
            function=function or None,
            value=value or None,
            iters=iters,
            times=times,
            sampling_mode="Linear",
            **kw,  # type: ignore[arg-type]
        )
    return Run(label=label, source=Path(label), format="criterion", benchmarks=out)


def _linear(per_iter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    iters = np.arange(1, per_iter.size + 1, dtype=float) * 10
    return iters, per_iter * iters


def _frame(*runs: Run) -> pd.DataFrame:
    return samples_frame(list(runs), Categories.load(None))


# --- against Criterion's own files -------------------------------------------------------


@pytest.mark.realdata
def test_slope_equals_criterions_slope_estimate(realdata: Path) -> None:
    root = realdata / "ecs_bench_suite" / "b2d7289d13" / "target" / "criterion"
    if not root.is_dir():
        pytest.skip(f"{root} not in this copy of the real data")
    run = load_criterion(root, "new")
    fits = cat.slope_fits(_frame(run)).set_index("id")
    checked = 0
    for bid, bench in run.benchmarks.items():
        if bench.sampling_mode == "Linear" and "slope" in bench.estimates:
            expected = bench.estimates["slope"].point
            assert fits.loc[bid, "slope_ns"] == pytest.approx(expected, rel=1e-9)
            checked += 1
    assert checked >= 10


@pytest.mark.realdata
def test_outliers_match_criterions_tukey_fences(realdata: Path) -> None:
    root = realdata / "deduplicate" / "37d4f0b979" / "target" / "criterion"
    if not root.is_dir():
        pytest.skip(f"{root} not in this copy of the real data")
    run = load_criterion(root, "new")
    samples = _frame(run)
    outliers = cat.outlier_samples(samples)
    checked = 0
    for bid, bench in run.benchmarks.items():
        assert bench.source is not None
        folder = bench.source.parent if bench.source.is_file() else bench.source
        tukey = folder / "tukey.json"
        if not tukey.is_file():
            continue
        checked += 1
        low_severe, low_mild, high_mild, high_severe = json.loads(tukey.read_text())
        x = bench.per_iteration
        expected = int(np.sum((x < low_mild) | (x > high_mild)))
        assert (outliers["id"] == bid).sum() == expected
        severe = outliers[(outliers["id"] == bid) & outliers["class"].str.endswith("severe")]
        assert len(severe) == int(np.sum((x < low_severe) | (x > high_severe)))
    assert checked >= 3


@pytest.mark.realdata
def test_real_parameterized_series_gets_an_exponent(realdata: Path) -> None:
    root = realdata / "deduplicate" / "37d4f0b979" / "target" / "criterion"
    if not root.is_dir():
        pytest.skip(f"{root} not in this copy of the real data")
    scaling = cat.scaling(_frame(load_criterion(root, "new")))
    fit = scaling.fits.set_index("series").loc["get/moka get"]
    assert fit["points"] >= 3
    assert fit["exponent_low"] <= fit["exponent"] <= fit["exponent_high"]


# --- synthetic invariants ---------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(exponent=st.floats(-1.0, 3.0), scale=st.floats(1.0, 1e4))
def test_scaling_recovers_a_planted_power_law(exponent: float, scale: float) -> None:
    sizes = [64, 256, 1024, 4096]
    benches = {f"memory/alloc/{p}": _linear(np.full(20, scale * p**exponent)) for p in sizes}
    result = cat.scaling(_frame(_run("main", benches)))
    fit = result.fits.iloc[0]
    assert fit["series"] == "memory/alloc"
    assert fit["exponent"] == pytest.approx(exponent, abs=1e-9)
    assert list(result.points["parameter"]) == sizes


def test_series_with_fewer_than_three_sizes_is_not_fitted() -> None:
    benches = {f"memory/alloc/{p}": _linear(np.full(10, float(p))) for p in (1, 2)}
    assert cat.scaling(_frame(_run("main", benches))).fits.empty


def _noisy(seed: int, mean: float, n: int = 30) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(math.log(mean), 0.03, n)


def _pair(factor: float) -> pd.DataFrame:
    base = {f"gc/b{i}": _linear(_noisy(i, 1000.0 * (i + 1))) for i in range(5)}
    cand = {k: (iters, times * factor) for k, (iters, times) in base.items()}
    return _frame(_run("main", base), _run("pr", cand))


@pytest.mark.parametrize("factor", [1.0, 0.8, 1.25, 3.0])
def test_geomean_of_a_uniform_scaling_is_that_scaling(factor: float) -> None:
    g = cat.geomean_change(_pair(factor), baseline=["main"], candidate=["pr"])
    assert g is not None
    assert g.change == pytest.approx(factor - 1.0, abs=1e-12)
    assert g.low <= g.change <= g.high
    assert g.benchmarks == 5


def test_geomean_of_identical_runs_is_zero_and_its_interval_holds_zero() -> None:
    g = cat.geomean_change(_pair(1.0), baseline=["main"], candidate=["pr"])
    assert g is not None
    assert g.change == 0.0
    assert g.low < 0.0 < g.high


def test_geomean_swapping_sides_inverts_the_ratio_and_is_deterministic() -> None:
    base = {f"gc/b{i}": _linear(_noisy(i, 500.0)) for i in range(4)}
    cand = {f"gc/b{i}": _linear(_noisy(10 + i, 550.0)) for i in range(4)}
    frame = _frame(_run("main", base), _run("pr", cand))
    forward = cat.geomean_change(frame, baseline=["main"], candidate=["pr"])
    backward = cat.geomean_change(frame, baseline=["pr"], candidate=["main"])
    assert forward is not None
    assert backward is not None
    assert (1 + forward.change) * (1 + backward.change) == pytest.approx(1.0, rel=1e-12)
    assert forward == cat.geomean_change(frame, baseline=["main"], candidate=["pr"])


def test_several_runs_per_side_widen_the_interval_by_their_spread() -> None:
    # Three baseline runs whose means differ by +-5 %: the run-to-run spread must show.
    runs = [
        _run(f"b{k}", {f"gc/b{i}": _linear(_noisy(20 * k + i, 1000.0 * f)) for i in range(4)})
        for k, f in enumerate((0.95, 1.0, 1.05))
    ]
    cand = _run("pr", {f"gc/b{i}": _linear(_noisy(90 + i, 1000.0)) for i in range(4)})
    frame = _frame(*runs, cand)
    one = cat.geomean_change(frame, baseline=["b1"], candidate=["pr"])
    three = cat.geomean_change(frame, baseline=["b0", "b1", "b2"], candidate=["pr"])
    assert one is not None
    assert three is not None
    assert (three.high - three.low) > 2 * (one.high - one.low)
    assert three.baseline_runs == 3


def test_geomean_is_none_without_common_benchmarks() -> None:
    frame = _frame(
        _run("main", {"gc/a": _linear(np.ones(5))}), _run("pr", {"gc/b": _linear(np.ones(5))})
    )
    assert cat.geomean_change(frame, baseline=["main"], candidate=["pr"]) is None


def test_distributions_and_outlier_rows_agree() -> None:
    values = np.concatenate([np.full(18, 100.0) + np.arange(18) * 0.1, [200.0, 1.0]])
    frame = _frame(_run("main", {"gc/pause": _linear(values)}))
    dist = cat.distributions(frame).iloc[0]
    rows = cat.outlier_samples(frame)
    assert dist["high_severe"] == 1
    assert dist["low_severe"] == 1
    assert sorted(rows["class"]) == ["high severe", "low severe"]
    assert sorted(rows["sample"]) == [18, 19]
    assert dist["median_ns"] == pytest.approx(float(np.median(values)))


def test_slope_through_the_origin_of_exact_data_is_the_time_per_iteration() -> None:
    frame = _frame(_run("main", {"gc/pause": _linear(np.full(12, 42.5))}))
    fit = cat.slope_fits(frame).iloc[0]
    assert fit["slope_ns"] == pytest.approx(42.5, rel=1e-12)
    assert fit["distinct_iteration_counts"] == 12


def test_throughput_rate_is_work_over_mean_time() -> None:
    run = _run(
        "main",
        {"memory/copy": _linear(np.full(10, 500.0))},
        throughput=Throughput(kind="bytes", per_iteration=4096.0),
    )
    rows = cat.throughputs(_frame(run))
    assert rows.iloc[0]["per_second"] == pytest.approx(4096.0 / 500.0 * 1e9)
    assert rows.iloc[0]["unit"] == "B/s"
    assert cat.throughputs(_frame(_run("main", {"gc/a": _linear(np.ones(5))}))).empty


def test_unknown_category_lists_the_known_ones() -> None:
    frame = samples_frame([load_criterion(HOSTILE_DIR, "main")], Categories.load(None))
    assert set(cat.select(frame, "memory")["id"]) == {
        "memory/alloc/1024",
        "memory/alloc/4096",
        "memory/alloc/16384",
    }
    with pytest.raises(UsageError, match=r"no benchmark in category 'nope'; categories: .*gc"):
        cat.select(frame, "nope")
