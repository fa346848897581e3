"""`vmbench init`: set up vmbench in a Rust repository (workflow, profile, baseline, params).

Exit codes: 0 done (files that existed are listed as skipped); 2 bad input (no Cargo.toml,
a path that is a directory, an unusable --pip-spec).
"""

from __future__ import annotations

from pathlib import Path

import click

from vmbench import __version__
from vmbench.cli.output import say
from vmbench.pipeline.init import init_repository


@click.command()
@click.argument(
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@click.option(
    "--force", is_flag=True, help="Overwrite files that exist (and replace a bench profile)."
)
@click.option(
    "--pip-spec",
    default=f"vmbench=={__version__}",
    show_default=True,
    help="What the workflow pip-installs: a pinned version or a git URL with a commit.",
)
def init(repo: Path, force: bool, pip_spec: str) -> None:
    """Write vmbench's CI workflow, bench profile, baseline file and params into REPO."""
    actions = init_repository(repo, force=force, pip_spec=pip_spec)
    for action in actions:
        say(str(action))
    written = sum(a.outcome != "skipped" for a in actions)
    say(f"{written} written, {len(actions) - written} left alone in {repo}")
