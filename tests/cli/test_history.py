"""`vmbench history add|list|prune` and `vmbench trend` on Criterion trees written to disk."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vmbench.cli import main

RUNS = 8
STEP_AT = 4  # `vm/dispatch` is 50% slower from run r4 on


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a failure, not an exit code
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def criterion(write_bench: Callable[..., Path], tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    iters = [float(i) for i in range(1, 21)]
    for r in range(RUNS):
        for bid, ns in (("vm/dispatch", 150.0), ("gc/collect", 9000.0)):
            level = ns * (1.5 if bid == "vm/dispatch" and r >= STEP_AT else 1.0)
            level *= np.exp(rng.normal(0, 0.01))
            times = [round(i * level * np.exp(rng.normal(0, 0.01))) for i in iters]
            write_bench(bid, iters=iters, times=times, baseline=f"r{r}")
    return tmp_path / "criterion"


def _add_all(criterion: Path, store: Path) -> None:
    for r in range(RUNS):
        code, out, err = _invoke(
            "history", "add", str(criterion), "--baseline", f"r{r}",
            "--commit", f"{r:02d}" + "ab" * 19, "--branch", "main",
            "--date", f"2025-02-{r + 1:02d}T04:00:00Z", "--machine", "ci",
            "--history", str(store),
        )  # fmt: skip
        assert (code, err) == (0, "")
        assert out.startswith(f"recorded 2 benchmarks as 202502{r + 1:02d}T040000Z-")


def test_add_list_and_trend_find_the_planted_step(criterion: Path, tmp_path: Path) -> None:
    store = tmp_path / "history"
    _add_all(criterion, store)
    code, out, _ = _invoke("history", "list", "--history", str(store))
    assert code == 0
    assert out.count(" main ") == RUNS
    assert out.rstrip().endswith(f"{RUNS} runs")
    code, out, _ = _invoke("history", "list", "--history", str(store), "--format", "json")
    runs = json.loads(out)["runs"]
    assert [r["label"] for r in runs] == [f"r{r}" for r in range(RUNS)]
    assert {r["machine"] for r in runs} == {"ci"}

    code, out, _ = _invoke("trend", "--history", str(store), "--format", "json", "--window", "4")
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == 2
    assert data["runs"] == RUNS
    (step,) = data["change_points"]
    assert step["id"] == "vm/dispatch"
    assert step["commit"] == f"{STEP_AT:02d}" + "ab" * 19
    assert step["date"].startswith(f"2025-02-{STEP_AT + 1:02d}")
    assert step["change"] == pytest.approx(0.5, abs=0.05)
    assert step["p_value"] < 0.005  # was 2/70, the rank test's floor on 8 runs
    assert step["q_value"] <= 0.05
    assert step["provisional"] is True
    assert {d["id"] for d in data["drift"]} == {"vm/dispatch", "gc/collect"}

    for fmt in ("table", "markdown"):
        code, out, _ = _invoke("trend", "--history", str(store), "--format", fmt)
        assert code == 0
        assert "vm/dispatch" in out
        assert f"{STEP_AT:02d}abababab" in out  # the commit, shortened
    out_file = tmp_path / "trend.md"
    code, out, _ = _invoke(
        "trend", "--history", str(store), "--format", "markdown", "--output", str(out_file)
    )
    assert code == 0
    assert out_file.read_text().startswith("## Performance trend")


def test_prune_keeps_summaries(criterion: Path, tmp_path: Path) -> None:
    store = tmp_path / "history"
    _add_all(criterion, store)
    code, out, _ = _invoke("history", "prune", "--history", str(store), "--keep-samples-days", "0")
    assert code == 0
    assert out.startswith(f"pruned samples of {RUNS} runs")
    code, out, _ = _invoke("trend", "--history", str(store), "--format", "json")
    assert json.loads(out)["change_points"][0]["id"] == "vm/dispatch"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trend", "--history", "{tmp}/none"], "history store not found"),
        (["history", "list", "--history", "{tmp}/none"], "history store not found"),
        (["trend", "--history", "{store}", "--since", "soon"], "not an ISO date"),
        (["trend", "--history", "{store}", "--filter", "("], "--filter: invalid regex"),
        (["trend", "--history", "{store}", "--branch", "nope"], "no runs on branch 'nope'"),
        (["trend", "--history", "{store}", "--window", "0"], "--window"),
        (["trend", "--history", "{store}", "--format", "xml"], "--format"),
        (
            ["history", "add", "{criterion}", "--baseline", "nope", "--commit", "c",
             "--branch", "b", "--history", "{store}"],
            "'nope' is neither a baseline here",
        ),
        (
            ["history", "add", "{criterion}", "--baseline", "r0", "--commit", "c",
             "--branch", "b", "--date", "31/01/2025", "--history", "{store}"],
            "not an ISO date",
        ),
        (["history", "add", "{criterion}", "--branch", "b"], "--commit"),
        (["history", "prune", "--history", "{store}"], "--keep-samples-days"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    criterion: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    store = tmp_path / "history"
    _add_all(criterion, store)
    filled = [a.format(tmp=tmp_path, store=store, criterion=criterion) for a in args]
    code, out, err = _invoke(*filled)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_a_newer_store_file_is_skipped_and_refused_when_alone(
    criterion: Path, tmp_path: Path
) -> None:
    store = tmp_path / "history"
    _add_all(criterion, store)
    paths = sorted(store.glob("*.parquet"))
    for path in paths:
        table = pq.read_table(path)
        pq.write_table(table.replace_schema_metadata({b"vmbench.schema_version": b"7"}), path)
        newer = f"{path}: history schema_version 7 is newer"
        for args in (["trend"], ["history", "list"]):
            code, out, err = _invoke(*args, "--history", str(store))
            if path != paths[-1]:  # the other runs are still listed and analysed
                assert code == 0, err
                assert f"vmbench: skipped {newer}" in err
                assert out
            else:  # nothing usable is left: the first file's reason, exit 2
                assert code == 2
                assert err.endswith(
                    f"vmbench: error: {paths[0]}: history schema_version 7 is "
                    "newer than this vmbench reads (1); upgrade vmbench "
                    "(pip install -U vmbench)\n"
                )
                assert out == ""


def test_two_concurrent_history_add_commands_lose_nothing(criterion: Path, tmp_path: Path) -> None:
    store = tmp_path / "history"
    procs = [
        subprocess.Popen(
            [
                sys.executable, "-c",
                "import sys; from vmbench.cli import main; sys.exit(main())",
                "history", "add", str(criterion), "--baseline", f"r{r}", "--commit", "same",
                "--branch", "main", "--date", "2025-02-01T04:00:00Z", "--history", str(store),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in range(4)
    ]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    code, out, _ = _invoke("history", "list", "--history", str(store), "--format", "json")
    assert code == 0
    assert sorted(r["label"] for r in json.loads(out)["runs"]) == [f"r{r}" for r in range(4)]
