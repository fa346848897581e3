"""The cargo bench runner: argv, progress parsing of real Criterion output, errors.

Progress parsing runs on output captured from real `cargo bench` runs against Debian's
Criterion 0.3.6 (tests/data/ci/README.md). Error cases run the real cargo on tiny crates
without dependencies (a second each); the full path through Criterion is
tests/workflows/test_cargo_end_to_end.py.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support.paths import REALDATA, TEST_DATA
from vmbench.cli.bench import bench as bench_command
from vmbench.errors import InputError, UsageError
from vmbench.pipeline.runner import (
    BenchFailed,
    ProgressParser,
    bench_environment,
    cargo_bench_argv,
    criterion_dir,
    parse_listing,
    run_benchmarks,
)

DATA = TEST_DATA / "ci"
CAPTURED = {
    "a very long benchmark name that wraps": 2.0259,
    "memory/alloc/1024": 74.553,
    "memory/alloc/4096": 135.59,
}


def test_argv_whole_workspace() -> None:
    assert cargo_bench_argv(save_baseline="main") == [
        "cargo",
        "bench",
        "--workspace",
        "--all-features",
        "--",
        "--save-baseline",
        "main",
    ]


def test_argv_targets_filter_offline_and_criterion_args() -> None:
    argv = cargo_bench_argv(
        cargo="/opt/cargo",
        benches=["vm", "gc bench"],
        save_baseline="pr",
        filter="^jit/",
        offline=True,
        criterion_args=["--measurement-time", "2", "--noplot"],
    )
    assert argv == [
        "/opt/cargo",
        "bench",
        "--workspace",
        "--all-features",
        "--bench",
        "vm",
        "--bench",
        "gc bench",
        "--offline",
        "--",
        "--save-baseline",
        "pr",
        "--measurement-time",
        "2",
        "--noplot",
        "^jit/",
    ]


def test_argv_listing_leaves_out_what_only_measuring_needs() -> None:
    argv = cargo_bench_argv(
        save_baseline="x", filter="gc", criterion_args=["--noplot"], list_only=True
    )
    assert argv[argv.index("--") :] == ["--", "--list", "gc"]


def test_progress_from_real_criterion_output() -> None:
    ticks = iter(range(1000))
    parser = ProgressParser(total=3, clock=lambda: float(next(ticks)))
    events = [
        e
        for line in (DATA / "criterion-0.3.6-run.txt").read_text("utf-8").splitlines(True)
        if (e := parser.feed(line)) is not None
    ]
    started = [e.id for e in events if e.kind == "start"]
    done = [e for e in events if e.kind == "done"]
    assert started == list(CAPTURED)
    assert [e.id for e in done] == list(CAPTURED)
    assert [e.estimate_ns for e in done] == pytest.approx(list(CAPTURED.values()))
    assert [(e.done, e.total) for e in done] == [(1, 3), (2, 3), (3, 3)]
    assert parser.done == list(CAPTURED)
    elapsed = [e.elapsed_s for e in events]
    assert elapsed == sorted(elapsed)
    # cargo's own status lines are reported as build events
    assert any(e.kind == "build" and e.line.startswith("Running benches/b.rs") for e in events)


def test_progress_keeps_the_last_state_of_a_terminal_redraw() -> None:
    parser = ProgressParser()
    assert parser.feed("Benchmarking gc/minor: Warming up\rBenchmarking gc/minor\n") is not None
    event = parser.feed("gc/minor                time:   [1.00 µs 1.50 µs 2.00 µs]\n")
    assert event is not None
    assert event.kind == "done"
    assert event.estimate_ns == pytest.approx(1500.0)


def test_progress_ignores_change_blocks_and_ids_with_colons() -> None:
    parser = ProgressParser()
    start = parser.feed("Benchmarking vm: dispatch: Analyzing\n")
    assert start is None  # a phase line, not a new benchmark
    assert parser.feed("Benchmarking vm: dispatch\n") is not None
    assert parser.feed("                        time:   [+1.0% +2.0% +3.0%] (p = 0.01)\n") is None
    done = parser.feed("vm: dispatch            time:   [10.0 ns 11.0 ns 12.0 ns]\n")
    assert done is not None
    assert done.id == "vm: dispatch"


def test_listing() -> None:
    lines = (DATA / "criterion-0.3.6-list.txt").read_text("utf-8").splitlines(True)
    assert parse_listing(lines) == sorted(CAPTURED, key=list(CAPTURED).index)


def test_environment_makes_relative_dirs_absolute(tmp_path: Path) -> None:
    env = bench_environment(tmp_path, {"CARGO_TARGET_DIR": "tgt", "CRITERION_HOME": "/abs"})
    assert env["CARGO_TARGET_DIR"] == str((tmp_path / "tgt").resolve())
    assert env["CRITERION_HOME"] == "/abs"


def test_criterion_dir_follows_criterion_rules(tmp_path: Path) -> None:
    home = criterion_dir(tmp_path, env={"CRITERION_HOME": "c", "CARGO_TARGET_DIR": "t"})
    assert home == (tmp_path / "c").resolve()
    target = criterion_dir(tmp_path, env={"CARGO_TARGET_DIR": str(tmp_path / "t")})
    assert target == tmp_path / "t" / "criterion"


def _crate(tmp_path: Path, name: str) -> Path:
    crate = tmp_path / name
    shutil.copytree(DATA / name, crate)
    return crate


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "target"), "CARGO_TERM_COLOR": "never"}


needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")


@needs_cargo
def test_criterion_dir_from_cargo_metadata(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "empty-crate")
    env = {k: v for k, v in os.environ.items() if k not in ("CARGO_TARGET_DIR", "CRITERION_HOME")}
    assert criterion_dir(crate, env=env, offline=True) == crate.resolve() / "target" / "criterion"


@needs_cargo
def test_build_error_is_one_line_with_the_compiler_error(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "broken-crate")
    with pytest.raises(BenchFailed) as caught:
        run_benchmarks(crate, offline=True, env=_env(tmp_path))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("cargo bench failed (exit 101): error[E0277]: cannot add `&str`")
    assert any("src/lib.rs:1" in line for line in caught.value.output)


def test_cause_is_the_first_compiler_error() -> None:
    lines = (DATA / "cargo-build-error.txt").read_text("utf-8").splitlines()
    failed = BenchFailed(["cargo", "bench"], 101, lines)
    assert str(failed) == "cargo bench failed (exit 101): error[E0277]: cannot add `&str` to `u64`"


@needs_cargo
def test_no_benchmark_is_an_error(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "empty-crate")
    with pytest.raises(InputError, match="ran no Criterion benchmark"):
        run_benchmarks(crate, offline=True, env=_env(tmp_path))


def test_missing_cargo(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "empty-crate")
    with pytest.raises(UsageError, match="cargo not found"):
        run_benchmarks(crate, env={"PATH": str(tmp_path)})


def test_not_a_workspace_and_bad_filter(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no Cargo\.toml"):
        run_benchmarks(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        run_benchmarks(tmp_path / "nope")
    crate = _crate(tmp_path, "empty-crate")
    with pytest.raises(UsageError, match="not a valid regex"):
        run_benchmarks(crate, filter="(")


def test_cli_passes_everything_after_double_dash_to_criterion() -> None:
    ctx = bench_command.make_context(
        "bench", ["--filter", "gc", "--", "--measurement-time", "1", "--save-baseline", "x"]
    )
    assert ctx.meta["vmbench.criterion_args"] == ("--measurement-time", "1", "--save-baseline", "x")
    assert ctx.params["workspace"] == Path(".")
    assert ctx.params["filter"] == "gc"
    assert ctx.params["save_baseline"] is None


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from vmbench.cli import main

    crate = _crate(tmp_path, "empty-crate")
    result = CliRunner().invoke(main, ["bench", str(crate), "--history", str(tmp_path / "h")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "vmbench: error: --history needs --commit and --branch"
    ]


def _realdata(relative: str) -> Path:
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared/realdata is not here)")
    return path


def _done(path: Path) -> list[tuple[str, float]]:
    parser = ProgressParser()
    events = [parser.feed(line) for line in path.read_text("utf-8").splitlines(True)]
    return [
        (e.id or "", e.estimate_ns or 0.0) for e in events if e is not None and e.kind == "done"
    ]


@pytest.mark.realdata
def test_progress_from_criterion_0_5_output_with_picoseconds() -> None:
    text = _realdata("git-bench/9ba4d424d1/benchmark-output.txt")
    done = _done(text)
    criterion = [d for d in done if "::" in d[0] and not d[0].startswith("libtest")]
    results = re.findall(r"time:\s+\[[\d.]+ (?:ps|ns|µs|ms|s) ", text.read_text("utf-8"))
    assert len(criterion) == len(results) == 9
    assert criterion[0] == ("arithmetic::sum_1000", pytest.approx(0.78357))
    assert ("arithmetic::product_10", pytest.approx(1.4028)) in criterion
    # the libtest benches after Criterion's report as bencher lines
    assert ("libtest::arithmetic::product_10", pytest.approx(1.38)) in done


@pytest.mark.realdata
def test_progress_from_bencher_format() -> None:
    done = _done(_realdata("github-action-benchmark/test/data/extract/criterion_output.txt"))
    assert done[:2] == [("Create Realm", 329.0), ("Symbols (Execution)", 3268.0)]
    assert ("Fibonacci (Execution)", 1672496.0) in done


@needs_cargo
def test_a_panicking_benchmark_names_the_panic(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "panic-crate")
    events: list[str] = []
    with pytest.raises(BenchFailed) as caught:
        run_benchmarks(
            crate, offline=True, env=_env(tmp_path), on_event=lambda e: events.append(e.kind)
        )
    message = str(caught.value)
    assert "panicked at benches/b.rs" in message
    assert message.endswith("interpreter state corrupted")
    assert "\n" not in message
    assert events[-2:] == ["listed", "start"]
