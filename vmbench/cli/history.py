"""`vmbench history add|list|prune` and `vmbench trend`: parse, call the library, print.

Exit codes: 0 done, 2 bad input (a missing store, an unknown baseline, a bad date...).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd

from vmbench.atomic import atomic_write_text
from vmbench.cli.options import categories_option
from vmbench.cli.output import note, say
from vmbench.history.machine import current_machine
from vmbench.history.store import (
    DEFAULT_STORE,
    add_run,
    list_runs,
    load_history,
    parse_date,
    prune_samples,
    skipped_files,
)
from vmbench.history.trend import analyze_trend
from vmbench.readers.categories import Categories
from vmbench.render.trend import TrendFormat, render_runs, render_trend
from vmbench.settings import STEP_DEFAULTS, StepSettings

_STORE = click.option(
    "--history",
    "store",
    type=click.Path(path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="History store directory.",
)


def _warn_skipped(frame: pd.DataFrame) -> None:
    for skipped in skipped_files(frame):
        note(f"skipped {skipped}")


@click.group()
def history() -> None:
    """Record Criterion runs in the history store, list them, prune old samples."""


@history.command()
@click.argument(
    "path", type=click.Path(path_type=Path), default=Path("target/criterion"), required=False
)
@click.option("--baseline", default="new", show_default=True, help="REF of the run to record.")
@click.option("--commit", required=True, help="Commit SHA the run measured.")
@click.option("--branch", required=True, help="Branch the commit is on.")
@click.option("--date", "date_text", help="ISO date of the run (default: now, UTC).")
@click.option("--machine", help="Name of the machine (default: host-<hash of hostname>).")
@_STORE
def add(
    path: Path,
    baseline: str,
    commit: str,
    branch: str,
    date_text: str | None,
    machine: str | None,
    store: Path,
) -> None:
    """Record baseline NAME of the Criterion directory PATH in the history store."""
    from vmbench.readers.refs import load_ref

    date = parse_date(date_text) if date_text else dt.datetime.now(dt.timezone.utc)
    run = load_ref(baseline, criterion_dir=path)
    for skipped in run.skipped:
        note(f"skipped {skipped}")
    written = add_run(
        store,
        run,
        commit=commit,
        branch=branch,
        date=date,
        machine=current_machine(machine),
    )
    say(f"recorded {len(run.benchmarks)} benchmarks as {written.stem} in {store}")


@history.command(name="list")
@_STORE
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def list_command(store: Path, output_format: str) -> None:
    """List the recorded runs, oldest first."""
    runs = list_runs(store)
    _warn_skipped(runs)
    text = render_runs(runs, "json") if output_format == "json" else render_runs(runs, "table")
    say(text, nl=False)


@history.command()
@_STORE
@click.option(
    "--keep-samples-days",
    type=click.IntRange(min=0),
    required=True,
    help="Keep raw samples of runs from the last DAYS days; older runs keep summaries.",
)
def prune(store: Path, keep_samples_days: int) -> None:
    """Drop raw samples of old runs (their summaries stay, trends keep working)."""
    result = prune_samples(store, keep_samples_days=keep_samples_days)
    for skipped in result.skipped:
        note(f"skipped {skipped}")
    say(
        f"pruned samples of {len(result.pruned)} runs; store "
        f"{result.bytes_before / 1e6:.1f} MB -> {result.bytes_after / 1e6:.1f} MB"
    )


@click.command()
@_STORE
@click.option("--branch", help="Branch to analyse (default: the latest run's).")
@click.option("--machine", help="Machine to analyse (default: the latest run's).")
@click.option("--since", "since_text", help="Only runs at or after this ISO date.")
@click.option("--filter", "pattern", help="Only benchmarks whose id matches REGEX (RE2 syntax).")
@click.option("--category", help="Only benchmarks of this category.")
@click.option(
    "--window",
    "window_days",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Drift: the last DAYS days against the DAYS before.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=STEP_DEFAULTS.alpha,
    show_default=True,
    help="Family-wise error of change points per benchmark series.",
)
@click.option(
    "--fdr",
    type=click.FloatRange(0, 1, min_open=True),
    default=STEP_DEFAULTS.fdr,
    show_default=True,
    help="False discovery rate of change points across the benchmarks.",
)
@click.option(
    "--min-change",
    type=click.FloatRange(min=0),
    default=STEP_DEFAULTS.min_change,
    show_default=True,
    help="Ignore steps smaller than this fraction (0.02 = 2%).",
)
@categories_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write to FILE instead.")
def trend(
    store: Path,
    branch: str | None,
    machine: str | None,
    since_text: str | None,
    pattern: str | None,
    category: str | None,
    window_days: float,
    alpha: float,
    fdr: float,
    min_change: float,
    categories_file: Path | None,
    output_format: TrendFormat,
    output: Path | None,
) -> None:
    """Change points and drift of the benchmarks in the history store."""
    frame = load_history(
        store,
        since=parse_date(since_text, check_range=False) if since_text else None,
        categories=Categories.load(categories_file),
    )
    _warn_skipped(frame)
    report = analyze_trend(
        frame,
        window_days=window_days,
        branch=branch,
        machine=machine,
        pattern=pattern,
        category=category,
        settings=StepSettings(alpha=alpha, fdr=fdr, min_change=min_change),
    )
    text = render_trend(report, output_format)
    if output is not None:
        atomic_write_text(output, text)
        say(f"wrote {output}")
    else:
        say(text, nl=False)


@history.command(name="import-cargo-criterion")
@click.argument(
    "path", type=click.Path(path_type=Path), default=Path("target/criterion"), required=False
)
@click.option("--timeline", default="main", show_default=True, help="cargo-criterion timeline.")
@click.option("--branch", help="Branch to record the runs under (default: the timeline).")
@click.option("--machine", help="Name of the machine (default: host-<hash of hostname>).")
@_STORE
def import_cargo_criterion_command(
    path: Path, timeline: str, branch: str | None, machine: str | None, store: Path
) -> None:
    """Import cargo-criterion's history (PATH/data/TIMELINE/*/measurement_*.cbor)."""
    from vmbench.history.cargo_import import import_cargo_criterion

    result = import_cargo_criterion(
        path, store, timeline=timeline, branch=branch, machine=current_machine(machine)
    )
    for skipped in result.skipped:
        note(f"skipped {skipped}")
    say(
        f"imported {len(result.written)} runs into {store} "
        f"({result.already_present} already there, {len(result.skipped)} files skipped)"
    )
