"""`vmbench bench`: run a Rust workspace's Criterion benchmarks, then record and report.

Everything after `--` goes to Criterion (`vmbench bench . -- --measurement-time 2`).
Progress goes to stderr: one line per finished benchmark with its estimate, the count
and the elapsed time. Exit codes: 0 done; 2 cargo missing, the build or a benchmark
failed (cargo's error lines are shown first), or bad arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from vmbench.cli.output import note, say
from vmbench.errors import UsageError
from vmbench.pipeline.runner import BenchEvent, BenchFailed, after_bench, run_benchmarks
from vmbench.units import format_duration

_META = "vmbench.criterion_args"


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
@click.option("--bench", "benches", multiple=True, help="Only this bench target (repeatable).")
@click.option("--filter", help="Only benchmarks whose id matches REGEX (Criterion's filter).")
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
    """Run `cargo bench --workspace --all-features` in WORKSPACE (default .).

    Arguments after `--` go to Criterion, e.g.
    `vmbench bench . --save-baseline main -- --measurement-time 2 --noplot`.
    Progress goes to stderr; Criterion's data directory is printed at the end.
    """
    if kw["history"] is not None and not (kw["commit"] and kw["branch"]):
        raise UsageError("--history needs --commit and --branch")
    try:
        result = run_benchmarks(
            kw["workspace"],
            save_baseline=kw["save_baseline"],
            benches=kw["benches"],
            filter=kw["filter"],
            offline=kw["offline"],
            criterion_args=ctx.meta.get(_META, ()),
            cargo=kw["cargo"],
            on_event=_progress,
        )
    except BenchFailed as exc:
        # The one-line error comes last (from the CLI group); cargo's own lines first.
        start = next((i for i, x in enumerate(exc.output) if x.lstrip().startswith("error")), 0)
        for line in exc.output[start : start + 40]:
            say(f"  {line}", err=True)
        raise
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
