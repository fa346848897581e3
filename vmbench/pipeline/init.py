"""`vmbench init`: set up benchmarking with vmbench in a user's Rust repository.

Writes the benchmark workflow (and its fork-comment follow-up), the design document's
bench profile in `.cargo/config.toml`, an empty baseline file and default report
parameters. Nothing that exists is overwritten unless `force` is given; an existing
`.cargo/config.toml` without a `[profile.bench]` table gets the table appended (merged,
never replaced). Each file's fate is returned as a `ScaffoldAction` for the CLI to print.

The workflow templates live in `vmbench/templates/init/`; the categories are vmbench's
built-in defaults and the report parameters are vmbench's own `params/` files with the
data locations of a Rust workspace (`target/criterion`, baselines `base` and `new`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import tomlkit
import tomlkit.exceptions
import tomlkit.items
import yaml

from vmbench.atomic import atomic_write_text
from vmbench.errors import InputError, UsageError
from vmbench.readers.jsonfiles import MAX_CONFIG_BYTES, read_text

Outcome = Literal["written", "merged", "overwritten", "skipped"]

# The design document's bench profile: release optimisations, debug symbols for
# profilers, fat LTO and one codegen unit (stable code layout between builds).
BENCH_TABLE = """\
[profile.bench]
opt-level = 3
debug = true
lto = true
codegen-units = 1
"""
_PROFILE_VALUES: dict[str, Any] = tomlkit.parse(BENCH_TABLE).unwrap()["profile"]["bench"]
BENCH_PROFILE = (
    "# Added by `vmbench init`: the bench profile of vmbench's benchmarking design:\n"
    "# release optimisations, debug symbols for profilers, LTO, one codegen unit.\n" + BENCH_TABLE
)

# Parameters that say where a user's data is (the notebooks' defaults point at
# vmbench's bundled example data instead).
USER_PARAMETERS: Mapping[str, Mapping[str, Any]] = {
    "regression": {
        "criterion_dir": "target/criterion",
        "baseline": "base",
        "candidate": "new",
        # No identical-code runs exist yet; `vmbench bench --save-baseline aa1` makes some.
        "noise_runs": [],
        "categories_file": "params/categories.yaml",
    },
    "trend": {
        "history_dir": "benches/history",
        "window_days": 30,
        "categories_file": "params/categories.yaml",
    },
}

_PIP_SPEC = re.compile(r"[A-Za-z0-9_.\-\[\]=<>!~+:/@#,]+")


@dataclass(frozen=True)
class ScaffoldAction:
    """What `init` did with one file, relative to the repository root."""

    path: Path
    outcome: Outcome
    note: str = ""

    def __str__(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.outcome:<11} {self.path}{note}"


def template_text(name: str) -> str:
    """A file of `vmbench/templates/init/`."""
    return resources.files("vmbench").joinpath("templates", "init", name).read_text("utf-8")


def workflow_text(*, pip_spec: str) -> str:
    """The benchmark workflow for a Rust workspace at the repository root."""
    if not _PIP_SPEC.fullmatch(pip_spec):
        raise UsageError(
            f"{pip_spec!r} is not a pip requirement vmbench can write", parameter="pip_spec"
        )
    return template_text("benchmark.yml").replace("{{VMBENCH_PIP_SPEC}}", pip_spec)


def default_params(notebook: str) -> str:
    """params/<notebook>.yaml for a user's repository.

    Starts from vmbench's own params file when this install has it (a source checkout),
    and points the data parameters at a Rust workspace's locations.
    """
    from vmbench.pipeline.execute import params_dir  # the report pipeline knows where params live

    values: dict[str, Any] = {}
    source = params_dir() / f"{notebook}.yaml"
    if source.is_file():
        loaded = yaml.safe_load(source.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            values.update(loaded)
    values.update(USER_PARAMETERS[notebook])
    header = (
        f"# Parameters of vmbench's {notebook} report (`vmbench report {notebook} "
        f"--params params/{notebook}.yaml`).\n# Written by `vmbench init`; edit freely.\n"
    )
    return header + yaml.safe_dump(values, sort_keys=False, allow_unicode=True)


def categories_text() -> str:
    from vmbench.readers.categories import DEFAULT_CATEGORIES_YAML

    return DEFAULT_CATEGORIES_YAML


def merge_bench_profile(
    existing: str, *, force: bool, source: Path | str = ".cargo/config.toml"
) -> tuple[str | None, str]:
    """`existing` config.toml text with the bench profile added: (new text or None, note).

    None means leave the file alone (it already has a bench profile and `force` is off).
    With `force`, the bench profile's values are replaced by vmbench's (its sub-tables,
    such as `[profile.bench.package.x]`, stay). The file is parsed as TOML (tomlkit keeps
    comments and layout), so every way of writing the profile is seen: `[profile.bench]`,
    `[profile."bench"]`, an inline table, dotted keys. The result is parsed again and
    must hold exactly the old settings plus the profile, else the file is left alone
    with an InputError: `init` never writes a config.toml that cargo cannot read.
    """
    old = _parse_toml(existing, source, "")
    profile = old.get("profile", {})
    if not isinstance(profile, dict):
        raise InputError(source, "`profile` is not a table; add the bench profile by hand")
    bench = profile.get("bench")
    if bench is not None and not isinstance(bench, dict):
        raise InputError(source, "`profile.bench` is not a table; fix it by hand")
    expected = copy.deepcopy(old)
    kept = {k: v for k, v in (bench or {}).items() if isinstance(v, dict)}  # package.x ...
    expected.setdefault("profile", {})["bench"] = {**kept, **_PROFILE_VALUES}
    if bench is None:
        glue = (
            ""
            if not existing or existing.endswith("\n\n")
            else "\n"
            if existing.endswith("\n")
            else "\n\n"
        )
        appended = existing + glue + BENCH_PROFILE
        # Appending a table keeps the user's text as it was; it is not always valid TOML
        # (an inline `profile = {...}` cannot be extended by a header): then edit the tree.
        if _means(appended, expected):
            return appended, "appended [profile.bench]"
        return _checked(_edited(existing, source), expected, source), "added profile.bench"
    if not force:
        return None, "already has a bench profile; --force replaces it"
    return _checked(_edited(existing, source), expected, source), "replaced [profile.bench]"


def _parse_toml(text: str, source: Path | str, what: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomlkit.parse(text).unwrap()
    except tomlkit.exceptions.TOMLKitError as exc:
        problem = " ".join(str(exc).split())
        raise InputError(source, f"{what}is not valid TOML ({problem}); left unchanged") from None
    return data


def _means(text: str, expected: dict[str, Any]) -> bool:
    try:
        return bool(tomlkit.parse(text).unwrap() == expected)
    except tomlkit.exceptions.TOMLKitError:
        return False


def _edited(existing: str, source: Path | str) -> str:
    """The document with profile.bench set to vmbench's values, in the user's own form."""
    doc = tomlkit.parse(existing)
    try:
        profile = doc.setdefault("profile", tomlkit.table())
        if "bench" not in profile:
            inline = isinstance(profile, tomlkit.items.InlineTable)
            profile["bench"] = tomlkit.inline_table() if inline else tomlkit.table()
        bench = profile["bench"]
        for key in [k for k, v in bench.items() if not isinstance(v, dict)]:
            del bench[key]
        for key, value in _PROFILE_VALUES.items():
            bench[key] = value
    except (tomlkit.exceptions.TOMLKitError, TypeError, KeyError, ValueError) as exc:
        problem = " ".join(str(exc).split())
        raise InputError(
            source, f"cannot add the bench profile ({problem}); left unchanged"
        ) from None
    return tomlkit.dumps(doc)


def _checked(text: str, expected: dict[str, Any], source: Path | str) -> str:
    if not _means(text, expected):
        raise InputError(
            source,
            "cannot add the bench profile to this file without changing other settings; "
            "left unchanged: add [profile.bench] opt-level = 3, debug = true, lto = true, "
            "codegen-units = 1 by hand",
        )
    return text


def _plan(pip_spec: str) -> dict[Path, Callable[[], str]]:
    return {
        Path(".github/workflows/benchmark.yml"): lambda: workflow_text(pip_spec=pip_spec),
        Path(".github/workflows/benchmark-comment.yml"): lambda: template_text(
            "benchmark-comment.yml"
        ),
        Path("benches/baselines/main.json"): lambda: "{}\n",
        Path("params/regression.yaml"): lambda: default_params("regression"),
        Path("params/trend.yaml"): lambda: default_params("trend"),
        Path("params/categories.yaml"): categories_text,
    }


def init_repository(repo: Path, *, force: bool = False, pip_spec: str) -> list[ScaffoldAction]:
    """Set up vmbench in the Rust repository at `repo`; what was done to each file."""
    repo = Path(repo)
    if not repo.is_dir():
        raise InputError(repo, "not a directory")
    if not (repo / "Cargo.toml").is_file():
        raise InputError(repo, "no Cargo.toml here; run vmbench init at a Rust workspace's root")
    actions: list[ScaffoldAction] = []
    for relative, render in _plan(pip_spec).items():
        target = repo / relative
        if target.is_dir():
            raise InputError(target, "is a directory; expected a file")
        if target.exists() and not force:
            actions.append(ScaffoldAction(relative, "skipped", "exists; --force overwrites"))
            continue
        outcome: Outcome = "overwritten" if target.exists() else "written"
        atomic_write_text(target, render())
        actions.append(ScaffoldAction(relative, outcome))
    actions.append(_bench_profile(repo, force=force))
    return actions


def _bench_profile(repo: Path, *, force: bool) -> ScaffoldAction:
    relative = Path(".cargo/config.toml")
    target = repo / relative
    if not target.exists():
        atomic_write_text(target, BENCH_PROFILE)
        return ScaffoldAction(relative, "written")
    existing = read_text(target, max_bytes=MAX_CONFIG_BYTES, what="a TOML file")
    merged, note = merge_bench_profile(existing, force=force, source=target)
    if merged is None:
        return ScaffoldAction(relative, "skipped", note)
    atomic_write_text(target, merged)
    outcome: Outcome = "overwritten" if note.startswith("replaced") else "merged"
    return ScaffoldAction(relative, outcome, note)
