"""The report pipeline: parameters, papermill in a fresh IPC kernel, HTML and markdown export."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError, UsageError
from vmbench.pipeline import execute as report
from vmbench.pipeline.export import export_html, export_markdown, external_references

DATA = TEST_DATA / "report"
HOSTILE_DIR = DATA / "hostile-criterion"
HOSTILE = "<script>alert(1)</script>"


def vmbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmbench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- parameters ------------------------------------------------------------------------


def test_relative_path_parameters_are_taken_from_the_working_directory(tmp_path: Path) -> None:
    given = {"criterion_dir": "target/criterion", "baseline": "main", "history_dir": "/abs/h"}
    out = report.resolve_paths(given, tmp_path)
    assert out["criterion_dir"] == str(tmp_path / "target" / "criterion")
    assert out["history_dir"] == "/abs/h"
    assert out["baseline"] == "main"  # a run name is not a path


@pytest.mark.parametrize(
    ("category", "name"),
    [("gc", "category-gc"), ("../../etc/x", "category-etc-x"), ("", "category-unnamed")],
)
def test_report_names_never_leave_the_output_directory(category: str, name: str) -> None:
    assert report.report_name("category", {"category": category}) == name


def test_params_file_must_be_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- b\n")
    with pytest.raises(InputError, match=r"bad\.yaml: a parameters file must map"):
        report.load_params_file(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1\n")
    with pytest.raises(InputError, match="invalid YAML"):
        report.load_params_file(broken)


def test_unknown_parameter_is_refused_before_any_kernel_starts() -> None:
    with pytest.raises(UsageError, match="no parameter nosuch"):
        report.check_parameters("regression", {"nosuch": 1})


def test_standard_set_has_one_category_report_per_params_file(tmp_path: Path) -> None:
    if not (report.notebooks_dir() / "trend.ipynb").is_file():
        pytest.skip("the trend notebook is not there yet")
    specs = report.standard_reports({"alpha": 0.01}, base=tmp_path)
    names = [s.name for s in specs]
    categories = sorted(p.stem for p in report.params_dir().glob("category-*.yaml"))
    assert names == ["regression", "trend", *categories]
    regression = specs[0]
    assert regression.parameters["alpha"] == 0.01
    assert "alpha" not in next(s for s in specs if s.notebook == "trend").parameters or (
        "alpha" in report.notebook_parameters("trend")
    )
    with pytest.raises(UsageError, match="no notebook has a parameter bogus"):
        report.standard_reports({"bogus": 1}, base=tmp_path)


# --- export (no kernel: a notebook with outputs built in memory) ------------------------


def _executed_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells.append(new_markdown_cell("# Title"))
    cell = new_code_cell("figure()")
    cell.outputs = [
        new_output(
            "display_data",
            data={
                "text/html": "<p>rich</p>",
                "text/markdown": "_plain text for a comment_",
                "image/png": "iVBORw0KGgo=",
            },
        ),
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="printed\n"),
    ]
    nb.cells.append(cell)
    return nb


def test_markdown_export_keeps_text_and_drops_images_and_code() -> None:
    md = export_markdown(_executed_notebook())
    assert "# Title" in md
    assert "_plain text for a comment_" in md
    assert "printed" in md
    assert "figure()" not in md  # code hidden
    assert "![" not in md
    assert "data:image" not in md
    assert "<p>rich</p>" not in md


def test_html_export_is_self_contained_and_hides_code() -> None:
    html = export_html(_executed_notebook(), title="t")
    assert "<p>rich</p>" in html
    assert "figure()" not in html
    assert external_references(html) == []
    # The stock lab template would load these from a CDN.
    assert "require.js" not in html
    assert "MathJax.js" not in html
    assert "mermaid" not in html.lower()


def test_external_reference_detector_finds_what_a_browser_would_fetch() -> None:
    page = (
        '<script src="https://cdn.example/x.js"></script><link href="//cdn/x.css">'
        '<img src="data:image/png;base64,AA"><a href="https://example.org">text link</a>'
        "<style>@import url('https://fonts.example/f.css'); b{background:url(//x/y.png)}</style>"
    )
    found = external_references(page)
    assert len(found) == 4  # script, protocol-relative link, two CSS urls; not data: or <a>


# --- end to end (real kernel) ------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`vmbench report regression` on a tree with a `<script>` benchmark, from a user cwd."""
    work = tmp_path_factory.mktemp("user")
    out = work / "outputs"
    result = vmbench(
        "report", "regression",
        "-p", "criterion_dir", str(HOSTILE_DIR),
        "-p", "noise_runs", "[]",
        "--output-dir", "outputs",
        "--output", "benchmark-report.md",
        cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "regression done in" in result.stderr  # progress line with elapsed time
    assert str(out / "regression.html") in result.stdout  # where to open it
    return work, out


@pytest.mark.slow
def test_report_writes_the_four_files_and_the_copy(hostile_report: tuple[Path, Path]) -> None:
    work, out = hostile_report
    assert sorted(p.name for p in out.iterdir()) == [
        "regression.html",
        "regression.ipynb",
        "regression.json",
        "regression.md",
    ]
    assert (work / "benchmark-report.md").read_text() == (out / "regression.md").read_text()
    nb = nbformat.read(out / "regression.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters["criterion_dir"] == str(HOSTILE_DIR)
    summary = json.loads((out / "regression.json").read_text())
    severities = {b["id"]: b["severity"] for b in summary["benchmarks"]}
    # Five benchmarks, one run a side, no noise model: no run-level test is possible, so the
    # planted +50 % and +14 % are suspected regressions to confirm, never a pass.
    assert severities[HOSTILE] == "insufficient"
    assert {HOSTILE, "memory/alloc/16384"} <= set(summary["suspects"])
    assert summary["gate"]["medium"] == 3
    assert any("unknown" in line for line in summary["insights"])  # one run a side, no noise


@pytest.mark.slow
def test_markdown_report_has_no_images_and_escapes_names(
    hostile_report: tuple[Path, Path],
) -> None:
    md = (hostile_report[1] / "regression.md").read_text()
    assert "![" not in md
    assert "<img" not in md
    assert "data:image" not in md
    assert HOSTILE not in md
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in md or "&lt;script&gt;" in md
    assert "@user" not in md  # no mention: a zero-width space follows the @
    for line in md.splitlines():
        if line.startswith("| gc/"):
            assert line.count(" | ") + 2 == line.count("|") - line.count("\\|")


@pytest.mark.slow
def test_html_report_is_self_contained_and_escapes_names(
    hostile_report: tuple[Path, Path],
) -> None:
    html = (hostile_report[1] / "regression.html").read_text()
    assert external_references(html) == []
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "data:image/png;base64," in html  # plots embedded
    assert "vr.regression_data(" not in html  # code cells hidden
    assert "from vmbench import" not in html
    for text in ("unencrypted", "Traceback", "UserWarning", "DeprecationWarning", "RuntimeWarning"):
        assert text not in html
    nb = nbformat.read(hostile_report[1] / "regression.ipynb", as_version=4)
    streams = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "name" in o]
    assert [o for o in streams if o.name == "stderr"] == []  # no warning from any cell


@pytest.mark.slow
def test_kernel_listens_on_ipc_only(tmp_path: Path) -> None:
    result = report.run_report(DATA / "kernel.ipynb", parameters={}, output_dir=tmp_path)
    info = json.loads(result.json.read_text())
    assert info["transport"] == "ipc"
    assert not info["ip"].startswith(("0.0.0.0", "127.", "localhost"))
    assert not Path(info["ip"]).parent.exists()  # the private socket directory is gone


@pytest.mark.slow
def test_failing_notebook_names_the_cell_and_keeps_the_partial_notebook(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    (out).mkdir()
    (out / "regression.html").write_text("stale report of an earlier run")
    result = vmbench(
        "report", "regression", "-p", "criterion_dir", "missing-dir", "--output-dir", "outputs",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    error = lines[-1]
    assert error.startswith("vmbench: error: notebook regression, cell ")
    assert "missing-dir" in error
    assert "partial notebook kept at" in error
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["regression.ipynb"]
    nb = nbformat.read(out / "regression.ipynb", as_version=4)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors
    assert errors[0].ename == "InputError"


@pytest.mark.slow
def test_failure_in_a_later_cell_reports_that_cell(tmp_path: Path) -> None:
    with pytest.raises(report.NotebookError) as info:
        report.run_report(DATA / "failing.ipynb", parameters={}, output_dir=tmp_path)
    source = nbformat.read(DATA / "failing.ipynb", as_version=4)
    assert info.value.cell == 3
    assert source.cells[3].source == 'raise ValueError("planted failure")'
    assert 'cell 3 (raise ValueError("planted failure")): ValueError: planted failure' in str(
        info.value
    )
    assert not (tmp_path / "failing.json").exists()  # written before the failure, removed


def test_unknown_parameter_exits_2_without_running(tmp_path: Path) -> None:
    result = vmbench("report", "regression", "-p", "nosuch", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("vmbench: error: notebook regression has no parameter nosuch")
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_a_failing_notebook_does_not_stop_the_others(tmp_path: Path) -> None:
    lines: list[str] = []
    specs = [
        report.ReportSpec(str(DATA / "failing.ipynb"), "failing"),
        report.ReportSpec(str(DATA / "hostile.ipynb"), "hostile"),
    ]
    outcome = report.run_all(specs, output_dir=tmp_path, progress=lines.append)
    assert [r.name for r in outcome.reports] == ["hostile"]
    assert [f.name for f in outcome.failures] == ["failing"]
    assert lines[0] == "[1/2] failing ..."
    assert re.fullmatch(r"\[1/2\] failing FAILED after \d+\.\d s", lines[1])
    assert re.fullmatch(r"\[2/2\] hostile done in \d+\.\d s", lines[3])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "failing.ipynb",
        "hostile.html",
        "hostile.ipynb",
        "hostile.json",
        "hostile.md",
    ]
