"""scripts/install-system-deps.sh: `make test` without root installs nothing and says what
will skip; with root or passwordless sudo it installs what is missing; `.ci/run` insists.

The decision is tested by running the real script with `id`, `sudo` and `apt-get` replaced
by PATH shims that record how they were called; the last test runs it as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "install-system-deps.sh"
BASH = shutil.which("bash") or "/bin/bash"
ALL_PACKAGES = "cargo librust-criterion-dev chromium nodejs"


def _shim(path: Path, body: str) -> None:
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A PATH with the tools the script uses, a fake apt-get that logs its arguments and a
    fake `id -u` of 1000; no cargo, chromium or node, and an empty crate registry."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("ls", "grep", "cut", "tr", "sort", "sed", "env", "cat", "true"):
        real = shutil.which(tool)
        assert real, tool
        (bin_dir / tool).symlink_to(real)
    _shim(bin_dir / "id", 'echo "${FAKE_UID:-1000}"')
    _shim(
        bin_dir / "apt-get", f'echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> {tmp_path}/log'
    )
    (tmp_path / "registry").mkdir()
    (tmp_path / "log").write_text("")
    return tmp_path


def _sudo(sandbox: Path, *, passwordless: bool) -> None:
    # Real sudo -n fails at once when it would have to ask for a password.
    allowed = "true" if passwordless else "false"
    _shim(
        sandbox / "bin" / "sudo",
        f'echo "sudo $*" >> {sandbox}/log\n'
        f'[ "$1" = -n ] || exit 99  # must never prompt\nshift\n{allowed} || exit 1\nexec "$@"',
    )


def _run(sandbox: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(SCRIPT)],
        env={
            "PATH": str(sandbox / "bin"),
            "VMBENCH_CARGO_REGISTRY": str(sandbox / "registry"),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _log(sandbox: Path) -> list[str]:
    return (sandbox / "log").read_text().splitlines()


@pytest.mark.parametrize("sudo", ["absent", "asks for a password"])
def test_without_root_installs_nothing_and_names_the_tests_that_skip(
    sandbox: Path, sudo: str
) -> None:
    if sudo != "absent":
        _sudo(sandbox, passwordless=False)
    proc = _run(sandbox)
    assert proc.returncode == 0, proc.stderr
    assert not [line for line in _log(sandbox) if line.startswith("apt-get")]
    out = proc.stdout
    assert ALL_PACKAGES in out
    assert "needs root or passwordless sudo" in out
    for skipped in ("pytest -m cargo", "pytest -m browser", "node"):
        assert skipped in out
    assert out.count("pytest -m cargo") == 1  # cargo and criterion: one capability


def test_ci_makes_a_package_it_cannot_install_an_error(sandbox: Path) -> None:
    _sudo(sandbox, passwordless=False)
    proc = _run(sandbox, VMBENCH_SYSTEM_DEPS="required")
    assert proc.returncode == 1
    assert ALL_PACKAGES in proc.stderr
    assert not [line for line in _log(sandbox) if line.startswith("apt-get")]


def test_passwordless_sudo_installs_through_sudo(sandbox: Path) -> None:
    _sudo(sandbox, passwordless=True)
    proc = _run(sandbox)
    assert proc.returncode == 0, proc.stderr
    log = _log(sandbox)
    assert "sudo -n true" in log
    assert "sudo -n apt-get update -qq" in log
    assert f"apt-get install -y -qq {ALL_PACKAGES} DEBIAN_FRONTEND=noninteractive" in log


def test_root_installs_without_sudo(sandbox: Path) -> None:
    _sudo(sandbox, passwordless=False)
    proc = _run(sandbox, FAKE_UID="0")
    assert proc.returncode == 0, proc.stderr
    log = _log(sandbox)
    assert not [line for line in log if line.startswith("sudo")]
    assert "apt-get update -qq DEBIAN_FRONTEND=" in log
    assert f"apt-get install -y -qq {ALL_PACKAGES} DEBIAN_FRONTEND=noninteractive" in log


def test_only_the_missing_packages_and_nothing_when_all_are_there(sandbox: Path) -> None:
    _sudo(sandbox, passwordless=True)
    for tool in ("cargo", "node"):
        _shim(sandbox / "bin" / tool, "exit 0")
    (sandbox / "registry" / "criterion-0.3.6").mkdir()
    proc = _run(sandbox)
    assert proc.returncode == 0, proc.stderr
    assert "apt-get install -y -qq chromium DEBIAN_FRONTEND=noninteractive" in _log(sandbox)

    _shim(sandbox / "bin" / "chromium", "exit 0")
    (sandbox / "log").write_text("")
    proc = _run(sandbox, VMBENCH_SYSTEM_DEPS="required")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert _log(sandbox) == []


@pytest.mark.slow
def test_the_real_script_leaves_the_capabilities_it_can_provide() -> None:
    # As it runs in CI (.ci/run): installs what is missing when it can, says what will
    # skip when it cannot; never fails a contributor's `make test`.
    proc = subprocess.run(
        [BASH, str(SCRIPT)], capture_output=True, text=True, check=False, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    can_install = shutil.which("apt-get") is not None and (
        os.geteuid() == 0
        or subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0
    )
    if can_install:
        for tool in ("chromium", "node", "cargo"):
            assert shutil.which(tool), tool
        assert any(Path("/usr/share/cargo/registry").glob("criterion-*"))
    else:
        assert "will be skipped" in proc.stdout
