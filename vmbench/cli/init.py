"""`vmbench init`: set up vmbench in a Rust repository (workflows, profile, params).

Exit codes: 0 done (files that existed are listed as skipped); 2 bad input (no Cargo.toml,
a path that is a directory, no vmbench commit to pin, a bad --ref or --repository).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from vmbench.cli.output import say
from vmbench.errors import UsageError, VmbenchError
from vmbench.pipeline.init import VMBENCH_REPOSITORY, init_repository, resolve_ref


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
    "--ref",
    help="vmbench commit (40-character SHA) the workflow pins. Default: the commit this "
    "vmbench was installed from (pip install git+...@SHA, or its git checkout).",
)
@click.option(
    "--repository",
    default=VMBENCH_REPOSITORY,
    show_default=True,
    help="GitHub repository (OWNER/NAME) of vmbench's reusable workflow and actions.",
)
@click.option(
    "--eject",
    is_flag=True,
    help="Write the full workflow (.github/workflows/vmbench.yml) to own and edit.",
)
@click.option(
    "--fix-bench-targets",
    is_flag=True,
    help="Set bench = false on lib/bin targets so plain `cargo bench -- <flags>` works too.",
)
def init(
    repo: Path,
    force: bool,
    ref: str | None,
    repository: str,
    eject: bool,
    fix_bench_targets: bool,
) -> None:
    """Write vmbench's CI workflows, bench profile and report params into REPO."""
    packages = _workspace_members(repo)
    try:
        actions = init_repository(
            repo,
            ref=resolve_ref(ref),
            repository=repository,
            eject=eject,
            force=force,
            fix_bench_targets=fix_bench_targets,
            packages=packages,
        )
    except UsageError as exc:
        if exc.parameter in ("ref", "repository"):
            raise exc.for_option(f"--{exc.parameter}") from None
        raise
    for action in actions:
        say(str(action))
    written = sum(a.outcome not in ("skipped", "advice") for a in actions)
    say(f"{written} written, {len(actions) - written} left alone in {repo}")


def _workspace_members(repo: Path) -> list[dict[str, object]] | None:
    """The workspace members from cargo metadata; None without cargo (no target advice)."""
    from vmbench.pipeline.runner import find_cargo
    from vmbench.pipeline.targets import cargo_metadata

    if not (repo / "Cargo.toml").is_file():
        return None  # init_repository says what is wrong
    config = repo / ".cargo" / "config.toml"
    if config.exists() and not config.is_file():
        return None  # cargo would block reading a FIFO; init_repository refuses it in one line
    try:
        env = dict(os.environ)
        metadata = cargo_metadata(repo, cargo=find_cargo(None, env), env=env, offline=True)
    except VmbenchError as exc:
        say(f"vmbench: note: no advice on bench targets ({exc})", err=True)
        return None
    members = set(metadata.get("workspace_members") or [])
    return [p for p in metadata.get("packages", []) if p.get("id") in members]
