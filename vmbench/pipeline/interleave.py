"""Base and candidate measured on one runner, interleaved per benchmark.

A pull request's comparison is only as good as the two sides' shared conditions. Two
whole-suite runs one after the other see different machine states (a noisy neighbour
arriving half-way through makes every later benchmark of one side slower), so here each
benchmark is measured in its own `cargo bench` process, alternating sides:
base-1, pr-1, base-2 (with `rounds=2`: base-1, pr-1, base-2, pr-2, base-3). The base runs
before and after each candidate run bracket it in time, and their spread is the
benchmark's run-to-run noise on this runner. Confirmation runs measure only the suspects,
one round at a time (confirm-base-k, confirm-cand-k: A B A B ...), until `undecided`
says none is left or the budget of rounds is spent.

The base is a git worktree of the base commit OUTSIDE the candidate's workspace (in a
temporary directory), so the base builds with its own `.cargo/config.toml` and
`rust-toolchain.toml`, and its own target directory `<candidate's target>/vmbench-base`
(never the candidate's: cargo would give both sides' binaries the same name). Both sides
write Criterion's data to the candidate's Criterion directory (CRITERION_HOME), so one
tree holds every run.

What ran is written to a JSON manifest (`RunsManifest`) that `vmbench ci gate` reads to
choose the refs to compare. Format history: schema_version 1 (this version).

Over 400 lines because it is one idea, a pull request's measurement, whose parts (the
base worktree, the schedule, the manifest, first runs and the confirmation rounds) share
the per-side state and are only used together by `bench_against_base`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from vmbench.atomic import atomic_write_text
from vmbench.errors import InputError, SchemaVersionError, UsageError
from vmbench.pipeline.runner import (
    BenchEvent,
    ProgressParser,
    _lines,
    cargo_bench_argv,
    check_filter,
    criterion_dir,
    exact_filter,
    list_benchmarks,
    prepare,
)
from vmbench.pipeline.targets import BenchEnabled, NoBenchTargets, Selection, TargetPlan
from vmbench.readers.jsonfiles import read_json

SCHEMA_VERSION = 1
BASE_TARGET_SUBDIR = "vmbench-base"
SideName = Literal["base", "pr"]


def schedule(rounds: int, *, tag: str = "") -> list[tuple[SideName, str]]:
    """The order of one benchmark's runs: base-1, pr-1, base-2, ... (rounds candidate runs,
    rounds + 1 base runs, each candidate run between two base runs)."""
    if rounds < 1:
        raise UsageError(f"must be at least 1, got {rounds}", parameter="rounds")
    order: list[tuple[SideName, str]] = []
    for i in range(1, rounds + 1):
        order += [("base", f"base-{tag}{i}"), ("pr", f"pr-{tag}{i}")]
    order.append(("base", f"base-{tag}{rounds + 1}"))
    return order


def confirm_schedule(round_number: int) -> list[tuple[SideName, str]]:
    """One confirmation round: confirm-base-k then confirm-cand-k (A B, A B, ... over rounds)."""
    return [("base", f"confirm-base-{round_number}"), ("pr", f"confirm-cand-{round_number}")]


@dataclass(frozen=True)
class RunSet:
    """One schedule's refs: the baselines Criterion saved on each side, and for which ids."""

    baseline: tuple[str, ...]
    candidate: tuple[str, ...]
    benchmarks: tuple[str, ...]  # measured on both sides
    base_only: tuple[str, ...] = ()
    candidate_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunsManifest:
    """What `vmbench bench --base-ref/--base-workspace` measured (see the module docstring).

    `first_run` says why there is no baseline (the base commit has no benchmarks...);
    then `runs.baseline` is empty and the gate reports "no baseline yet".
    """

    runs: RunSet
    base_commit: str | None = None
    first_run: str | None = None
    confirm: RunSet | None = None
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> RunsManifest:
        data = read_json(path)
        if not isinstance(data, dict) or "runs" not in data:
            raise InputError(path, "not a vmbench runs manifest (no 'runs')")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SchemaVersionError(
                path,
                f"runs manifest schema_version {version!r}, this vmbench reads "
                f"{SCHEMA_VERSION}; rerun `vmbench bench` with this version",
            )
        try:
            confirm = data.get("confirm")
            return cls(
                runs=_run_set(data["runs"]),
                base_commit=data.get("base_commit"),
                first_run=data.get("first_run"),
                confirm=None if confirm is None else _run_set(confirm),
            )
        except (TypeError, KeyError) as exc:
            raise InputError(path, f"malformed runs manifest: {exc}") from None


