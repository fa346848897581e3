"""Parameters and data reach the kernel as data, and the kernel is reachable only locally.

- papermill injects parameters as Python literals (repr), so a value that looks like code
  (`"; import os; os.system(...) #`) must arrive as that exact string and run nothing;
- an unknown parameter name (which papermill would inject as an assignment) is refused;
- the kernel vmbench starts listens on IPC sockets (or loopback) only, and nothing it
  prints warns about unencrypted traffic (H5's tests/pipeline/test_execute.py checks the transport
  of the standard pipeline; here the same through the echo notebook and the CLI);
- no module of vmbench and no notebook cell calls eval/exec, a shell, or an unsafe loader,
  so benchmark names and data can never be run.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO, TEST_DATA
from vmbench.errors import UsageError

ECHO = TEST_DATA / "security" / "echo.ipynb"


def payloads(marker: Path) -> list[str]:
    """Strings that would run code if a parameter were pasted into source unquoted."""
    touch = f"open({str(marker)!r}, 'w').write('pwned')"
    return [
        f"\"; import os; os.system('touch {marker}') #",
        f"'; {touch} #",
        f'"""\n{touch}\n"""',
        f"'''\n{touch}\n'''",
        f"x\n{touch}",
        f'\\"); {touch} #',
        f"{{{touch}}}",
        f"$(touch {marker})`touch {marker}`",
    ]


@pytest.mark.slow
def test_parameters_arrive_as_data(tmp_path: Path) -> None:
    from vmbench.pipeline.execute import run_report

    marker = tmp_path / "pwned"
    values = payloads(marker)
    for index, value in enumerate(values):
        out = tmp_path / f"run{index}"
        result = run_report(
            ECHO, parameters={"value": value, "items": [value, {"k": value}]}, output_dir=out
        )
        record = json.loads(result.json.read_text())
        assert record["value"] == value
        assert record["value_type"] == "str"
        assert record["items"] == [value, {"k": value}]
        assert not marker.exists(), f"parameter {value!r} ran as code"
        if index == 0:
            connection = record["connection"]
            assert connection["transport"] == "ipc" or connection["ip"] == "127.0.0.1"
            for text in (result.html.read_text(), result.markdown.read_text()):
                assert "unencrypted" not in text.lower()


def test_unknown_parameter_names_are_refused_before_the_kernel() -> None:
    from vmbench.pipeline.execute import check_parameters

    with pytest.raises(UsageError, match="no parameter"):
        check_parameters(ECHO, {"value = 1; import os; os.system('true')  #": "x"})


@pytest.mark.slow
def test_cli_value_that_looks_like_code_is_data(tmp_path: Path) -> None:
    """Through `vmbench report` as a user runs it: the value names a baseline, nothing runs."""
    marker = tmp_path / "pwned"
    payload = payloads(marker)[0]
    args = ["report", "regression", "-p", "baseline", payload, "-p", "noise_runs", "[]"]
    proc = subprocess.run(
        [sys.executable, "-m", "vmbench", *args, "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert not marker.exists()
    assert proc.returncode == 1, out  # the notebook fails on an unknown baseline: one line
    assert "Traceback" not in out
    assert "unencrypted" not in out.lower()
    assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr


# --- nothing from data is ever executed ---------------------------------------------------

_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
_FORBIDDEN_ATTRS = {
    ("os", "system"),
    ("os", "popen"),
    ("os", "execv"),
    ("os", "execvp"),
    ("os", "spawnv"),
    ("pickle", "load"),
    ("pickle", "loads"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("marshal", "loads"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
}


def dangerous_calls(source: str) -> list[str]:
    """Calls in `source` that run code or a shell (AST, so comments and strings don't count)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in _FORBIDDEN_CALLS:
            found.append(f"{func.id}() at line {node.lineno}")
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in _FORBIDDEN_ATTRS
        ):
            found.append(f"{func.value.id}.{func.attr}() at line {node.lineno}")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"shell=... at line {node.lineno}")
    return found


def test_the_checker_finds_what_it_must() -> None:
    bad = "import os, yaml\neval(x)\nos.system(c)\nsubprocess.run(c, shell=True)\nyaml.load(t)\n"
    assert len(dangerous_calls(bad)) == 4
    assert dangerous_calls("x = 'eval(1)'  # os.system\nyaml.safe_load(t)\n") == []


def python_sources() -> list[Path]:
    return sorted((REPO / "vmbench").rglob("*.py"))


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_library_never_evaluates_or_shells(path: Path) -> None:
    assert dangerous_calls(path.read_text(encoding="utf-8")) == []


def test_notebook_cells_never_evaluate_or_shell() -> None:
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            assert not source.lstrip().startswith(("!", "%")), f"{path.name}: shell/magic cell"
            assert dangerous_calls(source) == [], f"{path.name}: {source[:80]}"
