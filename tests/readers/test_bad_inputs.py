"""Every command on every broken input of tests/data/bad: one clear line, never a traceback.

The corpus and what each case must produce are in tests/data/bad/cases.yaml. Each case is
copied into tmp_path (so nothing is written into the repository and run-time cases such as
a symlink loop or an unreadable file can be made), then each of its commands runs
in-process through click's CliRunner; a few also run as real `python -m vmbench`
subprocesses. Exit code 2 only when nothing usable is left; a healthy benchmark next to a
broken one is still reported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner, Result

from tests.support.paths import TEST_DATA
from vmbench.cli import main
from vmbench.errors import VmbenchError
from vmbench.readers.criterion import load_criterion

BAD = TEST_DATA / "bad"
MANIFEST = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
GOOD_ID = "good/ok"
FILE_NAMES = {"baseline": "main.json", "cargo": "messages.jsonl"}


@dataclass(frozen=True)
class Prepared:
    tree: Path
    file: Path
    good_tree: Path
    tmp: Path
    store: Path


def _runs() -> list[Any]:
    params = []
    for case in MANIFEST["cases"]:
        for command in case.get("run", MANIFEST["defaults"][case["input"]]):
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
    else:
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")


def _history(kind: str, store: Path, good_tree: Path) -> None:
    """Two good runs recorded with the real command, then one broken file beside them."""
    if kind == "history_missing":
        return
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
    else:
        raise AssertionError(f"unknown setup {kind!r} in cases.yaml")


def prepare(case: dict[str, Any], tmp_path: Path) -> Prepared:
    name, kind = case["name"], case["input"]
    work = tmp_path / name
    good_tree = tmp_path / "_good" / "criterion"
    _copy_good(good_tree)
    tree = work / "criterion"
    file = work / FILE_NAMES.get(kind, "none")
    store = tmp_path / "store"
    if kind == "missing":
        tree = tmp_path / "does-not-exist"
    elif kind == "history":
        _history(case["setup"], store, good_tree)
    elif "setup" in case:
        _setup(case["setup"], tree)
    else:
        shutil.copytree(BAD / name, work, symlinks=True)
        if kind == "tree" and case["good"]:
            _copy_good(tree)
    return Prepared(tree=tree, file=file, good_tree=good_tree, tmp=tmp_path, store=store)


def command_args(command: str, where: Prepared) -> list[str]:
    values = {
        "tree": where.tree,
        "file": where.file,
        "good_tree": where.good_tree,
        "tmp": where.tmp,
        "store": where.store,
    }
    return [arg.format(**values) for arg in MANIFEST["commands"][command]]


def expected_exit(case: dict[str, Any], command: str) -> int:
    code: int = case.get("exit_for", {}).get(command, case["exit"])
    return code


def check_no_nan_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"JSON output holds {constant}")

    return json.loads(text, parse_constant=refuse)


def check_result(case: dict[str, Any], command: str, result: Result, where: Prepared) -> None:
    out = result.output + (result.stderr if result.stderr not in result.output else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{command} raised {result.exception!r}") from result.exception
    assert "Traceback" not in out
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


@pytest.mark.parametrize(("case", "command"), _runs())
def test_command_on_bad_input(case: dict[str, Any], command: str, tmp_path: Path) -> None:
    where = prepare(case, tmp_path)
    result = CliRunner().invoke(main, command_args(command, where), catch_exceptions=True)
    check_result(case, command, result, where)


@pytest.mark.parametrize(
    "case",
    [c for c in MANIFEST["cases"] if c["input"] in ("tree", "missing")],
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
    assert folders == names - runtime, "cases.yaml and the case folders disagree"
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