def _run_set(data: Mapping[str, Any]) -> RunSet:
    return RunSet(**{k: tuple(str(x) for x in data.get(k, ())) for k in RunSet.__annotations__})


@dataclass(frozen=True)
class _Side:
    name: SideName
    workspace: Path
    cargo: str
    env: dict[str, str]
    plan: TargetPlan
    listing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InterleavedRun:
    """What `run_interleaved` did."""

    criterion_dir: Path
    runs: RunSet
    elapsed_s: float
    bench_enabled: tuple[BenchEnabled, ...]


def run_interleaved(
    candidate: Path,
    base: Path,
    *,
    selection: Selection | None = None,
    filter: str | None = None,
    only: Sequence[str] = (),
    rounds: int = 1,
    order: Sequence[tuple[SideName, str]] | None = None,
    offline: bool = False,
    criterion_args: Sequence[str] = (),
    cargo: str | None = None,
    env: Mapping[str, str] | None = None,
    on_event: Callable[[BenchEvent], None] | None = None,
) -> InterleavedRun:
    """Measure every benchmark (or those in `only`) on both sides, interleaved, in the
    order `schedule(rounds)` (or `order`) gives.

    Raises `UsageError` (nothing selected, a side without bench targets), `BenchFailed`
    (a build or a benchmark failed on either side).
    """
    check_filter(filter)
    order = list(order) if order is not None else schedule(rounds)
    selection = selection or Selection()
    ws, exe, cand_env, cand_plan = prepare(
        candidate, selection=selection, offline=offline, cargo=cargo, env=env
    )
    home = criterion_dir(ws, env=cand_env, cargo=exe, offline=offline)
    cand_env["CRITERION_HOME"] = str(home)
    base_env = {**cand_env}
    base_ws = Path(base).resolve()
    target = cand_plan.target_directory or ws / "target"
    # Never the candidate's target directory itself: cargo names a workspace crate's
    # artifacts by its path relative to the workspace root, so both sides would write (and
    # run) the same binary. A directory inside it persists (and is cached) with it.
    base_env["CARGO_TARGET_DIR"] = str(target / BASE_TARGET_SUBDIR)
    base_ws, _, base_env, base_plan = prepare(
        base_ws, selection=selection, offline=offline, cargo=exe, env=base_env
    )
    start = time.monotonic()

    def clock() -> float:
        return time.monotonic() - start

    sides = {
        "pr": _Side("pr", ws, exe, cand_env, cand_plan),
        "base": _Side("base", base_ws, exe, base_env, base_plan),
    }
    for side in sides.values():
        side.listing.update(
            list_benchmarks(
                side.workspace,
                side.plan,
                cargo=exe,
                env=side.env,
                filter=filter,
                offline=offline,
                on_event=on_event,
                clock=clock,
            )
        )
    ids = list(dict.fromkeys([*sides["base"].listing, *sides["pr"].listing]))
    if only:
        wanted = set(only)
        ids = [i for i in ids if i in wanted]
        if not ids:
            raise UsageError("none of these benchmarks exists on either side", parameter="only")
    if not ids:
        raise UsageError("cargo bench listed no Criterion benchmark (check --bench/--filter)")
    jobs = [
        (bench_id, side, name)
        for bench_id in ids
        for side, name in order
        if bench_id in sides[side].listing
    ]
    if on_event is not None:
        on_event(BenchEvent(kind="listed", elapsed_s=clock(), total=len(jobs)))
    for done, (bench_id, side_name, name) in enumerate(jobs, start=1):
        side = sides[side_name]
        estimate = _measure_one(side, bench_id, name, offline, criterion_args)
        if on_event is not None:
            on_event(
                BenchEvent(
                    kind="done",
                    elapsed_s=clock(),
                    done=done,
                    total=len(jobs),
                    id=f"{bench_id} [{name}]",
                    estimate_ns=estimate,
                )
            )
    both = tuple(i for i in ids if i in sides["base"].listing and i in sides["pr"].listing)
    runs = RunSet(
        baseline=tuple(name for side, name in order if side == "base"),
        candidate=tuple(name for side, name in order if side == "pr"),
        benchmarks=both,
        base_only=tuple(i for i in ids if i not in sides["pr"].listing),
        candidate_only=tuple(i for i in ids if i not in sides["base"].listing),
    )
    return InterleavedRun(
        criterion_dir=home,
        runs=runs,
        elapsed_s=clock(),
        bench_enabled=cand_plan.bench_enabled,
    )


