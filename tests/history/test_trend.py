"""Trend analysis on seeded synthetic histories: change points by commit, drift, index,
latest against previous with noise from history and machine warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.history import SYNTHETIC_MACHINE, Plan, build_history, levels, make_run
from vmbench.errors import UsageError
from vmbench.history.latest import latest_vs_previous, noise_frame
from vmbench.history.machine import MachineInfo
from vmbench.history.store import add_run, load_history
from vmbench.history.trend import (
    analyze_trend,
    category_drift,
    category_index,
    change_points,
    drift,
    select_line,
)
from vmbench.render.trend import render_trend
from vmbench.settings import StepSettings

# bench 1 slows by 30% from run 15; bench 2 speeds up 20% at run 10 and slows 25% at 20;
# bench 3 has a single 3x spike at run 12; the others are noise.
PLAN = Plan(
    runs=30,
    benchmarks=6,
    samples=20,
    run_noise=0.02,
    steps={1: ((15, 1.3),), 2: ((10, 0.8), (20, 1.25))},
    spikes={3: ((12, 3.0),)},
    seed=11,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history")
    build_history(path, PLAN)
    return path


@pytest.fixture(scope="module")
def history(store: Path) -> pd.DataFrame:
    return load_history(store)


def commit(run: int) -> str:
    return f"c{run:04d}" + "0" * 35


def test_change_points_name_the_first_commit_after_each_step(history: pd.DataFrame) -> None:
    found = change_points(history, StepSettings(alpha=0.01))
    got = {(r["id"], r["commit"]) for _, r in found.iterrows()}
    assert got == {
        ("gc/bench_0001", commit(15)),
        ("memory/bench_0002", commit(10)),
        ("memory/bench_0002", commit(20)),
    }
    gc = found[found["id"] == "gc/bench_0001"].iloc[0]
    assert gc["change"] == pytest.approx(0.3, abs=0.05)
    assert gc["after_ns"] / gc["before_ns"] - 1 == pytest.approx(gc["change"])
    assert gc["position"] == 15
    assert gc["runs"] == 30
    assert gc["date"] == pd.Timestamp(PLAN.start + dt.timedelta(days=15))
    # Largest change first.
    assert list(found["change"].abs()) == sorted(found["change"].abs(), reverse=True)


def test_change_points_are_deterministic(history: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(change_points(history), change_points(history.copy()))


def test_drift_compares_the_last_window_with_the_one_before(history: pd.DataFrame) -> None:
    # Window 5 days: runs 25-29 against runs 20-24; nothing stepped there.
    out = drift(history, window_days=5).set_index("id")
    assert (out["runs_before"] == 5).all()
    assert (out["runs_after"] == 5).all()
    assert out["change"].abs().max() < 0.06
    # Window 10 days: runs 20-29 against 10-19, where bench 2 rose by 25%.
    wide = drift(history, window_days=10).set_index("id")
    assert wide.loc["memory/bench_0002", "change"] == pytest.approx(0.25, abs=0.04)
    assert wide.loc["memory/bench_0002", "p_value"] < 0.01
    assert wide.index[0] == "memory/bench_0002"  # sorted by size
    truth = levels(PLAN)[:, 2]
    expected = np.exp(np.log(truth[20:30]).mean() - np.log(truth[10:20]).mean()) - 1
    assert wide.loc["memory/bench_0002", "change"] == pytest.approx(expected, abs=0.01)


def test_category_drift_is_the_geometric_mean_of_its_benchmarks() -> None:
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "category": ["x", "x", "y"], "change": [0.21, -0.1, 0.5]}
    )
    out = category_drift(frame).set_index("category")
    assert out.loc["x", "change"] == pytest.approx(np.sqrt(1.21 * 0.9) - 1)
    assert out.loc["x", "benchmarks"] == 2
    assert out.loc["y", "change"] == pytest.approx(0.5)


def test_category_index_starts_at_one_and_follows_the_geometric_mean(
    history: pd.DataFrame,
) -> None:
    index = category_index(history)
    first = index.sort_values("date").groupby("category").head(1)
    assert np.allclose(first["index"], 1.0)
    gc = index[index["category"] == "gc"].reset_index(drop=True)
    truth = levels(PLAN)[:, 1]
    # One benchmark in gc: its index is its mean relative to the first run (samples add noise).
    assert gc["index"].iloc[-1] == pytest.approx(truth[-1] / truth[0], rel=0.03)
    later = category_index(history, since=PLAN.start + dt.timedelta(days=20))
    assert later["date"].min() == pd.Timestamp(PLAN.start + dt.timedelta(days=20))


def test_analyze_trend_json_has_the_fixed_names(history: pd.DataFrame) -> None:
    report = analyze_trend(history, window_days=7, settings=StepSettings(alpha=0.01))
    data = json.loads(render_trend(report, "json"))
    assert data["schema_version"] == 2  # 2: q-values, provisional steps, noise per step
    assert data["runs"] == 30
    fixed = {"id", "category", "commit", "date", "before_ns", "after_ns", "change", "p_value"}
    fixed |= {"q_value", "runs_before", "runs_after", "provisional", "noise", "phi"}
    assert "FDR 0.05" in data["settings"]["method"]
    assert data["change_points"]
    assert all(fixed <= set(cp) for cp in data["change_points"])
    assert all({"id", "change"} <= set(d) for d in data["drift"])
    assert {cp["commit"] for cp in data["change_points"]} == {commit(10), commit(15), commit(20)}


def test_filters_select_benchmarks_and_refuse_bad_regex(history: pd.DataFrame) -> None:
    report = analyze_trend(history, pattern="^memory/", window_days=7)
    assert report.benchmarks == 1
    assert set(report.change_points["id"]) == {"memory/bench_0002"}
    assert analyze_trend(history, category="gc", window_days=7).benchmarks == 1
    with pytest.raises(UsageError, match="pattern: invalid regex"):
        analyze_trend(history, pattern="(", window_days=7)
    with pytest.raises(UsageError, match="window"):
        analyze_trend(history, window_days=0)
    with pytest.raises(UsageError, match="no runs on branch"):
        analyze_trend(history, branch="nope")


def test_table_and_markdown_render_the_same_change_points(history: pd.DataFrame) -> None:
    report = analyze_trend(history, window_days=7, settings=StepSettings(alpha=0.01))
    table = render_trend(report, "table")
    markdown = render_trend(report, "markdown")
    for text in (table, markdown):
        assert "c00150000000" in text
        assert "+3" in text  # the +30% step, formatted
    assert "| gc/bench\\_0001 |" in markdown


def test_one_line_per_branch_and_machine(tmp_path: Path) -> None:
    build_history(tmp_path, Plan(runs=6, benchmarks=2, samples=5))
    other = MachineInfo(name="arm", cpu="Neoverse", cores=64)
    run = make_run(np.array([1.0, 2.0]), samples=5, sample_noise=0.01, seed=1, label="x")
    add_run(tmp_path, run, commit="pr", branch="feature", date=PLAN.start, machine=other)
    frame = load_history(tmp_path)
    line = select_line(frame)
    assert line.branch == "main"  # the latest run is on main (the feature run is older)
    assert line.machine == "synthetic"
    line = select_line(frame, branch="feature")
    assert line.machine == "arm"
    assert set(line.history["commit"]) == {"pr"}


def test_latest_vs_previous_uses_history_noise_and_suspects_the_new_step(tmp_path: Path) -> None:
    plan = Plan(runs=12, benchmarks=4, samples=30, run_noise=0.02, steps={0: ((11, 1.5),)})
    build_history(tmp_path, plan)
    result = latest_vs_previous(tmp_path)
    assert result.latest_commit == commit(11)
    assert result.previous_commit == commit(10)
    assert result.noise_runs == 10  # every run before the previous one
    assert "noise" in (result.comparison.noise_model or "")
    by_id = {b.id: b for b in result.comparison.benchmarks}
    # One latest run: a step in it cannot be told from a contention episode until a
    # second run shows it (`MIN_RUNS_TO_FLAG`); it is a suspect, never stable, never passed.
    stepped = by_id["jit/bench_0000"]
    assert stepped.severity == "inconclusive"
    assert stepped.change == pytest.approx(0.5, abs=0.1)
    assert "rests on one run" in stepped.note
    assert result.comparison.suspects("medium") == ["jit/bench_0000"]
    assert result.comparison.gate("medium") == 3
    assert result.warnings == ()


def test_noise_window_is_not_cut_by_a_step_but_brought_to_its_level(tmp_path: Path) -> None:
    # The method changed (issue 12): runs before a step are no longer dropped from the
    # noise window (a false step would then leave a few runs and hide noise); they are
    # scaled to the current level, so the step does not pass for noise either.
    plan = Plan(runs=20, benchmarks=2, samples=10, run_noise=0.01, steps={0: ((8, 2.0),)})
    build_history(tmp_path, plan)
    frame = load_history(tmp_path)
    runs = frame.drop_duplicates("run_id")["run_id"].tolist()
    steps = change_points(frame)
    assert list(steps["id"]) == ["jit/bench_0000"]
    rows = noise_frame(frame, before_run=runs[-1], steps=steps)
    stepped = rows[rows["id"] == "jit/bench_0000"]
    assert len(stepped) == 19
    assert np.std(np.log(stepped["mean_ns"].to_numpy())) < 0.05  # the x2 step is gone
    assert len(rows[rows["id"] == "gc/bench_0001"]) == 19


def test_latest_vs_previous_warns_when_the_machine_changed(tmp_path: Path) -> None:
    build_history(tmp_path, Plan(runs=3, benchmarks=2, samples=10))
    faster = MachineInfo(
        name=SYNTHETIC_MACHINE.name,
        cpu="Other CPU",
        cores=SYNTHETIC_MACHINE.cores,
        os=SYNTHETIC_MACHINE.os,
        rustc=SYNTHETIC_MACHINE.rustc,
    )
    run = make_run(np.array([300.0, 700.0]), samples=10, sample_noise=0.01, seed=5, label="n")
    add_run(
        tmp_path, run, commit="new", branch="main", date=PLAN.start.replace(day=9), machine=faster
    )
    result = latest_vs_previous(tmp_path)
    assert any("machine fingerprints differ" in w and "Other CPU" in w for w in result.warnings)


def test_latest_vs_previous_needs_two_runs(tmp_path: Path) -> None:
    build_history(tmp_path, Plan(runs=1, benchmarks=2, samples=5))
    with pytest.raises(UsageError, match="needs two"):
        latest_vs_previous(tmp_path)


def test_latest_vs_previous_compares_only_the_selected_benchmarks(tmp_path: Path) -> None:
    build_history(tmp_path, Plan(runs=4, benchmarks=6, samples=10))
    result = latest_vs_previous(tmp_path, pattern="^(gc|jit)/")
    assert {b.id for b in result.comparison.benchmarks} == {"gc/bench_0001", "jit/bench_0000"}
    result = latest_vs_previous(tmp_path, category="tlb", history=load_history(tmp_path))
    assert {b.id for b in result.comparison.benchmarks} == {"tlb/bench_0003"}


def test_hostile_names_are_escaped_in_every_format(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>|`x`@user"
    for r in range(10):
        level = 100.0 * (2.0 if r >= 5 else 1.0)
        bench = make_run(np.array([level]), samples=10, sample_noise=0.01, seed=r, label="x")
        (only,) = bench.benchmarks.values()
        renamed = dataclasses.replace(only, id=hostile, group="<b>")
        run = dataclasses.replace(bench, benchmarks={hostile: renamed})
        add_run(
            tmp_path,
            run,
            commit=f"c{r}",
            branch="main",
            date=PLAN.start + dt.timedelta(days=r),
            machine=None,
        )
    report = analyze_trend(load_history(tmp_path), window_days=5)
    assert list(report.change_points["id"]) == [hostile]
    markdown = render_trend(report, "markdown")
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "@user" not in markdown  # no mention
    assert json.loads(render_trend(report, "json"))["change_points"][0]["id"] == hostile
    assert "\x1b" not in render_trend(report, "table")
