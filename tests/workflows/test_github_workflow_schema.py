"""Every GitHub workflow and composite action, the repository's and the ones `vmbench init`
writes (plain and `--eject`, for a `cargo new --lib` crate with a Criterion bench), passes
GitHub's schemas (check-jsonschema, offline: vendor.github-workflows for workflows,
vendor.github-actions for action.yml) and zizmor's security audit (offline) with no
finding of medium severity or above, and installs vmbench by path, never by index name.

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
REPO_ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
SHA = "0123456789abcdef0123456789abcdef01234567"
BIN = Path(sys.executable).parent
# The only audit finding we silence, with the reason written next to it in the workflow.
ALLOWED_IGNORES = {("benchmark-comment.yml", "dangerous-triggers")}


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.skip(f"{name} is not installed (pip install {name}); it is in the dev extra")
    return found


def plain_crate(root: Path) -> Path:
    """What `cargo new --lib` writes (lib left at bench = true), plus a Criterion bench."""
    crate = root / "plain"
    (crate / "src").mkdir(parents=True)
    (crate / "benches").mkdir()
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n\n'
        '[dev-dependencies]\ncriterion = "0.3"\n\n[[bench]]\nname = "speed"\nharness = false\n'
    )
    (crate / "src" / "lib.rs").write_text("pub fn add(a: u64, b: u64) -> u64 { a + b }\n")
    (crate / "benches" / "speed.rs").write_text(
        "use criterion::{criterion_group, criterion_main, Criterion};\n"
        'fn b(c: &mut Criterion) { c.bench_function("add", |b| b.iter(|| plain::add(1, 2))); }\n'
        "criterion_group!(g, b);\ncriterion_main!(g);\n"
    )
    return crate


@pytest.fixture(scope="module")
def init_workflows(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    written = []
    for eject in (False, True):
        crate = plain_crate(tmp_path_factory.mktemp("rust-repo"))
        init_repository(crate, ref=SHA, eject=eject)
        written += sorted((crate / ".github" / "workflows").glob("*.yml"))
    return written


def _all(init_workflows: list[Path]) -> list[Path]:
    return [*REPO_WORKFLOWS, *init_workflows]


def test_actions_schema() -> None:
    tool = _tool("check-jsonschema")
    assert {p.parent.name for p in REPO_ACTIONS} == {
        "setup-vmbench",
        "run-benchmarks",
        "compare",
        "comment",
        "record-history",
    }
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-actions", *map(str, REPO_ACTIONS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_vmbench_is_installed_by_path_never_by_index_name(init_workflows: list[Path]) -> None:
    for path in [*_all(init_workflows), *REPO_ACTIONS]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pip install" in line:
                target = line.split("pip install", 1)[1].split()[-1]
                # a path: the action's own source ("$spec" built from it) or the checkout
                assert target in ('"$spec"', "."), (path.name, line)
        assert "vmbench==" not in path.read_text(encoding="utf-8")


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
    findings = _zizmor([*_all(init_workflows), *REPO_ACTIONS])
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
            'if [ "$TREND_STATUS" != 0 ]; then',
            'echo "${{ github.event.pull_request.title }}"\n'
            '          if [ "$TREND_STATUS" != 0 ]; then',
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


@pytest.mark.parametrize("path", REPO_ACTIONS, ids=lambda p: p.parent.name)
def test_action_rules(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-\s*)?uses:\s*([^\s#]+)(.*)", line)
        if match is not None:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), line
            assert re.search(r"#\s*\S+", match.group(2)), f"no version comment: {line}"
    for step in _load(path)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", REPO_WORKFLOWS, ids=lambda p: p.name)
def test_security_rules(path: Path) -> None:
    workflow = _load(path)
    triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    assert "pull_request_target" not in triggers
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-\s*)?uses:\s*([^\s#]+)(.*)", line)
        if match is None or match.group(1).startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), line
        assert re.search(r"#\s*\S+", match.group(2)), f"no version comment: {line}"
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {job_name} has no permissions block"
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        assert writes <= {"pull-requests", "contents", "issues"}, (job_name, writes)
    for job_name, step in _steps(workflow):
        if "actions/checkout@" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False, (job_name, step)
        assert "${{" not in step.get("run", ""), (job_name, step.get("name"))


def test_only_commenting_and_history_jobs_may_write() -> None:
    for name in ("benchmark.yml", "vmbench.yml"):
        jobs = _load(ROOT / ".github/workflows" / name)["jobs"]
        assert jobs["benchmark"]["permissions"] == {"contents": "read"}
        assert jobs["compare"]["permissions"] == {"contents": "read", "pull-requests": "write"}
        assert jobs["notify"]["permissions"] == {"contents": "write", "issues": "write"}
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


def _actions_used(job: dict[str, Any]) -> list[str]:
    return [
        step["uses"].split("/.github/actions/")[-1]
        for step in job["steps"]
        if "/.github/actions/" in step.get("uses", "")
    ]


def test_repository_workflow_and_reusable_workflow_run_the_same_actions() -> None:
    # This repository's workflow and the reusable one must not drift apart: the same
    # composite actions in the same order, and the same `run:` glue around them.
    mine = _load(ROOT / ".github/workflows/benchmark.yml")["jobs"]
    reusable = _load(ROOT / ".github/workflows/vmbench.yml")["jobs"]
    assert list(mine) == list(reusable) == ["benchmark", "compare", "notify"]
    for job in mine:
        used = _actions_used(reusable[job])
        if job == "benchmark":  # in a Debian container, vmbench installs from the checkout
            used = [a for a in used if a != "setup-vmbench"]
        assert _actions_used(mine[job]) == used, job
    for job in ("compare", "notify"):
        runs = [s["run"] for s in mine[job]["steps"] if "run" in s and s.get("id") != "install"]
        assert runs == [s["run"] for s in reusable[job]["steps"] if "run" in s], job
    assert _load(ROOT / ".github/workflows/vmbench.yml")[True] == {
        "workflow_call": _load(ROOT / ".github/workflows/vmbench.yml")[True]["workflow_call"]
    }


def test_init_templates_are_the_repository_files(init_workflows: list[Path]) -> None:
    for name in ("vmbench.yml", "benchmark-comment.yml"):
        template = ROOT / "vmbench" / "templates" / "init" / name
        assert template.read_text("utf-8") == (ROOT / ".github/workflows" / name).read_text(
            "utf-8"
        ), name
    comment = ROOT / ".github/workflows/benchmark-comment.yml"
    written = next(p for p in init_workflows if p.name == "benchmark-comment.yml")
    assert comment.read_text(encoding="utf-8") == written.read_text(encoding="utf-8")


def test_caller_pins_workflow_and_actions_to_one_commit(init_workflows: list[Path]) -> None:
    callers = [p for p in init_workflows if p.name == "benchmark.yml"]
    assert len(callers) == 2
    plain, ejected = (_load(p)["jobs"]["vmbench"] for p in callers)
    assert plain["uses"] == f"vmbench/vmbench/.github/workflows/vmbench.yml@{SHA}"
    assert plain["with"]["vmbench-ref"] == SHA
    assert ejected["uses"] == "./.github/workflows/vmbench.yml"
    assert ejected["with"]["vmbench-ref"] == SHA
    on = _load(callers[0])[True]
    assert on["push"]["branches"] == on["pull_request"]["branches"] == ["main", "master"]
    assert on["schedule"] == [{"cron": "0 2 * * *"}]
    assert "workflow_dispatch" in on
    inputs = _load(ROOT / ".github/workflows/vmbench.yml")[True]["workflow_call"]["inputs"]
    assert set(plain["with"]) <= set(inputs)
    for name in (
        "workspace",
        "packages",
        "features",
        "benches",
        "fail-on",
        "history-branch",
        "runs-on",
        "timeout-minutes",
    ):
        assert name in inputs


def test_no_run_on_main_is_dropped(init_workflows: list[Path]) -> None:
    # GitHub keeps one pending run per concurrency group and cancels the others: pushes
    # to main get a group of their own (the run id); only pull requests cancel.
    callers = [p for p in init_workflows if p.name == "benchmark.yml"]
    for path in (ROOT / ".github/workflows/benchmark.yml", *callers):
        concurrency = _load(path)["concurrency"]
        assert "github.run_id" in concurrency["group"]
        assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
