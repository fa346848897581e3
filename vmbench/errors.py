"""Error types: every failure vmbench reports to a user is one of these.

A `VmbenchError` renders as one line naming the file (when there is one) and what is
wrong with it; the CLI prints that line and exits 2. Anything else escaping the library
is a bug in vmbench, not bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class VmbenchError(Exception):
    """Base class of every error vmbench raises on purpose."""


class InputError(VmbenchError):
    """A file or directory that cannot be used; `str()` is a one-line message."""

    def __init__(self, path: Path | str | None, problem: str) -> None:
        self.path = None if path is None else Path(path)
        self.problem = " ".join(problem.split())  # one line, whatever the cause said
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.problem if self.path is None else f"{self.path}: {self.problem}"


class OutputError(InputError):
    """A path vmbench was asked to write and cannot, or must not (a device, a FIFO...)."""


class UsageError(VmbenchError):
    """Arguments that do not fit together (an unknown baseline name, a bad regex...).

    Messages are in the library's terms: `parameter` names the keyword argument at fault
    (`noise_refs`, `pattern`), and the CLI shows its own flag for it (`for_option`), so a
    notebook user never reads about a command-line flag they did not use.
    """

    def __init__(self, problem: str, *, parameter: str | None = None) -> None:
        self.problem = problem
        self.parameter = parameter
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.problem if self.parameter is None else f"{self.parameter}: {self.problem}"

    def for_option(self, option: str) -> UsageError:
        """The same error with `option` (a CLI flag) in place of the parameter name."""
        return UsageError(f"{option}: {self.problem}")


class MissingExtra(VmbenchError):
    """An optional dependency group (a pip extra) that this install does not have."""

    def __init__(self, what: str, extra: str, missing: str) -> None:
        self.extra = extra
        self.missing = missing
        super().__init__(
            f"{what} needs the {extra!r} extra ({missing} is not installed): "
            f"pip install 'vmbench[{extra}]'"
        )


class SchemaVersionError(InputError):
    """A stored file written by a newer or too-old vmbench."""


@dataclass(frozen=True)
class Skipped:
    """One benchmark (or file) left out of a load, and why. Loads go on without it."""

    path: Path
    reason: str
    id: str | None = None

    def __str__(self) -> str:
        name = f" [{self.id}]" if self.id else ""
        return f"{self.path}{name}: {self.reason}"
