"""Machine fingerprints: which hardware and toolchain a run was measured on.

Two runs are only comparable when they ran on the same kind of machine; the trend
analysis warns when the fingerprints of compared runs differ. The hostname is stored
only as a short hash (a history may be committed to a public branch).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Fields whose difference makes timings incomparable (the rustc version is reported
# too: a new compiler changes codegen, and users want to know).
COMPARED_FIELDS = ("cpu", "cores", "os", "rustc", "host_hash")


@dataclass(frozen=True)
class MachineInfo:
    """Where a run was measured. `name` is the user's label (`--machine`), or derived."""

    name: str
    cpu: str = "unknown"
    cores: int = 0
    os: str = "unknown"
    rustc: str = "unknown"
    host_hash: str = "unknown"

    @property
    def fingerprint(self) -> str:
        """A short stable hash of every compared field (equal fingerprints: same machine)."""
        text = "\x1f".join(str(getattr(self, name)) for name in COMPARED_FIELDS)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def differences(self, other: MachineInfo) -> list[str]:
        """Human-readable list of the compared fields that differ, e.g. `cpu: 'A' vs 'B'`."""
        return [
            f"{name}: {getattr(self, name)!r} vs {getattr(other, name)!r}"
            for name in COMPARED_FIELDS
            if getattr(self, name) != getattr(other, name)
        ]


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor") and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def _rustc_version() -> str:
    rustc = shutil.which("rustc")
    if rustc is None:
        return "unknown"
    try:
        done = subprocess.run(
            [rustc, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def hostname_hash(hostname: str) -> str:
    return hashlib.sha256(hostname.encode("utf-8")).hexdigest()[:12]


def current_machine(name: str | None = None) -> MachineInfo:
    """Fingerprint of the machine this process runs on; `name` defaults to `host-<hash>`."""
    host = hostname_hash(socket.gethostname())
    return MachineInfo(
        name=name or f"host-{host[:8]}",
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        os=f"{platform.system()} {platform.release()}".strip(),
        rustc=_rustc_version(),
        host_hash=host,
    )
