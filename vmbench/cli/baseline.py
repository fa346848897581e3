"""`vmbench baseline update` and `vmbench baseline show`: the design document's baseline file.

Exit codes: 0 done, 2 bad input (unreadable file, unknown REF, nothing usable).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from vmbench.cli.output import say, warn
from vmbench.errors import UsageError
from vmbench.readers.baseline_file import (
    load_baseline_file,
    update_baseline_file,
)
from vmbench.readers.refs import load_ref
from vmbench.render.baseline import render_baseline_json, render_baseline_table

DEFAULT_FILE = Path("benches/baselines/main.json")


@click.group()
def baseline() -> None:
    """Show or update the baseline file (benches/baselines/main.json)."""


@baseline.command()
@click.argument(
    "path", type=click.Path(path_type=Path), default=Path("target/criterion"), required=False
)
@click.option("--from", "ref", default="new", show_default=True, help="REF of the run to record.")
@click.option(
    "--file", "file", type=click.Path(path_type=Path), default=DEFAULT_FILE, show_default=True
)
@click.option("--date", help="Date to record (YYYY-MM-DD; default: today, UTC).")
@click.option("--drop-missing", is_flag=True, help="Remove entries that the run does not measure.")
def update(path: Path, ref: str, file: Path, date: str | None, drop_missing: bool) -> None:
    """Record the mean time of every benchmark of run REF in the baseline file (atomically).

    Descriptions (and directions) of existing entries are kept; entries the run does not
    measure are kept unless --drop-missing.
    """
    if date is not None:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise UsageError(f"--date {date!r} is not a date like 2025-12-28") from None
    run = load_ref(ref, criterion_dir=path)
    for skipped in run.skipped:
        warn(f"skipped {skipped}")
    if not run.benchmarks and not run.metrics:
        raise UsageError(f"{ref!r} holds no benchmarks to record")
    today = date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    # Under a lock: concurrent updates of different benchmarks all land.
    done = update_baseline_file(file, run, date=today, keep_missing=not drop_missing)
    for skipped in done.skipped:
        warn(f"skipped {skipped}")
    say(f"wrote {len(done.entries)} entries to {file} (from {run.label}, {today})")


@baseline.command()
@click.option(
    "--file", "file", type=click.Path(path_type=Path), default=DEFAULT_FILE, show_default=True
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show(file: Path, fmt: str) -> None:
    """List the entries of the baseline file."""
    run = load_baseline_file(file)
    for skipped in run.skipped:
        warn(f"skipped {skipped}")
    say(render_baseline_json(run) if fmt == "json" else render_baseline_table(run), nl=False)
