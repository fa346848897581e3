"""The `vmbench` command: parses arguments and calls the library, nothing more.

Each subcommand lives in its own module and is imported only when used, so
`vmbench --help` stays fast. Every `VmbenchError` becomes one line on stderr and
exit code 2; regression gates use exit code 1. Everything printed goes through
`vmbench.cli.output`, which makes text from data inert for a terminal.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from vmbench.cli.output import OutputClosed, error, flush_stdout, report_closed
from vmbench.cli.startup import defer_unused_numpy_modules
from vmbench.errors import UsageError, VmbenchError

defer_unused_numpy_modules()  # about 0.2 s of `vmbench detect`'s start-up (see the module)

# command name -> ("module:attribute" under vmbench.cli, one-line help for `vmbench --help`)
_COMMANDS: dict[str, tuple[str, str]] = {
    "show": ("show:show", "List the benchmarks, baselines and samples found in Criterion data."),
    "compare": ("compare:compare", "Compare two runs with raw-sample statistics."),
    "detect": ("compare:detect", "Regression gate: print what changed, exit 1 on regressions."),
    "baseline": ("baseline:baseline", "Show or update the baseline file (benches/baselines)."),
    "report": ("report:report", "Execute the notebooks and export HTML and markdown reports."),
    "history": ("history:history", "Record runs in the history store and list them."),
    "trend": ("history:trend", "Change points and drift over the run history."),
    "bench": ("bench:bench", "Run cargo bench on a workspace, then record and report."),
    "init": ("init:init", "Set up vmbench (workflow, profile, baseline, params) in a Rust repo."),
    "ci": ("ci:ci", "CI glue: gate a job's runs, write the PR comment, decide the job."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        module = importlib.import_module(f"vmbench.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing must not import every subcommand (and pandas with it).
        rows = [(name, help_text) for name, (_, help_text) in sorted(_COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except UsageError as exc:
            if exc.parameter is not None:
                exc = exc.for_option(_option_for(self, ctx, exc.parameter))
            _flush()
            error(str(exc))
            sys.exit(2)
        except VmbenchError as exc:
            _flush()
            error(str(exc))
            sys.exit(2)
        except OutputClosed as exc:
            sys.exit(report_closed(exc))
        except SystemExit:  # a gate's exit 1: its output must still be flushed (or fail here)
            _flush()
            raise
        _flush()
        return result


def _flush() -> None:
    # A full device or a closed pipe fails here, with one line, not in the interpreter's exit.
    try:
        flush_stdout()
    except OutputClosed as exc:
        sys.exit(report_closed(exc))


def _option_for(group: click.Group, ctx: click.Context, parameter: str) -> str:
    """The flag of the running subcommand whose value is the library's `parameter`."""
    name = ctx.invoked_subcommand
    command = group.get_command(ctx, name) if name else None
    for param in command.params if command is not None else ():
        if param.name == parameter and param.opts:
            return max(param.opts, key=len)
    return parameter


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vmbench")
def main() -> None:
    """Compare Criterion.rs benchmark runs, gate regressions and build notebook reports."""
