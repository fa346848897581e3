"""`vmbench compare` and `vmbench detect` on Criterion trees written to disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.paths import EXAMPLES
from vmbench.cli import main

IDS = [
    "gc/minor",
    "gc/major",
    "jit/tier1",
    "jit/tier2",
    "memory/alloc",
    "memory/free",
    "tlb/hit",
    "tlb/flush",
    "async/spawn",
    "snapshot/create",
]
PLANTED = {"jit/tier1": 1.35, "gc/minor": 1.14, "memory/alloc": 0.8}
# Runs of a shared machine: each run at its own level (aa1 is the whole machine 12 %
# slower), and each benchmark of each run off by its own 1 % run-to-run noise.
LEVELS = {
    "main": 1.0,
    "base2": 1.01,
    "base3": 0.99,
    "pr": 1.0,
    "pr2": 1.02,
    "pr3": 0.985,
    "aa1": 1.12,
    "aa2": 0.95,
    "aa3": 1.06,
}
THREE_A_SIDE = [
    *("--baseline", "main", "--baseline", "base2", "--baseline", "base3"),
    *("--candidate", "pr", "--candidate", "pr2", "--candidate", "pr3"),
]


@pytest.fixture
def tree(write_bench, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Baselines main, base2, base3 (same code), pr, pr2, pr3 (planted changes) and
    aa1..aa3 (same code as main)."""
    rng = np.random.default_rng(11)
    iters = [float(10 * (i + 1)) for i in range(30)]
    for baseline, level in LEVELS.items():
        for bid in IDS:
            factor = PLANTED.get(bid, 1.0) if baseline.startswith("pr") else 1.0
            offset = rng.lognormal(0, 0.01)
            per_iter = 1000.0 * level * offset * factor * rng.lognormal(0, 0.01, size=30)
            times = [float(round(p * i)) for p, i in zip(per_iter, iters, strict=True)]
            write_bench(bid, iters=iters, times=times, baseline=baseline)
    return tmp_path / "criterion"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_compare_prints_a_table_and_exits_0(tree: Path) -> None:
    code, out, _ = _run("compare", str(tree), "--baseline", "main", "--candidate", "pr")
    assert code == 0  # compare gates only with --fail-on
    assert out.startswith("pr vs main: ")
    assert "jit/tier1" in out
    assert "run-to-run noise not measured" in out  # one run a side: no flags, it says why
    assert "high " not in out.split("\n\n")[1]


