"""`vmbench bench` on real repositories: only [[bench]] targets, base and candidate
interleaved from a git worktree outside the workspace, first runs, confirmation runs.

These run the real cargo and git on a crate whose bench binary is a dependency-free
stand-in for Criterion (tests/data/fake_criterion), so each test takes seconds; its lib
target is left at Cargo's default `bench = true`, which would make a plain
`cargo bench -- --save-baseline x` fail. The same path with the real Criterion is
tests/test_bench_real_crate.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmbench.cli import main
from vmbench.errors import InputError, SchemaVersionError, UsageError
from vmbench.pipeline.interleave import (
    RunSet,
    RunsManifest,
    base_checkout,
    bench_against_base,
    confirm_schedule,
    read_suspects,
    run_interleaved,
    schedule,
)
from vmbench.pipeline.runner import BenchEvent, run_benchmarks
from vmbench.pipeline.targets import Selection

FAKE = Path(__file__).resolve().parents[1] / "data" / "fake_criterion" / "bench.rs"
IDS = ["alpha/one", "beta two", "gamma(3)"]

needs_tools = pytest.mark.skipif(
    shutil.which("cargo") is None or shutil.which("git") is None,
    reason="cargo and git are needed",
)


def test_schedule() -> None:
    assert schedule(1) == [("base", "base-1"), ("pr", "pr-1"), ("base", "base-2")]
    assert [name for _, name in schedule(2)] == ["base-1", "pr-1", "base-2", "pr-2", "base-3"]
    assert confirm_schedule(3) == [("base", "confirm-base-3"), ("pr", "confirm-cand-3")]
    with pytest.raises(UsageError):
        schedule(0)


def test_manifest_round_trip_and_version(tmp_path: Path) -> None:
    manifest = RunsManifest(
        runs=RunSet(baseline=("base-1", "base-2"), candidate=("pr-1",), benchmarks=("a",)),
        base_commit="a" * 40,
    )
    path = tmp_path / "runs.json"
    path.write_text(manifest.to_json())
    assert RunsManifest.from_file(path) == manifest
    data = json.loads(path.read_text())
    data["schema_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(SchemaVersionError, match="schema_version 99"):
        RunsManifest.from_file(path)
    path.write_text("[]")
    with pytest.raises(InputError, match="not a vmbench runs manifest"):
        RunsManifest.from_file(path)


def _suspects(ids: list[str]) -> str:
    """A suspects file as `vmbench detect --suspects` writes it (vmbench.compare.confirm)."""
    document = {"schema_version": 1, "kind": "vmbench-suspects", "baseline": ["base-1"]}
    return json.dumps({**document, "candidate": ["pr-1"], "benchmarks": ids})


def test_read_suspects(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(_suspects(["a", "b c"]))
    assert read_suspects(path) == ["a", "b c"]
    path.write_text('{"suspects": ["a"]}')
    with pytest.raises(InputError, match="not a vmbench suspects file"):
        read_suspects(path)


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def _crate(root: Path, *, ns: float = 10.0) -> Path:
    """A `cargo new --lib` style crate (lib left at bench = true) with one bench target."""
    crate = root / "crates" / "speedy"
    (crate / "src").mkdir(parents=True)
    (crate / "benches").mkdir()
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "speedy"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[[bench]]\nname = "fake"\nharness = false\n',
        encoding="utf-8",
    )
    (crate / "src" / "lib.rs").write_text(
        "pub fn add(a: u64, b: u64) -> u64 { a + b }\n", encoding="utf-8"
    )
    _set_speed(crate, ns)
    return crate


def _set_speed(crate: Path, ns: float) -> None:
    text = FAKE.read_text(encoding="utf-8").replace(
        "const NS: f64 = 10.0;", f"const NS: f64 = {ns};"
    )
    (crate / "benches" / "fake.rs").write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, str]:
    """A git repository: the base commit (10 ns) and the candidate on top (20 ns)."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "--quiet", "--initial-branch", "main")
    crate = _crate(root)
    (root / ".gitignore").write_text("target/\n")
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    _set_speed(crate, 20.0)
    _git(root, "commit", "--quiet", "-am", "slower")
    return root, crate, base


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CARGO_TARGET_DIR", "RUSTFLAGS")}
    return {**env, "CRITERION_HOME": str(tmp_path / "criterion"), "CARGO_TERM_COLOR": "never"}