def _measure_one(
    side: _Side, bench_id: str, name: str, offline: bool, criterion_args: Sequence[str]
) -> float | None:
    """One `cargo bench` process measuring exactly one benchmark; its point estimate."""
    argv = cargo_bench_argv(
        cargo=side.cargo,
        target_args=side.plan.cargo_args(only=[side.listing[bench_id]]),
        save_baseline=name,
        filter=exact_filter(bench_id),
        offline=offline,
        criterion_args=criterion_args,
    )
    parser = ProgressParser()
    estimate = None
    for line in _lines(argv, side.workspace, side.env):
        event = parser.feed(line)
        if event is not None and event.kind == "done":
            estimate = event.estimate_ns
    if bench_id not in parser.done:
        raise InputError(
            side.workspace, f"cargo bench did not run {bench_id!r} ({side.name} side, {name})"
        )
    return estimate


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise InputError(cwd, f"git {args[0]} failed: {message[-1] if message else 'no output'}")
    return done.stdout.strip()


@dataclass(frozen=True)
class BaseCheckout:
    """The base commit checked out outside the workspace; `workspace` may lack Cargo.toml."""

    commit: str
    workspace: Path


@contextlib.contextmanager
def base_checkout(
    workspace: Path, ref: str, *, parent: Path | None = None
) -> Iterator[BaseCheckout]:
    """A `git worktree` of `ref` in a temporary directory under `parent` (default: the
    system's), at the same path relative to the repository root as `workspace`; removed
    afterwards."""
    workspace = Path(workspace).resolve()
    root = Path(_git(["rev-parse", "--show-toplevel"], workspace)).resolve()
    relative = workspace.relative_to(root)
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    except InputError:
        raise UsageError(
            f"base commit {ref!r} is not in this clone; fetch it first "
            "(actions/checkout with fetch-depth: 0)"
        ) from None
    temp = Path(tempfile.mkdtemp(prefix="vmbench-base-", dir=parent))
    tree = temp / "src"
    try:
        _git(["worktree", "add", "--quiet", "--detach", str(tree), commit], root)
        try:
            yield BaseCheckout(commit=commit, workspace=tree / relative)
        finally:
            _git(["worktree", "remove", "--force", str(tree)], root)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def write_manifest(path: Path, manifest: RunsManifest) -> None:
    atomic_write_text(path, manifest.to_json())


def read_suspects(path: Path) -> list[str]:
    """Benchmark ids to confirm, from a suspects file (`vmbench detect --suspects`,
    `vmbench ci gate`)."""
    from vmbench.compare.confirm import read_suspects as parse

    return parse(read_json(path), str(path))


