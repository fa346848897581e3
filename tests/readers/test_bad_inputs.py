"""Every command on every broken input of tests/data/bad: one clear line, never a traceback.

The corpus and what each case must produce are in tests/data/bad/cases.yaml. Each case is
copied into tmp_path (so nothing is written into the repository and run-time cases such as
a symlink loop, a FIFO, a device node or a non-UTF-8 name can be made), then each of its
commands runs as a real child process (tests/support/processes.py: real file descriptors,
killed after LIMIT_S seconds and reported as a hang); a few also run as `python -m
vmbench`. Exit code 2 only when nothing usable is left; a healthy benchmark next to a
broken one is still reported. No run may print a traceback or a raw control character
from the data; special files and symlinks must still be what they were.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import tomllib
import yaml
from click.testing import CliRunner

from tests.history.test_cargo_import import write_benchmark
from tests.support.paths import TEST_DATA
from tests.support.processes import Outcome
from tests.support.processes import finish as finish_process
from tests.support.processes import run as run_process
from tests.support.processes import start as start_process
from vmbench.cli import main
from vmbench.errors import VmbenchError
from vmbench.readers.criterion import load_criterion

BAD = TEST_DATA / "bad"
MANIFEST = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
GOOD_ID = "good/ok"
FILE_NAMES = {"baseline": "main.json", "cargo": "messages.jsonl"}
LIMIT_S = float(os.environ.get("VMBENCH_BAD_INPUT_LIMIT_S", "20"))  # per command run
LONG_A = "a" * 40 + "b"  # backtracks exponentially under (a+)+$ in Python's re
HOSTILE = {  # directory name -> what it attacks
    "esc\x1b[2Jclear": "erase the screen",
    "osc\x1b]0;pwned\x07title": "retitle the terminal window",
    "forged\nvmbench: error: forged": "forge an error line",
    "bidi\u202eevil\u202c": "reorder the text",
    "c1\x9b31mred": "a C1 control sequence introducer",
}


@dataclass(frozen=True)
class Prepared:
    tree: Path
    file: Path
    good_tree: Path
    tmp: Path
    store: Path
    repo: Path


def _runs() -> list[Any]:
    params = []
    for case in MANIFEST["cases"]:
        for command in case.get("run") or MANIFEST["defaults"][case["input"]]:
            params.append(pytest.param(case, command, id=f"{case['name']}-{command}"))
    return params


def _copy_good(tree: Path) -> None:
    shutil.copytree(BAD / "_good" / "criterion", tree, dirs_exist_ok=True)


def _bad_x_from_good(tree: Path) -> Path:
    """A healthy copy of good/ok named bad/x; the caller breaks its sample.json."""
    for baseline in ("base", "new"):
        folder = tree / "bad" / "x" / baseline
        shutil.copytree(BAD / "_good" / "criterion" / "good" / "ok" / baseline, folder)
        meta = json.loads((folder / "benchmark.json").read_text())
        meta.update(group_id="bad", function_id="x", full_id="bad/x", directory_name="bad/x")
        (folder / "benchmark.json").write_text(json.dumps(meta))
    return tree / "bad" / "x" / "new" / "sample.json"


def _setup(kind: str, tree: Path) -> None:
    _copy_good(tree)
    if kind == "symlink_loop":
        os.symlink("..", tree / "good" / "loop")  # good/loop -> the criterion dir itself
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("running as root: chmod 000 does not stop root from reading a file")
        sample = _bad_x_from_good(tree)
        sample.chmod(0)
    elif kind == "huge_sample":
        sample = _bad_x_from_good(tree)
        with sample.open("r+b") as handle:  # sparse: 300 MiB on paper, nothing on disk
            handle.truncate(300 * 2**20)
    elif kind == "device_sample":
        sample = _bad_x_from_good(tree)
        sample.unlink()
        sample.symlink_to("/dev/zero")
    elif kind == "fifo_sample":
        sample = _bad_x_from_good(tree)
        sample.unlink()
        os.mkfifo(sample)
    elif kind == "hostile_names":
        for name in HOSTILE:
            _clone_good(tree, f"hostile/{name}")
        broken = _clone_good(tree, "hostile/warn\x1b[2J\x1b]0;owned\x07")
        (broken / "new" / "sample.json").write_text('{"iters": [1, 2')
    elif kind == "hostile_baseline":
        name = "evil\x1b[2J\nvmbench: error: forged\u202e"
        shutil.copytree(tree / "good" / "ok" / "new", tree / "good" / "ok" / name)
    elif kind == "huge_int_sample":
        sample = _bad_x_from_good(tree)
        sample.write_text('{"sampling_mode": "Flat", "iters": [1' + "0" * 5000 + '], "times": [1]}')
    elif kind == "symlink_to_root":
        os.symlink("/", tree / "good" / "root")
    elif kind == "orphan_tmp":
        folder = tree.parent.parent / "baselines"  # {tmp}/baselines: where baseline-update writes
        folder.mkdir(parents=True, exist_ok=True)
        old = folder / ".main.json.k1l2m3n4.tmp"
        old.write_text("{half")
        hour_ago = time.time() - 3600
        os.utime(old, (hour_ago, hour_ago))
        (folder / ".main.json.young123.tmp").write_text("{a writer at work")
    elif kind == "overflowing_mean":
        new_sample = _bad_x_from_good(tree)
        for baseline, scale in (("base", 1e-310), ("new", 1e300)):  # subnormal and huge
            sample = new_sample.parent.parent / baseline / "sample.json"
            times = [scale * (1 + i / 50) for i in range(20)]
            sample.write_text(
                json.dumps({"sampling_mode": "Flat", "iters": [1.0] * 20, "times": times})
            )
            (sample.parent / "estimates.json").unlink(missing_ok=True)
    elif kind == "long_a_ids":
        _clone_good(tree, LONG_A)
    elif kind == "non_utf8_names":
        _clone_good(tree, "nonutf8/x\udcff\udcfe")
    else:
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")


def _clone_good(tree: Path, bench_id: str) -> Path:
    """A healthy copy of good/ok under the id (and directory) `bench_id`."""
    folder = tree / bench_id
    group, _, function = bench_id.partition("/")
    for baseline in ("base", "new"):
        shutil.copytree(BAD / "_good" / "criterion" / "good" / "ok" / baseline, folder / baseline)
        meta = json.loads((folder / baseline / "benchmark.json").read_text())
        meta.update(group_id=group, function_id=function or None, full_id=bench_id)
        meta.update(directory_name=bench_id, title=bench_id)
        (folder / baseline / "benchmark.json").write_text(json.dumps(meta))
    return folder


def _history(kind: str, store: Path, good_tree: Path) -> None:
    """Two good runs recorded with the real command, then one broken file beside them."""
    if kind == "history_missing":
        return
    if kind == "history_long_a_ids":
        _clone_good(good_tree, LONG_A)
    for day, baseline in ((1, "base"), (2, "new")):
        args = ["history", "add", str(good_tree), "--baseline", baseline, "--branch", "main"]
        args += ["--commit", f"0123abc{day - 1}", "--date", f"2026-01-0{day}T00:00:00+00:00"]
        result = CliRunner().invoke(main, [*args, "--history", str(store)])
        assert result.exit_code == 0, result.output
    if kind == "history_garbage":
        (store / "20260103T000000Z-garbage-00000000.parquet").write_text("junk\n")
    elif kind == "history_foreign":
        table = pa.table({"id": ["good/ok"], "mean_ns": [1.0]})
        pq.write_table(table, store / "20260103T000000Z-foreign-00000000.parquet")
    elif kind == "history_newer":
        (good,) = sorted(store.glob("2026010[2]*.parquet"))
        table = pq.read_table(good)
        table = table.replace_schema_metadata({b"vmbench.schema_version": b"99"})
        pq.write_table(table, store / "20260103T000000Z-newer-00000000.parquet")
    elif kind == "history_fifo":
        os.mkfifo(store / "20260103T000000Z-fifo-00000000.parquet")
    elif kind == "history_flipped":
        (good,) = sorted(store.glob("2026010[2]*.parquet"))
        data = bytearray(good.read_bytes())
        for i in range(4, len(data) // 2):  # the column chunks (the footer stays readable)
            data[i] ^= 0x5A
        (store / "20260103T000000Z-flipped-00000000.parquet").write_bytes(bytes(data))
    elif kind in _BROKEN_TABLES:
        (good,) = sorted(store.glob("2026010[2]*.parquet"))
        table = pq.read_table(good)
        name, broken = _BROKEN_TABLES[kind](table)
        pq.write_table(broken, store / f"20260103T000000Z-{name}-00000000.parquet")
    elif kind not in ("history_ok", "history_long_a_ids"):
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")


def _set_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


_BROKEN_TABLES: dict[str, Any] = {
    "history_empty": lambda t: ("empty", t.slice(0, 0)),
    "history_wrong_type": lambda t: (
        "wrongtype",
        _set_column(t, "mean_ns", pa.array(["fast"] * t.num_rows)),
    ),
    "history_null_ids": lambda t: (
        "nullids",
        _set_column(t, "id", pa.nulls(t.num_rows, pa.string())),
    ),
    "history_nan_means": lambda t: (
        "nanmeans",
        _set_column(t, "mean_ns", pa.array([math.nan] * t.num_rows)),
    ),
    "history_text_version": lambda t: (
        "textversion",
        t.replace_schema_metadata({**t.schema.metadata, b"vmbench.schema_version": b"one"}),
    ),
}


def prepare(case: dict[str, Any], tmp_path: Path) -> Prepared:
    name, kind = case["name"], case["input"]
    work = tmp_path / name
    good_tree = tmp_path / "_good" / "criterion"
    _copy_good(good_tree)
    tree = work / "criterion"
    file = work / case.get("file", FILE_NAMES.get(kind, "special"))
    store = tmp_path / "store"
    repo = work / "repo"
    setup = case.get("setup", "none")
    if (BAD / name).is_dir():
        shutil.copytree(BAD / name, work, symlinks=True)
    work.mkdir(parents=True, exist_ok=True)
    if kind == "missing":
        tree = tmp_path / "does-not-exist"
    elif kind == "history":
        _history(setup, store, good_tree)
    elif kind == "tree":
        if setup == "non_utf8_names":
            tree = work / "criterion\udcff"  # the Criterion directory's own name too
        if setup != "none":
            _copy_good(tree)
            _setup(setup, tree)
        elif case["good"]:
            _copy_good(tree)
    elif kind == "special":
        file = _special(setup, file, work, good_tree)
        if any("{store}" in " ".join(MANIFEST["commands"][c]) for c in case.get("run", [])):
            _history("history_ok", store, good_tree)
    elif kind == "repo":
        if setup == "repo_config_fifo":
            (repo / ".cargo").mkdir(parents=True)
            (repo / "Cargo.toml").write_text('[package]\nname = "demo"\nversion = "0.1.0"\n')
            os.mkfifo(repo / ".cargo" / "config.toml")
        file = repo / ".cargo" / "config.toml"
    elif kind == "cargo_history":
        tree = work / "cargo"
        _cargo_history(setup, tree)
    elif "setup" in case:
        _setup(setup, tree)
    return Prepared(tree=tree, file=file, good_tree=good_tree, tmp=tmp_path, store=store, repo=repo)


def _special(kind: str, file: Path, work: Path, good_tree: Path) -> Path:
    """Make `{file}` for an `input: special` case; returns it."""
    if kind == "fifo_file" or kind == "output_fifo":
        os.mkfifo(file)
    elif kind == "device_file":
        file.symlink_to("/dev/zero")
    elif kind == "huge_file":
        with file.open("wb") as handle:  # sparse: 300 MiB on paper
            handle.truncate(300 * 2**20)
    elif kind == "output_device":
        if os.geteuid() == 0:  # our own node of /dev/full's kind: nothing shared is at risk
            os.mknod(file, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        else:
            file.symlink_to("/dev/full")
    elif kind == "output_symlink":
        (work / "real.txt").write_text("old")
        file.symlink_to("real.txt")
    elif kind == "output_under_file":
        (work / "a-file").write_text("x")
        file = work / "a-file" / "out.md"
    elif kind == "output_directory":
        file.mkdir()
    elif kind == "long_a_ids":
        _clone_good(good_tree, LONG_A)
    elif kind != "none":
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")
    return file


def _cargo_history(kind: str, root: Path) -> None:
    ident = {"group_id": "vm", "function_id": "dispatch", "value_str": None}
    date = "2024-05-01T10:00:00.123456789Z"
    if kind == "cargo_import_inf_throughput":
        ident["throughput"] = {"Bytes": math.inf}
        write_benchmark(root, "vm_dispatch", ident, [(date, "aaa111", 100.0)])
    elif kind == "cargo_import_fifo":
        ident["throughput"] = None
        later = "2024-05-02T10:00:00Z"
        write_benchmark(root, "vm_dispatch", ident, [(date, "aaa111", 100.0), (later, "b", 1.0)])
        measurement = root / "data" / "main" / "vm_dispatch" / "measurement_01.cbor"
        measurement.unlink()
        os.mkfifo(measurement)
    else:
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")


def command_args(command: str, where: Prepared) -> list[str]:
    values = {
        "tree": where.tree,
        "file": where.file,
        "good_tree": where.good_tree,
        "tmp": where.tmp,
        "store": where.store,
        "repo": where.repo,
    }
    return [arg.format(**values) for arg in MANIFEST["commands"][command]]


def expected_exit(case: dict[str, Any], command: str) -> int:
    code: int = case.get("exit_for", {}).get(command, case["exit"])
    return code


def check_no_nan_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"JSON output holds {constant}")

    return json.loads(text, parse_constant=refuse)


def raw_controls(text: str) -> list[str]:
    """Characters a terminal would act on: C0/C1 controls (not newline or tab), bidi and
    other format characters (not the zero-width space markdown() adds after @)."""
    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in text
            if ch not in "\n\t\u200b" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        }
    )


def check_result(case: dict[str, Any], command: str, result: Outcome, where: Prepared) -> None:
    out = result.output
    assert not result.hung, f"{command} still running after {LIMIT_S:.0f} s (a hang):\n{out}"
    assert "Traceback" not in out, out
    assert not raw_controls(out), f"raw control characters {raw_controls(out)} in:\n{out!r}"
    assert result.exit_code == expected_exit(case, command), out
    assert re.search(case["expect"], out), f"{case['expect']!r} not in:\n{out}"
    if result.exit_code == 2:
        # Nothing usable: the error as the last line of stderr (after any skip lines),
        # every line from vmbench, nothing half-printed on stdout.
        lines = result.stderr.strip().splitlines()
        assert lines, out
        assert lines[-1].startswith("vmbench: error: "), out
        assert all(line.startswith("vmbench: ") for line in lines), out
        assert result.stdout.strip() == "", out
        return
    if command.startswith("compare") and command.endswith("-json"):
        data = check_no_nan_json(result.stdout)
        assert GOOD_ID in [b["id"] for b in data["benchmarks"]]
    elif command.endswith("-json"):
        check_no_nan_json(result.stdout)
        if case["good"]:
            assert re.search(MANIFEST["good_shown_by"][command], result.stdout), out
    elif command.startswith("history-add"):
        assert any((where.tmp / "history").iterdir()), "history add wrote nothing"
    elif command == "baseline-update":
        written = json.loads((where.tmp / "baselines" / "main.json").read_text())
        assert GOOD_ID in written
        assert "bad/x" not in written or written["bad/x"]["value"] > 0
    elif case["good"]:
        shown = MANIFEST["good_shown_by"].get(command, re.escape(GOOD_ID))
        assert re.search(shown, out), f"{GOOD_ID} not reported:\n{out}"


def _after(check: str, where: Prepared) -> None:
    """The file system after a run: nothing that was not ours replaced."""
    if check == "file_is_fifo":
        assert stat.S_ISFIFO(os.lstat(where.file).st_mode), f"{where.file} is no longer a FIFO"
    elif check == "file_is_device":
        assert stat.S_ISCHR(os.stat(where.file).st_mode), f"{where.file} is no longer a device"
    elif check == "file_is_symlink":
        assert where.file.is_symlink(), f"{where.file}: the symlink was replaced by a file"
        assert where.file.resolve().read_text() != "old", "the link's target was not written"
    elif check == "toml_valid":
        config = tomllib.loads((where.repo / ".cargo" / "config.toml").read_text())
        assert "bench" in config["profile"]
    elif check == "no_orphan_tmp":
        left = sorted(p.name for p in (where.tmp / "baselines").iterdir())
        assert ".main.json.k1l2m3n4.tmp" not in left, left  # an hour old: a killed writer's
        assert ".main.json.young123.tmp" in left, left  # maybe a writer at work: not ours yet
    else:
        raise AssertionError(f"unknown after-check {check!r} in cases.yaml")


@pytest.mark.parametrize(("case", "command"), _runs())
def test_command_on_bad_input(case: dict[str, Any], command: str, tmp_path: Path) -> None:
    where = prepare(case, tmp_path)
    stdout = "/dev/full" if case.get("stdout") == "devfull" else None
    result = run_process(
        command_args(command, where), cwd=tmp_path, tmp=tmp_path / "_io", timeout=LIMIT_S,
        stdout=stdout,
    )  # fmt: skip
    check_result(case, command, result, where)
    for check in case.get("after", []):
        _after(check, where)


@pytest.mark.parametrize(
    "case",
    [c for c in MANIFEST["cases"] if c["input"] in ("tree", "missing") and c.get("loader", True)],
    ids=lambda c: c["name"],
)
def test_loader_on_bad_tree(case: dict[str, Any], tmp_path: Path) -> None:
    """The library itself: a bad benchmark is a `Skipped` with the reason, or one error."""
    where = prepare(case, tmp_path)
    if case["exit"] == 2:
        try:
            run = load_criterion(where.tree, "new")
        except VmbenchError as exc:
            message = str(exc)
        else:  # loaded, but nothing usable: the commands must exit 2
            assert not run.benchmarks
            message = "\n".join(str(s) for s in run.skipped)
        assert re.search(case["expect"], message), message
        return
    run = load_criterion(where.tree, "new")
    assert list(run.benchmarks) == [GOOD_ID]
    reasons = "\n".join(str(s) for s in run.skipped)
    assert re.search(case["expect"], reasons), reasons


def test_corpus_is_complete() -> None:
    names = {case["name"] for case in MANIFEST["cases"]}
    folders = {p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith("_")}
    runtime = {case["name"] for case in MANIFEST["cases"] if "setup" in case}
    runtime.add("does_not_exist")
    stored = {case["name"] for case in MANIFEST["cases"] if "file" in case}  # + a setup
    assert folders == (names - runtime) | stored, "cases.yaml and the case folders disagree"
    assert len(names) >= 30
    for case in MANIFEST["cases"]:
        assert set(case.get("run", [])) <= set(MANIFEST["commands"])
        re.compile(case["expect"])


SUBPROCESS_RUNS = [
    ("truncated_sample_json", "show"),
    ("huge_sample", "compare"),
    ("all_bad", "detect"),
    ("does_not_exist", "show"),
    ("cargo_line_cut", "compare-cargo"),
]


@pytest.mark.parametrize(("name", "command"), SUBPROCESS_RUNS)
def test_real_process(name: str, command: str, tmp_path: Path) -> None:
    case = next(c for c in MANIFEST["cases"] if c["name"] == name)
    where = prepare(case, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "vmbench", *command_args(command, where)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert proc.returncode == expected_exit(case, command), out
    assert re.search(case["expect"], out), out
    if case["good"]:
        assert GOOD_ID in proc.stdout


# --- the report pipeline on bad input (papermill: slow) ----------------------------------


def _report(tree: Path, out: Path) -> subprocess.CompletedProcess[str]:
    args = ["report", "regression", "-p", "criterion_dir", str(tree), "-p", "baseline", "base"]
    args += ["-p", "candidate", "new", "-p", "noise_runs", "[]", "--output-dir", str(out)]
    return subprocess.run(
        [sys.executable, "-m", "vmbench", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_report_lists_the_skipped_benchmark(tmp_path: Path) -> None:
    case = next(c for c in MANIFEST["cases"] if c["name"] == "truncated_sample_json")
    where = prepare(case, tmp_path)
    proc = _report(where.tree, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    markdown = (tmp_path / "out" / "regression.md").read_text()
    assert GOOD_ID in markdown
    assert re.search(r"sample\.json.*invalid JSON", markdown), "skipped file not in the report"


@pytest.mark.slow
def test_report_on_nothing_usable_fails_with_the_reason(tmp_path: Path) -> None:
    case = next(c for c in MANIFEST["cases"] if c["name"] == "all_bad")
    where = prepare(case, tmp_path)
    proc = _report(where.tree, tmp_path / "out")
    assert "Traceback" not in proc.stderr
    assert proc.returncode != 0, "a report of 0 benchmarks passed as 'no regression'"
    assert re.search(case["expect"], proc.stderr), proc.stderr


# --- issue 13, class 8: concurrent `baseline update`s of different benchmarks ------------


def test_concurrent_baseline_updates_all_land(tmp_path: Path) -> None:
    """Six real processes update one baseline file at once, three rounds: no entry lost."""
    for round_ in range(3):
        file = tmp_path / f"round{round_}" / "main.json"
        names = [f"jit/bench_{k}" for k in range(6)]
        trees = []
        for name in names:
            tree = tmp_path / f"round{round_}" / name.replace("/", "_")
            _clone_good(tree, name)
            trees.append(tree)
        go = time.time() + 3.0  # all six start their update at the same moment
        running = [
            start_process(
                ["baseline", "update", str(tree), "--from", "new", "--file", str(file)],
                cwd=tmp_path,
                tmp=tmp_path / f"io-{round_}-{k}",
                start_at=go,
            )
            for k, tree in enumerate(trees)
        ]
        outcomes = [finish_process(r, timeout=120) for r in running]
        assert [o.exit_code for o in outcomes] == [0] * 6, [o.output for o in outcomes]
        written = json.loads(file.read_text())
        assert sorted(written) == names, f"round {round_}: lost {set(names) - set(written)}"


# --- issue 13, class 4: stdout that cannot be written, in a real interpreter -------------


def test_stdout_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    good_tree = tmp_path / "criterion"
    _copy_good(good_tree)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "vmbench", "show", str(good_tree)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "vmbench: error: cannot write to standard output: No space left on device"
    ]


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """`vmbench show | head -1`: the reader left; no traceback, no error line."""
    good_tree = tmp_path / "criterion"
    _copy_good(good_tree)
    for k in range(1500):  # more output than a pipe holds
        _clone_good(good_tree, f"many/b{k:03d}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vmbench", "show", str(good_tree), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=120)
    assert code in (0, 1), err  # 1: the write failed with EPIPE and vmbench stopped quietly
    assert "Traceback" not in err, err
    assert "Exception ignored" not in err, err
