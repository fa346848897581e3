"""Which cargo targets `vmbench bench` runs: the `[[bench]]` targets, chosen with `cargo metadata`.

`cargo bench` with no target selection also benchmarks every lib and bin target left at
Cargo's default `bench = true`; those run under libtest, which rejects Criterion's flags
(`--save-baseline`, `--noplot`, ...) and fails the whole run. Naming each bench target
with `--bench NAME` keeps libtest out, so vmbench works on such crates unchanged;
`bench_enabled_targets` still lists them so `vmbench init` can suggest the one-line fix
that makes a plain `cargo bench -- --save-baseline x` work too.

`cargo metadata` does not report a target's `bench` flag, so it is read from the
package's manifest (`[lib] bench = false`, `[[bin]] name = ... bench = false`) with
Python 3.11's tomllib; on Python 3.10 the advice is left out (the runner does not need it).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmbench.errors import InputError, UsageError

# Target kinds of a package's library (cargo metadata's `kind`).
_LIB_KINDS = frozenset({"lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"})


class NoBenchTargets(UsageError):
    """The selected packages have no `[[bench]]` target (a base commit before benchmarks)."""


@dataclass(frozen=True)
class BenchTarget:
    """One `[[bench]]` target of a workspace member."""

    package: str
    name: str


@dataclass(frozen=True)
class BenchEnabled:
    """A lib or bin target that `cargo bench` would run under libtest (`bench = true`)."""

    package: str
    kind: str  # "lib" or "bin"
    name: str
    manifest: Path

    def fix(self) -> str:
        """The manifest lines that turn benchmarking of this target off."""
        if self.kind == "lib":
            return "[lib]\nbench = false"
        return f'[[bin]]\nname = "{self.name}"\nbench = false'


@dataclass(frozen=True)
class Selection:
    """What to benchmark: packages, features and bench targets (empty: every one)."""

    packages: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    all_features: bool = False
    no_default_features: bool = False
    benches: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetPlan:
    """The bench targets a selection resolves to, and the cargo arguments that run them."""

    targets: tuple[BenchTarget, ...]
    bench_enabled: tuple[BenchEnabled, ...]
    selection: Selection
    target_directory: Path | None

    def cargo_args(self, *, only: Sequence[str] = ()) -> list[str]:
        """`cargo bench` arguments before `--`: `-p`, features and one `--bench` a target.

        `only` narrows to those target names (e.g. the one target holding a benchmark).
        """
        chosen = [t for t in self.targets if not only or t.name in only]
        args: list[str] = []
        for package in sorted({t.package for t in chosen}):
            args += ["-p", package]
        if self.selection.features:
            args += ["--features", ",".join(self.selection.features)]
        if self.selection.all_features:
            args.append("--all-features")
        if self.selection.no_default_features:
            args.append("--no-default-features")
        for name in sorted({t.name for t in chosen}):
            args += ["--bench", name]
        return args


METADATA_TIMEOUT_S = 120  # no network, no build: a workspace's metadata takes seconds


def cargo_metadata(
    workspace: Path, *, cargo: str, env: Mapping[str, str], offline: bool = False
) -> dict[str, Any]:
    """`cargo metadata --no-deps` of the workspace (no network, no build)."""
    argv = [cargo, "metadata", "--format-version", "1", "--no-deps"]
    if offline:
        argv.append("--offline")
    try:
        done = subprocess.run(
            argv,
            cwd=workspace,
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
            timeout=METADATA_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            workspace, f"cargo metadata did not finish in {METADATA_TIMEOUT_S} s"
        ) from None
    except OSError as exc:
        raise InputError(workspace, f"cannot run cargo metadata: {exc}") from None
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        cause = next((x for x in errors if x.startswith("error")), errors[-1] if errors else "")
        raise InputError(workspace / "Cargo.toml", f"cargo metadata failed: {cause}")
    try:
        data: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        raise InputError(workspace, "cargo metadata printed no JSON") from None
    return data


def plan_targets(metadata: Mapping[str, Any], selection: Selection) -> TargetPlan:
    """Resolve `selection` against `cargo metadata` output (see the module docstring)."""
    members = set(metadata.get("workspace_members") or [])
    packages = [p for p in metadata.get("packages", []) if p.get("id") in members]
    names = {p["name"] for p in packages}
    unknown = [p for p in selection.packages if p not in names]
    if unknown:
        raise UsageError(
            f"{unknown[0]!r} is not a workspace member "
            f"(members: {', '.join(sorted(names)) or 'none'})",
            parameter="packages",
        )
    if selection.packages:
        packages = [p for p in packages if p["name"] in selection.packages]
    targets = [
        BenchTarget(package=p["name"], name=t["name"])
        for p in packages
        for t in p.get("targets", [])
        if "bench" in t.get("kind", [])
    ]
    if selection.benches:
        available = {t.name for t in targets}
        missing = [b for b in selection.benches if b not in available]
        if missing:
            raise UsageError(
                f"{missing[0]!r} is not a [[bench]] target "
                f"(bench targets: {', '.join(sorted(available)) or 'none'})",
                parameter="benches",
            )
        targets = [t for t in targets if t.name in selection.benches]
    if not targets:
        where = ", ".join(sorted(p["name"] for p in packages)) or "the workspace"
        raise NoBenchTargets(
            f"no [[bench]] target in {where}: add one with `harness = false` "
            "(Criterion's getting-started guide) or choose other packages"
        )
    target_directory = metadata.get("target_directory")
    return TargetPlan(
        targets=tuple(targets),
        bench_enabled=tuple(bench_enabled_targets(packages)),
        selection=selection,
        target_directory=Path(target_directory) if target_directory else None,
    )


def bench_enabled_targets(packages: Sequence[Mapping[str, Any]]) -> list[BenchEnabled]:
    """Lib and bin targets of these packages left at `bench = true` (see the docstring)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return []
    found: list[BenchEnabled] = []
    for package in packages:
        manifest = Path(package["manifest_path"])
        try:
            toml = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # cargo metadata read it; one we cannot read gets no advice
        lib = toml["lib"] if isinstance(toml.get("lib"), dict) else {}
        bins = {
            b.get("name"): b for b in toml.get("bin", []) if isinstance(b, dict) and b.get("name")
        }
        for target in package.get("targets", []):
            kinds = set(target.get("kind", []))
            if kinds & _LIB_KINDS:
                if lib.get("bench", True) is not False:
                    found.append(BenchEnabled(package["name"], "lib", target["name"], manifest))
            elif "bin" in kinds and bins.get(target["name"], {}).get("bench", True) is not False:
                found.append(BenchEnabled(package["name"], "bin", target["name"], manifest))
    return found
