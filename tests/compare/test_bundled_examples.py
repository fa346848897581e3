"""The comparison on the bundled real data (examples/data/criterion, CPU-time runs of
examples/vmdemo): what holds by design, not verdicts fitted to this data.

- the means and the change of means reproduce Criterion's own estimates;
- every planted change (PLANTED.json) is never called stable and its run-level change
  leans in its direction, with one run a side, with the noise model of the A/A runs, and
  with four baseline runs;
- the gate never passes main against pr silently.

No test here asserts that nothing else is flagged: this is the data the old rules were
tuned on, and false-alarm rates are measured by the calibration on held-out data.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.support.paths import EXAMPLES
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.model import Run
from vmbench.readers.criterion import load_criterion

DATA = EXAMPLES
AA = ["aa1", "aa2", "aa3"]
MODES = ["one run a side", "noise model", "four baseline runs"]


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    if not (DATA / "criterion").is_dir() or not (DATA / "PLANTED.json").is_file():
        pytest.skip("bundled example data not generated yet (scripts/generate_example_data.py)")
    return {name: load_criterion(DATA / "criterion", name) for name in ["main", *AA, "pr"]}


@pytest.fixture(scope="module")
def planted() -> dict[str, float]:
    if not (DATA / "PLANTED.json").is_file():
        pytest.skip("bundled example data not generated yet")
    factors: dict[str, float] = json.loads((DATA / "PLANTED.json").read_text())["pr"]
    return factors


@pytest.fixture(scope="module")
def results(runs: dict[str, Run]) -> dict[str, Comparison]:
    noise = NoiseModel.from_runs([runs[n] for n in AA])
    return {
        "one run a side": compare(runs["main"], runs["pr"]),
        "noise model": compare(runs["main"], runs["pr"], noise=noise),
        "four baseline runs": compare([runs["main"], *(runs[n] for n in AA)], runs["pr"]),
    }


def test_means_and_change_of_means_reproduce_criterions_estimates(
    runs: dict[str, Run], results: dict[str, Comparison]
) -> None:
    result = results["one run a side"]
    checked = 0
    for b in result.benchmarks:
        main, pr = runs["main"].benchmarks.get(b.id), runs["pr"].benchmarks.get(b.id)
        if main is None or pr is None or "mean" not in main.estimates:
            continue
        assert b.baseline is not None
        assert b.candidate is not None
        expected_base = main.estimates["mean"].point
        expected_cand = pr.estimates["mean"].point
        assert b.baseline.mean_ns == pytest.approx(expected_base, rel=1e-9), b.id
        assert b.candidate.mean_ns == pytest.approx(expected_cand, rel=1e-9), b.id
        assert b.change == pytest.approx(expected_cand / expected_base - 1, rel=1e-9), b.id
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("mode", MODES)
def test_planted_changes_are_never_stable_and_lean_in_their_direction(
    results: dict[str, Comparison], planted: dict[str, float], mode: str
) -> None:
    result = results[mode]
    for bid, factor in planted.items():
        got = result.get(bid)
        assert got is not None, bid
        assert got.severity not in ("stable", "insufficient"), (mode, bid, got.note)
        assert got.run_level is not None, (mode, bid)
        direction = math.copysign(1.0, factor - 1.0)
        assert math.copysign(1.0, got.run_level.change) == direction, (mode, bid, got.note)
        if got.severity == "improvement":
            assert factor < 1.0, (mode, bid)
        if got.severity in ("high", "medium"):
            assert factor > 1.0, (mode, bid)


@pytest.mark.parametrize("mode", MODES)
def test_the_gate_never_passes_main_against_pr(results: dict[str, Comparison], mode: str) -> None:
    # pr holds a +40 % and a +15 % regression: flagged (exit 1) or suspected (exit 3).
    result = results[mode]
    assert result.gate("medium") in (1, 3), result.summary
    assert result.to_dict()["gate"]["medium"] == result.gate("medium")
    if result.gate("medium") == 3:
        assert result.suspects("medium")
