"""The `compare` job of .github/workflows/benchmark.yml, run the way GitHub runs it.

Its steps run in order with bash (`bash -e`, as GitHub runs an unspecified shell), with
GITHUB_EVENT_NAME=pull_request, GITHUB_STEP_SUMMARY/GITHUB_OUTPUT/GITHUB_ENV/GITHUB_PATH
pointing at temporary files, each step's `env:` with its `${{ }}` expressions evaluated
(step outputs included) and the `if:` conditions honoured. The `uses:` steps get local
equivalents: checkout copies the repository's params, setup-python and cache do nothing
(the interpreter stands on PATH), download-artifact puts the bundled Criterion data where
the job expects the benchmark job's artifact. Nothing else is replaced: the job's own
scripts decide.

vmbench is installed the way the workflow installs it, once per test session (the
`installs` fixture): the benchmark job's `install` step, verbatim, in a copy of this
checkout (a fresh venv in RUNNER_TEMP, `pip install .`: the base install), and the
setup-vmbench action's steps with the `extras` the compare job names (`pip install
"$SOURCE[report]"` into a fresh venv standing in for setup-python's Python). pip resolves
the dependencies from a local wheelhouse (tests/support/install.py), not the network. Each
replay then runs with that vmbench on PATH: its `install` steps are the ones the fixture
ran, and nothing of this test run's venv or checkout (PYTHONPATH) is visible to the jobs.

Against the bundled data the job must fail on the planted regression (`pr` vs `main`)
with the markdown in the step summary, and pass on an A/A pair. The PR comment script
(actions/github-script) is run with node against a recording fake of the GitHub API: one
comment, found by its hidden marker and updated in place.

The default pull request path also runs whole with real cargo: a two-commit git
repository of a small Criterion crate (the pull request makes one benchmark about 4x
slower), the benchmark job's steps as GitHub runs them (only the container's apt-get step
left out), `vmbench bench --base-ref` building the base in a worktree and measuring base-1,
pr-1, base-2, the gate with its confirmation runs, then the compare job on its artifact.

The `notify` job runs the same way twice (two pushes to main) against a local bare git
repository standing in for GitHub (VMBENCH_HISTORY_REMOTE): the history branch gets
both runs, the baseline file and the trend report.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.criterion_trees import measure_again
from tests.support.install import copy_source, fresh_venv, offline_env, wheelhouse
from tests.support.paths import REPO
from vmbench import escape

ROOT = REPO
WORKFLOW = ROOT / ".github" / "workflows" / "benchmark.yml"
CRITERION = ROOT / "examples" / "data" / "criterion"
MARKER = "<!-- vmbench-report -->"
GITHUB: dict[str, Any] = {
    "event_name": "pull_request",
    "sha": "b" * 40,
    "ref": "refs/pull/7/merge",
    "ref_name": "7/merge",
    "base_ref": "main",
    "repository": "vmbench/vmbench",
    "run_id": "4242",
    "server_url": "https://github.com",
    "token": "test-token",
    "workspace": "",
    "event": {
        "pull_request": {
            "number": 7,
            "base": {"sha": "a" * 40},
            "head": {"repo": {"full_name": "vmbench/vmbench"}, "sha": "b" * 40},
        }
    },
}


# --- a small evaluator of the GitHub expressions this workflow uses -----------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<call>[A-Za-z_][\w-]*)\(\)|(?P<path>[A-Za-z_][\w.-]*))"
)


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0, 0.0)


def evaluate(expression: str, context: Callable[[str], Any], status: str) -> Any:
    """Evaluate a GitHub expression: literals, context paths, == != ! && || ( ) and the
    status functions, with GitHub's semantics (`a || b` gives the first truthy value).
    Anything else raises, so a workflow change the test cannot follow fails loudly."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise NotImplementedError(f"cannot evaluate {expression!r} at {text[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    calls = {
        "success": status == "success",
        "failure": status == "failure",
        "always": True,
        "cancelled": False,
    }
    at = 0

    def peek() -> str | None:
        return tokens[at][1] if at < len(tokens) and tokens[at][0] == "op" else None

    def primary() -> Any:
        nonlocal at
        kind, value = tokens[at]
        at += 1
        if kind == "op" and value == "(":
            result = either()
            at += 1  # ")"
            return result
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if kind == "call":
            if value not in calls:
                raise NotImplementedError(f"function {value}() in {expression!r}")
            return calls[value]
        if kind == "path":
            literals = {"true": True, "false": False, "null": None}
            return literals[value] if value in literals else context(value)
        raise NotImplementedError(f"unexpected {value!r} in {expression!r}")

    def unary() -> Any:
        nonlocal at
        if peek() == "!":
            at += 1
            return not _truthy(unary())
        left = primary()
        if peek() in ("==", "!="):
            op = peek()
            at += 1
            right = primary()
            same = str(left).lower() == str(right).lower() if left != right else True
            return same if op == "==" else not same
        return left

    def both() -> Any:
        nonlocal at
        left = unary()
        while peek() == "&&":
            at += 1
            right = unary()
            left = right if _truthy(left) else left
        return left

    def either() -> Any:
        nonlocal at
        left = both()
        while peek() == "||":
            at += 1
            right = both()
            left = left if _truthy(left) else right
        return left

    result = either()
    if at != len(tokens):
        raise NotImplementedError(f"cannot evaluate {expression!r}")
    return result


_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def substitute(text: str, context: Callable[[str], Any]) -> str:
    def one(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), context, "success")
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return _EXPR.sub(one, text)


# --- the job runner -----------------------------------------------------------------


@dataclass
class JobResult:
    status: str
    summary: str
    ran: list[str]
    failed_step: str | None
    outputs: dict[str, dict[str, str]]
    workspace: Path
    uses: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # what the steps added to GITHUB_PATH


def _parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def run_job(
    workflow: dict[str, Any],
    job_name: str,
    *,
    workspace: Path,
    runner_env: Mapping[str, str],
    local_actions: Mapping[str, Callable[[dict[str, Any], Path], None]],
    replaced_steps: Mapping[str, Callable[[Path], None]],
    github_context: Mapping[str, Any] | None = None,
    checkout: Path = ROOT,
) -> JobResult:
    """Run one job's steps as GitHub does. A `uses: ./path` step is a composite action of
    this repository: its `action.yml` steps run the same way, with `inputs` from `with:`
    (defaults filled in), its own `steps` scope, GITHUB_ACTION_PATH, and its `outputs`
    evaluated into the calling step's outputs. `checkout` is where the actions are read
    from (and what GITHUB_ACTION_PATH points into)."""
    job = workflow["jobs"][job_name]
    temp = workspace.parent / f"{workspace.name}-runner"
    temp.mkdir()
    summary = temp / "step_summary.md"
    summary.touch()
    extra_env: dict[str, str] = {}
    extra_path: list[str] = []
    github = {**(github_context or GITHUB), "workspace": str(workspace)}
    state = {"status": "success", "failed": None, "count": 0}
    ran: list[str] = []
    uses: list[str] = []

    def make_context(
        outputs: dict[str, dict[str, str]], inputs: Mapping[str, str], layers: list[dict[str, str]]
    ) -> Callable[[str], Any]:
        def context(path: str) -> Any:
            head, _, rest = path.partition(".")
            if head == "steps":
                step_id, _, output = rest.partition(".outputs.")
                return outputs.get(step_id, {}).get(output, "")
            if head == "inputs":
                return inputs.get(rest, "")
            if head in ("vars", "secrets"):
                return ""
            if head == "env":
                for mapping in reversed(layers):
                    if rest in mapping:
                        return mapping[rest]
                return extra_env.get(rest, runner_env.get(rest, ""))
            if head == "runner":
                return {"os": "Linux", "temp": str(temp)}[rest]
            if head != "github":
                raise NotImplementedError(f"context {path}")
            value: Any = github
            for part in rest.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            return value

        return context

    def layer(mapping: Mapping[str, Any] | None, context: Callable[[str], Any]) -> dict[str, str]:
        def text(value: Any) -> str:
            return str(value).lower() if isinstance(value, bool) else str(value)

        return {k: substitute(text(v), context) for k, v in (mapping or {}).items()}

    def run_steps(
        steps: list[dict[str, Any]],
        outputs: dict[str, dict[str, str]],
        inputs: Mapping[str, str],
        layers: list[dict[str, str]],
        action_path: Path | None,
    ) -> None:
        context = make_context(outputs, inputs, layers)
        for step in steps:
            state["count"] += 1
            index = state["count"]
            name = step.get("name") or step.get("id") or f"step {index}"
            condition = str(step.get("if", "success()")).strip()
            condition = _EXPR.sub(lambda m: m.group(1), condition)
            if not evaluate(condition, context, str(state["status"])):
                continue
            if step.get("id") in replaced_steps:
                replaced_steps[step["id"]](workspace)
                ran.append(name)
                continue
            if step.get("uses", "").startswith("./"):
                action_dir = checkout / step["uses"][2:]
                action = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
                given = layer(step.get("with"), context)
                declared = action.get("inputs", {})
                unknown = set(given) - set(declared)
                assert not unknown, f"{step['uses']}: no such input {unknown}"
                action_inputs = {
                    k: given.get(k, str(v.get("default", ""))) for k, v in declared.items()
                }
                inner: dict[str, dict[str, str]] = {}
                ran.append(name)
                uses.append(step["uses"])
                run_steps(action["runs"]["steps"], inner, action_inputs, [*layers], action_dir)
                inner_context = make_context(inner, action_inputs, layers)
                if step.get("id"):
                    outputs[step["id"]] = {
                        k: substitute(str(v["value"]), inner_context)
                        for k, v in action.get("outputs", {}).items()
                    }
                continue
            if "uses" in step:
                action_name = step["uses"].split("@", 1)[0]
                # Set-up actions are no-ops here; their inputs (hashFiles(...) keys) are not read.
                setup = action_name in ("actions/cache", "actions/setup-python")
                with_values = {} if setup else layer(step.get("with"), context)
                local_actions[action_name](with_values, workspace)
                uses.append(action_name)
                ran.append(name)
                continue
            output_file = temp / f"output-{index}"
            env_file = temp / f"env-{index}"
            path_file = temp / f"path-{index}"
            for f in (output_file, env_file, path_file):
                f.touch()
            env = dict(runner_env)
            env.update(extra_env)
            for mapping in layers:
                env.update(mapping)
            env.update(layer(step.get("env"), context))
            env["PATH"] = os.pathsep.join([*reversed(extra_path), runner_env["PATH"]])
            env.update(
                {
                    "CI": "true",
                    "GITHUB_ACTIONS": "true",
                    "GITHUB_EVENT_NAME": github["event_name"],
                    "GITHUB_SHA": github["sha"],
                    "GITHUB_REF": github["ref"],
                    "GITHUB_REF_NAME": github["ref_name"],
                    "GITHUB_REPOSITORY": github["repository"],
                    "GITHUB_RUN_ID": github["run_id"],
                    "GITHUB_SERVER_URL": github["server_url"],
                    "GITHUB_WORKSPACE": str(workspace),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_OUTPUT": str(output_file),
                    "GITHUB_ENV": str(env_file),
                    "GITHUB_PATH": str(path_file),
                    "RUNNER_TEMP": str(temp),
                }
            )
            if action_path is not None:
                env["GITHUB_ACTION_PATH"] = str(action_path)
            script = temp / f"step-{index}.sh"
            script.write_text(step["run"], encoding="utf-8")
            done = subprocess.run(
                ["bash", "-e", str(script)],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=900,
            )
            ran.append(name)
            if step.get("id"):
                outputs[step["id"]] = _parse_env_file(output_file)
            extra_env.update(_parse_env_file(env_file))
            extra_path.extend(p for p in path_file.read_text().splitlines() if p)
            if done.returncode != 0 and not step.get("continue-on-error"):
                state["status"] = "failure"
                state["failed"] = state["failed"] or name
                sys.stderr.write(f"--- step {name!r} failed:\n{done.stdout}\n{done.stderr}\n")

    outputs: dict[str, dict[str, str]] = {}
    top = make_context(outputs, {}, [])
    layers = [layer(workflow.get("env"), top)]
    layers.append(layer(job.get("env"), make_context(outputs, {}, layers)))
    run_steps(job["steps"], outputs, {}, layers, None)
    return JobResult(
        status=str(state["status"]),
        summary=summary.read_text(encoding="utf-8"),
        ran=ran,
        failed_step=state["failed"] if isinstance(state["failed"], str) else None,
        outputs=outputs,
        workspace=workspace,
        uses=uses,
        paths=extra_path,
    )


# --- the pull request path against the bundled data ---------------------------------


def _local_actions(
    artifact: Path | None = None,
) -> dict[str, Callable[[dict[str, Any], Path], None]]:
    def checkout(with_values: dict[str, Any], workspace: Path) -> None:
        assert with_values.get("persist-credentials") == "false"
        shutil.copytree(ROOT / "params", workspace / "params")

    def download(with_values: dict[str, Any], workspace: Path) -> None:
        assert with_values["name"] == "criterion"
        assert artifact is not None
        (workspace / with_values["path"]).symlink_to(artifact, target_is_directory=True)

    def nothing(with_values: dict[str, Any], workspace: Path) -> None:
        return None

    def upload(with_values: dict[str, Any], workspace: Path) -> None:
        assert (workspace / with_values["path"].strip()).is_dir(), with_values

    def comment(with_values: dict[str, Any], workspace: Path) -> None:
        assert MARKER in with_values["script"]

    return {
        "actions/checkout": checkout,
        "actions/setup-python": nothing,
        "actions/cache": nothing,
        "Swatinem/rust-cache": nothing,
        "actions/download-artifact": download,
        "actions/upload-artifact": upload,
        "actions/github-script": comment,
    }


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _system_path() -> str:
    """PATH without this test run's venv: the jobs run the vmbench they installed."""
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if sys.prefix != sys.base_prefix:  # running in a venv: its bin is not the runner's
        own = Path(sys.executable).parent
        parts = [p for p in parts if p and Path(p) != own]
    return os.pathsep.join(parts)


@dataclass(frozen=True)
class Installs:
    """vmbench installed by the workflow's own steps: `benchmark` is the directory the
    benchmark job's install step added to PATH, `setup_python` the bin directory of the
    Python that setup-vmbench installed into (with the compare job's extras)."""

    benchmark: Path
    setup_python: Path

    def done(self, which: Path) -> Callable[[Path], None]:
        """The replacement of an `install` step in a replay: it ran in the fixture."""

        def installed(_workspace: Path) -> None:
            assert (which / "vmbench").is_file(), which

        return installed


@pytest.fixture(scope="session")
def installs(tmp_path_factory: pytest.TempPathFactory) -> Installs:
    """Once per session: the install steps of benchmark.yml, run as the jobs run them."""
    workflow: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    wheels = wheelhouse(("report",))
    root = tmp_path_factory.mktemp("installs")
    home = root / "home"  # the runner's HOME: the step's `git config --global` lands here
    home.mkdir()

    def runner_env(first: Path) -> dict[str, str]:
        base = {"PATH": f"{first}{os.pathsep}{_system_path()}", "HOME": str(home)}
        return offline_env(wheels, base={**base, "LANG": "C.UTF-8"})

    # The benchmark job's install step in a checkout, with the runner image's python3.
    step = next(s for s in jobs["benchmark"]["steps"] if s.get("id") == "install")
    checkout = root / "checkout"
    copy_source(checkout)  # what actions/checkout gives the job
    interpreter = Path(getattr(sys, "_base_executable", sys.executable)).parent
    bench = run_job(
        {**workflow, "jobs": {"benchmark": {**jobs["benchmark"], "steps": [step]}}},
        "benchmark",
        workspace=checkout,
        runner_env=runner_env(interpreter),
        local_actions={},
        replaced_steps={},
    )
    assert bench.status == "success", bench.failed_step
    (bench_bin,) = bench.paths

    # setup-vmbench as the compare job uses it (the notify job names the same extras), from
    # the checkout, installing into a fresh venv: the Python actions/setup-python provides.
    step = next(
        s for s in jobs["compare"]["steps"] if s.get("uses") == "./.github/actions/setup-vmbench"
    )
    for other in ("notify",):
        same = [s for s in jobs[other]["steps"] if s.get("uses") == step["uses"]]
        assert [s.get("with") for s in same] == [step.get("with")], other
    python = fresh_venv(root / "setup-python") / "bin"
    workspace = root / "setup-workspace"
    workspace.mkdir()
    setup = run_job(
        {**workflow, "jobs": {"compare": {**jobs["compare"], "steps": [step]}}},
        "compare",
        workspace=workspace,
        runner_env=runner_env(python),
        local_actions=_local_actions(),
        replaced_steps={},
        checkout=checkout,  # pip builds in the checkout, never in this source tree
    )
    assert setup.status == "success", setup.failed_step
    assert "./.github/actions/setup-vmbench" in setup.uses
    return Installs(benchmark=Path(bench_bin), setup_python=python)


def _runner_env(tmp_path: Path, bin_dir: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"  # the runner's own: no user configuration of this machine
    home.mkdir(exist_ok=True)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{_system_path()}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **extra,
    }


def _gate_in_benchmark_job(
    tmp_path: Path,
    workflow: dict[str, Any],
    installs: Installs,
    baseline: list[str],
    candidate: list[str],
) -> Path:
    """The benchmark job's steps after `vmbench bench --base-ref` (its compare action and
    the artifact collection), on the bundled runs named in a runs manifest as if the
    benchmark had saved them; returns the uploaded artifact's directory."""
    if not (CRITERION / ".").is_dir():
        pytest.skip(f"bundled example data {CRITERION} is missing")
    home = tmp_path / "criterion-home"
    shutil.copytree(CRITERION, home, ignore=shutil.ignore_patterns("report", "*.svg", "*.html"))
    measure_again(home, "pr", "pr-again")
    manifest = {
        "schema_version": 1,
        "runs": {"baseline": baseline, "candidate": candidate, "benchmarks": []},
        "base_commit": "a" * 40,
    }
    (home / "vmbench-runs.json").write_text(json.dumps(manifest))
    job = json.loads(json.dumps(workflow["jobs"]["benchmark"]))
    steps = []
    for step in job["steps"]:
        if step.get("uses") == "./.github/actions/compare":
            # Confirmation reruns cargo (tests/pipeline/test_interleave.py covers it).
            step["with"]["confirm"] = "false"
            steps.append(step)
        elif step.get("id") == "install" or step.get("name", "").startswith(
            ("Collect", "Upload the Criterion")
        ):
            steps.append(step)
    assert len(steps) == 4
    job["steps"] = steps
    workspace = tmp_path / "bench-ws"
    workspace.mkdir()
    result = run_job(
        {**workflow, "jobs": {"benchmark": job}},
        "benchmark",
        workspace=workspace,
        runner_env=_runner_env(tmp_path, installs.benchmark, CRITERION_HOME=str(home)),
        local_actions=_local_actions(),
        replaced_steps={"install": installs.done(installs.benchmark)},
    )
    assert result.status == "success", result.summary
    return workspace / "artifact"


def _compare(
    tmp_path: Path,
    workflow: dict[str, Any],
    installs: Installs,
    baseline: list[str],
    candidate: list[str],
) -> JobResult:
    artifact = _gate_in_benchmark_job(tmp_path, workflow, installs, baseline, candidate)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return run_job(
        workflow,
        "compare",
        workspace=workspace,
        runner_env=_runner_env(tmp_path, installs.setup_python),
        local_actions=_local_actions(artifact),
        replaced_steps={"install": installs.done(installs.setup_python)},
    )


def _pair(params_file: str) -> tuple[list[str], list[str]]:
    """The runs the project's params file compares: params/regression.yaml is `pr`
    against `main`, params/regression-aa.yaml an A/A pair."""
    params = yaml.safe_load((ROOT / "params" / params_file).read_text(encoding="utf-8"))

    def words(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    return words(params["baseline"]), words(params["candidate"])


@pytest.mark.slow
def test_compare_job_fails_on_the_planted_regression(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    # The planted regression against the base run and two identical-code runs, the
    # candidate measured twice (the verdicts flag nothing without replication, and a flag
    # needs two runs on each side: one run a side asks for confirmation).
    baseline, candidate = _pair("regression.yaml")
    noise = yaml.safe_load((ROOT / "params/regression.yaml").read_text())["noise_runs"][:2]
    result = _compare(
        tmp_path, workflow, installs, [*baseline, *noise], [*candidate, f"{candidate[0]}-again"]
    )
    assert result.status == "failure"
    assert result.failed_step == "Regression gate"
    assert result.outputs["report"]["status"] == "0"
    assert result.summary.startswith(MARKER)
    assert "🔴" in result.summary
    comparison = json.loads((result.workspace / "vmbench-out/comparison.json").read_text())
    flagged = {b["id"] for b in comparison["benchmarks"] if b["severity"] in ("high", "medium")}
    assert flagged
    for bench_id in flagged:  # every flagged benchmark is named in the summary
        assert escape.markdown(bench_id) in result.summary
    # the planted slowdowns (examples/data/PLANTED.json) with their design-document severity
    planted = json.loads((CRITERION.parent / "PLANTED.json").read_text(encoding="utf-8"))["pr"]
    severity = {b["id"]: b["severity"] for b in comparison["benchmarks"]}
    for bench_id, factor in planted.items():
        if factor > 1.2:
            assert severity[bench_id] == "high", bench_id
    comment = (result.workspace / "vmbench-out/comment.md").read_text(encoding="utf-8")
    assert comment.startswith(MARKER)
    assert (result.workspace / "vmbench-out/pr-number.txt").read_text().strip() == "7"
    report = result.workspace / "vmbench-out/report"
    assert {p.name for p in report.iterdir()} >= {
        "regression.html",
        "regression.md",
        "regression.json",
        "regression.ipynb",
    }
    # the comment step ran (same-repository PR), the artifact upload too
    assert "actions/github-script" in result.uses
    assert "actions/upload-artifact" in result.uses
    assert "./.github/actions/comment" in result.uses


@pytest.mark.slow
def test_compare_job_on_an_aa_pair_never_reports_a_regression(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    result = _compare(tmp_path, workflow, installs, *_pair("regression-aa.yaml"))
    assert result.summary.startswith(MARKER)
    assert "🔴" not in result.summary
    gate = json.loads((result.workspace / "vmbench-out/gate.json").read_text())
    assert gate["status"] in ("pass", "suspect")
    # a suspect that confirmation never decided fails the job; a pass passes
    assert result.status == ("success" if gate["status"] == "pass" else "failure")


@pytest.mark.slow
def test_first_run_comment_is_neutral_and_the_job_passes(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    result = _compare(tmp_path, workflow, installs, [], ["pr"])
    assert result.status == "success", result.summary
    assert "No baseline yet" in result.summary
    assert "🔴" not in result.summary


def test_fork_pull_requests_do_not_comment(tmp_path: Path, workflow: dict[str, Any]) -> None:
    # The comment action's `post` input, evaluated for a fork: false (read-only token).
    step = next(
        s
        for s in workflow["jobs"]["compare"]["steps"]
        if s.get("uses") == "./.github/actions/comment"
    )
    post = _EXPR.sub(lambda m: m.group(1), step["with"]["post"])
    condition = _EXPR.sub(lambda m: m.group(1), step["if"])
    fork = json.loads(json.dumps(GITHUB))
    fork["event"]["pull_request"]["head"]["repo"]["full_name"] = "someone/vmbench"

    def context_for(github: dict[str, Any]) -> Callable[[str], Any]:
        def context(path: str) -> Any:
            value: Any = github
            for part in path.split(".")[1:]:
                value = value.get(part) if isinstance(value, dict) else None
            return value

        return context

    assert evaluate(post, context_for(GITHUB), "success") is True
    assert evaluate(post, context_for(fork), "success") is False
    # and the step still runs after a failed step, so the comment reports a failing gate
    assert evaluate(condition, context_for(GITHUB), "failure") is True
    action = yaml.safe_load((ROOT / ".github/actions/comment/action.yml").read_text("utf-8"))
    posting = next(s for s in action["runs"]["steps"] if "github-script" in s.get("uses", ""))
    assert posting["if"] == "inputs.post == 'true'"


def test_expression_evaluator() -> None:
    def context(path: str) -> Any:
        return {"inputs.x": "", "github.event_name": "push", "steps.a.outputs.b": "1"}[path]

    assert evaluate("inputs.x || '5'", context, "success") == "5"
    assert evaluate("github.event_name == 'pull_request'", context, "success") is False
    assert evaluate("!cancelled() && steps.a.outputs.b == '1'", context, "failure") is True
    assert evaluate("success()", context, "failure") is False
    with pytest.raises(NotImplementedError):
        evaluate("contains(github.event_name, 'p')", context, "success")


# --- the comment script, in node, against a recording fake API ----------------------

_NODE_HARNESS = r"""
const fs = require("fs");
const [scriptFile, stateFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
const calls = [];
const github = {
  paginate: async (fn, args) => {
    if (fn === "pullsList") return state.pulls || [];
    calls.push(["list", args.issue_number]);
    return state.comments;
  },
  rest: {
    issues: {
      listComments: "listComments",
      updateComment: async (a) => { calls.push(["update", a.comment_id, a.body]); },
      createComment: async (a) => { calls.push(["create", a.issue_number, a.body]); },
    },
    pulls: { list: "pullsList" },
  },
};
const core = {
  setFailed: (m) => calls.push(["failed", m]),
  info: (m) => calls.push(["info", m]),
};
const context = { repo: { owner: "vmbench", repo: "vmbench" }, payload: state.payload };
const body = fs.readFileSync(scriptFile, "utf8");
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction("require", "github", "context", "core", body)(require, github, context, core)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((e) => { console.error(e); process.exit(1); });
"""


def _run_script(
    tmp_path: Path, script: str, state: dict[str, Any], env: dict[str, str]
) -> list[list[Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (Debian package nodejs)")
    (tmp_path / "harness.js").write_text(_NODE_HARNESS)
    (tmp_path / "script.js").write_text(script)
    (tmp_path / "state.json").write_text(json.dumps(state))
    done = subprocess.run(
        [node, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    calls: list[list[Any]] = json.loads(done.stdout)
    return calls


def _compare_script(workflow: dict[str, Any]) -> str:
    action = yaml.safe_load((ROOT / ".github/actions/comment/action.yml").read_text("utf-8"))
    steps = action["runs"]["steps"]
    script: str = next(s for s in steps if "github-script" in s.get("uses", ""))["with"]["script"]
    return script


def test_comment_is_created_once_then_updated_in_place(
    tmp_path: Path, workflow: dict[str, Any]
) -> None:
    (tmp_path / "comment.md").write_text(f"{MARKER}\nbody v1")
    env = {"COMMENT_FILE": "comment.md", "PR_NUMBER": "7"}
    payload = {"pull_request": {"number": 7}}
    human = {"id": 1, "user": {"type": "User"}, "body": f"quoting {MARKER}"}
    first = _run_script(
        tmp_path, _compare_script(workflow), {"comments": [human], "payload": payload}, env
    )
    assert first == [["list", 7], ["create", 7, f"{MARKER}\nbody v1"]]
    ours = {"id": 99, "user": {"type": "Bot"}, "body": f"{MARKER}\nold"}
    second = _run_script(
        tmp_path, _compare_script(workflow), {"comments": [human, ours], "payload": payload}, env
    )
    assert second == [["list", 7], ["update", 99, f"{MARKER}\nbody v1"]]


def test_fork_follow_up_posts_only_for_the_run_s_own_pull_request(tmp_path: Path) -> None:
    follow_up = yaml.safe_load((ROOT / ".github/workflows/benchmark-comment.yml").read_text())
    step = next(s for s in follow_up["jobs"]["comment"]["steps"] if "github-script" in s["uses"])
    script = step["with"]["script"]
    report = tmp_path / "report"
    report.mkdir()
    (report / "comment.md").write_text(f"{MARKER}\nfrom a fork")
    env = {"REPORT_DIR": str(report)}
    run = {"head_sha": "c" * 40}
    pulls = [{"number": 12, "head": {"sha": "c" * 40}}]
    state = {"comments": [], "payload": {"workflow_run": run}, "pulls": pulls}

    (report / "pr-number.txt").write_text("12\n")
    assert _run_script(tmp_path, script, state, env) == [
        ["list", 12],
        ["create", 12, f"{MARKER}\nfrom a fork"],
    ]
    # a number that is not this run's pull request: nothing posted
    (report / "pr-number.txt").write_text("13\n")
    calls = _run_script(tmp_path, script, state, env)
    assert [c[0] for c in calls] == ["info"]
    # anything but digits is refused
    (report / "pr-number.txt").write_text("12; rm -rf /\n")
    calls = _run_script(tmp_path, script, state, env)
    assert calls[0][0] == "failed"
    assert len(calls) == 1


# --- the notify job: history branch, baseline file, trend report ---------------------


def _artifact_with_new(source: Path, target: Path, baseline: str) -> None:
    """A main push run's `criterion` artifact: the bundled run `baseline` saved as `new`."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("report", "*.svg", "*.html"))
    for run_dir in list(target.rglob(baseline)):
        if run_dir.is_dir() and (run_dir / "sample.json").is_file():
            shutil.copytree(run_dir, run_dir.parent / "new", dirs_exist_ok=True)


def _notify(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs, remote: Path, *, commit: str
) -> JobResult:
    from vmbench.history.machine import MachineInfo
    from vmbench.history.store import add_run
    from vmbench.readers.criterion import load_criterion

    workspace = tmp_path / f"ws-{commit}"
    workspace.mkdir()
    artifact = tmp_path / f"artifact-{commit}"
    _artifact_with_new(CRITERION, artifact, "main")

    def download(with_values: dict[str, Any], ws: Path) -> None:
        target = ws / with_values["path"]
        if with_values["name"] == "criterion":  # artifact/criterion, as the benchmark job uploads
            target.mkdir()
            (target / "criterion").symlink_to(artifact, target_is_directory=True)
        else:  # the history entry the benchmark job's `vmbench bench --history` wrote
            assert with_values["name"] == "history-entry"
            run = load_criterion(artifact, "new")
            date = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
            date += datetime.timedelta(days=int(commit[-1]))
            add_run(
                target,
                run,
                commit=commit,
                branch="main",
                date=date,
                machine=MachineInfo(name="github-ubuntu-24.04"),
            )

    actions = _local_actions()
    actions["actions/download-artifact"] = download
    actions["actions/upload-artifact"] = lambda with_values, ws: None
    push = {
        **GITHUB,
        "event_name": "push",
        "sha": commit,
        "ref": "refs/heads/main",
        "ref_name": "main",
        "event": {},
    }
    return run_job(
        workflow,
        "notify",
        workspace=workspace,
        runner_env=_runner_env(
            tmp_path,
            installs.setup_python,
            VMBENCH_HISTORY_REMOTE=str(remote),
            GIT_CONFIG_NOSYSTEM="1",
        ),
        local_actions=actions,
        replaced_steps={"install": installs.done(installs.setup_python)},
        github_context=push,
    )


@pytest.mark.slow
def test_notify_job_records_history_on_the_data_branch(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    if not CRITERION.is_dir():
        pytest.skip(f"bundled example data {CRITERION} is missing")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)

    first = _notify(tmp_path, workflow, installs, remote, commit="c0ffee01")
    assert first.status == "success", first.summary
    second = _notify(tmp_path, workflow, installs, remote, commit="c0ffee02")
    assert second.status == "success", second.summary

    listing = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "benchmark-history"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    entries = [name for name in listing if name.startswith("history/")]
    assert len(entries) == 2
    assert all(name.endswith(".parquet") for name in entries)
    assert "benches/baselines/main.json" in listing
    log = subprocess.run(
        ["git", "--git-dir", str(remote), "log", "--format=%s", "benchmark-history"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log == ["vmbench: record c0ffee02 (main)", "vmbench: record c0ffee01 (main)"]
    baseline = json.loads(
        subprocess.run(
            [
                "git",
                "--git-dir",
                str(remote),
                "show",
                "benchmark-history:benches/baselines/main.json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert set(baseline) == {b.id for b in _bundled_main()}
    assert "## vmbench: benchmark history" in second.summary
    assert "2 runs in the history" in second.summary
    assert (second.workspace / "vmbench-out/report/trend.html").is_file()


def _bundled_main() -> list[Any]:
    from vmbench.readers.criterion import load_criterion

    return list(load_criterion(CRITERION, "main").benchmarks.values())


@pytest.mark.slow
def test_compare_job_fails_with_a_note_on_bad_input(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    result = _compare(tmp_path, workflow, installs, ["no-such-run"], ["pr"])
    assert result.status == "failure"
    assert result.failed_step == "Regression gate"
    assert result.summary.startswith(MARKER)
    assert "vmbench could not compare the runs" in result.summary
    assert "actions/github-script" in result.uses  # the PR still hears about it


# --- the default pull request path with real cargo ------------------------------------

REGISTRY = Path("/usr/share/cargo/registry")
SLOW_BENCH = "fib"  # the pull request makes it about 4x slower; the others are unchanged


def _crate_commit(repo: Path, fib_n: int, message: str) -> str:
    """Commit the crate at repo/crate with `fib` benchmarked at n = fib_n; its SHA."""
    crate = repo / "crate"
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "benches").mkdir(exist_ok=True)
    (crate / ".cargo").mkdir(exist_ok=True)
    shutil.copy(ROOT / "examples/vmdemo/.cargo/config.toml", crate / ".cargo/config.toml")
    (crate / ".gitignore").write_text("/target\n")
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "prcrate"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dev-dependencies]\ncriterion = { version = "0.3", default-features = false }\n\n'
        '[[bench]]\nname = "speed"\nharness = false\n'
    )
    (crate / "src" / "lib.rs").write_text(
        "pub fn fib(n: u64) -> u64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n"
        "pub fn sum(n: u64) -> u64 { (0..n).fold(0, |a, b| a ^ b.wrapping_mul(31)) }\n"
    )
    (crate / "benches" / "speed.rs").write_text(
        "use criterion::{black_box, criterion_group, criterion_main, Criterion};\n"
        "fn b(c: &mut Criterion) {\n"
        f'    c.bench_function("{SLOW_BENCH}", |b| b.iter(|| prcrate::fib(black_box({fib_n}))));\n'
        '    c.bench_function("sum/500", |b| b.iter(|| prcrate::sum(black_box(500))));\n'
        '    c.bench_function("sum/2000", |b| b.iter(|| prcrate::sum(black_box(2000))));\n'
        "}\ncriterion_group!(g, b);\ncriterion_main!(g);\n"
    )
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", message], check=True)
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return head.stdout.strip()


@pytest.mark.slow
@pytest.mark.cargo
def test_pull_request_path_with_real_cargo_fails_on_the_slowed_benchmark(
    tmp_path: Path, workflow: dict[str, Any], installs: Installs
) -> None:
    """The benchmark job as a pull request runs it, nothing of `vmbench bench` replaced: the
    base commit built in a worktree outside the workspace, base-1, pr-1, base-2 interleaved
    per benchmark by real Criterion, the gate (with confirmation runs if it asks for them),
    the artifact; then the compare job's report, comment and decision on that artifact."""
    if shutil.which("cargo") is None or shutil.which("git") is None:
        pytest.skip("cargo or git is not installed")
    if not any(REGISTRY.glob("criterion-0.3*")):
        pytest.skip("Debian's librust-criterion-dev is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(repo)], check=True)
    base = _crate_commit(repo, 12, "base")
    head = _crate_commit(repo, 15, "pr: fib(15) instead of fib(12)")
    github = json.loads(json.dumps(GITHUB))
    github["sha"] = head
    github["event"]["pull_request"]["base"]["sha"] = base
    github["event"]["pull_request"]["head"]["sha"] = head

    job = json.loads(json.dumps(workflow["jobs"]["benchmark"]))
    # The container's apt-get step is the container's business (this machine has the packages).
    job["steps"] = [s for s in job["steps"] if not s.get("name", "").startswith("Install Debian")]
    job["env"] |= {"VMBENCH_WORKSPACE": "crate", "MEASUREMENT_TIME": "1"}
    actions = _local_actions()

    def checkout(with_values: dict[str, Any], workspace: Path) -> None:
        assert with_values.get("fetch-depth") == "0"  # the base commit must be there
        assert (workspace / ".git").is_dir()

    actions["actions/checkout"] = checkout
    actions["dtolnay/rust-toolchain"] = lambda with_values, workspace: None
    toolchain = {  # rustup's cargo needs the machine's toolchains, not the runner's HOME
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
        "CARGO_HOME": os.environ.get("CARGO_HOME", str(Path.home() / ".cargo")),
    }
    bench = run_job(
        {**workflow, "jobs": {"benchmark": job}},
        "benchmark",
        workspace=repo,
        runner_env=_runner_env(tmp_path, installs.benchmark, **toolchain),
        local_actions=actions,
        replaced_steps={"install": installs.done(installs.benchmark)},
        github_context=github,
    )
    assert bench.status == "success", bench.failed_step
    assert "./.github/actions/run-benchmarks" in bench.uses
    assert "./.github/actions/compare" in bench.uses
    artifact = repo / "artifact"
    manifest = json.loads((artifact / "criterion/vmbench-runs.json").read_text())
    assert manifest["base_commit"] == base
    runs = manifest["runs"]
    assert runs["baseline"][:2] == ["base-1", "base-2"]
    assert runs["candidate"][:1] == ["pr-1"]
    assert (artifact / f"criterion/{SLOW_BENCH}/pr-1/sample.json").is_file()
    gate = json.loads((artifact / "vmbench-out/gate.json").read_text())
    assert gate["status"] == "regression", gate

    (tmp_path / "compare-ws").mkdir()
    compare = run_job(
        workflow,
        "compare",
        workspace=tmp_path / "compare-ws",
        runner_env=_runner_env(tmp_path, installs.setup_python),
        local_actions=_local_actions(artifact),
        replaced_steps={"install": installs.done(installs.setup_python)},
        github_context=github,
    )
    assert compare.status == "failure"
    assert compare.failed_step == "Regression gate"
    assert "🔴" in compare.summary
    out = compare.workspace / "vmbench-out"
    severity = _severities(json.loads((out / "comparison.json").read_text()))
    report = json.loads((out / "report" / "regression.json").read_text())
    assert _severities(report) == severity  # the report shows the runs the gate compared
    if gate["confirmed"]:
        # On a busy machine base-1 and base-2 can differ enough that 2 v 1 cannot decide
        # even a 4x change: the gate asked for confirmation runs, and the suspects'
        # verdicts with every run are the final ones, in the report too.
        confirmed = _severities(json.loads((out / "comparison-confirmed.json").read_text()))
        assert SLOW_BENCH in gate["confirmed_benchmarks"]
        assert _severities(report["confirmation"]) == confirmed
        assert "After confirmation" in (out / "report" / "regression.md").read_text()
        severity |= confirmed
    assert severity[SLOW_BENCH] == "high", severity  # fib(15) / fib(12): about 4.2x
    assert not {bid for bid, s in severity.items() if s in ("high", "medium")} - {SLOW_BENCH}


def _severities(comparison: dict[str, Any]) -> dict[str, str]:
    return {b["id"]: b["severity"] for b in comparison["benchmarks"]}
