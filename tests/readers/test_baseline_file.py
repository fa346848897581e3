"""The design document's baseline file (benches/baselines/main.json): load, update, write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError
from vmbench.model import Metric
from vmbench.readers.baseline_file import (
    BaselineEntry,
    baseline_from_run,
    load_baseline_file,
    render_baseline_file,
    write_baseline_file,
)
from vmbench.readers.criterion import load_criterion

DATA = TEST_DATA / "loaders"
MAIN = DATA / "baseline" / "main.json"


def test_design_document_shape_loads() -> None:
    run = load_baseline_file(MAIN)
    assert run.format == "baseline-file"
    assert run.label == "main"
    assert run.skipped == ()
    tier1 = run.metrics["jit/tier1_compile"]
    assert (tier1.value, tier1.unit, tier1.display_unit) == (1.55e6, "ns", "ms")
    assert (tier1.description, tier1.date) == ("Tier 1 compilation time", "2025-12-28")
    assert run.metrics["async/task_spawn"].value == pytest.approx(3200.0)
    assert run.metrics["snapshot/restore"].value == pytest.approx(2.5e8)
    assert run.metrics["memory/small_alloc"].value == 42.0


def test_other_units_keep_their_unit_and_direction() -> None:
    run = load_baseline_file(MAIN)
    size = run.metrics["jit/code_size"]
    assert (size.value, size.unit, size.direction, size.is_time) == (12.5, "KiB", "lower", False)
    assert run.metrics["tlb/hit_rate"].direction == "higher"  # the unit's default
    assert run.metrics["tlb/miss_rate"].direction == "lower"  # the entry's own


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"value": 1, "unit": "furlongs"}, "unknown unit 'furlongs'"),
        ({"unit": "ms"}, "has no value"),
        ({"value": "1.5", "unit": "ms"}, "value must be a number, not a string '1.5'"),
        ({"value": None, "unit": "ms"}, "value must be a number, not null"),
        ({"value": float("nan"), "unit": "ms"}, "value must be a finite number, not nan"),
        ({"value": True, "unit": "ms"}, "value must be a number, not bool"),
        ({"value": 1}, "unit must be a string such as 'ms', not null"),
        ({"value": 1, "unit": "%", "direction": "up"}, "direction must be 'lower' or 'higher'"),
        ([1, "ms"], "entry must be an object with value and unit, not list"),
    ],
)
def test_bad_entries_are_skipped(tmp_path: Path, entry: object, reason: str) -> None:
    path = tmp_path / "main.json"
    path.write_text(json.dumps({"good/ok": {"value": 1.5, "unit": "ms"}, "bad/x": entry}))
    run = load_baseline_file(path)
    assert list(run.metrics) == ["good/ok"]
    (skipped,) = run.skipped
    assert (skipped.path, skipped.id) == (path, "bad/x")
    assert reason in skipped.reason
    assert str(skipped).startswith(f"{path} [bad/x]: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "must be a JSON object of {name: {value, unit}}, not list"),
        ("{}", "has no entries"),
        ('{"a": {"value": 1,', "invalid JSON (truncated?)"),
        ("", "empty file"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "main.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_baseline_file(path)
    assert str(info.value).startswith(f"{path}: {message}")


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        load_baseline_file(tmp_path)
    with pytest.raises(InputError, match="missing"):
        load_baseline_file(tmp_path / "main.json")


def test_write_round_trip_keeps_units_descriptions_and_directions(tmp_path: Path) -> None:
    old = load_baseline_file(MAIN)
    path = tmp_path / "benches" / "baselines" / "main.json"
    write_baseline_file(path, old.metrics.values())
    again = load_baseline_file(path)
    assert list(again.metrics) == sorted(old.metrics)
    for name, metric in old.metrics.items():
        new = again.metrics[name]
        assert new.value == pytest.approx(metric.value, rel=5e-4)
        assert (new.unit, new.direction, new.description) == (
            metric.unit,
            metric.direction,
            metric.description,
        )
    data = json.loads(path.read_text())
    assert data["jit/tier1_compile"] == {
        "value": 1.55,
        "unit": "ms",
        "description": "Tier 1 compilation time",
        "date": "2025-12-28",
    }
    assert data["tlb/miss_rate"]["direction"] == "lower"  # not the unit's default: written
    assert "direction" not in data["tlb/hit_rate"]
    assert [p.name for p in path.parent.iterdir()] == ["main.json"]  # no temp file left


def test_baseline_from_run_uses_mean_per_iteration_in_a_readable_unit() -> None:
    run = load_criterion(DATA / "criterion")
    old = load_baseline_file(MAIN)
    entries = baseline_from_run(run, old=old, date="2026-01-02")
    alloc = run.benchmarks["memory/alloc sized/4096"]
    entry = entries["memory/alloc sized/4096"]
    assert entry.unit == "µs"
    assert entry.value == pytest.approx(alloc.mean_ns / 1000, rel=5e-4)
    assert entry.date == "2026-01-02"
    assert entries["vm::dispatch loop"] == BaselineEntry(50.0, "ns", "", "2026-01-02", "lower")
    # Entries this run does not measure stay as they were written.
    assert entries["jit/tier1_compile"] == BaselineEntry(
        1.55, "ms", "Tier 1 compilation time", "2025-12-28", "lower"
    )
    assert "jit/tier1_compile" not in baseline_from_run(
        run, old=old, date="2026-01-02", keep_missing=False
    )


def test_descriptions_are_kept_from_the_old_file(tmp_path: Path) -> None:
    run = load_criterion(DATA / "criterion")
    path = tmp_path / "main.json"
    path.write_text(
        json.dumps({"vm::dispatch loop": {"value": 1, "unit": "us", "description": "Hot loop"}})
    )
    entries = baseline_from_run(run, old=load_baseline_file(path), date="2026-01-02")
    assert entries["vm::dispatch loop"].description == "Hot loop"
    assert entries["vm::dispatch loop"].value == 50.0


def test_render_from_metrics_picks_units() -> None:
    text = render_baseline_file([Metric(id="x", value=1_553_120.0, unit="ns", date="2026-01-01")])
    assert json.loads(text) == {"x": {"value": 1.553, "unit": "ms", "date": "2026-01-01"}}
    assert text.endswith("}\n")


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ('{"value": 1' + "0" * 400 + ', "unit": "ms"}', "value is a number too large for a float"),
        ('{"value": 1e308, "unit": "s"}', "value 1e+308 s is too large to hold in ns"),
    ],
)
def test_huge_values_are_skipped(tmp_path: Path, entry: str, reason: str) -> None:
    path = tmp_path / "main.json"
    path.write_text('{"good/ok": {"value": 1, "unit": "ms"}, "bad/x": ' + entry + "}")
    run = load_baseline_file(path)
    assert list(run.metrics) == ["good/ok"]
    assert [s.reason for s in run.skipped] == [reason]


def test_no_usable_entry_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "main.json"
    path.write_text('{"bad/x": {"unit": "ms"}, "bad/y": {"value": 1, "unit": "parsecs"}}')
    with pytest.raises(InputError) as info:
        load_baseline_file(path)
    assert str(info.value) == f"{path}: no usable entry (2 skipped); first: [bad/x] has no value"
