"""Real Criterion trees from public projects (../shared/realdata), read in place.

Must hold: the per-iteration mean vmbench computes from sample.json equals Criterion's
own mean point estimate (estimates.json) to 1e-9 relative, on every benchmark of every
baseline; and cargo-criterion lines load with their mean matching the line's estimate.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vmbench.cli import main
from vmbench.readers.cargo_criterion import load_cargo_criterion
from vmbench.readers.criterion import list_baselines, load_criterion, load_criterion_change

pytestmark = pytest.mark.realdata

TREES = {
    "ecs_bench_suite/8dba0e8ccf": ["base", "new"],
    "ecs_bench_suite/b2d7289d13": ["base", "new"],
    "deduplicate/64cc24b82a": ["0.3.2", "base", "new"],
    "deduplicate/37d4f0b979": ["0.3.2", "0.3.6", "base", "new"],
    "track/fe02efdc19": ["base", "new"],
}
EXPECTED_COUNTS = {  # benchmarks per tree (SOURCES.md), in `new`
    "ecs_bench_suite/8dba0e8ccf": 42,
    "ecs_bench_suite/b2d7289d13": 43,
    "deduplicate/64cc24b82a": 12,
    "deduplicate/37d4f0b979": 18,
    "track/fe02efdc19": 3,
}


def _tree(realdata: Path, name: str) -> Path:
    return realdata / name / "target" / "criterion"


@pytest.mark.parametrize("name", sorted(TREES))
def test_baselines_found(realdata: Path, name: str) -> None:
    assert list_baselines(_tree(realdata, name)) == TREES[name]


@pytest.mark.parametrize(("name", "baseline"), [(n, b) for n in sorted(TREES) for b in TREES[n]])
def test_mean_equals_criterion_estimate(realdata: Path, name: str, baseline: str) -> None:
    run = load_criterion(_tree(realdata, name), baseline)
    assert run.skipped == ()
    assert run.benchmarks
    if baseline == "new":
        assert len(run.benchmarks) == EXPECTED_COUNTS[name]
    for bench in run.benchmarks.values():
        assert math.isclose(bench.mean_ns, bench.estimates["mean"].point, rel_tol=1e-9), bench.id


def test_track_is_old_format(realdata: Path) -> None:
    run = load_criterion(_tree(realdata, "track/fe02efdc19"))
    assert run.format == "criterion-0.3.2"
    assert "Monitoring Change" in run.benchmarks
    assert all("std_dev" in b.estimates for b in run.benchmarks.values())


def test_ids_with_spaces_and_parentheses(realdata: Path) -> None:
    ids = load_criterion(_tree(realdata, "deduplicate/64cc24b82a")).ids
    assert "get/moka get/1024" in ids
    ecs = load_criterion(_tree(realdata, "ecs_bench_suite/b2d7289d13")).ids
    assert any("(" in i for i in ecs)


def test_change_estimates_match_validated_pairs(realdata: Path) -> None:
    """Criterion's change mean equals mean(new)/mean(base)-1 for the validated pairs."""
    pairs = json.loads(
        (realdata / "ecs_bench_suite" / "_derived_validated_pairs_b2d7289d13.json").read_text()
    )["pairs"]
    a = load_criterion(_tree(realdata, "ecs_bench_suite/8dba0e8ccf"))
    b = load_criterion(_tree(realdata, "ecs_bench_suite/b2d7289d13"))
    change = load_criterion_change(_tree(realdata, "ecs_bench_suite/b2d7289d13"))
    assert change.skipped == ()
    checked = 0
    for pair in pairs:
        bid = pair["benchmark"]
        ratio = b.benchmarks[bid].mean_ns / a.benchmarks[bid].mean_ns - 1
        assert math.isclose(ratio, change.estimates[bid]["mean"].point, rel_tol=1e-9, abs_tol=1e-12)
        checked += 1
    assert checked >= 30


def test_cargo_criterion_lines(realdata: Path) -> None:
    path = realdata / "fuel-core" / "cargo_criterion_messages.jsonl"
    run = load_cargo_criterion(path)
    assert run.skipped == ()
    assert run.ids == ["alu/add", "contract_root/test_b", "contract_root/test_c", "noop/noop"]
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for line in lines:
        if line["reason"] != "benchmark-complete":
            continue
        bench = run.benchmarks[line["id"]]
        np.testing.assert_array_equal(bench.iters, line["iteration_count"])
        assert math.isclose(bench.mean_ns, line["mean"]["estimate"], rel_tol=1e-9)
        assert bench.estimates["mean"].point == line["mean"]["estimate"]
        assert bench.sampling_mode == ("Flat" if line["slope"] is None else "Linear")


def test_examples_data_matches_criterion(repo_root: Path) -> None:
    tree = repo_root / "examples" / "data" / "criterion"
    if not tree.is_dir():
        pytest.skip(f"bundled example data not generated yet ({tree})")
    for baseline in list_baselines(tree):
        run = load_criterion(tree, baseline)
        assert run.skipped == (), run.skipped
        for bench in run.benchmarks.values():
            est = bench.estimates["mean"].point
            assert math.isclose(bench.mean_ns, est, rel_tol=1e-9), (baseline, bench.id)


def test_show_command_on_real_trees(realdata: Path) -> None:
    tree = _tree(realdata, "deduplicate/37d4f0b979")
    result = CliRunner().invoke(main, ["show", str(tree), "--baseline", "0.3.2"])
    assert result.exit_code == 0, result.output
    assert "Baselines: 0.3.2, 0.3.6, base, new (showing 0.3.2)" in result.output
    assert "Benchmarks: 12" in result.output
    assert "get/moka get/1024" in result.output
    assert "Skipped" not in result.output
