"""`vmbench init` then `vmbench bench` on a `cargo new --lib` crate with a real Criterion
bench, its lib target left at Cargo's default `bench = true` (where a plain
`cargo bench -- --save-baseline x` fails). Built offline against Debian's
librust-criterion-dev, like examples/vmdemo; the target directory is the demo crate's
(git-ignored), so Criterion is compiled once for both (init writes the same bench profile).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO
from vmbench.pipeline.init import init_repository

REGISTRY = Path("/usr/share/cargo/registry")
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.slow
@pytest.mark.cargo
def test_init_then_bench_on_a_plain_lib_crate(tmp_path: Path) -> None:
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    if not any(REGISTRY.glob("criterion-0.3*")):
        pytest.skip("Debian's librust-criterion-dev is not installed")
    crate = tmp_path / "plain"
    (crate / "src").mkdir(parents=True)
    (crate / "benches").mkdir()
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n\n'
        '[dev-dependencies]\ncriterion = { version = "0.3", default-features = false }\n\n'
        '[[bench]]\nname = "speed"\nharness = false\n'
    )
    (crate / "src" / "lib.rs").write_text(
        "pub fn fib(n: u64) -> u64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n"
    )
    (crate / "benches" / "speed.rs").write_text(
        "use criterion::{black_box, criterion_group, criterion_main, Criterion};\n"
        "fn b(c: &mut Criterion) {\n"
        '    c.bench_function("fib 10", |b| b.iter(|| plain::fib(black_box(10))));\n'
        '    c.bench_function("group/fib(12)", |b| b.iter(|| plain::fib(black_box(12))));\n'
        "}\ncriterion_group!(g, b);\ncriterion_main!(g);\n"
    )
    (crate / ".cargo").mkdir()
    shutil.copy(REPO / "examples/vmdemo/.cargo/config.toml", crate / ".cargo/config.toml")
    actions = init_repository(crate, ref=SHA)
    assert any(a.outcome == "merged" and a.path.name == "config.toml" for a in actions)
    env = {k: v for k, v in os.environ.items() if k not in ("CRITERION_HOME", "RUSTFLAGS")}
    env |= {
        "CARGO_TARGET_DIR": str(REPO / "examples/vmdemo/target"),
        "CRITERION_HOME": str(tmp_path / "criterion"),
        "CARGO_TERM_COLOR": "never",
    }
    args = ["bench", str(crate), "--offline", "--save-baseline", "new", "--"]
    args += ["--warm-up-time", "1", "--measurement-time", "1", "--sample-size", "10", "--noplot"]
    done = subprocess.run(
        [sys.executable, "-m", "vmbench", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 benchmarks" in done.stderr
    assert "lib target 'plain'" in done.stderr  # the note says how to fix plain cargo bench
    assert (tmp_path / "criterion" / "fib 10" / "new" / "estimates.json").is_file()
