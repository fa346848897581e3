"""`vmbench init`: set up benchmarking with vmbench in a user's Rust repository.

Writes a short caller workflow that `uses:` vmbench's reusable workflow pinned to one
vmbench commit (or, with `eject`, a copy of the reusable workflow next to a caller that
uses the copy), the fork-comment follow-up, the design document's bench profile in
`.cargo/config.toml` and default report parameters. Nothing that exists is overwritten
unless `force` is given; an existing `.cargo/config.toml` without a `[profile.bench]`
table gets the table appended (merged, never replaced). Lib and bin targets left at
`bench = true` are reported (vmbench runs only `[[bench]]` targets, a plain
`cargo bench -- --save-baseline x` fails on them); `fix_bench_targets` writes the fix.
Each file's fate is returned as a `ScaffoldAction` for the CLI to print.

The baseline file `benches/baselines/main.json` is not written here: the workflow keeps
it current on the history branch (docs/ci.md), so a copy on the main branch would be dead.

Which vmbench commit the workflow pins (`resolve_ref`): the one given, else the commit
pip recorded when vmbench was installed from git (PEP 610 `direct_url.json`), else the
HEAD of the git checkout vmbench runs from; otherwise the caller must name it.

The workflow templates live in `vmbench/templates/init/`; the categories are vmbench's
built-in defaults and the report parameters are vmbench's own `params/` files with the
data locations of a Rust workspace (`target/criterion`, baselines `base` and `new`).

Over 400 lines on purpose: the caller workflow, the ejected workflow, the bench profile
merge and the bench-target advice are the steps of one `vmbench init`, planned together
so that nothing is written unless every step can be.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
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

Outcome = Literal["written", "merged", "overwritten", "skipped", "advice"]
# Where vmbench's reusable workflow and actions live (`--repository` changes it).
VMBENCH_REPOSITORY = "vmbench/vmbench"
_SHA = re.compile(r"[0-9a-f]{40}")
_REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")

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

_PROFILE_HEADER = re.compile(r"^\s*\[\s*profile\s*\.\s*bench\s*\]\s*(#.*)?$", re.MULTILINE)
_PROFILE_DOTTED = re.compile(r"^\s*profile\s*\.\s*bench\s*\.", re.MULTILINE)
_TABLE_HEADER = re.compile(r"^\s*\[", re.MULTILINE)


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


def workflow_text(*, ref: str, repository: str = VMBENCH_REPOSITORY, eject: bool = False) -> str:
    """The caller workflow: vmbench's reusable workflow at `ref` (or the ejected copy)."""
    if not _SHA.fullmatch(ref):
        raise UsageError(
            f"{ref!r} is not a full 40-character commit SHA of vmbench", parameter="ref"
        )
    if not _REPOSITORY.fullmatch(repository):
        raise UsageError(f"{repository!r} is not OWNER/NAME", parameter="repository")
    from vmbench import __version__

    uses = (
        "./.github/workflows/vmbench.yml"
        if eject
        else f"{repository}/.github/workflows/vmbench.yml@{ref} # vmbench {__version__}"
    )
    text = template_text("benchmark.yml")
    for name, value in (("USES", uses), ("REF", ref), ("REPOSITORY", repository)):
        text = text.replace("{{" + name + "}}", value)
    return text


