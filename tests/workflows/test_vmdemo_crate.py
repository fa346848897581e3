"""The demo VM crate builds offline against Debian's Criterion and writes real data.

Builds examples/vmdemo once per module (in its own target/ directory, so a warm build
is reused), runs one quick benchmark into a temporary Criterion directory and checks
the planted-change variable rejects unknown ids.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO

pytestmark = [pytest.mark.cargo, pytest.mark.slow]

CRATE = REPO / "examples" / "vmdemo"
REGISTRY = Path("/usr/share/cargo/registry")
QUICK = ["--noplot", "--warm-up-time", "1", "--measurement-time", "1", "--sample-size", "10"]


def _missing() -> str | None:
    if shutil.which("cargo") is None:
        return "cargo is not installed (apt-get install cargo)"
    if not any(REGISTRY.glob("criterion-0.3.*")):
        return f"no criterion 0.3 in {REGISTRY} (apt-get install librust-criterion-dev)"
    return None


@pytest.fixture(scope="module")
def built() -> Path:
    """Build the bench target once; return the crate directory."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    subprocess.run(
        ["cargo", "bench", "--offline", "--bench", "vm", "--no-run"],
        cwd=CRATE,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"},
    )
    return CRATE


def _bench(
    crate: Path, home: Path, args: list[str], factors: str | None = None, clock: str | None = None
) -> subprocess.CompletedProcess[str]:
    drop = ("CARGO_TARGET_DIR", "VMDEMO_FACTORS", "VMDEMO_CLOCK")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["CRITERION_HOME"] = str(home)
    if factors is not None:
        env["VMDEMO_FACTORS"] = factors
    if clock is not None:
        env["VMDEMO_CLOCK"] = clock
    return subprocess.run(
        ["cargo", "bench", "--offline", "--bench", "vm", "--", *args],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quick_run_writes_criterion_json_with_full_id(built: Path, tmp_path: Path) -> None:
    home = tmp_path / "criterion"
    proc = _bench(built, home, ["--save-baseline", "quick", *QUICK, "^tlb/lookup_hit$"])
    assert proc.returncode == 0, proc.stderr[-2000:]

    written = sorted(p.relative_to(home) for p in home.rglob("quick/benchmark.json"))
    assert written == [Path("tlb/lookup_hit/quick/benchmark.json")]
    run = home / "tlb" / "lookup_hit" / "quick"
    meta = json.loads((run / "benchmark.json").read_text())
    assert meta["full_id"] == "tlb/lookup_hit"
    assert meta["group_id"] == "tlb"
    sample = json.loads((run / "sample.json").read_text())
    assert len(sample["iters"]) == len(sample["times"]) == 10
    estimates = json.loads((run / "estimates.json").read_text())
    # Criterion's mean estimate is the plain mean of the per-sample averages.
    per_iter = [t / n for t, n in zip(sample["times"], sample["iters"], strict=True)]
    assert estimates["mean"]["point_estimate"] == pytest.approx(
        sum(per_iter) / len(per_iter), rel=1e-9
    )
    assert (run / "tukey.json").exists()


def test_planted_factors_reject_an_unknown_id(built: Path, tmp_path: Path) -> None:
    home = tmp_path / "criterion"
    proc = _bench(built, home, [*QUICK, "^tlb/flush$"], factors="tlb/flush=1.3,jit/tier3=2")
    assert proc.returncode != 0
    assert 'vmdemo: error: VMDEMO_FACTORS: unknown benchmark id "jit/tier3"' in proc.stderr
    assert not home.exists() or not any(home.rglob("benchmark.json"))


def test_planted_factors_and_cpu_clock_are_announced(built: Path, tmp_path: Path) -> None:
    home = tmp_path / "criterion"
    args = ["--save-baseline", "pr", *QUICK, "^tlb/flush$"]
    proc = _bench(built, home, args, factors="tlb/flush=1.3", clock="cpu")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "vmdemo: planted factors: tlb/flush=1.3" in proc.stderr
    assert "vmdemo: measuring process CPU time" in proc.stderr
    meta = json.loads((home / "tlb" / "flush" / "pr" / "benchmark.json").read_text())
    assert meta["full_id"] == "tlb/flush"


def test_unknown_clock_is_rejected(built: Path, tmp_path: Path) -> None:
    proc = _bench(built, tmp_path / "criterion", [*QUICK, "^tlb/flush$"], clock="sundial")
    assert proc.returncode != 0
    assert 'vmdemo: error: VMDEMO_CLOCK: "sundial" is not wall or cpu' in proc.stderr
