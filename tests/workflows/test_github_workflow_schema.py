"""Every GitHub workflow, the repository's and the ones `vmbench init` writes, passes
GitHub's workflow schema (check-jsonschema, offline) and zizmor's security audit
(offline) with no finding of medium severity or above.

Also pins the security rules the audit does not enforce on its own: every action is
pinned by a full commit SHA with a version comment, every job has its own minimal
`permissions:`, every checkout drops its credentials, no `${{ }}` expression appears in
a `run:` script, and no `pull_request_target`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO
from vmbench.pipeline.init import init_repository

ROOT = REPO
REPO_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
# The only audit finding we silence, with the reason written next to it in the workflow.
ALLOWED_IGNORES = {("benchmark-comment.yml", "dangerous-triggers")}


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.skip(f"{name} is not installed (pip install {name}); it is in the dev extra")
    return found


@pytest.fixture(scope="module")
def init_workflows(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    repo = tmp_path_factory.mktemp("rust-repo")
    (repo / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    init_repository(repo, pip_spec="vmbench==0.1.0")
    return sorted((repo / ".github" / "workflows").glob("*.yml"))


def _all(init_workflows: list[Path]) -> list[Path]:
    return [*REPO_WORKFLOWS, *init_workflows]


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_expected_workflows_exist() -> None:
    names = {p.name for p in REPO_WORKFLOWS}
    assert {"benchmark.yml", "ci.yml", "benchmark-comment.yml"} <= names


def test_schema(init_workflows: list[Path]) -> None:
    tool = _tool("check-jsonschema")
    files = [str(p) for p in _all(init_workflows)]
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    tool = _tool("check-jsonschema")
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github/workflows/benchmark.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", 1))
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0


def _zizmor(paths: list[Path]) -> list[dict[str, Any]]:
    tool = _tool("zizmor")
    done = subprocess.run(
        [tool, "--offline", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    # zizmor exits non-zero when it reports findings; the JSON is on stdout either way.
    assert done.stdout.strip(), done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def test_zizmor_reports_nothing_of_medium_severity_or_above(init_workflows: list[Path]) -> None:
    findings = _zizmor(_all(init_workflows))
    serious = [
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
        for f in findings
        if f["determinations"]["severity"].lower() in ("medium", "high")
    ]
    assert serious == []


def test_zizmor_would_catch_an_injection(tmp_path: Path) -> None:
    # The audit is live: the same workflow with a PR title expanded inside a script fails.
    bad = tmp_path / "bad.yml"
    text = (ROOT / ".github/workflows/benchmark.yml").read_text(encoding="utf-8")
    bad.write_text(
        text.replace(
            'echo "no regression at or above',
            'echo "${{ github.event.pull_request.title }}"\n'
            '          echo "no regression at or above',
        )
    )
    idents = {f["ident"] for f in _zizmor([bad])}
    assert "template-injection" in idents


def test_only_the_documented_audit_finding_is_silenced(init_workflows: list[Path]) -> None:
    ignores = set()
    for path in _all(init_workflows):
        for match in re.finditer(r"zizmor:\s*ignore\[([^\]]+)\]", path.read_text("utf-8")):
            ignores |= {(path.name, rule.strip()) for rule in match.group(1).split(",")}
    assert ignores <= ALLOWED_IGNORES


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (job_name, step)
        for job_name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
    ]


@pytest.mark.parametrize("path", REPO_WORKFLOWS, ids=lambda p: p.name)
def test_security_rules(path: Path) -> None:
    workflow = _load(path)
    triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    assert "pull_request_target" not in triggers
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.search(r"uses:\s*([^\s#]+)(.*)", line)
        if match is None or match.group(1).startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), line
        assert re.search(r"#\s*\S+", match.group(2)), f"no version comment: {line}"
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {job_name} has no permissions block"
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        assert writes <= {"pull-requests", "contents"}, (job_name, writes)
    for job_name, step in _steps(workflow):
        if "actions/checkout@" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False, (job_name, step)
        assert "${{" not in step.get("run", ""), (job_name, step.get("name"))


def test_only_commenting_and_history_jobs_may_write() -> None:
    jobs = _load(ROOT / ".github/workflows/benchmark.yml")["jobs"]
    assert jobs["benchmark"]["permissions"] == {"contents": "read"}
    assert jobs["compare"]["permissions"] == {
        "actions": "read",
        "contents": "read",
        "pull-requests": "write",
    }
    assert jobs["notify"]["permissions"] == {"contents": "write"}
    assert _load(ROOT / ".github/workflows/ci.yml")["jobs"]["test"]["permissions"] == {
        "contents": "read"
    }


def test_benchmark_triggers_and_job_order() -> None:
    workflow = _load(ROOT / ".github/workflows/benchmark.yml")
    on = workflow[True]
    assert on["push"]["branches"] == ["main", "master"]
    assert on["pull_request"]["branches"] == ["main", "master"]
    assert on["schedule"] == [{"cron": "0 2 * * *"}]
    assert "filter" in on["workflow_dispatch"]["inputs"]
    jobs = workflow["jobs"]
    assert list(jobs) == ["benchmark", "compare", "notify"]
    assert jobs["compare"]["needs"] == "benchmark"
    assert jobs["compare"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["notify"]["needs"] == "benchmark"
    assert "github.event_name != 'pull_request'" in jobs["notify"]["if"]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1]
    block = quick.split("```", 2)[1]
    test_command = next(
        line.split("#")[0].strip() for line in block.splitlines() if "test" in line.split("#")[0]
    )
    runs = [step.get("run", "") for _, step in _steps(_load(ROOT / ".github/workflows/ci.yml"))]
    assert test_command in runs


def _by_id_or_name(job: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (step.get("id") or step.get("name", ""), step["run"])
        for step in job["steps"]
        if "run" in step
    ]


def test_init_template_matches_the_repository_workflow(init_workflows: list[Path]) -> None:
    # The template and this repository's workflow must not drift apart: the compare and
    # notify jobs run the same scripts (only the install of vmbench differs) and the
    # benchmark job the same benchmark steps.
    mine = _load(ROOT / ".github/workflows/benchmark.yml")["jobs"]
    theirs = _load(next(p for p in init_workflows if p.name == "benchmark.yml"))["jobs"]
    for job in ("compare", "notify"):
        ours = [s for s in _by_id_or_name(mine[job]) if s[0] != "install"]
        assert ours == [s for s in _by_id_or_name(theirs[job]) if s[0] != "install"]
    bench_steps = ("bench-base", "bench")
    assert [s for s in _by_id_or_name(mine["benchmark"]) if s[0] in bench_steps] == [
        s for s in _by_id_or_name(theirs["benchmark"]) if s[0] in bench_steps
    ]
    assert "container" not in theirs["benchmark"]
    assert theirs["benchmark"]["env"]["VMBENCH_WORKSPACE"] == "."
    comment = ROOT / ".github/workflows/benchmark-comment.yml"
    written = next(p for p in init_workflows if p.name == "benchmark-comment.yml")
    assert comment.read_text(encoding="utf-8") == written.read_text(encoding="utf-8")
