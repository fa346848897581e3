"""One source for thresholds: the notebooks' parameters cells and params/*.yaml give the
same values as `vmbench.settings` (so `vmbench detect` and a notebook cannot disagree)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO
from vmbench.settings import DEFAULTS, STEP_DEFAULTS

# notebook parameter -> the settings value it must default to
SOURCES: dict[str, dict[str, Any]] = {
    "regression": {
        "alpha": DEFAULTS.alpha,
        "regression": DEFAULTS.regression,
        "high": DEFAULTS.high,
        "improvement": DEFAULTS.improvement,
    },
    "trend": {
        "alpha": DEFAULTS.alpha,  # latest vs previous (the comparison)
        "step_alpha": STEP_DEFAULTS.alpha,  # change points, per series
        "fdr": STEP_DEFAULTS.fdr,  # change points, across benchmarks
        "min_change": STEP_DEFAULTS.min_change,
        "regression": DEFAULTS.regression,
        "high": DEFAULTS.high,
        "improvement": DEFAULTS.improvement,
    },
}


def _parameters_cell(notebook: Path) -> dict[str, Any]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    out: dict[str, Any] = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            assert isinstance(target, ast.Name)
            out[target.id] = ast.literal_eval(node.value)
    return out


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_parameters_cell_defaults_are_the_settings_defaults(name: str) -> None:
    cell = _parameters_cell(REPO / "notebooks" / f"{name}.ipynb")
    for key, value in SOURCES[name].items():
        assert cell[key] == value, f"{name}.ipynb: {key} = {cell[key]!r}, settings say {value!r}"


@pytest.mark.parametrize("path", sorted((REPO / "params").glob("*.yaml")), ids=lambda p: p.name)
def test_params_files_agree_with_the_settings(path: Path) -> None:
    notebook = next((n for n in SOURCES if path.stem.startswith(n)), None)
    if notebook is None:
        return  # category parameter sets carry no thresholds
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key, value in SOURCES[notebook].items():
        if key in values:
            assert values[key] == value, f"{path.name}: {key} = {values[key]!r}, not {value!r}"


def test_the_check_reads_the_cells() -> None:
    cell = _parameters_cell(REPO / "notebooks" / "regression.ipynb")
    assert {"alpha", "regression", "high", "improvement", "criterion_dir"} <= set(cell)
