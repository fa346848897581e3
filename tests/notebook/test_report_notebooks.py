"""The stored notebooks: shape, parameters, and papermill runs with every params file.

Each params file runs its notebook through the real pipeline (papermill in a fresh
kernel, both exports) into tmp_path; the assertions read the JSON the notebook wrote.
`test_nbval_runs_the_stored_notebooks` runs `pytest --nbval-lax notebooks/` (the
documented command) in a subprocess, so the stored notebooks run top to bottom from
notebooks/ with their defaults.
"""

from __future__ import annotations

import ast
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.support.paths import REPO
from vmbench.pipeline import execute as report

ROOT = REPO
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PARAMS = sorted(p for p in (ROOT / "params").glob("*.yaml") if report.notebook_for_params(p))
BUNDLED = ROOT / "examples" / "data" / "criterion"
PLANTED = ROOT / "examples" / "data" / "PLANTED.json"
HISTORY = ROOT / "examples" / "data" / "history"
FLAGGED = ("high", "medium", "improvement")
# Names that mean a cell computes statistics itself instead of calling vmbench.
STATISTICS = re.compile(
    r"\b(scipy|mannwhitneyu|bootstrap|np\.|numpy|statistics|\.mean\(|\.std\(|\.median\(|"
    r"quantile|percentile|polyfit|lstsq|log\()"
)


def _code_cells(path: Path) -> list[Any]:
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    for cell in _code_cells(path):
        assert cell.outputs == []
        assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_define_nothing_and_compute_no_statistics(path: Path) -> None:
    for cell in _code_cells(path):
        tree = ast.parse(cell.source)
        defined = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert defined == [], f"{path.name}: a cell defines {defined}; put it in vmbench"
        assert not STATISTICS.search(cell.source), f"{path.name}: statistics in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_documents_each_parameter(path: Path) -> None:
    tagged = [c for c in _code_cells(path) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [line for line in tagged[0].source.splitlines() if line.strip()]
    pattern = re.compile(r"^\w+: [\w\[\]]+ = .+  # \S.*$")  # typed default, then a comment
    for line in lines:
        assert pattern.match(line), f"{path.name}: parameter line {line!r}"
        # Longer lines get split by `ruff format` (line-length 100): one assignment a line.
        assert len(line) <= 100, f"{path.name}: parameter line longer than 100: {line!r}"
    params = report.notebook_parameters(path)
    assert len(params) == len(lines)
    for name, info in params.items():
        assert info["inferred_type_name"] != "None", name
        assert info["help"], name


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_every_params_key_is_a_parameter_of_its_notebook(path: Path) -> None:
    notebook = report.notebook_for_params(path)
    assert notebook is not None
    if not (ROOT / "notebooks" / f"{notebook}.ipynb").is_file():
        pytest.skip(f"notebooks/{notebook}.ipynb is not there yet")
    keys = set(report.load_params_file(path))
    declared = set(report.notebook_parameters(notebook))
    assert keys <= declared, f"{path.name}: {sorted(keys - declared)} are not parameters"


def test_fixed_parameter_names_exist() -> None:
    regression = set(report.notebook_parameters("regression"))
    category = set(report.notebook_parameters("category"))
    fixed = {"criterion_dir", "baseline", "candidate", "alpha", "regression", "high"}
    assert fixed | {"improvement", "output_json"} <= regression
    assert {"criterion_dir", "baseline", "candidate", "category", "output_json"} <= category


# --- papermill runs on the bundled data ------------------------------------------------


def _planted() -> dict[str, float]:
    if not PLANTED.is_file():
        pytest.skip(f"{PLANTED} not there yet (bundled example data)")
    data: dict[str, dict[str, float]] = json.loads(PLANTED.read_text())
    return data["pr"]


def _check_regression(summary: dict[str, Any], params: dict[str, Any]) -> None:
    by_id = {b["id"]: b for b in summary["benchmarks"]}
    planted = _planted() if params.get("candidate", "pr") == "pr" else {}
    for bid, factor in planted.items():
        # By design, not fitted to this data: a planted change is never called stable and
        # its run-level change leans its way.
        got = by_id[bid]
        assert got["severity"] not in ("stable", "insufficient"), (bid, got)
        assert got["run_level"] is not None, (bid, got)
        assert (got["run_level"]["change"] > 0) == (factor > 1), (bid, got)
    for bid, b in by_id.items():
        if b["severity"] in FLAGGED and bid not in planted:
            # Anything else flagged carries the measured run-to-run noise in its note.
            assert "run-to-run noise" in b["note"], (bid, b["note"])
    assert summary["insights"]
    assert summary["recommendations"]
    assert summary["counts"] == {
        s: sum(1 for b in by_id.values() if b["severity"] == s) for s in summary["counts"]
    }


def _check_category(summary: dict[str, Any], params: dict[str, Any]) -> None:
    assert summary["category"] == params["category"]
    assert summary["benchmarks"]
    fits = summary["slope_fits"]
    assert {f["id"] for f in fits} == set(summary["benchmarks"])
    assert all(math.isfinite(f["slope_ns"]) and f["slope_ns"] > 0 for f in fits)
    geo = summary["geomean_change"]
    assert geo["low"] <= geo["change"] <= geo["high"]
    if params["category"] == "memory":
        assert summary["scaling"], "memory has parameterized allocation benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_params_file_runs_its_notebook(path: Path, tmp_path: Path) -> None:
    notebook = report.notebook_for_params(path)
    assert notebook is not None
    if not (ROOT / "notebooks" / f"{notebook}.ipynb").is_file():
        pytest.skip(f"notebooks/{notebook}.ipynb is not there yet")
    data = HISTORY if notebook == "trend" else BUNDLED
    if not data.is_dir():
        pytest.skip(f"{data} not there yet (bundled example data)")
    params = report.load_params_file(path)
    result = report.run_report(notebook, parameters=params, output_dir=tmp_path)
    assert all(f.is_file() and f.stat().st_size > 0 for f in result.files)
    executed = nbformat.read(result.notebook, as_version=4)
    stderr = [
        o.text
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("name") == "stderr"
    ]
    assert stderr == [], "a cell wrote warnings or errors"
    summary = json.loads(result.json.read_text())
    if notebook == "regression":
        _check_regression(summary, params)
    elif notebook == "category":
        _check_category(summary, params)


@pytest.mark.slow
def test_nbval_runs_the_stored_notebooks() -> None:
    if not BUNDLED.is_dir():
        pytest.skip(f"{BUNDLED} not there yet (bundled example data)")
    # The documented command, `pytest --nbval-lax notebooks/`, with the project's pytest
    # configuration; the trend notebook only once its default history exists.
    targets = (
        ["notebooks/"]
        if HISTORY.is_dir()
        else ["notebooks/regression.ipynb", "notebooks/category.ipynb"]
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    cells = sum(len(_code_cells(ROOT / t)) for t in targets if t.endswith(".ipynb"))
    assert re.search(r"(\d+) passed", result.stdout)
    if cells:
        assert f"{cells} passed" in result.stdout
