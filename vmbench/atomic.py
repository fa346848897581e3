"""Atomic file writes: a crash or a kill mid-write leaves the old file whole.

The data goes to a temporary file in the same directory (same filesystem, so the
final `os.replace` is atomic), is flushed and fsynced, then renamed over the target.

Only regular files are written. A symlink is resolved first and its target is written
(the link stays a link); a directory, a device (`/dev/full`, `/dev/null`), a FIFO or a
socket at the path is refused with an `OutputError`, never replaced by a file. Every
failure (a parent that is a file, a read-only or full file system) is an `OutputError`
naming the path: one line on the CLI, exit 2.

Read-modify-write updates (the baseline file) hold `locked(path)`, an exclusive
`flock` on the sidecar `.<name>.lock` beside the file, so that concurrent updates of
different entries all land; the lock file is left in place (removing it would race).

A writer killed between creating its temporary file and the rename leaves
`.<name>.<8 random characters>.tmp` behind; the next write of the same file removes such
files once they are older than `ORPHAN_AGE_S` (a concurrent writer's file is younger).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from vmbench.errors import OutputError

ORPHAN_AGE_S = 600.0  # a write takes seconds; a temporary file this old lost its writer
_MAX_LINKS = 40  # symlinks followed before the path is called a loop (as the kernel does)


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` so that readers see either the old or the new file."""
    target = writable_target(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would (or keep the old one).
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
        raise
    _fsync_dir(target.parent)


def atomic_write_text(path: Path | str, text: str) -> None:
    """Text version of `atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(source: Path | str, target: Path | str) -> None:
    """Copy a file atomically (the target is never seen half-written)."""
    atomic_write_bytes(target, Path(source).read_bytes())


@contextlib.contextmanager
def locked(path: Path | str) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of `path` (blocks until it is free)."""
    target = writable_target(Path(path))
    lock_path = target.parent / f".{target.name}.lock"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(lock_path, flags, 0o644)
    except OSError as exc:
        raise OutputError(lock_path, f"cannot lock: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def writable_target(path: Path) -> Path:
    """The regular file a write to `path` must replace: symlinks resolved, others refused."""
    current = path
    for _ in range(_MAX_LINKS):
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return current  # a new file (or a dangling link's target): created by the write
        except (OSError, ValueError) as exc:  # ENOTDIR: a parent is a file; NUL in the name
            raise OutputError(
                path, f"cannot write: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        if stat.S_ISLNK(info.st_mode):
            link = Path(os.readlink(current))
            current = link if link.is_absolute() else current.parent / link
            continue
        if stat.S_ISREG(info.st_mode):
            return current
        what = _describe(info.st_mode)
        via = f" (the target of the symlink {path})" if current != path else ""
        raise OutputError(current, f"is {what}{via}; vmbench writes only regular files")
    raise OutputError(path, "too many levels of symbolic links; not written")


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _remove_orphans(target: Path) -> None:
    # Exactly the names mkstemp gives our temporary files for this target, and old ones.
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    cutoff = time.time() - ORPHAN_AGE_S
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    os.unlink(entry.path)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    # Make the rename itself durable; not every filesystem allows opening a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
