"""`vmbench report`: execute the report notebooks and export HTML and markdown.

Exit codes: 0 all reports written; 1 a notebook failed while executing (the message names
the notebook and the cell; the partial notebook is kept in the output directory);
2 bad input (unknown parameter, unreadable params file, missing notebook).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import yaml

from vmbench.cli.output import error, say
from vmbench.pipeline import execute as lib
from vmbench.readers.jsonfiles import load_yaml

_KINDS = ("regression", "category", "trend", "all")


def _value(text: str) -> Any:
    # Like papermill's -p: YAML scalars and lists (`0.05`, `true`, `[aa1, aa2]`), else text.
    try:
        return load_yaml(text)  # no aliases: a value on the command line cannot expand either
    except (yaml.YAMLError, RecursionError):
        return text


@click.command()
@click.argument("kind", type=click.Choice(_KINDS))
@click.option(
    "--params",
    "params_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file of notebook parameters (params/NAME.yaml).",
)
@click.option(
    "-p",
    "--parameter",
    "pairs",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="One notebook parameter (repeatable); VALUE is read as YAML: 0.05, [aa1, aa2].",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Where NAME.ipynb, NAME.html, NAME.md and NAME.json are written.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also copy the (regression) markdown report here, e.g. benchmark-report.md.",
)
def report(
    kind: str,
    params_file: Path | None,
    pairs: tuple[tuple[str, str], ...],
    output_dir: Path,
    output: Path | None,
) -> None:
    """Execute report notebooks in a fresh kernel and export HTML and markdown.

    KIND is regression, category, trend, or all (regression, trend and one category
    report per params/category-*.yaml). Relative paths in parameters are taken from
    the current directory.
    """
    given = {key: _value(value) for key, value in pairs}
    specs = lib.report_specs(kind, given, params_file=params_file, base=Path.cwd())

    def progress(line: str) -> None:
        say(line, err=True)

    outcome = lib.run_all(specs, output_dir=output_dir, progress=progress)
    results = outcome.reports
    chosen = next((r for r in results if r.name == "regression"), None)
    if chosen is None and kind != "all" and results:
        chosen = results[0]
    if output is not None and chosen is not None:
        lib.copy_markdown(chosen, output)
    if results:
        say("Reports written; open in a browser:")
        for result in results:
            say(f"  {result.html}")
        if output is not None and chosen is not None:
            say(f"Markdown report copied to {output}")
    for failure in outcome.failures:
        error(f"{failure}")
    if outcome.failures:
        sys.exit(1)
