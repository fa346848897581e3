"""Installing vmbench into fresh venvs the way users and the workflows do, offline.

pip itself runs the install command under test, unchanged (`pip install WHEEL[extras]`,
the setup-vmbench action's `python -m pip install "$spec"`, the benchmark job's
`pip install .`). Only where pip finds the dependencies differs: a wheelhouse, built
once per machine with `pip wheel` (network to the package index the first time), under
`~/.cache/vmbench-test-wheels/KEY` (or `$VMBENCH_TEST_WHEELS/KEY`). KEY hashes
pyproject.toml's build requirements, dependencies and extras, and the interpreter, so a
changed dependency list builds a new wheelhouse, never installs from a stale one.
`offline_env()` points pip there (PIP_NO_INDEX, PIP_FIND_LINKS): an install that needs
anything else fails instead of reaching the network.

- `wheelhouse(extras)`: the directory (built if missing; atomically, so concurrent
  sessions and interrupted builds never leave a half-filled one in place);
- `offline_env(wheels, venv)`: the environment of a command run in a fresh venv, with
  nothing of this checkout or of the test run's venv (PYTHONPATH, VIRTUAL_ENV);
- `fresh_venv(path)`: `python -m venv` from the base interpreter (no site-packages of
  the test run's venv, so a dependency missing from pyproject.toml shows up);
- `copy_source(target)`: the repository's files without build output or caches, to build
  from: pip builds a source tree in place (build/, *.egg-info), and setuptools keeps
  stale files in build/ from one build to the next, so nothing is built in this tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import tomlkit

from tests.support.paths import REPO

CACHE = Path.home() / ".cache" / "vmbench-test-wheels"
PYPROJECT = REPO / "pyproject.toml"


def requirements(extras: Sequence[str]) -> list[str]:
    """pyproject.toml's build requirements, dependencies and the named extras."""
    data = tomlkit.parse(PYPROJECT.read_text(encoding="utf-8")).unwrap()
    project = data["project"]
    optional = project.get("optional-dependencies", {})
    unknown = set(extras) - set(optional)
    assert not unknown, f"no such extra in pyproject.toml: {sorted(unknown)}"
    reqs = [*data["build-system"]["requires"], *project["dependencies"]]
    for extra in extras:
        reqs += [r for r in optional[extra] if not r.startswith("vmbench[")]
    return reqs


def _key(reqs: Sequence[str]) -> str:
    what = {
        "requirements": sorted(reqs),
        "python": sys.implementation.cache_tag,
        "platform": sysconfig.get_platform(),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def wheelhouse(extras: Sequence[str] = ("report",)) -> Path:
    """Wheels of everything a vmbench install with `extras` needs (and the build backend)."""
    reqs = requirements(extras)
    root = Path(os.environ.get("VMBENCH_TEST_WHEELS") or CACHE)
    final = root / _key(reqs)
    if (final / "requirements.txt").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=root))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "-w", str(building), *reqs],
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        assert done.returncode == 0, f"pip wheel failed:\n{done.stderr[-3000:]}"
        # written last: its presence says the wheelhouse is complete
        (building / "requirements.txt").write_text("\n".join(reqs) + "\n", encoding="utf-8")
        try:
            building.rename(final)
        except OSError:  # another session finished first: use its wheelhouse
            assert (final / "requirements.txt").is_file()
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


def offline_env(
    wheels: Path, venv: Path | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`base` (default: this process's environment) without this checkout or the test
    run's venv, with pip resolving only from `wheels`, and `venv`'s bin first on PATH."""
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("PIP_")
    }
    env |= {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    return env


def fresh_venv(path: Path) -> Path:
    """A new venv at `path` from the base interpreter of this run; returns `path`."""
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(path)], check=True, timeout=300)
    return path


def copy_source(target: Path) -> Path:
    """A copy of this source tree to build or check out from; returns `target`."""
    junk = (".git", ".venv", "target", "build", "dist", "*.egg-info", "__pycache__", "outputs")
    caches = (".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")
    shutil.copytree(REPO, target, symlinks=True, ignore=shutil.ignore_patterns(*junk, *caches))
    return target
