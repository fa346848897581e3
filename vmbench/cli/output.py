"""Everything the CLI prints goes through here, made inert for a terminal.

Benchmark ids, directory names, baseline names and messages quoting them come from data
that whoever wrote the benchmarks (or a pull request) controls. `say` writes command
output (tables, JSON, markdown) with every control, bidi and format character escaped
(`vmbench.escape.inert`: lossless for JSON); `warn`, `note` and `error` write one
`vmbench: ...` line on stderr, flattened to one line, so data can neither move the
cursor, retitle the window, reorder text nor forge a second `vmbench: error:` line.

Standard output that cannot be written (`> /dev/full`, a closed pipe) raises
`OutputClosed`, which the command group turns into one line and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys

import click

from vmbench.escape import inert, terminal


class OutputClosed(Exception):
    """Standard output failed (full device, broken pipe): not a bug, not bad input."""

    def __init__(self, exc: OSError) -> None:
        self.errno = exc.errno
        self.reason = exc.strerror or str(exc)
        super().__init__(self.reason)


def say(text: str, *, nl: bool = True, err: bool = False) -> None:
    """Command output on stdout (or stderr: progress), control characters escaped."""
    try:
        click.echo(inert(text), nl=nl, err=err)
    except OSError as exc:
        if not err:
            raise OutputClosed(exc) from None


def flush_stdout() -> None:
    """Flush stdout now, so a failure is reported here and not at interpreter exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise OutputClosed(exc) from None
    except ValueError:  # already closed
        pass


def _line(prefix: str, message: str) -> None:
    with contextlib.suppress(OSError):  # stderr gone too: nothing left to tell
        click.echo(f"vmbench: {prefix}{terminal(message)}", err=True)


def error(message: str) -> None:
    """`vmbench: error: ...` on stderr, one inert line."""
    _line("error: ", message)


def warn(message: str) -> None:
    """`vmbench: warning: ...` on stderr, one inert line."""
    _line("warning: ", message)


def note(message: str) -> None:
    """`vmbench: ...` on stderr (progress, skipped files), one inert line."""
    _line("", message)


def detach_stdout() -> None:
    """Point stdout at /dev/null so that the exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real fd (e.g. under a test runner)
        pass


def report_closed(exc: OutputClosed) -> int:
    """The exit code for a failed stdout; one line on stderr unless the reader just left."""
    detach_stdout()
    if exc.errno == errno.EPIPE:  # `vmbench show | head`: the reader has what it wanted
        return 1
    error(f"cannot write to standard output: {exc.reason}")
    return 2
