"""vmbench.atomic: whole files only, and the permissions a plain write would give."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vmbench.atomic import atomic_copy, atomic_write_bytes, atomic_write_text


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
