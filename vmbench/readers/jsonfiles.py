"""Reading untrusted JSON files: one line naming the file for anything that goes wrong.

Every loader reads through here so that a directory, a FIFO, a device, a file of
hundreds of MB, bytes that are not UTF-8 or cut-off JSON all give the same kind of
one-line InputError, and lists of numbers are checked element by element (a string or
a boolean where a number belongs is refused, never converted).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from vmbench.errors import InputError
from vmbench.model import FloatArray

MAX_JSON_BYTES = 64 * 1024 * 1024  # a real sample.json is a few KiB; refuse, don't swap


def read_bytes(path: Path, *, max_bytes: int = MAX_JSON_BYTES, what: str = "a JSON file") -> bytes:
    """A regular file's bytes, refusing directories, devices and files over `max_bytes`."""
    try:
        # O_NONBLOCK: a FIFO named sample.json must not hang the load; fstat says what it is.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(path, "missing") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, expected {what}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, f"is a directory, expected {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, f"is not a regular file, expected {what}")
        if info.st_size > max_bytes:
            raise InputError(
                path,
                f"file is {info.st_size / 2**20:.0f} MiB, over the "
                f"{max_bytes / 2**20:.0f} MiB limit; not read",
            )
        chunks = []
        while chunk := os.read(fd, max(info.st_size, 1 << 16)):
            chunks.append(chunk)
            if sum(map(len, chunks)) > max_bytes:  # grew while we read
                raise InputError(path, f"file grew over the {max_bytes >> 20} MiB limit")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_json(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse a JSON file, or raise InputError naming it with a one-line reason."""
    data = read_bytes(path, max_bytes=max_bytes)
    if not data.strip():
        raise InputError(path, "empty file")
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        hint = " (truncated?)" if ended_early(exc, len(data.rstrip())) else ""
        raise InputError(
            path, f"invalid JSON{hint}: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None


def ended_early(exc: json.JSONDecodeError, length: int) -> bool:
    """Whether a JSON error looks like a cut-off document rather than a malformed one."""
    return exc.pos >= length or exc.msg.startswith("Unterminated string")


def numbers(values: Any, what: str, path: Path) -> FloatArray:
    """A JSON list of numbers as a float array; InputError for anything else."""
    if not isinstance(values, list):
        raise InputError(path, f"{what} must be a list of numbers, not {describe(values)}")
    for value in values:
        if type(value) not in (int, float):  # bool is an int subclass; refuse it too
            raise InputError(path, f"{what} must hold only numbers, found {describe(value)}")
    try:
        return np.asarray(values, dtype=np.float64)
    except OverflowError:
        raise InputError(path, f"{what} holds a number too large for a float") from None


def describe(value: Any) -> str:
    """A short description of a JSON value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"a string {value[:20]!r}"
    if isinstance(value, float):
        return repr(value)  # nan, inf
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