def resolve_ref(ref: str | None) -> str:
    """The vmbench commit to pin (see the module docstring)."""
    if ref is not None:
        return ref
    import json
    import subprocess
    from importlib import metadata

    source: Path | None = None
    try:
        direct = metadata.distribution("vmbench").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    if direct:
        info = json.loads(direct)
        commit = info.get("vcs_info", {}).get("commit_id")
        if isinstance(commit, str) and _SHA.fullmatch(commit):
            return commit
        url = info.get("url", "")
        if isinstance(url, str) and url.startswith("file://"):
            source = Path(url.removeprefix("file://"))
    candidates = [source] if source is not None else []
    candidates.append(Path(__file__).resolve().parents[2])
    for directory in candidates:
        try:
            done = subprocess.run(
                ["git", "-C", str(directory), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            break
        if done.returncode == 0 and _SHA.fullmatch(done.stdout.strip()):
            return done.stdout.strip()
    raise UsageError(
        "cannot tell which vmbench commit to pin (not installed from git): "
        "name the 40-character commit SHA of vmbench",
        parameter="ref",
    )


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


def _plan(ref: str, repository: str, eject: bool) -> dict[Path, Callable[[], str]]:
    plan: dict[Path, Callable[[], str]] = {
        Path(".github/workflows/benchmark.yml"): lambda: workflow_text(
            ref=ref, repository=repository, eject=eject
        ),
        Path(".github/workflows/benchmark-comment.yml"): lambda: template_text(
            "benchmark-comment.yml"
        ),
        Path("params/regression.yaml"): lambda: default_params("regression"),
        Path("params/trend.yaml"): lambda: default_params("trend"),
        Path("params/categories.yaml"): categories_text,
    }
    if eject:
        plan[Path(".github/workflows/vmbench.yml")] = lambda: template_text("vmbench.yml")
    return plan


def init_repository(
    repo: Path,
    *,
    ref: str,
    repository: str = VMBENCH_REPOSITORY,
    eject: bool = False,
    force: bool = False,
    fix_bench_targets: bool = False,
    packages: Sequence[Mapping[str, Any]] | None = None,
) -> list[ScaffoldAction]:
    """Set up vmbench in the Rust repository at `repo`; what was done to each file.

    `packages` are the workspace members from `cargo metadata` (None: not known, no
    advice on bench-enabled targets).
    """
    repo = Path(repo)
    if not repo.is_dir():
        raise InputError(repo, "not a directory")
    if not (repo / "Cargo.toml").is_file():
        raise InputError(repo, "no Cargo.toml here; run vmbench init at a Rust workspace's root")
    workflow_text(ref=ref, repository=repository, eject=eject)  # bad arguments fail first
    actions: list[ScaffoldAction] = []
    for relative, render in _plan(ref, repository, eject).items():
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
    if packages is not None:
        actions += _bench_targets(repo, packages, fix=fix_bench_targets)
    return actions


def _bench_targets(
    repo: Path, packages: Sequence[Mapping[str, Any]], *, fix: bool
) -> list[ScaffoldAction]:
    from vmbench.pipeline.targets import bench_enabled_targets

    actions = []
    root = repo.resolve()
    for target in bench_enabled_targets(packages):
        try:
            relative = target.manifest.resolve().relative_to(root)
        except ValueError:
            relative = target.manifest
        what = f"{target.kind} target {target.name!r} has bench = true"
        if not fix:
            actions.append(
                ScaffoldAction(
                    relative,
                    "advice",
                    f"{what}; vmbench runs only [[bench]] targets, but plain `cargo bench "
                    "-- --save-baseline x` fails on it: --fix-bench-targets adds "
                    + target.fix().replace("\n", " "),
                )
            )
            continue
        text = target.manifest.read_text(encoding="utf-8")
        atomic_write_text(target.manifest, add_bench_false(text, target.kind, target.name))
        actions.append(ScaffoldAction(relative, "merged", f"{what}: set bench = false"))
    return actions


def add_bench_false(manifest: str, kind: str, name: str) -> str:
    """`manifest` with `bench = false` for the lib (kind "lib") or the named bin."""
    if kind == "lib":
        header = re.search(r"^\s*\[\s*lib\s*\]\s*(#.*)?$", manifest, re.MULTILINE)
        if header is not None:
            following = _TABLE_HEADER.search(manifest, header.end())
            end = following.start() if following is not None else len(manifest)
            body = manifest[header.end() : end]
            key = re.compile(r"^\s*bench\s*=.*$", re.MULTILINE)
            body = key.sub("bench = false", body) if key.search(body) else "\nbench = false" + body
            return manifest[: header.end()] + body + manifest[end:]
        table = "[lib]\nbench = false\n"
    else:
        if re.search(rf'^\s*name\s*=\s*"{re.escape(name)}"', manifest, re.MULTILINE):
            raise UsageError(
                f"bin target {name!r} is declared in the manifest: add bench = false by hand"
            )
        table = f'[[bin]]\nname = "{name}"\nbench = false\n'
    glue = "" if manifest.endswith("\n\n") else "\n" if manifest.endswith("\n") else "\n\n"
    return manifest + glue + table


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