@pytest.mark.slow
@needs_tools
def test_plain_cargo_bench_fails_but_vmbench_runs_only_bench_targets(
    repo: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, crate, _ = repo
    env = _env(tmp_path)
    # What the issue reports: libtest benchmarks the lib too and rejects Criterion's flags.
    plain = subprocess.run(
        ["cargo", "bench", "--offline", "--", "--save-baseline", "x"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode != 0
    result = run_benchmarks(crate, save_baseline="main", offline=True, env=env)
    assert list(result.benchmarks) == IDS
    assert result.argv[:6] == (result.argv[0], "bench", "-p", "speedy", "--bench", "fake")
    assert [(t.kind, t.name) for t in result.bench_enabled] == [("lib", "speedy")]
    assert (tmp_path / "criterion" / "alpha_one" / "main" / "ran").is_file()


@pytest.mark.slow
@needs_tools
def test_selection_errors_name_what_exists(repo: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, crate, _ = repo
    env = _env(tmp_path)
    with pytest.raises(UsageError, match=r"benches: 'nope' is not a \[\[bench\]\] target"):
        run_benchmarks(crate, selection=Selection(benches=("nope",)), offline=True, env=env)
    with pytest.raises(UsageError, match="members: speedy"):
        run_benchmarks(crate, selection=Selection(packages=("other",)), offline=True, env=env)


@pytest.mark.slow
@needs_tools
def test_base_and_candidate_interleaved_per_benchmark(
    repo: tuple[Path, Path, str], tmp_path: Path
) -> None:
    root, crate, base = repo
    env = _env(tmp_path)
    # The candidate's own config must not reach the base build (its checkout is elsewhere).
    (crate / ".cargo").mkdir()
    (crate / ".cargo" / "config.toml").write_text('[build]\nrustflags = ["--cfg", "pr_only"]\n')
    events: list[BenchEvent] = []
    with base_checkout(crate, base, parent=tmp_path) as checkout:
        assert checkout.commit == base
        assert not checkout.workspace.is_relative_to(root)
        assert not (checkout.workspace / ".cargo").exists()
        run = run_interleaved(
            crate, checkout.workspace, offline=True, env=env, on_event=events.append
        )
    assert not any(tmp_path.glob("vmbench-base-*")), "the worktree is removed afterwards"
    assert "vmbench-base" not in _git(root, "worktree", "list")
    assert run.runs.baseline == ("base-1", "base-2")
    assert run.runs.candidate == ("pr-1",)
    assert run.runs.benchmarks == tuple(IDS)
    done = [(e.id, e.estimate_ns) for e in events if e.kind == "done"]
    # one process per benchmark and side, in the order base-1, pr-1, base-2
    assert [i for i, _ in done] == [f"{b} [{n}]" for b in IDS for n in ("base-1", "pr-1", "base-2")]
    # each side ran its own code (the sides' binaries must not be the same file)
    assert {ns for i, ns in done if i is not None and "[pr-" in i} == {20.0}
    assert {ns for i, ns in done if i is not None and "[base-" in i} == {10.0}
    for name in ("base-1", "pr-1", "base-2"):
        assert (tmp_path / "criterion" / "beta two" / name / "ran").is_file()


@pytest.mark.slow
@needs_tools
def test_cli_pull_request_path_first_run_and_confirmation(
    repo: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, crate, base = repo
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CARGO_TARGET_DIR", raising=False)
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    manifest = tmp_path / "criterion" / "vmbench-runs.json"
    runner = CliRunner()
    first = runner.invoke(main, ["bench", str(crate), "--offline", "--base-ref", base])
    assert first.exit_code == 0, first.output
    runs = RunsManifest.from_file(manifest)
    assert runs.base_commit == base
    assert runs.runs.baseline == ("base-1", "base-2")
    assert runs.first_run is None
    # confirmation: only the suspects, more rounds, their own names, added to the manifest
    # (the library call: the CLI's stopping rule reads real Criterion data, which this
    # stand-in does not write; test_confirmation_stops_when_nothing_is_undecided covers it)
    bench_against_base(
        crate,
        manifest=manifest,
        base_ref=base,
        confirm=read_suspects(_write(tmp_path / "suspects.json", _suspects(["gamma(3)"]))),
        rounds=2,
        temp_parent=tmp_path,
        offline=True,
    )
    runs = RunsManifest.from_file(manifest)
    assert runs.runs.baseline == ("base-1", "base-2")
    assert runs.confirm is not None
    assert runs.confirm.benchmarks == ("gamma(3)",)
    assert runs.confirm.baseline == ("confirm-base-1", "confirm-base-2")
    assert runs.confirm.candidate == ("confirm-cand-1", "confirm-cand-2")
    assert (tmp_path / "criterion" / "gamma(3)" / "confirm-cand-2" / "ran").is_file()
    assert not (tmp_path / "criterion" / "beta two" / "confirm-cand-1").exists()
    # a base commit without the workspace: a first run, only the candidate measured
    _git(root, "checkout", "--quiet", "--orphan", "empty")
    _git(root, "rm", "-rf", "--quiet", ".")
    (root / "README").write_text("nothing yet\n")
    _git(root, "add", "README")
    _git(root, "commit", "--quiet", "-m", "empty")
    empty = _git(root, "rev-parse", "HEAD")
    _git(root, "checkout", "--quiet", "main")
    manifest.unlink()
    again = runner.invoke(main, ["bench", str(crate), "--offline", "--base-ref", empty])
    assert again.exit_code == 0, again.output
    assert "no baseline yet" in again.output
    runs = RunsManifest.from_file(manifest)
    assert runs.runs.baseline == ()
    assert runs.runs.candidate == ("pr-1",)
    assert runs.first_run is not None
    assert "no Cargo.toml" in runs.first_run


@pytest.mark.slow
@needs_tools
def test_base_without_bench_targets_is_a_first_run(
    repo: tuple[Path, Path, str], tmp_path: Path
) -> None:
    root, crate, _ = repo
    toml = crate / "Cargo.toml"
    with_bench = toml.read_text()
    bench = (crate / "benches" / "fake.rs").read_text()
    toml.write_text(with_bench.split("[[bench]]")[0])
    _git(root, "rm", "--quiet", "crates/speedy/benches/fake.rs")
    _git(root, "commit", "--quiet", "-am", "no benches yet")
    before = _git(root, "rev-parse", "HEAD")
    toml.write_text(with_bench)
    (crate / "benches").mkdir(exist_ok=True)
    (crate / "benches" / "fake.rs").write_text(bench)
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "benches")
    result, run = bench_against_base(
        crate,
        manifest=tmp_path / "runs.json",
        base_ref=before,
        temp_parent=tmp_path,
        offline=True,
        env=_env(tmp_path),
    )
    assert run is None
    assert result.first_run is not None
    assert "no [[bench]] target" in result.first_run
    assert result.runs.candidate_only == tuple(IDS)


def test_unknown_base_commit_says_how_to_fetch_it(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "--quiet")
    (root / "Cargo.toml").write_text("")
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "x")
    with pytest.raises(UsageError, match="fetch-depth: 0"), base_checkout(root, "f" * 40):
        pass


@pytest.mark.slow
@needs_tools
def test_confirmation_stops_when_nothing_is_undecided(
    repo: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, crate, base = repo
    manifest = tmp_path / "runs.json"
    manifest.write_text(
        RunsManifest(runs=RunSet(("base-1",), ("pr-1",), tuple(IDS)), base_commit=base).to_json()
    )
    seen: list[RunSet] = []

    def undecided(runs: RunSet) -> list[str]:
        seen.append(runs)
        return ["alpha/one"] if len(seen) < 2 else []  # one left after round 1, none after 2

    result, _ = bench_against_base(
        crate,
        manifest=manifest,
        base_ref=base,
        confirm=["alpha/one", "beta two"],
        rounds=5,
        undecided=undecided,
        temp_parent=tmp_path,
        offline=True,
        env=_env(tmp_path),
    )
    assert len(seen) == 2  # stopped after round 2 of 5
    assert seen[0].benchmarks == ("alpha/one", "beta two")
    assert result.confirm is not None
    assert result.confirm.candidate == ("confirm-cand-1", "confirm-cand-2")
    assert (tmp_path / "criterion" / "alpha_one" / "confirm-cand-2" / "ran").is_file()
    assert not (tmp_path / "criterion" / "beta two" / "confirm-cand-2").exists()
