"""The trend notebook through the report pipeline on a synthetic history with a planted step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.history import Plan, build_history
from tests.support.paths import REPO
from vmbench.pipeline import execute as report

ROOT = REPO


@pytest.mark.slow
def test_trend_notebook_writes_the_planted_step_to_its_json(tmp_path: Path) -> None:
    store = tmp_path / "history"
    build_history(store, Plan(runs=20, benchmarks=5, samples=20, steps={2: ((12, 1.4),)}))
    params = report.load_params_file(ROOT / "params" / "trend.yaml")
    params["history_dir"] = str(store)
    params["window_days"] = 10.0
    result = report.run_report("trend", parameters=params, output_dir=tmp_path / "out")
    summary = json.loads(result.json.read_text())
    assert summary["report"] == "trend"
    assert summary["runs"] == 20
    planted = ("memory/bench_0002", "c0012" + "0" * 35)
    assert planted in {(c["id"], c["commit"]) for c in summary["change_points"]}
    latest = summary["latest_vs_previous"]
    assert latest["noise_runs"] == 18
    assert len(latest["comparison"]["benchmarks"]) == 5
    markdown = result.markdown.read_text()
    assert "c00120000000" in markdown  # the change-point table names the commit
    assert "Plot in the HTML report" in markdown
    assert "data:image/png;base64," in result.html.read_text()
