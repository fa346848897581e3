"""Run references: a baseline name, OTHER_DIR[:NAME], a baseline file, cargo-criterion lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError
from vmbench.readers.refs import load_ref, ref_label

DATA = TEST_DATA / "loaders"
TREE = DATA / "criterion"


def test_name_in_the_default_directory() -> None:
    run = load_ref("main", criterion_dir=TREE)
    assert (run.label, run.format) == ("main", "criterion")
    assert run.ids == ["jit/tier1 [fast] ünï.x", "memory/alloc sized/4096"]


def test_other_directory_with_and_without_name() -> None:
    other = DATA / "criterion-0.3.2"
    run = load_ref(f"{other}:base", criterion_dir=TREE)
    assert run.ids == ["Serialise with bincode"]
    assert run.label == ref_label(f"{other}:base")
    assert run.label.endswith(":base")
    default = load_ref(str(other), criterion_dir=TREE)
    assert default.format == "criterion-0.3.2"
    assert default.label != run.label


def test_baseline_file_and_cargo_lines(tmp_path: Path) -> None:
    run = load_ref(str(DATA / "baseline" / "main.json"), criterion_dir=TREE)
    assert run.format == "baseline-file"
    cargo = load_ref(str(DATA / "cargo" / "messages.jsonl"), criterion_dir=TREE)
    assert cargo.format == "cargo-criterion"
    renamed = tmp_path / "bench-output.txt"  # detected by content, not by suffix
    shutil.copy(DATA / "cargo" / "messages.jsonl", renamed)
    assert load_ref(str(renamed), criterion_dir=TREE).format == "cargo-criterion"


def test_a_name_beats_a_same_named_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main").mkdir()
    assert load_ref("main", criterion_dir=TREE).label == "main"


def test_unknown_ref_lists_the_baselines() -> None:
    with pytest.raises(InputError) as info:
        load_ref("pr", criterion_dir=TREE)
    assert str(info.value) == (
        f"{TREE}: 'pr' is neither a baseline here nor an existing file or directory "
        "(baselines here: main, new)"
    )


def test_missing_default_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist, and 'main' is not an existing file"):
        load_ref("main", criterion_dir=tmp_path / "target" / "criterion")


def test_unknown_name_in_another_directory() -> None:
    with pytest.raises(InputError, match="no baseline 'nope' here; available: main, new"):
        load_ref(f"{TREE}:nope", criterion_dir=TREE)


def test_long_labels_are_shortened() -> None:
    long = "/very/long/path/to/some/project/target/criterion"
    assert ref_label(long) == "…/target/criterion"
    assert ref_label(long + ":main") == "…/target/criterion:main"
    assert ref_label("short:main") == "short:main"