def bench_against_base(
    candidate: Path,
    *,
    manifest: Path,
    base_ref: str | None = None,
    base_workspace: Path | None = None,
    confirm: Sequence[str] | None = None,
    rounds: int = 1,
    undecided: Callable[[RunSet], Sequence[str]] | None = None,
    temp_parent: Path | None = None,
    **options: Any,
) -> tuple[RunsManifest, InterleavedRun | None]:
    """A pull request's measurement: the base (a commit, or a checkout) and the candidate
    interleaved; with `confirm`, only those ids again (tag "c"), added to `manifest`.

    A base without a workspace or without `[[bench]]` targets is a first run: only the
    candidate is measured (as pr-1) and the manifest says why there is no baseline.
    Confirmation runs up to `rounds` rounds; after each, `undecided(runs so far)` names the
    suspects still undecided (the verdicts' stopping rule); none left stops early.
    Without `undecided` the whole budget runs.
    `options` go to `run_interleaved` / `run_benchmarks` (selection, filter, offline...).
    """
    if (base_ref is None) == (base_workspace is None):
        raise UsageError("give exactly one of base_ref and base_workspace")
    previous = RunsManifest.from_file(manifest) if confirm is not None else None
    with contextlib.ExitStack() as stack:
        commit = None
        if base_ref is not None:
            checkout = stack.enter_context(base_checkout(candidate, base_ref, parent=temp_parent))
            base, commit = checkout.workspace, checkout.commit
        else:
            assert base_workspace is not None
            base = Path(base_workspace)
        if previous is not None:
            assert confirm is not None
            run = _confirm(candidate, base, confirm, rounds, undecided, options)
            result = RunsManifest(
                runs=previous.runs,
                base_commit=previous.base_commit,
                first_run=previous.first_run,
                confirm=run.runs,
            )
            write_manifest(manifest, result)
            return result, run
        reason = _first_run_reason(base, commit or str(base))
        if reason is None:
            try:
                run = run_interleaved(candidate, base, rounds=rounds, **options)
            except NoBenchTargets as exc:
                if not _is_base_problem(exc, candidate, options):
                    raise
                reason = f"the base ({commit or base}) has no [[bench]] target"
            else:
                result = RunsManifest(runs=run.runs, base_commit=commit)
                write_manifest(manifest, result)
                return result, run
    from vmbench.pipeline.runner import run_benchmarks

    only_candidate = run_benchmarks(candidate, save_baseline="pr-1", **options)
    result = RunsManifest(
        runs=RunSet(
            baseline=(),
            candidate=("pr-1",),
            benchmarks=(),
            candidate_only=only_candidate.benchmarks,
        ),
        base_commit=commit,
        first_run=reason,
    )
    write_manifest(manifest, result)
    return result, None


def _confirm(
    candidate: Path,
    base: Path,
    suspects: Sequence[str],
    rounds: int,
    undecided: Callable[[RunSet], Sequence[str]] | None,
    options: Mapping[str, Any],
) -> InterleavedRun:
    if rounds < 1:
        raise UsageError(f"must be at least 1, got {rounds}", parameter="rounds")
    remaining = list(suspects)
    baseline: list[str] = []
    cand: list[str] = []
    measured: dict[str, None] = {}
    last: InterleavedRun | None = None
    elapsed = 0.0
    for k in range(1, rounds + 1):
        last = run_interleaved(
            candidate, base, only=remaining, order=confirm_schedule(k), **options
        )
        elapsed += last.elapsed_s
        baseline += last.runs.baseline
        cand += last.runs.candidate
        measured.update(dict.fromkeys(last.runs.benchmarks))
        so_far = RunSet(baseline=tuple(baseline), candidate=tuple(cand), benchmarks=tuple(measured))
        if undecided is not None:
            remaining = [s for s in undecided(so_far) if s in measured]
            if not remaining:
                break
    assert last is not None
    return InterleavedRun(
        criterion_dir=last.criterion_dir,
        runs=so_far,
        elapsed_s=elapsed,
        bench_enabled=last.bench_enabled,
    )


def _first_run_reason(base: Path, name: str) -> str | None:
    if not (base / "Cargo.toml").is_file():
        return f"the base ({name}) has no Cargo.toml at this workspace's path"
    return None


def _is_base_problem(exc: NoBenchTargets, candidate: Path, options: Mapping[str, Any]) -> bool:
    """Whether the missing bench targets are the base's (the candidate has some)."""
    try:
        prepare(
            candidate,
            selection=options.get("selection") or Selection(),
            offline=bool(options.get("offline")),
            cargo=options.get("cargo"),
            env=options.get("env"),
        )
    except NoBenchTargets:
        return False
    return True
