"""vmbench.atomic: whole files only, and the permissions a plain write would give."""

from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path

import pytest

from vmbench.atomic import atomic_copy, atomic_write_bytes, atomic_write_text, locked
from vmbench.errors import OutputError


def test_new_file_gets_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_existing_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "b.md"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_no_temporary_file_left_on_failure(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        atomic_write_bytes(tmp_path / "c.bin", "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_copy_creates_parents(tmp_path: Path) -> None:
    (tmp_path / "src.txt").write_text("x")
    atomic_copy(tmp_path / "src.txt", tmp_path / "deep" / "dst.txt")
    assert (tmp_path / "deep" / "dst.txt").read_text() == "x"


# --- issue 13: never write over what is not ours -----------------------------------------


def test_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("old")
    (tmp_path / "link.md").symlink_to("real.md")
    atomic_write_text(tmp_path / "link.md", "new")
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_text() == "new"


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "socket"])
def test_special_files_are_refused_and_left_alone(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    elif kind == "device":
        target.symlink_to("/dev/null")  # through a link: the device itself is refused
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
    before = os.stat(target).st_mode
    with pytest.raises(OutputError, match="vmbench writes only regular files"):
        atomic_write_text(target, "x")
    assert os.stat(target).st_mode == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary file left


def test_failures_are_output_errors_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"file/out\.md: cannot write: Not a directory"):
        atomic_write_text(tmp_path / "file" / "out.md", "x")


def test_orphaned_temporary_files_are_cleaned_on_the_next_write(tmp_path: Path) -> None:
    old = tmp_path / ".main.json.abcd_123.tmp"  # the writer's own name pattern, an hour old
    young = tmp_path / ".main.json.efgh4567.tmp"  # maybe a writer at work
    other = tmp_path / ".main.json.not-ours.tmp"  # not the pattern: never touched
    for path in (old, young, other):
        path.write_text("{half")
    hour_ago = time.time() - 3600
    for path in (old, other):
        os.utime(path, (hour_ago, hour_ago))
    atomic_write_text(tmp_path / "main.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["main.json", young.name, other.name]
    )


def test_lock_serialises_read_modify_write(tmp_path: Path) -> None:
    target = tmp_path / "main.json"
    with locked(target):
        assert (tmp_path / ".main.json.lock").exists()
        fd = os.open(tmp_path / ".main.json.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
