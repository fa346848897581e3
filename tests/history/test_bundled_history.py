"""The bundled example history (real runs of the demo crate with a planted step)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO
from vmbench.history.store import list_runs, load_history
from vmbench.history.trend import change_points
from vmbench.pipeline import execute as report

ROOT = REPO
STORE = ROOT / "examples" / "data" / "history"
MANIFEST = ROOT / "examples" / "data" / "history-runs" / "manifest.json"


def _planted() -> tuple[str, str, dict[str, Any]]:
    """(benchmark id, first commit after the step, manifest entry) of the planted step."""
    if not (MANIFEST.is_file() and STORE.is_dir()):
        pytest.skip("bundled example history not there yet (scripts/build_example_history.py)")
    manifest = json.loads(MANIFEST.read_text())
    first = next(entry for entry in manifest if entry["factors"])
    (bid,) = first["factors"]
    return bid, first["commit"], first


def test_bundled_history_holds_every_manifest_run() -> None:
    _planted()
    manifest = json.loads(MANIFEST.read_text())
    runs = list_runs(STORE)
    assert list(runs["label"]) == [e["baseline"] for e in manifest]
    assert list(runs["commit"]) == [e["commit"] for e in manifest]
    assert runs["has_samples"].all()


def test_planted_step_is_found_at_its_commit() -> None:
    bid, commit, entry = _planted()
    found = change_points(load_history(STORE))
    hits = found[found["id"] == bid]
    assert list(hits["commit"]) == [commit]
    factor = entry["factors"][bid]
    assert hits["change"].iloc[0] == pytest.approx(factor - 1, abs=0.1)
    assert hits["p_value"].iloc[0] < 0.05


def test_build_script_is_deterministic(tmp_path: Path) -> None:
    _planted()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_example_history.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rebuilt = sorted(p.name for p in tmp_path.glob("*.parquet"))
    assert rebuilt == sorted(p.name for p in STORE.glob("*.parquet"))
    for name in rebuilt:
        assert (tmp_path / name).read_bytes() == (STORE / name).read_bytes(), name


@pytest.mark.slow
def test_trend_notebook_reports_the_planted_step(tmp_path: Path) -> None:
    bid, commit, _ = _planted()
    params = report.load_params_file(ROOT / "params" / "trend.yaml")
    result = report.run_report("trend", parameters=params, output_dir=tmp_path)
    summary = json.loads(result.json.read_text())
    assert summary["report"] == "trend"
    assert summary["schema_version"] == 2
    assert {(c["id"], c["commit"]) for c in summary["change_points"]} >= {(bid, commit)}
    assert summary["latest_vs_previous"]["comparison"]["benchmarks"]
    assert commit[:12] in result.markdown.read_text()
    assert result.html.stat().st_size > 0
