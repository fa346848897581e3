"""The wheel carries what `vmbench report` and `vmbench init` need outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_wheel_ships_notebooks_params_and_templates(repo_root: Path, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), "."],
        cwd=repo_root,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("vmbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in sorted((repo_root / "notebooks").glob("*.ipynb")):
        assert f"vmbench/_notebooks/{notebook.name}" in names
    for params in sorted((repo_root / "params").glob("*.yaml")):
        assert f"vmbench/_params/{params.name}" in names
    assert "vmbench/templates/report.html.j2" in names
    assert "vmbench/templates/init/benchmark.yml" in names
    assert "vmbench/py.typed" in names
    # every module of every stage folder, and no test support
    for module in sorted((repo_root / "vmbench").rglob("*.py")):
        assert module.relative_to(repo_root).as_posix() in names
    assert not [n for n in names if n.startswith("tests/") or "synthetic" in n]
