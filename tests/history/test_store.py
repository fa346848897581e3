"""The history store: round trips, filters, pruning, versions, concurrent writers."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.history import SYNTHETIC_MACHINE, Plan, build_history, make_run
from vmbench.errors import InputError, SchemaVersionError, UsageError
from vmbench.history.machine import MachineInfo, current_machine
from vmbench.history.store import (
    add_run,
    list_runs,
    load_history,
    load_run_samples,
    parse_date,
    prune_samples,
    run_files,
    skipped_files,
)
from vmbench.model import Benchmark, Run, Throughput

DAY0 = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.timezone.utc)


def small_run(label: str = "new", seed: int = 1) -> Run:
    return make_run(
        np.array([100.0, 2000.0, 5e5]), samples=10, sample_noise=0.02, seed=seed, label=label
    )


def test_add_then_load_gives_one_row_per_benchmark_with_its_summary(tmp_path: Path) -> None:
    run = small_run()
    path = add_run(
        tmp_path, run, commit="abc123", branch="main", date=DAY0, machine=SYNTHETIC_MACHINE
    )
    assert path.parent == tmp_path
    assert path.suffix == ".parquet"
    frame = load_history(tmp_path)
    assert len(frame) == 3
    assert set(frame["commit"]) == {"abc123"}
    assert set(frame["machine"]) == {"synthetic"}
    assert frame["date"].iloc[0] == pd.Timestamp(DAY0)
    for _, row in frame.iterrows():
        bench = run.benchmarks[row["id"]]
        x = bench.per_iteration
        assert row["mean_ns"] == pytest.approx(x.mean(), rel=1e-12)
        assert row["median_ns"] == pytest.approx(np.median(x), rel=1e-12)
        assert row["std_dev_ns"] == pytest.approx(x.std(ddof=1), rel=1e-12)
        assert row["ci_low"] < row["mean_ns"] < row["ci_high"]
        assert row["n"] == 10
        assert row["iterations"] == bench.total_iterations
    assert dict(zip(frame["id"], frame["category"], strict=True)) == {
        "jit/bench_0000": "jit",
        "gc/bench_0001": "gc",
        "memory/bench_0002": "memory",
    }


def test_raw_samples_come_back_exactly(tmp_path: Path) -> None:
    bench = Benchmark(
        id="memory/alloc/4096",
        group="memory",
        function="alloc",
        value="4096",
        iters=np.array([1.0, 2.0, 3.0]),
        times=np.array([10.5, 19.25, 31.0]),
        sampling_mode="Linear",
        throughput=Throughput("bytes", 4096.0),
    )
    run = Run(label="main", source=tmp_path, format="criterion", benchmarks={bench.id: bench})
    path = add_run(tmp_path / "h", run, commit="c1", branch="main", date=DAY0, machine=None)
    back = load_run_samples(tmp_path / "h", path.stem)
    got = back.benchmarks["memory/alloc/4096"]
    assert got.iters.tolist() == [1.0, 2.0, 3.0]
    assert got.times.tolist() == [10.5, 19.25, 31.0]
    assert got.throughput == Throughput("bytes", 4096.0)
    assert (got.group, got.function, got.value, got.sampling_mode) == (
        "memory",
        "alloc",
        "4096",
        "Linear",
    )
    assert back.label == "main"
    assert load_run_samples(tmp_path / "h", path.stem[:20], label="x").label == "x"


def test_filters_by_branch_machine_and_date(tmp_path: Path) -> None:
    other = MachineInfo(name="arm", cpu="Neoverse", cores=64)
    for i, (branch, machine) in enumerate(
        [("main", SYNTHETIC_MACHINE), ("pr-1", SYNTHETIC_MACHINE), ("main", other)]
    ):
        add_run(
            tmp_path,
            small_run(seed=i),
            commit=f"c{i}",
            branch=branch,
            date=DAY0 + dt.timedelta(days=i),
            machine=machine,
        )
    assert set(load_history(tmp_path, branch="main")["commit"]) == {"c0", "c2"}
    assert set(load_history(tmp_path, machine="arm")["commit"]) == {"c2"}
    assert set(load_history(tmp_path, since="2025-03-02")["commit"]) == {"c1", "c2"}
    assert load_history(tmp_path, branch="nope").empty
    runs = list_runs(tmp_path)
    assert list(runs["commit"]) == ["c0", "c1", "c2"]
    assert runs["has_samples"].all()


def test_history_is_sorted_by_date_whatever_the_file_names(tmp_path: Path) -> None:
    add_run(
        tmp_path,
        small_run(),
        commit="late",
        branch="main",
        date=DAY0,
        machine=None,
        run_id="a-late",
    )
    add_run(
        tmp_path,
        small_run(),
        commit="early",
        branch="main",
        date=DAY0 - dt.timedelta(days=3),
        machine=None,
        run_id="b-early",
    )
    assert list(load_history(tmp_path)["commit"].drop_duplicates()) == ["early", "late"]


def test_prune_drops_old_samples_and_keeps_every_summary(tmp_path: Path) -> None:
    build_history(tmp_path, Plan(runs=6, benchmarks=5, samples=50))
    before = load_history(tmp_path)
    now = dt.datetime(2025, 1, 6, 3, 0, tzinfo=dt.timezone.utc)  # runs are at 03:00
    result = prune_samples(tmp_path, keep_samples_days=2, now=now)
    assert len(result.pruned) == 3  # Jan 1, 2, 3: before Jan 4 03:00
    assert result.bytes_after < result.bytes_before
    after = load_history(tmp_path)
    pd.testing.assert_frame_equal(before, after)
    runs = list_runs(tmp_path)
    assert runs["has_samples"].tolist() == [False, False, False, True, True, True]
    with pytest.raises(InputError, match="pruned"):
        load_run_samples(tmp_path, runs["run_id"].iloc[0])
    assert len(load_run_samples(tmp_path, runs["run_id"].iloc[-1])) == 5
    assert prune_samples(tmp_path, keep_samples_days=2, now=now).pruned == ()


def _rewrite_version(path: Path, version: bytes | None) -> None:
    table = pq.read_table(path)
    meta = dict(table.schema.metadata or {})
    meta.pop(b"vmbench.schema_version")
    if version is not None:
        meta[b"vmbench.schema_version"] = version
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_a_newer_schema_version_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = add_run(tmp_path, small_run(), commit="c", branch="main", date=DAY0, machine=None)
    _rewrite_version(path, b"99")
    for load in (load_history, list_runs):
        with pytest.raises(SchemaVersionError, match=r"schema_version 99 .*upgrade vmbench"):
            load(tmp_path)
    with pytest.raises(SchemaVersionError, match=path.name):
        load_run_samples(tmp_path, path.stem)


def test_a_foreign_parquet_file_is_skipped_by_name(tmp_path: Path) -> None:
    add_run(tmp_path, small_run(), commit="c", branch="main", date=DAY0, machine=None)
    other = tmp_path / "zz-other.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), other)
    for load in (load_history, list_runs):
        frame = load(tmp_path)
        assert list(frame["commit"].drop_duplicates()) == ["c"]
        (skipped,) = skipped_files(frame)
        assert skipped.path == other
        assert re.fullmatch(r".*zz-other\.parquet: not a vmbench history file .*", str(skipped))
    # Read directly, the file is refused; with no good run left, so is the store.
    with pytest.raises(SchemaVersionError, match=r"zz-other\.parquet: not a vmbench history"):
        load_run_samples(tmp_path, "zz-other")
    for path in run_files(tmp_path):
        if path != other:
            path.unlink()
    for load in (load_history, list_runs):
        with pytest.raises(SchemaVersionError, match=r"zz-other\.parquet: not a vmbench history"):
            load(tmp_path)


def test_a_corrupt_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "20250101T000000Z-x-1.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="cannot read history file"):
        load_history(tmp_path)


def test_missing_store_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="history store not found"):
        load_history(tmp_path / "none")
    empty = Run(label="x", source=tmp_path, format="criterion")
    with pytest.raises(InputError, match="nothing to record"):
        add_run(tmp_path, empty, commit="c", branch="b", date=DAY0, machine=None)
    with pytest.raises(UsageError, match="commit and branch"):
        add_run(tmp_path, small_run(), commit=" ", branch="b", date=DAY0, machine=None)
    with pytest.raises(UsageError, match="not an ISO date"):
        parse_date("yesterday")
    with pytest.raises(UsageError, match="no run"):
        load_run_samples(tmp_path, "nope")
    assert load_history(tmp_path).empty  # an empty store is an empty history


def test_naive_dates_are_utc() -> None:
    assert parse_date("2025-01-02T03:04") == dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    assert parse_date("2025-01-02T03:04+02:00").utcoffset() == dt.timedelta(hours=2)


def test_machine_fingerprint_is_stable_and_lists_differences() -> None:
    a = MachineInfo(name="ci", cpu="EPYC", cores=2, os="Linux 6.1", rustc="rustc 1.95.0")
    b = MachineInfo(name="other name", cpu="EPYC", cores=2, os="Linux 6.1", rustc="rustc 1.95.0")
    assert a.fingerprint == b.fingerprint  # the label is not part of the hardware
    c = MachineInfo(name="ci", cpu="Xeon", cores=2, os="Linux 6.1", rustc="rustc 1.96.0")
    assert a.differences(c) == ["cpu: 'EPYC' vs 'Xeon'", "rustc: 'rustc 1.95.0' vs 'rustc 1.96.0'"]
    here = current_machine("me")
    assert here.name == "me"
    assert here.cores >= 1
    assert len(here.host_hash) == 12


_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    import numpy as np
    from vmbench.history.store import add_run
    from tests.support.history import make_run
    store, worker = Path(sys.argv[1]), int(sys.argv[2])
    date = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(15):
        run = make_run(np.array([100.0, 200.0]), samples=5, sample_noise=0.01,
                       seed=worker * 100 + i, label=f"w{worker}-{i}")
        # Same date and commit in both processes: only the random part tells them apart.
        add_run(store, run, commit="same", branch="main", date=date, machine=None)
    """
)


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(store), str(w)]) for w in (1, 2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(run_files(store)) == 30
    assert not [p for p in store.iterdir() if p.suffix != ".parquet"]  # no temp files left
    frame = load_history(store)
    assert frame["run_id"].nunique() == 30
    assert set(frame["label"]) == {f"w{w}-{i}" for w in (1, 2) for i in range(15)}


def test_every_command_names_a_corrupt_file(tmp_path: Path) -> None:
    add_run(tmp_path, small_run(), commit="c", branch="main", date=DAY0, machine=None)
    bad = tmp_path / "20250102T000000Z-x-1.parquet"
    bad.write_bytes(b"PAR1 truncated")
    (skipped,) = skipped_files(list_runs(tmp_path))  # listing shows the good run, names the bad
    assert re.fullmatch(
        r".*20250102T000000Z-x-1\.parquet: cannot read history file: .*", str(skipped)
    )
    # prune goes on with the good runs and names the bad file (issue 13: one bad file
    # must not stop the store's maintenance); reading the bad run itself is an error.
    result = prune_samples(tmp_path, keep_samples_days=0)
    assert len(result.pruned) == 1
    assert [s.path for s in result.skipped] == [bad]
    assert "cannot read history file" in result.skipped[0].reason
    with pytest.raises(InputError, match=r"20250102T000000Z-x-1\.parquet: cannot read"):
        load_run_samples(tmp_path, bad.stem)
    good = next(p for p in tmp_path.iterdir() if p != bad)
    good.unlink()
    with pytest.raises(InputError, match=r"20250102T000000Z-x-1\.parquet: cannot read"):
        prune_samples(tmp_path, keep_samples_days=0)  # nothing usable: the error itself


def test_bad_files_among_good_ones_are_each_named_in_file_order(tmp_path: Path) -> None:
    # Run files are read several at once: the skipped list and the rows must still come
    # in file order, each bad file with its own reason, whatever finished first.
    good = [
        add_run(
            tmp_path,
            small_run(seed=day),
            commit=f"c{day}",
            branch="main",
            date=DAY0 + dt.timedelta(days=day),
            machine=None,
        )
        for day in range(0, 12, 2)
    ]
    table = pq.read_table(good[0])
    no_id = tmp_path / "20250301T060001Z-noid-1.parquet"  # a dictionary-read column missing
    pq.write_table(table.drop_columns(["id"]), no_id)
    slower = tmp_path / "20250303T060001Z-neg-1.parquet"  # a mean that is not > 0
    mean = table.schema.get_field_index("mean_ns")
    pq.write_table(table.set_column(mean, "mean_ns", pa.array([-1.0] * table.num_rows)), slower)
    fifo = tmp_path / "20250305T060001Z-fifo-1.parquet"
    os.mkfifo(fifo)
    torn = tmp_path / "20250307T060001Z-torn-1.parquet"
    torn.write_bytes(good[1].read_bytes()[:300])
    frame = load_history(tmp_path)
    assert list(frame["commit"].drop_duplicates()) == [f"c{day}" for day in range(0, 12, 2)]
    assert [(s.path, s.reason.split(":")[0]) for s in skipped_files(frame)] == [
        (no_id, "history file lacks columns ['id']"),
        (slower, "column 'mean_ns' holds a mean that is not finite and > 0"),
        (fifo, "is a FIFO, not a regular file; expected a Parquet history file"),
        (torn, "cannot read history file"),
    ]
    for path in good:
        path.unlink()
    with pytest.raises(InputError, match=r"noid-1\.parquet: history file lacks columns"):
        load_history(tmp_path)  # nothing usable: the first file's error


def test_a_store_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.write_text("not a directory")
    with pytest.raises(InputError, match="must be a directory"):
        add_run(store, small_run(), commit="c", branch="main", date=DAY0, machine=None)
