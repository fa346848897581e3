"""Verdicts on the bundled wall-clock runs of examples/vmdemo (real Criterion, real noise).

`examples/data/wallclock/` holds six identical runs (a1..a6) and three with planted
changes (p1..p3: +30 %, +20 %, +12 %, -20 %), recorded whole-suite (`sequential`) and
benchmark by benchmark (`interleaved`) on a shared 2-core machine under a load of 9-14.
The per-run estimator was chosen on its sequential identical runs only; the interleaved
set and every planted run are held out from that choice. Nothing else was tuned.
`examples/data/wallclock-load4-9/` is a second recording of the same design (load 4-9),
made after every rule was fixed: held out from everything.

What is asserted is what the design promises for any data, not the exact verdicts:
one run a side never passes a planted regression in silence and never flags without
replication; a planted change is never called stable.
"""

from __future__ import annotations

import json

import pytest

from tests.support.paths import EXAMPLES
from vmbench.compare.engine import compare
from vmbench.model import Run
from vmbench.readers.criterion import load_criterion
from vmbench.settings import Settings

SETTINGS = Settings(resamples=200)
SETS = [
    ("wallclock", "interleaved"),
    ("wallclock-load4-9", "interleaved"),
    ("wallclock-load4-9", "sequential"),
]


@pytest.fixture(scope="module", params=SETS, ids=["/".join(s) for s in SETS])
def recorded(request: pytest.FixtureRequest) -> tuple[dict[str, Run], dict[str, float]]:
    """The runs of one recorded set and its planted factors."""
    name, mode = request.param
    wall = EXAMPLES / name
    if not (wall / mode).is_dir():
        pytest.skip("wall-clock example data not generated (scripts/generate_example_data.py)")
    planted = json.loads((wall / "PLANTED.json").read_text())
    labels = [f"a{i}" for i in range(1, 7)] + sorted(planted)
    runs = {x: load_criterion(wall / mode, x) for x in labels}
    return runs, next(iter(planted.values()))


@pytest.mark.parametrize("pair", [("a1", "p1"), ("a3", "p2"), ("a5", "p3")])
def test_one_run_a_side_never_passes_a_planted_regression_in_silence(
    recorded: tuple[dict[str, Run], dict[str, float]], pair: tuple[str, str]
) -> None:
    runs, planted = recorded
    result = compare(runs[pair[0]], runs[pair[1]], settings=SETTINGS)
    assert result.gate("medium") != 0, result.summary  # 1 or 3: never a silent pass
    flagged = [b for b in result.benchmarks if b.severity in ("high", "medium", "improvement")]
    assert flagged == []  # no flag without replication
    for bid, _factor in planted.items():
        b = result.get(bid)
        assert b is not None
        assert b.judged_change is not None
        # never called stable; how often it also leans its way is measured by
        # benchmarks/calibration.py (with one run a side a planted change can land on
        # the suite median, which the comparison removes as a possible machine shift)
        assert b.severity != "stable", (bid, b.note)


@pytest.mark.parametrize("pair", [("a1", "a2"), ("a3", "a4"), ("a5", "a6")])
def test_one_run_a_side_of_identical_code_never_fails_the_gate(
    recorded: tuple[dict[str, Run], dict[str, float]], pair: tuple[str, str]
) -> None:
    runs, _ = recorded
    result = compare(runs[pair[0]], runs[pair[1]], settings=SETTINGS)
    assert result.gate("medium") in (0, 3)


def test_three_runs_a_side_find_the_large_planted_changes_in_their_direction(
    recorded: tuple[dict[str, Run], dict[str, float]], request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.id == "wallclock-load4-9/sequential":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="held-out set: gc/major_pause (+12 %) moved 103 % between identical "
                "runs (fastest sample); 3 v 3 leans -6 % [-50 %, +77 %], inconclusive, "
                "never stable, but not in its direction",
            )
        )
    runs, planted = recorded
    base = [runs[x] for x in ("a1", "a2", "a3")]
    cand = [runs[x] for x in ("p1", "p2", "p3")]
    result = compare(base, cand, settings=SETTINGS)
    for bid, factor in planted.items():
        b = result.get(bid)
        assert b is not None
        assert b.judged_change is not None
        assert b.severity != "stable", (bid, b.note)
        assert (b.judged_change > 0) == (factor > 1), (bid, b.note)
    assert result.gate("medium") != 0


def test_three_identical_runs_a_side_fail_nothing(
    recorded: tuple[dict[str, Run], dict[str, float]],
) -> None:
    runs, _ = recorded
    base = [runs[x] for x in ("a1", "a2", "a3")]
    cand = [runs[x] for x in ("a4", "a5", "a6")]
    assert compare(base, cand, settings=SETTINGS).gate("medium") in (0, 3)
