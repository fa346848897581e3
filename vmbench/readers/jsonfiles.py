"""Reading untrusted files: the one place vmbench opens a file it did not write.

Every reader (Criterion JSON, baseline files, REFs, cargo-criterion messages and CBOR,
`--categories`, `--params`, `--noise-model`, history Parquet files, `.cargo/config.toml`)
opens through `read_bytes`/`read_text`/`open_regular` so that a directory, a FIFO, a
device, a socket, a file over its size limit, bytes that are not UTF-8 or cut-off JSON
all give the same kind of one-line InputError naming the file; nothing blocks (a FIFO is
opened non-blocking and refused after `fstat`) and never more than the limit is read.
Lists of numbers are checked element by element (a string or a boolean where a number
belongs is refused, never converted). YAML is parsed without aliases (`read_yaml`,
`load_yaml`): an alias bomb of a few hundred bytes cannot expand to gigabytes.

Size limits per kind of file (a real file is far smaller; a bigger one is refused):
  JSON (Criterion, baselines, noise models, cargo-criterion messages)  64 MiB
  CBOR (cargo-criterion measurements)                                    64 MiB
  YAML and TOML (categories, params, .cargo/config.toml)                  4 MiB
  Parquet (history run files; ~0.4 MB for 1,000 benchmarks x 100 samples) 1 GiB
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from vmbench.errors import InputError
from vmbench.escape import encodable
from vmbench.model import FloatArray

if TYPE_CHECKING:
    import yaml

MAX_JSON_BYTES = 64 * 1024 * 1024  # a real sample.json is a few KiB; refuse, don't swap
MAX_CBOR_BYTES = 64 * 1024 * 1024
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # YAML and TOML written by hand
MAX_PARQUET_BYTES = 1024 * 1024 * 1024
_CHUNK = 1 << 20


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} bytes"


def _open_fd(path: Path, max_bytes: int, what: str) -> tuple[int, os.stat_result]:
    """An fd open for reading on a regular file of at most `max_bytes`, and its fstat."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        # O_NONBLOCK: a FIFO named sample.json must not hang the open; fstat says what it is.
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(path, "missing") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, expected {what}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise InputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, f"is a directory, expected {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, f"is {_kind(info.st_mode)}, not a regular file; expected {what}")
        if info.st_size > max_bytes:
            raise InputError(
                path, f"file is {_mib(info.st_size)}, over the {_mib(max_bytes)} limit; not read"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_bytes(path: Path, *, max_bytes: int = MAX_JSON_BYTES, what: str = "a JSON file") -> bytes:
    """A regular file's bytes, refusing directories, devices, FIFOs and files over `max_bytes`."""
    path = Path(path)
    fd, _ = _open_fd(path, max_bytes, what)
    try:
        chunks = []
        total = 0
        # Never more than max_bytes + 1: a file that grows while we read is caught, not read.
        while chunk := os.read(fd, min(_CHUNK, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputError(path, f"file grew over the {_mib(max_bytes)} limit; not read")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_text(path: Path, *, max_bytes: int = MAX_CONFIG_BYTES, what: str = "a text file") -> str:
    """A regular file's UTF-8 text (see `read_bytes`); InputError when it is not UTF-8."""
    data = read_bytes(path, max_bytes=max_bytes, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None


def open_regular(
    path: Path, *, max_bytes: int = MAX_PARQUET_BYTES, what: str = "a Parquet file"
) -> BinaryIO:
    """A binary file object on a regular file (for readers such as pyarrow that seek)."""
    path = Path(path)
    fd, _ = _open_fd(path, max_bytes, what)
    try:
        os.set_blocking(fd, True)
        return io.open(fd, "rb", closefd=True)  # noqa: UP020 - io.open takes an fd
    except BaseException:
        os.close(fd)
        raise


@cache
def _no_alias_loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader without aliases: `*name` is refused where it appears.

    Anchors and aliases are the only way a small YAML text expands into a huge value
    (the "billion laughs"); parameter and category files have no use for them. Built on
    first use: PyYAML's import is a tenth of `vmbench detect`'s start-up, which reads no
    YAML unless it is given a file.
    """
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in vmbench files", event.start_mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def load_yaml(text: str) -> Any:
    """YAML text parsed safely and without aliases; raises yaml.YAMLError."""
    loader = _no_alias_loader()(text)  # a SafeLoader subclass: plain data only
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: Path, *, what: str = "a YAML file") -> Any:
    """A YAML file (see `load_yaml`), or InputError naming it with a one-line reason."""
    import yaml

    text = read_text(path, max_bytes=MAX_CONFIG_BYTES, what=what)
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"invalid YAML: {yaml_problem(exc)}") from None
    except RecursionError:
        raise InputError(path, "invalid YAML: nested too deeply") from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error (PyYAML's own spans several lines)."""
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"{exc.problem} at line {mark.line + 1} column {mark.column + 1}"
    return " ".join(str(exc).split())


def read_json(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse a JSON file, or raise InputError naming it with a one-line reason."""
    data = read_bytes(path, max_bytes=max_bytes)
    if not data.strip():
        raise InputError(path, "empty file")
    try:
        return loads_text(data)
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):  # e.g. an integer of 5,000 digits
            raise InputError(path, f"invalid JSON: {' '.join(str(exc).split())[:120]}") from None
        hint = " (truncated?)" if ended_early(exc, len(data.rstrip())) else ""
        raise InputError(
            path, f"invalid JSON{hint}: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def loads_text(data: bytes | str) -> Any:
    """`json.loads`, with lone surrogates (`"\\udcff"`, valid JSON but not text) made into
    visible `\\udcff` text: such an id would break every UTF-8 encoder downstream."""
    value = json.loads(data)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return _encodable(value) if _SURROGATE_ESCAPE.search(raw) else value


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    if isinstance(value, dict):
        return {encodable(k): _encodable(v) for k, v in value.items()}
    return value


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
