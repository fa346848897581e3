"""The `vmbench` command: parses arguments and calls the library, nothing more.

Each subcommand lives in its own module and is imported only when used, so
`vmbench --help` stays fast. Every `VmbenchError` becomes one line on stderr and
exit code 2; regression gates use exit code 1.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from vmbench.errors import VmbenchError

# command name -> "module:attribute" under vmbench.cli
_COMMANDS: dict[str, str] = {
    "show": "show:show",
    "compare": "compare:compare",
    "detect": "compare:detect",
    "baseline": "baseline:baseline",
    "report": "report:report",
    "history": "history:history",
    "trend": "history:trend",
    "bench": "bench:bench",
    "init": "init:init",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"vmbench.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VmbenchError as exc:
            click.echo(f"vmbench: error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vmbench")
def main() -> None:
    """Compare Criterion.rs benchmark runs, gate regressions and build notebook reports."""
