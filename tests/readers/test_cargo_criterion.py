"""cargo-criterion `--message-format=json` lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError
from vmbench.readers.cargo_criterion import load_cargo_criterion, looks_like_cargo_criterion

MESSAGES = TEST_DATA / "loaders" / "cargo" / "messages.jsonl"


def test_benchmark_complete_messages_load() -> None:
    run = load_cargo_criterion(MESSAGES)
    assert run.format == "cargo-criterion"
    assert run.label == "messages"
    assert run.ids == ["gc pause", "memory/alloc/4096"]  # group-complete is ignored
    assert run.skipped == ()
    bench = run.benchmarks["memory/alloc/4096"]
    assert (bench.group, bench.function, bench.value) == ("memory", "alloc", "4096")
    np.testing.assert_array_equal(bench.iters, [1, 2, 3, 4])
    assert bench.sampling_mode == "Linear"
    assert bench.throughput is not None
    assert (bench.throughput.kind, bench.throughput.per_iteration) == ("bytes", 4096.0)
    assert math.isclose(bench.mean_ns, bench.estimates["mean"].point, rel_tol=1e-12)
    assert set(bench.estimates) == {"typical", "mean", "median", "median_abs_dev", "slope"}


def test_other_time_units_become_ns() -> None:
    bench = load_cargo_criterion(MESSAGES, label="pr").benchmarks["gc pause"]
    np.testing.assert_allclose(bench.times, [10_000.0, 11_000.0, 12_000.0])
    assert bench.estimates["median"].point == pytest.approx(2200.0)
    assert math.isclose(bench.mean_ns, bench.estimates["mean"].point, rel_tol=1e-12)
    assert bench.sampling_mode == "Flat"  # slope is null
    assert bench.throughput is None
    assert (bench.group, bench.function, bench.value) == ("gc pause", None, None)


def _message(bench_id: str, **changes: object) -> str:
    message: dict[str, object] = {
        "reason": "benchmark-complete",
        "id": bench_id,
        "iteration_count": [1, 2],
        "measured_values": [10.0, 20.0],
        "unit": "ns",
        "slope": None,
    }
    message.update(changes)
    return json.dumps(message)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (_message("bad/x")[:40], "line 2: invalid JSON (cut off?)"),
        (_message("bad/x", measured_values=[1.0]), "line 2: iteration_count has 2 values"),
        (_message("bad/x", iteration_count=[0, 1]), "line 2: iteration counts must be positive"),
        (_message("bad/x", measured_values=["1", "2"]), "measured_values must hold only numbers"),
        (_message("bad/x", unit="cycles"), "line 2: unknown unit 'cycles'"),
        (_message("bad/x", unit="KiB"), "line 2: unit 'KiB' is not a time unit"),
        (_message(""), "line 2: id must be a non-empty string"),
        (_message("good/one"), "line 2: duplicate id 'good/one'"),
        ("[1, 2]", "line 2: not a JSON object"),
        (_message("bad/x", mean={"estimate": "x"}), "line 2: mean.estimate must be a finite"),
    ],
)
def test_bad_lines_are_skipped_with_line_numbers(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(_message("good/one") + "\n" + line + "\n\n")
    run = load_cargo_criterion(path)
    assert run.ids == ["good/one"]
    (skipped,) = run.skipped
    assert skipped.path == path
    assert skipped.reason.startswith(reason) or reason in skipped.reason


def test_only_garbage_gives_an_empty_run(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("not json\n{\n")
    run = load_cargo_criterion(path)
    assert len(run) == 0
    assert [s.reason.split(":")[0] for s in run.skipped] == ["line 1", "line 2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no benchmark-complete messages"),
        ('{"reason": "group-complete"}\n', "no benchmark-complete messages"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "m.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_cargo_criterion(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_cargo_criterion(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="is a directory"):
        load_cargo_criterion(tmp_path)


def test_detection_by_content(tmp_path: Path) -> None:
    assert looks_like_cargo_criterion(MESSAGES)
    other = tmp_path / "main.json"
    other.write_text('{"a": {"value": 1, "unit": "ms"}}')
    assert not looks_like_cargo_criterion(other)
    assert not looks_like_cargo_criterion(tmp_path / "missing")
