"""`vmbench show`: the real command on real files, compared with golden text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.paths import TEST_DATA
from vmbench.cli import main

DATA = TEST_DATA / "loaders"
GOLDEN = DATA / "show"


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["show", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)  # relative paths in the output, so golden text is stable


@pytest.mark.usefixtures("in_data")
@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["criterion"], "new.txt"),
        (["criterion", "--baseline", "main"], "main.txt"),
        (["criterion-0.3.2"], "old.txt"),
    ],
)
def test_table_matches_golden(args: list[str], golden: str) -> None:
    code, out, err = _show(*args)
    assert (code, err) == (0, "")
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")


@pytest.mark.usefixtures("in_data")
def test_json_is_the_same_data() -> None:
    code, out, _ = _show("criterion", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["baselines"] == ["main", "new"]
    assert data["skipped"] == []
    by_id = {b["id"]: b for b in data["benchmarks"]}
    alloc = by_id["memory/alloc sized/4096"]
    assert alloc["samples"] == 5
    assert alloc["iterations"] == 15
    assert alloc["mean"] == "1.01 µs"
    assert alloc["mean_ns"] == pytest.approx(alloc["criterion_mean_ns"], rel=1e-9)
    assert (alloc["throughput_kind"], alloc["throughput_per_iter"]) == ("bytes", 4096.0)
    assert by_id["vm::dispatch loop"]["category"] == "vm::dispatch loop"


def test_default_path_and_skipped_section(write_bench, tmp_path: Path, monkeypatch) -> None:
    write_bench("jit/tier1_compile", root=tmp_path / "target" / "criterion")
    write_bench("gc/minor", times=[1, "2", 3], root=tmp_path / "target" / "criterion")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _show()
    assert code == 0
    assert "Criterion directory: target/criterion" in out
    assert "jit/tier1_compile  jit" in out
    assert out.endswith(
        "Skipped (1):\n  gc/minor/new/sample.json: times must hold only numbers, "
        "found a string '2'\n"
    )


def test_custom_categories(tmp_path: Path, in_data: None) -> None:
    cats = tmp_path / "cats.yaml"
    cats.write_text("categories:\n  interp: ['vm::*']\n")
    _, out, _ = _show("criterion", "--categories", str(cats), "--format", "json")
    by_id = {b["id"]: b["category"] for b in json.loads(out)["benchmarks"]}
    assert by_id["vm::dispatch loop"] == "interp"
    assert by_id["memory/alloc sized/4096"] == "memory"  # group fallback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "vmbench: error: nowhere: does not exist\n"),
        (
            ["criterion", "--baseline", "pr"],
            "vmbench: error: criterion: no baseline 'pr' here; available: main, new\n",
        ),
        (["baseline/main.json"], "vmbench: error: baseline/main.json: is not a directory"),
        (["criterion", "--categories", "nope.yaml"], "vmbench: error: nope.yaml: does not exist\n"),
    ],
)
def test_errors_are_one_line_and_exit_2(in_data: None, args: list[str], message: str) -> None:
    code, out, err = _show(*args)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_nothing_usable_exits_2_with_one_line(write_bench, tmp_path: Path) -> None:
    write_bench("bad/one", sample='{"iters": [1')
    write_bench("bad/two", iters=[0, 1], times=[1, 2])
    root = tmp_path / "criterion"
    code, out, err = _show(str(root))
    assert (code, out) == (2, "")
    assert err == (
        f"vmbench: error: {root}: no usable benchmark in baseline 'new' (2 skipped); "
        f"first: {root}/bad/one/new/sample.json: invalid JSON (truncated?): "
        "Expecting ',' delimiter at line 1 column 13\n"
    )


def test_hostile_names_cannot_rewrite_the_terminal(write_bench, tmp_path: Path) -> None:
    name = "evil\n\x1b[31mred\u202egnp.exe"
    meta = {"group_id": "evil", "full_id": name, "directory_name": "evil"}
    write_bench("evil", meta=meta)
    code, out, _ = _show(str(tmp_path / "criterion"))
    assert code == 0
    assert "evil\\n\\x1b[31mred\\u202egnp.exe" in out
    assert "\x1b" not in out
    assert "\u202e" not in out


def test_real_process_exit_code(tmp_path: Path) -> None:
    shutil.copytree(DATA / "criterion", tmp_path / "criterion")
    ok = subprocess.run(
        [sys.executable, "-m", "vmbench", "show", str(tmp_path / "criterion")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert "vm::dispatch loop" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "vmbench", "show", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr == f"vmbench: error: {tmp_path / 'missing'}: does not exist\n"
    assert "Traceback" not in bad.stderr
