"""The Criterion directory loader: layouts, ids, baselines, estimates and bad input."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError
from vmbench.readers.criterion import list_baselines, load_criterion, load_criterion_change
from vmbench.readers.jsonfiles import MAX_JSON_BYTES

DATA = TEST_DATA / "loaders"
TREE = DATA / "criterion"
OLD_TREE = DATA / "criterion-0.3.2"


def test_lists_named_baselines_but_not_change_or_report() -> None:
    assert list_baselines(TREE) == ["main", "new"]
    assert list_baselines(OLD_TREE) == ["base", "new"]


def test_ids_come_from_full_id_not_directory_names() -> None:
    run = load_criterion(TREE)
    assert run.ids == [
        "jit/tier1 [fast] ünï.x",
        "memory/alloc sized/1024",
        "memory/alloc sized/4096",
        "vm::dispatch loop",  # its folder is "vm__dispatch loop"
    ]
    bench = run.benchmarks["memory/alloc sized/4096"]
    assert (bench.group, bench.function, bench.value) == ("memory", "alloc sized", "4096")
    assert run.benchmarks["vm::dispatch loop"].function is None
    assert run.label == "new"
    assert run.format == "criterion"
    assert run.skipped == ()


def test_samples_throughput_and_modes_are_read() -> None:
    run = load_criterion(TREE)
    bench = run.benchmarks["memory/alloc sized/4096"]
    np.testing.assert_array_equal(bench.iters, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(bench.times, [1000, 2100, 2950, 4080, 5000])
    assert bench.sampling_mode == "Linear"
    assert bench.throughput is not None
    assert (bench.throughput.kind, bench.throughput.per_iteration) == ("bytes", 4096)
    decimal = run.benchmarks["memory/alloc sized/1024"].throughput
    assert decimal is not None
    assert decimal.kind == "bytes_decimal"
    flat = run.benchmarks["jit/tier1 [fast] ünï.x"]
    assert flat.sampling_mode == "Flat"
    assert flat.throughput is not None
    assert flat.throughput.kind == "elements"
    assert "slope" not in flat.estimates  # null in Flat mode
    assert bench.source == TREE / "memory" / "alloc sized" / "4096" / "new"


def test_named_baseline_and_label() -> None:
    run = load_criterion(TREE, "main", label="before")
    assert run.label == "before"
    assert run.ids == ["jit/tier1 [fast] ünï.x", "memory/alloc sized/4096"]
    assert run.benchmarks["memory/alloc sized/4096"].times[0] == 900.0


@pytest.mark.parametrize("tree", [TREE, OLD_TREE])
def test_mean_matches_criterion_estimate(tree: Path) -> None:
    for baseline in list_baselines(tree):
        for bench in load_criterion(tree, baseline).benchmarks.values():
            assert math.isclose(bench.mean_ns, bench.estimates["mean"].point, rel_tol=1e-9)


def test_old_layout_and_capitalised_estimates() -> None:
    run = load_criterion(OLD_TREE)
    assert run.format == "criterion-0.3.2"
    bench = run.benchmarks["Serialise with bincode"]
    assert set(bench.estimates) == {"mean", "median", "median_abs_dev", "slope", "std_dev"}
    assert bench.sampling_mode == "Linear"
    np.testing.assert_array_equal(bench.iters, [3, 6, 9])
    assert bench.estimates["mean"].lower == pytest.approx(bench.estimates["mean"].point * 0.98)


def test_change_estimates() -> None:
    change = load_criterion_change(TREE)
    assert set(change.estimates) == {"vm::dispatch loop"}
    assert change.estimates["vm::dispatch loop"]["mean"].point == -0.04
    assert load_criterion_change(TREE, "nope").estimates == {}


def test_nested_at_any_depth(write_bench, tmp_path: Path) -> None:
    write_bench("a/b/c/d/e", iters=[1, 2], times=[5, 10])
    write_bench("top", iters=[1], times=[7])
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["a/b/c/d/e", "top"]
    assert run.benchmarks["a/b/c/d/e"].value == "c/d/e"


# --- whole-directory errors -----------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as info:
        load_criterion(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(info.value)


def test_file_instead_of_directory(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text("{}")
    with pytest.raises(InputError, match="is not a directory"):
        load_criterion(tmp_path / "f.json")


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Criterion benchmarks found"):
        load_criterion(tmp_path)


def test_missing_baseline_lists_available() -> None:
    with pytest.raises(InputError) as info:
        load_criterion(TREE, "pr")
    assert str(info.value) == f"{TREE}: no baseline 'pr' here; available: main, new"


# --- one bad benchmark among good ones ------------------------------------------------

NAN = float("nan")

BAD_CASES: dict[str, tuple[dict[str, object], str, str]] = {
    # name: (write_bench keywords, file the reason names, expected reason fragment)
    "truncated": (
        {"sample": '{"sampling_mode": "Linear", "iters": [1.0, 2'},
        "sample.json",
        "invalid JSON (truncated?)",
    ),
    "invalid_json": ({"meta": "{full_id: x}"}, "benchmark.json", "invalid JSON: Expecting"),
    "empty_file": ({"sample": ""}, "sample.json", "empty file"),
    "missing_sample": ({"sample": None}, "sample.json", "missing"),
    "missing_benchmark_json": ({"meta": None}, "benchmark.json", "missing"),
    "lengths_differ": (
        {"iters": [1, 2, 3], "times": [1, 2]},
        "sample.json",
        "iters has 3 values but times has 2",
    ),
    "empty_arrays": ({"iters": [], "times": []}, "sample.json", "no samples"),
    "zero_iters": ({"iters": [1, 0], "times": [1, 2]}, "sample.json", "must be positive"),
    "negative_iters": ({"iters": [1, -2], "times": [1, 2]}, "sample.json", "must be positive"),
    "nan_time": ({"times": [1, NAN, 3]}, "sample.json", "NaN or infinite"),
    "infinite_time": ({"times": [1, math.inf, 3]}, "sample.json", "NaN or infinite"),
    "negative_time": ({"times": [1, -2, 3]}, "sample.json", "must not be negative"),
    "string_numbers": ({"times": ["1", "2", "3"]}, "sample.json", "found a string '1'"),
    "bool_numbers": ({"iters": [1, True, 3]}, "sample.json", "found a boolean"),
    "null_array": (
        {"sample": {"sampling_mode": "Linear", "iters": None, "times": [1]}},
        "sample.json",
        "iters must be a list of numbers, not null",
    ),
    "no_times_field": (
        {"sample": {"sampling_mode": "Linear", "iters": [1]}},
        "sample.json",
        "has no times field",
    ),
    "unknown_sampling_mode": (
        {"sample": {"sampling_mode": "Wobbly", "iters": [1], "times": [1]}},
        "sample.json",
        "unknown sampling_mode 'Wobbly'",
    ),
    "sampling_mode_not_text": (
        {"sample": {"sampling_mode": [], "iters": [1], "times": [1]}},
        "sample.json",
        "unknown sampling_mode a list (expected Linear or Flat)",
    ),
    "sample_is_string": ({"sample": '"hello"'}, "sample.json", "not a string"),
    "old_layout_three_lists": (
        {"sample": [[1], [2], [3]]},
        "sample.json",
        "old layout must be [[iters...], [times...]]",
    ),
    "old_sample_new_estimates": (
        {"sample": [[1, 2, 3], [10, 20, 30]]},
        "sample.json",
        "files from different Criterion versions",
    ),
    "new_sample_old_estimates": (
        {
            "estimates": {
                "Mean": {
                    "confidence_interval": {
                        "confidence_level": 0.95,
                        "lower_bound": 9.0,
                        "upper_bound": 11.0,
                    },
                    "point_estimate": 10.0,
                    "standard_error": 0.5,
                }
            }
        },
        "sample.json",
        "files from different Criterion versions",
    ),
    "estimate_not_finite": (
        {
            "estimates": {
                "mean": {
                    "confidence_interval": {"lower_bound": 1, "upper_bound": 2},
                    "point_estimate": NAN,
                    "standard_error": 0.5,
                }
            }
        },
        "estimates.json",
        "mean.point_estimate must be a finite number",
    ),
    "meta_not_object": ({"meta": [1, 2]}, "benchmark.json", "must be a JSON object, not a list"),
    "no_full_id": (
        {"meta": {"group_id": "bad", "directory_name": "bad/one"}},
        "benchmark.json",
        "full_id must be a non-empty string, not null",
    ),
    "id_disagrees_with_folder": (
        {"meta": {"group_id": "x", "full_id": "x/y", "directory_name": "x/y"}},
        "benchmark.json",
        "directory_name 'x/y' does not match the folder it is in ('bad/one')",
    ),
    "bad_throughput": (
        {"throughput": {"Bytes": "many"}},
        "benchmark.json",
        "throughput Bytes must be a finite number",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_benchmark_is_skipped_and_others_load(write_bench, tmp_path: Path, case: str) -> None:
    kwargs, file_name, reason = BAD_CASES[case]
    write_bench("good/one", iters=[1, 2], times=[10, 22])
    bad_dir = write_bench("bad/one", **kwargs)
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["good/one"]
    (skipped,) = run.skipped
    assert reason in skipped.reason
    assert "\n" not in str(skipped)
    assert skipped.path == bad_dir / file_name


def test_duplicate_ids_keep_the_first(write_bench, tmp_path: Path) -> None:
    write_bench("dup/x", iters=[1], times=[5])
    meta = {"group_id": "dup", "full_id": "dup/x", "directory_name": "dup/x_1"}
    write_bench("dup/x", directory="dup/x_1", meta=meta)
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["dup/x"]
    assert run.benchmarks["dup/x"].times[0] == 5.0
    (skipped,) = run.skipped
    assert skipped.id == "dup/x"
    assert "duplicate id 'dup/x', already loaded from" in skipped.reason
    assert skipped.path.parent.parent.name == "x_1"


def test_directory_where_a_file_belongs(write_bench, tmp_path: Path) -> None:
    write_bench("good/one")
    bad = write_bench("bad/one", sample=None)
    (bad / "sample.json").mkdir()
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["good/one"]
    assert [str(s) for s in run.skipped] == [
        f"{bad / 'sample.json'}: is a directory, expected a JSON file"
    ]


def test_huge_sample_is_refused_unread(write_bench, tmp_path: Path) -> None:
    write_bench("good/one")
    bad = write_bench("bad/one", sample=None)
    with (bad / "sample.json").open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_JSON_BYTES + 2**20)
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["good/one"]
    (skipped,) = run.skipped
    assert skipped.reason == "file is 65 MiB, over the 64 MiB limit; not read"


def test_unreadable_file(write_bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_bench("good/one")
    bad = write_bench("bad/one")
    target = bad / "sample.json"
    if os.geteuid() == 0:  # root reads mode-000 files; make the open itself fail
        real = os.open

        def fake_open(path: object, flags: int, *args: int) -> int:
            if Path(str(path)) == target:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, flags, *args)

        monkeypatch.setattr(os, "open", fake_open)
    else:
        target.chmod(0)
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["good/one"]
    assert [str(s) for s in run.skipped] == [f"{target}: cannot read: Permission denied"]


def test_symlink_loop_is_not_followed(write_bench, tmp_path: Path) -> None:
    write_bench("good/one")
    root = tmp_path / "criterion"
    (root / "good" / "loop").symlink_to(root, target_is_directory=True)
    run = load_criterion(root)
    assert run.ids == ["good/one"]
    assert [str(s) for s in run.skipped] == [
        f"{root / 'good' / 'loop'}: symlink loop (directory already scanned)"
    ]


def test_all_bad_gives_an_empty_run_not_an_exception(write_bench, tmp_path: Path) -> None:
    write_bench("bad/one", sample="[")
    write_bench("bad/two", iters=[0], times=[1])
    run = load_criterion(tmp_path / "criterion")
    assert len(run) == 0
    assert len(run.skipped) == 2


def test_baseline_json_files_are_utf8(write_bench, tmp_path: Path) -> None:
    where = write_bench("good/one")
    (where / "benchmark.json").write_bytes(b'{"full_id": "\xff"}')
    run = load_criterion(tmp_path / "criterion")
    assert [s.reason for s in run.skipped] == ["not UTF-8 text"]


def test_estimates_file_is_optional(write_bench, tmp_path: Path) -> None:
    write_bench("good/one", estimates=None)
    bench = load_criterion(tmp_path / "criterion").benchmarks["good/one"]
    assert bench.estimates == {}
    assert json.loads((bench.source / "sample.json").read_text())["iters"] == [1.0, 2.0, 3.0]


def test_fifo_is_refused_without_blocking(write_bench, tmp_path: Path) -> None:
    write_bench("good/one")
    bad = write_bench("bad/one", sample=None)
    os.mkfifo(bad / "sample.json")  # opening it for reading must not wait for a writer
    run = load_criterion(tmp_path / "criterion")
    assert run.ids == ["good/one"]
    reasons = [s.reason for s in run.skipped]
    assert reasons == ["is a FIFO, not a regular file; expected a JSON file"]
