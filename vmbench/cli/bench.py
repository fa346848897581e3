"""`vmbench bench`: run a Rust workspace's Criterion benchmarks, then record and report.

Only `[[bench]]` targets run (`vmbench.pipeline.targets`). Everything after `--` goes to
Criterion (`vmbench bench . -- --measurement-time 2`). With `--base-ref`/`--base-workspace`
the base and this workspace are measured interleaved per benchmark
(`vmbench.pipeline.interleave`); `--confirm` reruns the suspects of a gate that way.
Progress goes to stderr: one line per finished benchmark with its estimate, the count
and the elapsed time. Exit codes: 0 done; 2 cargo missing, the build or a benchmark
failed (cargo's error lines are shown first), or bad arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from vmbench.cli.output import note, say
from vmbench.errors import UsageError
from vmbench.pipeline.runner import BenchEvent, BenchFailed, after_bench, run_benchmarks
from vmbench.pipeline.targets import BenchEnabled, Selection
from vmbench.units import format_duration

_META = "vmbench.criterion_args"
_T = TypeVar("_T")


class _BenchCommand(click.Command):
    # Split at "--" before click sees it, so `vmbench bench -- --x 1` keeps WORKSPACE
    # at its default instead of taking "--x" for it.
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            ctx.meta[_META] = tuple(args[cut + 1 :])
            args = args[:cut]
        return super().parse_args(ctx, args)


def _progress(event: BenchEvent) -> None:
    count = f"{event.done}/{event.total}" if event.total else str(event.done)
    if event.kind == "build":
        say(f"  {event.line}", err=True)
    elif event.kind == "listed":
        found = f"{event.total} benchmarks" if event.total else "benchmarks (count unknown)"
        note(f"running {found} ({event.elapsed_s:.0f} s)")
    elif event.kind == "done" and event.estimate_ns is not None:
        say(
            f"[{count}] {event.id}  {format_duration(event.estimate_ns)}"
            f"  ({event.elapsed_s:.0f} s)",
            err=True,
        )


@click.command(cls=_BenchCommand)
@click.argument("workspace", type=click.Path(path_type=Path), default=Path("."), required=False)
@click.option("--save-baseline", help="Criterion baseline name to save (default: Criterion's new).")
@click.option("-p", "--package", "packages", multiple=True, help="Only this package (repeatable).")
@click.option("--bench", "benches", multiple=True, help="Only this [[bench]] target (repeatable).")
@click.option(
    "--features", multiple=True, help="Cargo features to enable (repeatable, or comma-separated)."
)
@click.option("--all-features", is_flag=True, help="Enable every feature (opt-in).")
@click.option("--no-default-features", is_flag=True, help="Disable the default features.")
@click.option("--filter", help="Only benchmarks whose id matches REGEX (Criterion's filter).")
@click.option(
    "--base-ref",
    help="Also measure this commit (a git worktree outside WORKSPACE), interleaved per benchmark.",
)
@click.option(
    "--base-workspace",
    "--base-worktree",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also measure this checkout of the base, interleaved per benchmark.",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=1),
    help="With a base: candidate runs per benchmark, base-1 pr-1 base-2 ... (default 1). "
    "With --confirm: the budget of confirmation rounds (default 5).",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the list of runs goes (default: vmbench-runs.json in Criterion's directory).",
)
@click.option(
    "--confirm",
    "confirm_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rerun only the benchmarks in this suspects JSON (vmbench ci gate), interleaved.",
)
@click.option(
    "--temp-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="RUNNER_TEMP",
    help="Where the base worktree goes (default: $RUNNER_TEMP, else the system's).",
)
@click.option("--offline", is_flag=True, help="Pass --offline to cargo.")
@click.option("--cargo", help="cargo executable (default: $CARGO or cargo on PATH).")
@click.option("--history", type=click.Path(path_type=Path), help="Record the run in this store.")
@click.option("--commit", help="Commit of the run (with --history).")
@click.option("--branch", help="Branch of the run (with --history).")
@click.option("--machine", help="Machine label for the history (default: derived).")
@click.option("--report", is_flag=True, help="Build the regression report afterwards.")
@click.option(
    "--report-baseline",
    default="base",
    show_default=True,
    help="Baseline the report compares the run against.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Where --report writes its files.",
)
@click.pass_context
def bench(ctx: click.Context, /, **kw: Any) -> None:
    """Run the [[bench]] targets of WORKSPACE (default .) with `cargo bench`.

    Arguments after `--` go to Criterion, e.g.
    `vmbench bench . --save-baseline main -- --measurement-time 2 --noplot`.
    A pull request: `vmbench bench . --base-ref BASE_SHA` (base-1, pr-1, base-2 per
    benchmark); then `vmbench bench . --base-ref BASE_SHA --confirm suspects.json`.
    Progress goes to stderr; Criterion's data directory is printed at the end.
    """
    if kw["history"] is not None and not (kw["commit"] and kw["branch"]):
        raise UsageError("--history needs --commit and --branch")
    features = tuple(f for value in kw["features"] for f in value.replace(",", " ").split())
    selection = Selection(
        packages=kw["packages"],
        features=features,
        all_features=kw["all_features"],
        no_default_features=kw["no_default_features"],
        benches=kw["benches"],
    )
    options = {
        "selection": selection,
        "filter": kw["filter"],
        "offline": kw["offline"],
        "criterion_args": ctx.meta.get(_META, ()),
        "cargo": kw["cargo"],
        "on_event": _progress,
    }
    against_base = kw["base_ref"] is not None or kw["base_workspace"] is not None
    if kw["confirm_file"] is not None and not against_base:
        raise UsageError("--confirm needs --base-ref or --base-workspace")
    if against_base:
        if kw["save_baseline"] or kw["history"] or kw["report"]:
            raise UsageError(
                "--save-baseline, --history and --report do not go with a base "
                "(the runs are named base-N and pr-N)"
            )
        _with_cargo_errors(lambda: _against_base(kw, options))
        return
    result = _with_cargo_errors(
        lambda: run_benchmarks(kw["workspace"], save_baseline=kw["save_baseline"], **options)
    )
    _bench_enabled_note(result.bench_enabled)
    say(
        f"vmbench: {len(result.benchmarks)} benchmarks in {result.elapsed_s:.0f} s; "
        f"Criterion data in {result.criterion_dir}",
        err=True,
    )
    done = after_bench(
        result,
        history=kw["history"],
        commit=kw["commit"],
        branch=kw["branch"],
        machine=kw["machine"],
        report_dir=kw["output_dir"] if kw["report"] else None,
        report_baseline=kw["report_baseline"],
    )
    if done.history_entry is not None:
        note(f"recorded in the history: {done.history_entry}")
    for path in done.reports:
        note(f"wrote {path}")
    sys.stdout.flush()


_FLAGS = {
    "packages": "--package",
    "benches": "--bench",
    "filter": "--filter",
    "rounds": "--rounds",
    "only": "--confirm",
}


def _with_cargo_errors(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except UsageError as exc:
        if exc.parameter in _FLAGS:
            raise exc.for_option(_FLAGS[exc.parameter]) from None
        raise
    except BenchFailed as exc:
        # The one-line error comes last (from the CLI group); cargo's own lines first.
        start = next((i for i, x in enumerate(exc.output) if x.lstrip().startswith("error")), 0)
        for line in exc.output[start : start + 40]:
            say(f"  {line}", err=True)
        raise


def _against_base(kw: dict[str, Any], options: dict[str, Any]) -> None:
    from vmbench.pipeline.interleave import bench_against_base, read_suspects
    from vmbench.pipeline.runner import criterion_dir, find_cargo

    workspace = kw["workspace"]
    env = dict(os.environ)
    crit = criterion_dir(workspace, env=env, cargo=find_cargo(kw["cargo"], env))
    manifest = kw["manifest"] or crit / "vmbench-runs.json"
    confirm = read_suspects(kw["confirm_file"]) if kw["confirm_file"] is not None else None
    if confirm == []:
        say("vmbench: no suspects to confirm", err=True)
        return
    rounds = kw["rounds"] or (5 if confirm is not None else 1)
    result, run = bench_against_base(
        workspace,
        manifest=manifest,
        undecided=_undecided(crit, confirm or [], rounds),
        base_ref=kw["base_ref"],
        base_workspace=kw["base_workspace"],
        confirm=confirm,
        rounds=rounds,
        temp_parent=kw["temp_dir"],
        **options,
    )
    if result.first_run is not None and run is None:
        say(f"vmbench: no baseline yet: {result.first_run}", err=True)
    runs = result.confirm if confirm is not None else result.runs
    assert runs is not None
    elapsed = f" in {run.elapsed_s:.0f} s" if run is not None else ""
    say(
        f"vmbench: base {' '.join(runs.baseline) or '(none)'}, candidate "
        f"{' '.join(runs.candidate)}{elapsed}; runs listed in {manifest}",
        err=True,
    )
    if run is not None:
        _bench_enabled_note(run.bench_enabled)


def _undecided(criterion_dir: Path, suspects: Sequence[str], budget: int) -> Any:
    """The verdicts' stopping rule after each confirmation round (vmbench.compare.confirm)."""
    from vmbench.compare.confirm import decide
    from vmbench.readers.criterion import load_criterion

    def pending(runs: Any) -> list[str]:
        base = [load_criterion(criterion_dir, name) for name in runs.baseline]
        cand = [load_criterion(criterion_dir, name) for name in runs.candidate]
        return decide(base, cand, list(suspects), budget=max(budget, 2)).pending

    return pending


def _bench_enabled_note(targets: Sequence[BenchEnabled]) -> None:
    """Lib/bin targets at `bench = true`: vmbench skips them, plain `cargo bench` fails."""
    for target in targets:
        fix = target.fix().replace("\n", "; ")
        say(
            f"vmbench: note: {target.kind} target {target.name!r} of {target.package} is "
            f"benchmarked by plain `cargo bench` (bench = true), which breaks Criterion's "
            f"flags; vmbench runs only [[bench]] targets. To fix it for everyone add "
            f"`{fix}` to {target.manifest}",
            err=True,
        )
