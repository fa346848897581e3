"""Benchmark categories: which part of the VM a benchmark measures.

Categories come from a YAML file (`params/categories.yaml`), or are the built-in
`DEFAULT_CATEGORIES` (`DEFAULT_CATEGORIES_YAML` is their text, which `vmbench init`
writes, and a test keeps params/categories.yaml identical to it). Each category has
patterns over benchmark ids: a shell glob matched against the whole id (`*` crosses
"/", case-sensitive), or a regular expression searched anywhere in the id when the
pattern starts with `re:` (matched by RE2 in linear time: Python syntax without
backreferences or look-around, see `vmbench.readers.patterns`). Categories are tried in file
order, first match wins; an id matching none falls back to its Criterion group, then to `other`.

A user file replaces the defaults; with `include_defaults: true` its categories come
first and the built-in ones follow (those it does not redefine).

File format history: version 1 (the only one so far).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmbench.errors import InputError, SchemaVersionError
from vmbench.readers.jsonfiles import MAX_CONFIG_BYTES, load_yaml, read_text, yaml_problem
from vmbench.readers.patterns import Matcher, PatternError, compile_regex

OTHER = "other"
_VERSION = 1


@dataclass(frozen=True)
class Category:
    """One category: a name, what it covers, and its id patterns."""

    name: str
    patterns: tuple[str, ...]
    description: str = ""


def _compile(pattern: str, where: str) -> Matcher:
    if pattern.startswith("re:"):
        # RE2: a catastrophic rule in a pull request's categories file cannot hang CI.
        try:
            return compile_regex(r"(?s:.*?)(?:" + pattern[3:] + ")")
        except PatternError as exc:
            raise InputError(where, f"invalid regex {pattern!r}: {exc}") from None
    # fnmatch's translation never backtracks badly (and needs look-ahead, which RE2 lacks).
    return re.compile(fnmatch.translate(pattern))


@dataclass(frozen=True)
class Categories:
    """An ordered set of categories; `categorize` maps a benchmark id to one of them."""

    categories: tuple[Category, ...]
    source: Path | None = field(default=None, compare=False)
    _compiled: tuple[tuple[str, tuple[Matcher, ...]], ...] = field(
        default=(), init=False, repr=False, compare=False
    )
    _cache: dict[tuple[str, str | None], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        where = str(self.source) if self.source else "categories"
        compiled = tuple(
            (cat.name, tuple(_compile(p, where) for p in cat.patterns)) for cat in self.categories
        )
        object.__setattr__(self, "_compiled", compiled)

    @property
    def names(self) -> list[str]:
        return [cat.name for cat in self.categories]

    def categorize(self, benchmark_id: str, group: str | None = None) -> str:
        """The first category whose pattern matches the id, else the group, else `other`."""
        key = (benchmark_id, group)
        hit = self._cache.get(key)
        if hit is None:
            hit = next(
                (
                    name
                    for name, patterns in self._compiled
                    if any(p.match(benchmark_id) for p in patterns)
                ),
                group or OTHER,
            )
            self._cache[key] = hit
        return hit

    @classmethod
    def load(cls, path: Path | None = None) -> Categories:
        """Categories from a YAML file; None gives the built-in defaults."""
        if path is None:
            return cls(DEFAULT_CATEGORIES, None)  # the built-in ones: no YAML to parse
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            raise InputError(path, "does not exist")
        text = read_text(path, max_bytes=MAX_CONFIG_BYTES, what="a categories YAML file")
        return cls.parse(text, source=path)

    @classmethod
    def parse(cls, text: str, *, source: Path | None = None) -> Categories:
        """Categories from YAML text (see the module docstring for the format)."""
        import yaml  # only a user's file is parsed: the built-in categories are data

        where = source or Path("categories")
        try:
            raw: Any = load_yaml(text)
        except yaml.YAMLError as exc:
            raise InputError(where, f"invalid YAML: {yaml_problem(exc)}") from None
        except RecursionError:
            raise InputError(where, "invalid YAML: nested too deeply") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
            raise InputError(where, "must be a mapping with a `categories:` mapping inside")
        version = raw.get("version", _VERSION)
        if version != _VERSION:
            raise SchemaVersionError(
                where, f"version {version!r} is not supported (this vmbench reads {_VERSION})"
            )
        cats = [_category(name, spec, where) for name, spec in raw["categories"].items()]
        if raw.get("include_defaults") is True and source is not None:
            mine = {cat.name for cat in cats}
            cats += [cat for cat in cls.load().categories if cat.name not in mine]
        return cls(tuple(cats), source)


def _category(name: Any, spec: Any, where: Path) -> Category:
    if not isinstance(name, str) or not name:
        raise InputError(where, f"category name {name!r} must be a non-empty string")
    description = ""
    if isinstance(spec, dict):
        description = str(spec.get("description") or "")
        spec = spec.get("patterns")
    if isinstance(spec, str):
        spec = [spec]
    if not isinstance(spec, list) or not spec or not all(isinstance(p, str) for p in spec):
        raise InputError(where, f"category {name!r} needs a list of string patterns")
    for pattern in spec:
        _compile(pattern, str(where))  # report a bad regex now, naming the category file
    return Category(name, tuple(spec), description)


_HEADER = """\
# Benchmark categories for vmbench reports (`vmbench show --categories FILE`,
# `categories_file` in the notebooks' params).
#
# Each category lists patterns over benchmark ids (Criterion's full_id, e.g.
# "memory/alloc_sized/4096"). A pattern is a shell-style glob matched against the
# whole id (`*` also crosses "/", matching is case-sensitive), or a regular
# expression when it starts with "re:" (searched anywhere in the id; Python syntax
# without backreferences or look-around: matched by RE2 in linear time).
# Categories are tried in the order written here and the first match wins.
# Benchmarks that match nothing fall back to their Criterion group, then to "other".
# Add your own categories at the end (or before a broader one to take precedence).
"""


_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def _plain(text: str) -> bool:
    """Whether `text` can be written as a plain YAML scalar, unquoted, and read back as
    the same string (no indicator characters, not a YAML 1.1 boolean or null)."""
    if text.lower() in _YAML_WORDS:
        return False
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ,()./+-]*[A-Za-z0-9_)]", text) is not None


def categories_yaml(categories: tuple[Category, ...]) -> str:
    """The categories file (format version 1) that `Categories.load` reads back as `categories`."""
    lines = [f"version: {_VERSION}", "categories:"]
    for cat in categories:
        lines.append(f"  {cat.name}:" if _plain(cat.name) else f"  {json.dumps(cat.name)}:")
        if cat.description:
            shown = cat.description if _plain(cat.description) else json.dumps(cat.description)
            lines.append(f"    description: {shown}")
        lines.append("    patterns:")
        lines += [f"      - {json.dumps(pattern)}" for pattern in cat.patterns]
    return _HEADER + "\n".join(lines) + "\n"


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category(
        "jit",
        (
            "jit",
            "jit/*",
            "*/jit/*",
            "re:(^|[/_ -])jit([/_ -]|$)",
            "*tier?_compile*",
            "*tier-?_compile*",
        ),
        "JIT compilation (tier-1 and tier-2 compile, optimisation passes)",
    ),
    Category(
        "cross_arch",
        (
            "cross_arch",
            "cross_arch/*",
            "*/cross_arch/*",
            "*translat*",
            "re:x86_64.*(arm|aarch64|risc)",
        ),
        "Cross-architecture translation (x86_64 to ARM64 and RISC-V)",
    ),
    Category(
        "memory",
        ("memory", "memory/*", "*/memory/*", "*alloc*", "*dealloc*"),
        "Memory management (allocation, deallocation, pools)",
    ),
    Category(
        "gc",
        ("gc", "gc/*", "*/gc/*", "re:(^|[/_ -])gc([/_ -]|$)", "*garbage*"),
        "Garbage collection pauses and throughput",
    ),
    Category(
        "tlb",
        ("tlb", "tlb/*", "*/tlb/*", "re:(^|[/_ -])(tlb|mmu)([/_ -]|$)"),
        "TLB and MMU (lookup, flush, prefetch)",
    ),
    Category(
        "async",
        ("async", "async/*", "*/async/*", "*executor*", "*task_spawn*"),
        "Async runtime (task spawn, await, executor throughput)",
    ),
    Category(
        "concurrency",
        ("concurrency", "concurrency/*", "*/concurrency/*", "*mutex*", "*rwlock*", "*contention*"),
        "Locks and contention (mutex, rwlock, lock-free structures)",
    ),
    Category(
        "snapshot",
        ("snapshot", "snapshot/*", "*/snapshot/*", "re:snapshot"),
        "VM snapshots (create, restore)",
    ),
)

# The text of params/categories.yaml, which `vmbench init` writes (a test keeps them equal).
DEFAULT_CATEGORIES_YAML = categories_yaml(DEFAULT_CATEGORIES)
