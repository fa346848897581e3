"""Options several commands share, declared once so their names and help agree."""

from __future__ import annotations

from pathlib import Path

import click

categories_option = click.option(
    "--categories",
    "categories_file",
    type=click.Path(path_type=Path),
    help="Categories YAML (default: the built-in params/categories.yaml).",
)
