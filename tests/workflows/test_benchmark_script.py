"""Smoke test of the project's performance benchmark (benchmarks/run.py --quick).

The figures themselves are measured by the script and committed under
benchmarks/results/; here only that it runs end to end and writes a results file of the
documented schema (and that the committed results files follow it too).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO

SCRIPT = REPO / "benchmarks" / "run.py"
RESULTS = REPO / "benchmarks" / "results"


def check_schema(data: dict[str, Any]) -> None:
    assert data["schema_version"] == 1
    assert isinstance(data["date"], str)
    assert data["host"]
    for key in ("cpu", "cores", "os", "python", "vmbench_commit"):
        assert key in data["machine"]
    sizes = [row["benchmarks"] for row in data["compare"]]
    assert sizes == sorted(sizes)
    assert sizes
    for row in data["compare"]:
        for key in ("load_s", "compare_s", "render_s", "cli_compare_s", "peak_rss_mib"):
            assert row[key] > 0, key
        assert row["benchmarks_compared"] == row["benchmarks"]
        assert row["planted_found"] == row["planted"]  # the planted changes are found
        assert "cost_ratio_vs_smallest" in row
    startup = data.get("startup")
    if startup is not None:  # results files before 2026-11-30 have no start-up section
        assert startup["python_s"] > 0
        for command in startup["commands"]:
            assert command["args"][0] == "vmbench"
            assert command["median_s"] >= command["min_s"] > 0
            assert command["imports"]
    for target in data["targets"]:
        assert set(target) == {"name", "target", "measured", "unit", "met"}
        assert target["met"] == (target["measured"] < target["target"])


@pytest.mark.slow
def test_quick_run_writes_a_results_file(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--skip-cargo", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    (path,) = tmp_path.glob("*.json")
    data = json.loads(path.read_text())
    check_schema(data)
    assert data["options"]["quick"] is True
    assert data["report"]["sizes"][0]["html_bytes"] > 0
    assert data["report"]["floor_s"] > 0
    assert data["history"]["rows"] == 20 * 50
    assert data["history"]["change_points"] >= 2  # the planted steps
    assert "targets:" in proc.stdout
    commands = {c["name"]: c for c in data["startup"]["commands"]}
    assert commands["help"]["exit_code"] == 0
    assert commands["detect"]["exit_code"] in (1, 3)  # planted regressions: fail or confirm
    assert len(commands["detect"]["runs_s"]) == 5
    names = {t["name"] for t in data["targets"]}
    assert "`vmbench --help` (median wall)" in names
    assert any(n.startswith("`vmbench detect examples/data/criterion") for n in names)


# benchmarks/run.py's full results (calibration scripts write their own formats beside them)
@pytest.mark.parametrize(
    "path",
    sorted(p for p in RESULTS.glob("*-vm.json")),
    ids=lambda p: p.name,
)
def test_committed_results_follow_the_schema(path: Path) -> None:
    check_schema(json.loads(path.read_text()))
