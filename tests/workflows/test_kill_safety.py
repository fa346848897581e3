"""Writes survive SIGKILL at any moment, and concurrent history adds lose nothing.

Each test starts a writer process that rewrites a file in a loop (so that a kill has many
chances to land mid-write), kills it with SIGKILL after a random delay, and checks that
the file a reader finds is whole and valid: the previous version or the new one, never a
mix. Delays are seeded so a failure can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import criterion_trees
from tests.support.paths import REPO

KILLS = 30


def _writer(code: str, *args: str) -> subprocess.Popen[str]:
    """Start `code` in a fresh interpreter; it prints 'ready' once set up, then writes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"writer did not start: {line!r}\n{err}")
    return proc


def _kill_loop(
    code: str, args: list[str], check: Callable[[], object], *, kills: int, seed: int
) -> set[object]:
    """Kill the writer `kills` times at random moments; `check()` after each kill."""
    rng = random.Random(seed)
    seen: set[object] = set()
    for _ in range(kills):
        proc = _writer(code, *args)
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL, "writer ended before it was killed"
        seen.add(check())
    return seen


JSON_WRITER = """
import json, sys
from vmbench.atomic import atomic_write_text
target = sys.argv[1]
version = json.load(open(target))["version"]
body = json.dumps(list(range(250_000)))  # ~2 MB: a write takes long enough to interrupt
print("ready", flush=True)
while True:
    version += 1
    atomic_write_text(target, '{"version": %d, "payload": %s, "end": 1}' % (version, body))
"""


def test_atomic_write_text_survives_sigkill(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text(json.dumps({"version": 0, "payload": list(range(250_000)), "end": 1}))

    def check() -> object:
        data = json.loads(target.read_text())  # raises on a torn file
        assert data["end"] == 1
        assert data["payload"] == list(range(250_000))
        return data["version"]

    versions = _kill_loop(JSON_WRITER, [str(target)], check, kills=KILLS, seed=6)
    # The kills really landed while writes were going on (else this test proves nothing).
    assert len(versions) > KILLS // 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "report.json"]
    assert all(name.startswith(".report.json.") for name in leftovers), leftovers
    # A kill mid-write leaves the temporary file behind: some kills did land mid-write.
    assert leftovers, "no kill landed during a write"
    print(f"{len(versions)} versions seen, {len(leftovers)} kills mid-write")


BASELINE_WRITER = """
import sys
from pathlib import Path
from vmbench.readers.baseline_file import BaselineEntry, load_baseline_file, write_baseline_file
target = Path(sys.argv[1])
version = round(next(iter(load_baseline_file(target).metrics.values())).value / 1e6)
print("ready", flush=True)
while True:
    version += 1
    entries = {f"jit/bench_{i:05d}": BaselineEntry(float(version), "ms", "d" * 40, "2026-01-01")
               for i in range(5_000)}
    write_baseline_file(target, entries)
"""


def test_baseline_file_write_survives_sigkill(tmp_path: Path) -> None:
    from vmbench.readers.baseline_file import BaselineEntry, load_baseline_file, write_baseline_file

    target = tmp_path / "benches" / "baselines" / "main.json"
    write_baseline_file(target, {"jit/old": BaselineEntry(1.0, "ms", "the old file")})

    def check() -> object:
        run = load_baseline_file(target)  # raises on a torn file
        values = {m.value for m in run.metrics.values()}
        assert len(values) == 1, "entries from two different writes"
        assert len(run.metrics) in (1, 5_000)
        return values.pop()

    versions = _kill_loop(BASELINE_WRITER, [str(target)], check, kills=20, seed=8)
    # the kills landed while writes were going on: several different writes were seen
    # (how many depends on the machine's speed; 10 of 20 under load)
    assert len(versions) >= 5


@pytest.mark.slow
def test_baseline_update_command_survives_sigkill(tmp_path: Path) -> None:
    """`vmbench baseline update` itself, killed at random moments of its run."""
    from vmbench.readers.baseline_file import load_baseline_file

    tree = _tree(tmp_path / "criterion")
    target = tmp_path / "main.json"
    update = [sys.executable, "-m", "vmbench", "baseline", "update", str(tree)]
    update += ["--from", "new", "--file", str(target)]
    subprocess.run(update, check=True, capture_output=True, cwd=REPO)
    before = load_baseline_file(target)
    rng = random.Random(9)
    for _ in range(8):
        proc = subprocess.Popen(update, cwd=REPO, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.0))  # start-up, load, write: anywhere in it
        proc.kill()
        proc.wait()
        after = load_baseline_file(target)
        assert sorted(after.metrics) == sorted(before.metrics)


HISTORY_WRITER = """
import datetime as dt, sys
from pathlib import Path
import numpy as np
from vmbench.history.store import add_run
from tests.support.history import make_run
store = Path(sys.argv[1])
run = make_run(np.full(300, 1000.0), samples=100, sample_noise=0.02, seed=1, label="new")
date = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
print("ready", flush=True)
while True:
    add_run(store, run, commit="abcdef123456", branch="main", date=date, machine=None)
"""


@pytest.mark.slow
def test_history_add_survives_sigkill(tmp_path: Path) -> None:
    from vmbench.history.store import load_history, run_files

    store = tmp_path / "history"
    store.mkdir()

    def check() -> object:
        frame = load_history(store)  # raises on a torn or foreign Parquet file
        counts = frame.groupby("run_id").size()
        assert (counts == 300).all(), counts
        return len(run_files(store))

    sizes = _kill_loop(HISTORY_WRITER, [str(store)], check, kills=15, seed=7)
    assert max(sizes) > 0, "no run was ever recorded before the kills"


def _tree(root: Path) -> Path:
    criterion_trees.write_criterion_tree(root, 40, baselines=("new",), samples_per_benchmark=20)
    return root


@pytest.mark.slow
def test_concurrent_history_add_loses_nothing(tmp_path: Path) -> None:
    from vmbench.history.store import load_history

    tree = _tree(tmp_path / "criterion")
    store = tmp_path / "history"
    rounds, procs = 3, []
    for r in range(rounds):
        for branch in ("main", "feature"):
            cmd = [sys.executable, "-m", "vmbench", "history", "add", str(tree)]
            cmd += ["--baseline", "new", "--commit", f"{r:02d}{branch[:4]}abcdef", "--branch"]
            cmd += [branch, "--date", f"2026-01-0{r + 1}T00:00:00+00:00", "--history", str(store)]
            procs.append(subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=REPO))
        for proc in procs[-2:]:  # two at a time, started together
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    frame = load_history(store)
    assert frame["run_id"].nunique() == 2 * rounds
    assert sorted(frame.groupby("branch")["run_id"].nunique()) == [rounds, rounds]
    assert (frame.groupby("run_id").size() == 40).all()