def test_compare_json_follows_the_schema(tree: Path) -> None:
    code, out, _ = _run("compare", str(tree), *THREE_A_SIDE, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == 2
    got = {b["id"]: b["severity"] for b in data["benchmarks"]}
    assert got.pop("jit/tier1") == "high"
    assert got.pop("gc/minor") == "medium"
    assert got.pop("memory/alloc") == "improvement"
    assert set(got.values()) <= {"stable", "inconclusive"}
    assert data["gate"]["medium"] == 1
    tier1 = next(b for b in data["benchmarks"] if b["id"] == "jit/tier1")
    assert tier1["run_level"]["estimator"] == "min"
    assert tier1["run_level"]["runs"] == [3, 3]


def test_output_file_and_fail_on(tree: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "out" / "report.md"
    code, out, err = _run(
        "compare",
        str(tree),
        *THREE_A_SIDE,
        "--format",
        "markdown",
        "--output",
        str(out_file),
        "--fail-on",
        "high",
    )
    assert code == 1
    assert out == ""
    assert str(out_file) in err
    assert out_file.read_text().startswith("## Benchmarks: pr+pr2+pr3 vs main+base2+base3")


def test_detect_prints_only_what_is_not_stable_and_gates(tree: Path) -> None:
    code, out, _ = _run("detect", str(tree), *THREE_A_SIDE)
    assert code == 1
    assert "jit/tier1" in out
    code, out, _ = _run("detect", str(tree), *THREE_A_SIDE, "--exclude", "tier1|minor")
    assert code == 0, out
    assert "memory/alloc" in out  # the improvement is still reported
    code, _, _ = _run("detect", str(tree), *THREE_A_SIDE, "--regression", "0.5", "--high", "0.6")
    assert code == 0


def test_one_run_a_side_suspects_instead_of_flagging(tree: Path, tmp_path: Path) -> None:
    suspects = tmp_path / "suspects.json"
    code, out, _ = _run(
        "detect", str(tree), "--baseline", "main", "--candidate", "pr", "--suspects", str(suspects)
    )
    assert code == 3, out
    listed = json.loads(suspects.read_text())["benchmarks"]
    assert "jit/tier1" in listed


def test_a_whole_machine_shift_is_never_a_flag(tree: Path, tmp_path: Path) -> None:
    # aa1 is the same code on a machine 12 % slower: with one run a side that cannot be
    # told from a change of the whole suite, so it is a question (3), never a flag (1).
    code, out, _ = _run("detect", str(tree), "--baseline", "main", "--candidate", "aa1")
    assert code == 3, out
    assert "Whole suite: +1" in out
    model = tmp_path / "noise.json"
    code, out, _ = _run(
        "detect",
        str(tree),
        "--baseline",
        "main",
        "--candidate",
        "aa1",
        "--noise",
        "aa2",
        "--noise",
        "aa3",
        "--save-noise-model",
        str(model),
    )
    assert code in (0, 3), out
    assert json.loads(model.read_text())["kind"] == "vmbench-noise-model"
    code, out, _ = _run(
        "compare",
        str(tree),
        "--baseline",
        "main",
        "--candidate",
        "aa1",
        "--noise-model",
        str(model),
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["settings"]["noise_model"].startswith("run-to-run noise learned from 2 runs")
    assert data["counts"]["medium"] == data["counts"]["high"] == 0


def test_several_runs_per_side(tree: Path) -> None:
    code, out, _ = _run(
        "compare",
        str(tree),
        "--baseline",
        "main",
        "--baseline",
        "aa2",
        "--candidate",
        "aa1",
        "--candidate",
        "aa3",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["baseline"] == "main+aa2"
    assert data["baseline_runs"] == ["main", "aa2"]
    assert data["counts"]["medium"] == data["counts"]["high"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "nope"], "'nope' is neither a baseline here"),
        (["--filter", "("], "not a valid regular expression"),
        (["--filter", "^zzz"], "no benchmarks to compare after --filter"),
        (["--alpha", "2"], "alpha must be between 0 and 1"),
        (["--high", "0.05"], "must be at least the regression threshold"),
        (["--baseline", "main", "--candidate", "main"], "on both sides"),
        (["--noise", "aa1"], "at least two runs"),
        (["--noise", "aa1", "--noise", "aa2", "--noise-model", "x.json"], "not both"),
        (["--noise-model", "/nonexistent/noise.json"], "noise model file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tree: Path, args: list[str], message: str) -> None:
    base = ["--baseline", "main"] if "--baseline" not in args else []
    cand = ["--candidate", "pr"] if "--candidate" not in args else []
    code, out, err = _run("compare", str(tree), *base, *cand, *args)
    assert code == 2
    assert message in err
    assert err.startswith("vmbench: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err + out


def test_skipped_benchmarks_are_warned_about_and_the_rest_compared(tree: Path, write_bench) -> None:  # type: ignore[no-untyped-def]
    write_bench("gc/broken", baseline="pr", sample='{"iters": [1, 2], "times": [5]}')
    code, out, err = _run("compare", str(tree), "--baseline", "main", "--candidate", "pr")
    assert code == 0
    assert "vmbench: warning: skipped" in err
    assert "gc/broken" in err
    assert "jit/tier1" in out


def test_default_refs_are_base_and_new(tree: Path, write_bench) -> None:  # type: ignore[no-untyped-def]
    for bid in IDS:
        write_bench(bid, baseline="base")
        write_bench(bid, baseline="new")
    code, out, _ = _run("compare", str(tree))
    assert code == 0
    assert out.startswith("new vs base:")
    code, _, err = _run("compare", str(tree.parent / "missing"))
    assert code == 2
    assert "does not exist" in err


@pytest.mark.realdata
def test_compare_real_named_baselines(realdata: Path) -> None:
    tree = realdata / "deduplicate/64cc24b82a/target/criterion"
    code, out, _ = _run(
        "compare", str(tree), "--baseline", "0.3.2", "--candidate", "new", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert len(data["benchmarks"]) == 12
    assert all(b["category"] for b in data["benchmarks"])


def test_noise_run_that_is_compared_is_left_out() -> None:
    tree = EXAMPLES / "criterion"
    if not tree.is_dir():
        pytest.skip("bundled example data examples/data/criterion is absent")
    args = ["compare", str(tree), "--baseline", "main", "--candidate", "aa1", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--noise", "main", "--noise", "aa2"])
    assert result.exit_code == 0
    assert "--noise main is compared too" in result.stderr
    # one noise run is left, too few to learn from: no noise model, not a circular one
    assert json.loads(result.stdout)["settings"]["noise_model"] is None
    kept = CliRunner().invoke(main, [*args, "--noise", "aa3", "--noise", "aa2"])
    assert "(aa3, aa2)" in json.loads(kept.stdout)["settings"]["noise_model"]
