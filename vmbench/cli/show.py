"""`vmbench show`: list the baselines, benchmarks and skipped files of a Criterion directory.

Exit codes: 0 something loaded (skipped benchmarks are listed with their reason);
2 nothing usable (missing path, no benchmarks, unknown baseline, every benchmark bad).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from vmbench.cli.options import categories_option
from vmbench.cli.output import say
from vmbench.readers.categories import Categories
from vmbench.readers.inventory import inventory, inventory_json, render_text


@click.command()
@click.argument(
    "path", type=click.Path(path_type=Path), default=Path("target/criterion"), required=False
)
@click.option("--baseline", default="new", show_default=True, help="Baseline to list.")
@categories_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def show(path: Path, baseline: str, categories_file: Path | None, output_format: str) -> None:
    """List what the Criterion directory PATH (default target/criterion) holds."""
    categories = Categories.load(categories_file)
    found = inventory(path, baseline=baseline, categories=categories)
    if output_format == "json":
        say(json.dumps(inventory_json(found), indent=2, ensure_ascii=False))
    else:
        say(render_text(found), nl=False)
