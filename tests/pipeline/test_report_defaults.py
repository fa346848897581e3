"""Defaults that only fit the bundled example data stay with it.

params/*.yaml describe examples/data (their run names `main`, `pr`, `aa1`..`aa3` exist
only there) and the notebooks' parameters cells are neutral, so a report pointed at a
user's own Criterion directory does not look for the example's identical-code runs; a
noise run the user names and the data lacks is still an error.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES, REPO
from vmbench.pipeline import execute as report

ROOT = REPO
BUNDLED = EXAMPLES / "criterion"
EXAMPLE_NOISE = ["aa1", "aa2", "aa3"]


@pytest.fixture(scope="module")
def user_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's Criterion directory: the example's `main` and `pr` runs, no A/A runs."""
    if not BUNDLED.is_dir():
        pytest.skip(f"{BUNDLED} not there (bundled example data)")
    target = tmp_path_factory.mktemp("user") / "criterion"
    shutil.copytree(BUNDLED, target, ignore=shutil.ignore_patterns("aa1", "aa2", "aa3"))
    assert not list(target.rglob("aa1"))
    return target


def _default(notebook: str, name: str) -> object:
    return ast.literal_eval(report.notebook_parameters(notebook)[name]["default"])


def test_parameters_cell_names_no_example_noise_runs() -> None:
    assert _default("regression", "noise_runs") == []
    # ...while the bundled params file still gives the example report its noise model.
    bundled = report.load_params_file(report.params_dir() / "regression.yaml")
    assert bundled["noise_runs"] == EXAMPLE_NOISE


def test_a_report_of_other_data_leaves_the_example_run_names_out(user_tree: Path) -> None:
    given = {"criterion_dir": str(user_tree), "baseline": "main", "candidate": "pr"}
    (spec,) = report.report_specs("regression", given, params_file=None, base=ROOT)
    assert "noise_runs" not in spec.parameters
    assert spec.parameters["criterion_dir"] == str(user_tree)
    assert (spec.parameters["baseline"], spec.parameters["candidate"]) == ("main", "pr")
    assert spec.parameters["alpha"] == 0.05  # settings of the bundled file still apply


def test_the_bundled_data_keeps_its_noise_runs_however_it_is_named(tmp_path: Path) -> None:
    (spec,) = report.report_specs("regression", {}, params_file=None, base=tmp_path)
    assert spec.parameters["noise_runs"] == EXAMPLE_NOISE
    relative = {"criterion_dir": "examples/data/criterion"}
    (spec,) = report.report_specs("regression", relative, params_file=None, base=ROOT)
    assert spec.parameters["noise_runs"] == EXAMPLE_NOISE


def test_noise_runs_the_user_names_are_kept(user_tree: Path) -> None:
    given = {"criterion_dir": str(user_tree), "noise_runs": ["x1", "x2"]}
    (spec,) = report.report_specs("regression", given, params_file=None, base=ROOT)
    assert spec.parameters["noise_runs"] == ["x1", "x2"]


def test_a_users_params_file_is_used_as_written(user_tree: Path, tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(f"criterion_dir: {user_tree}\nbaseline: base\ncandidate: new\n")
    (spec,) = report.report_specs("regression", {}, params_file=own, base=tmp_path)
    assert dict(spec.parameters) == {
        "criterion_dir": str(user_tree),
        "baseline": "base",
        "candidate": "new",
    }


def test_the_full_set_on_other_data_keeps_categories_but_not_example_runs(
    user_tree: Path,
) -> None:
    given = {"criterion_dir": str(user_tree)}
    specs = report.report_specs("all", given, params_file=None, base=ROOT)
    by_name = {s.name: s.parameters for s in specs}
    assert "noise_runs" not in by_name["regression"]
    assert by_name["category-gc"]["category"] == "gc"
    assert "baseline" not in by_name["category-gc"]
    assert by_name["category-gc"]["criterion_dir"] == str(user_tree)


def _vmbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmbench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_report_on_a_users_directory_without_the_example_noise_runs(
    user_tree: Path, tmp_path: Path
) -> None:
    # The command, run for real (papermill, fresh kernel, export).
    args = ["report", "regression", "-p", "criterion_dir", str(user_tree)]
    args += ["-p", "baseline", "main", "-p", "candidate", "pr", "--output-dir", "out"]
    proc = _vmbench(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "regression.json").read_text())
    assert summary["noise_runs"] == []
    assert len(summary["benchmarks"]) == 21


@pytest.mark.slow
def test_a_missing_noise_run_the_user_names_is_still_an_error(
    user_tree: Path, tmp_path: Path
) -> None:
    args = ["report", "regression", "-p", "criterion_dir", str(user_tree)]
    args += ["-p", "noise_runs", "[aa1, aa2]", "--output-dir", "out"]
    proc = _vmbench(*args, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith("vmbench: error: notebook regression")
    assert "aa1" in error
