"""Categories: built-in defaults, glob and regex patterns, fallbacks, user files."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmbench.errors import InputError, SchemaVersionError
from vmbench.readers.categories import DEFAULT_CATEGORIES_YAML, OTHER, Categories

CATEGORY_NAMES = ["jit", "cross_arch", "memory", "gc", "tlb", "async", "concurrency", "snapshot"]


def test_packaged_defaults_are_params_categories_yaml(repo_root: Path) -> None:
    path = repo_root / "params" / "categories.yaml"
    assert path.read_text(encoding="utf-8") == DEFAULT_CATEGORIES_YAML
    assert Categories.load() == Categories.load(path)
    assert Categories.load().names == CATEGORY_NAMES


@pytest.mark.parametrize(
    ("bench_id", "group", "category"),
    [
        ("jit/tier1_compile", "jit", "jit"),
        ("jit/tier2_compile", "jit", "jit"),
        ("compiler/tier2_compile", "compiler", "jit"),
        ("cross_arch/x86_64_to_arm64", "cross_arch", "cross_arch"),
        ("decode/x86_64_to_riscv", "decode", "cross_arch"),
        ("memory/alloc_sized/4096", "memory", "memory"),
        ("heap/small_alloc", "heap", "memory"),
        ("gc/minor_pause", "gc", "gc"),
        ("runtime/gc_major", "runtime", "gc"),
        ("tlb/lookup_hit", "tlb", "tlb"),
        ("mmu/flush", "mmu", "tlb"),
        ("async/task_spawn", "async", "async"),
        ("concurrency/mutex_high_contention", "concurrency", "concurrency"),
        ("sync/rwlock_read", "sync", "concurrency"),
        ("snapshot/restore", "snapshot", "snapshot"),
        ("vm/snapshot_create", "vm", "snapshot"),
        ("serialize_binary/legion", "serialize_binary", "serialize_binary"),
        ("lonely", None, OTHER),
        ("", "", OTHER),
    ],
)
def test_default_categories(bench_id: str, group: str | None, category: str) -> None:
    assert Categories.load().categorize(bench_id, group) == category


def test_glob_matches_whole_id_and_regex_searches() -> None:
    cats = Categories.parse("categories:\n  exact: ['net/*']\n  anywhere: ['re:dispatch\\d']\n")
    assert cats.categorize("net/a/b", "net") == "exact"  # * crosses "/"
    assert cats.categorize("xnet/a", "xnet") == "xnet"  # glob is anchored
    assert cats.categorize("vm/dispatch2/x", "vm") == "anywhere"
    assert cats.categorize("vm/dispatch/x", "vm") == "vm"
    assert cats.categorize("NET/a", "NET") == "NET"  # case-sensitive


def test_first_match_in_file_order_wins() -> None:
    cats = Categories.parse("categories:\n  b: ['*x*']\n  a: ['x*']\n")
    assert cats.categorize("xy", None) == "b"


def test_mapping_form_with_description() -> None:
    cats = Categories.parse(
        "categories:\n  io:\n    description: Disk and network\n    patterns: 'io/*'\n"
    )
    assert cats.categories[0].description == "Disk and network"
    assert cats.categories[0].patterns == ("io/*",)


def test_user_file_can_add_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "cats.yaml"
    path.write_text("include_defaults: true\ncategories:\n  interp: ['interp/*']\n")
    cats = Categories.load(path)
    assert cats.names == ["interp", *CATEGORY_NAMES]
    assert cats.categorize("interp/loop", "interp") == "interp"
    assert cats.categorize("jit/tier1_compile", "jit") == "jit"
    alone = tmp_path / "alone.yaml"
    alone.write_text("categories:\n  interp: ['interp/*']\n")
    assert Categories.load(alone).categorize("gc/minor", "gc") == "gc"  # group fallback


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("categories:\n  bad: ['re:(']\n", "invalid regex 're:\\('"),
        ("- just a list\n", "must be a mapping with a `categories:` mapping"),
        ("categories:\n  empty: []\n", "category 'empty' needs a list of string patterns"),
        ("categories:\n  n: [1, 2]\n", "category 'n' needs a list of string patterns"),
        ("categories: {a: [x\n", "invalid YAML"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cats.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        Categories.load(path)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cats.yaml"
    path.write_text("version: 9\ncategories:\n  a: ['x']\n")
    with pytest.raises(SchemaVersionError, match="version 9 is not supported"):
        Categories.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Categories.load(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        Categories.load(tmp_path)


def test_categories_yaml_reads_back_awkward_names_and_descriptions() -> None:
    from vmbench.readers.categories import Category, categories_yaml

    cats = (
        Category("yes", ("re:^a: b$", "*#*"), "on"),
        Category("a: b", ("x",), "# not a comment, 'quoted' and \"double\""),
        Category("unicode_é", ("é*",), "trailing space "),
        Category("plain_name", ("p/*",), "Plain text (with parens, commas) and x86_64"),
    )
    text = categories_yaml(cats)
    assert "  plain_name:\n    description: Plain text (with parens, commas) and x86_64\n" in text
    assert Categories.parse(text).categories == cats
