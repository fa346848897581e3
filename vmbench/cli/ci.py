"""`vmbench ci`: the decisions of the CI workflow (vmbench.pipeline.ci), one command each.

Exit codes: `gate` 0 pass (or no baseline yet, or unconfirmed after confirmation runs),
1 regression at or above --fail-on, 3 suspected regression that needs confirmation
(`vmbench bench --confirm OUT/suspects.json`), 2 bad input; `comment` 0; `decide` 0 or 1
(2 when the gate never ran).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import click

from vmbench.atomic import atomic_write_text
from vmbench.cli.options import categories_option
from vmbench.cli.output import say

if TYPE_CHECKING:
    from vmbench.compare.verdicts import FailOn

_OUT = click.option(
    "--output-dir",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("vmbench-out"),
    show_default=True,
    help="Where the gate's files are (gate.json, detect.md, suspects.json, ...).",
)


@click.group()
def ci() -> None:
    """What the benchmark workflow decides: gate, comment text, final status."""


@ci.command()
@click.argument("criterion_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Runs manifest of `vmbench bench --base-ref` (default: vmbench-runs.json in "
    "CRITERION_DIR, when there and no --candidate is given).",
)
@click.option("--baseline", multiple=True, help="Baseline REF instead of a manifest (repeatable).")
@click.option(
    "--candidate", multiple=True, help="Candidate REF instead of a manifest (repeatable)."
)
@click.option(
    "--fail-on",
    type=click.Choice(["high", "medium", "never"]),
    default="medium",
    show_default=True,
)
@click.option("--confirmed", is_flag=True, help="Decide the suspects with the confirmation runs.")
@categories_option
@_OUT
def gate(
    criterion_dir: Path,
    manifest: Path | None,
    baseline: tuple[str, ...],
    candidate: tuple[str, ...],
    fail_on: str,
    confirmed: bool,
    categories_file: Path | None,
    out_dir: Path,
) -> None:
    """Compare the runs of a CI job and decide: exit 0, 1 (regression) or 3 (confirm)."""
    from vmbench.pipeline.ci import gate as run_gate

    if manifest is None and not candidate:
        manifest = criterion_dir / "vmbench-runs.json"
    outcome = run_gate(
        criterion_dir,
        output_dir=out_dir,
        fail_on=cast("FailOn", fail_on),
        manifest=manifest,
        baseline=baseline,
        candidate=candidate,
        confirmed=confirmed,
        categories_file=categories_file,
    )
    detail = f": {outcome.reason}" if outcome.reason else ""
    say(f"vmbench: gate {outcome.status}{detail} -> {out_dir / 'gate.json'}", err=True)
    sys.exit(outcome.exit_code)


@ci.command()
@_OUT
@click.option("--run-url", required=True, help="Link to the workflow run (its artifacts).")
@click.option("--report-status", type=int, help="Exit status of the report step, if it ran.")
@click.option(
    "--kind",
    type=click.Choice(["pull-request", "main"]),
    default="pull-request",
    show_default=True,
    help="A pull-request comment, or the issue body for a regression on main.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def comment(
    out_dir: Path, run_url: str, report_status: int | None, kind: str, output: Path
) -> None:
    """Write the comment text (marker, verdict, details, link), cut to GitHub's limit."""
    from vmbench.pipeline.ci import comment_text

    text = comment_text(
        out_dir,
        run_url=run_url,
        report_status=report_status,
        kind=cast("Literal['pull-request', 'main']", kind),
    )
    atomic_write_text(output, text)


@ci.command()
@_OUT
@click.option("--report-status", type=int, help="Exit status of the report step, if it ran.")
def decide(out_dir: Path, report_status: int | None) -> None:
    """Fail the job on a regression (or a failed report); print the reason."""
    from vmbench.pipeline.ci import decision

    result = decision(out_dir, report_status=report_status)
    if result.exit_code:
        say(f"::error::{result.message}")
    else:
        say(result.message)
    sys.exit(result.exit_code)


@ci.command()
@click.argument("criterion_dir", type=click.Path(file_okay=False, path_type=Path))
@_OUT
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the report goes (default: OUTPUT_DIR/report).",
)
@categories_option
def report(
    criterion_dir: Path, out_dir: Path, report_dir: Path | None, categories_file: Path | None
) -> None:
    """Build the regression report of the runs the gate compared (needs vmbench[report])."""
    from vmbench.pipeline.ci import report_parameters
    from vmbench.pipeline.execute import run_report

    parameters = report_parameters(out_dir, criterion_dir, categories_file=categories_file)
    if parameters is None:
        say("vmbench: no baseline yet; no regression report", err=True)
        return
    result = run_report(
        "regression", parameters=parameters, output_dir=report_dir or out_dir / "report"
    )
    for path in result.files:
        say(f"vmbench: wrote {path}", err=True)
