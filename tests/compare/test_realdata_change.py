"""vmbench's change against Criterion's own `change/estimates.json` on real pairs.

`_derived_validated_pairs_*.json` (see realdata/SOURCES.md) lists pairs of sample.json
files from which Criterion computed a stored change estimate. Our change must equal its
mean point estimate to 1e-9 relative; our 95 % interval (2,000 seeded resamples) must be
close to Criterion's (100,000 resamples): each bound within 10 % of the interval's width,
typically about 1-2 %.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vmbench.compare.engine import compare
from vmbench.model import Benchmark, Run

PAIRS = [
    ("ecs_bench_suite", "_derived_validated_pairs_b2d7289d13.json"),
    ("deduplicate", "_derived_validated_pairs_64cc24b82a.json"),
]


def _bench(path: Path, bid: str) -> Benchmark:
    raw = json.loads(path.read_text())
    return Benchmark(
        id=bid,
        group=bid.split("/")[0],
        function=None,
        value=None,
        iters=np.asarray(raw["iters"], float),
        times=np.asarray(raw["times"], float),
        sampling_mode=raw["sampling_mode"],
        source=path,
    )


@pytest.mark.realdata
@pytest.mark.parametrize(("project", "pairs_file"), PAIRS)
def test_change_and_interval_match_criterion(realdata: Path, project: str, pairs_file: str) -> None:
    pairs = json.loads((realdata / project / pairs_file).read_text())["pairs"]
    root = realdata / project
    base = {p["benchmark"]: _bench(root / p["base_sample"], p["benchmark"]) for p in pairs}
    new = {p["benchmark"]: _bench(root / p["new_sample"], p["benchmark"]) for p in pairs}
    result = compare(
        Run("base", root, "criterion", benchmarks=base),
        Run("new", root, "criterion", benchmarks=new),
    )
    assert len(result.benchmarks) == len(pairs) >= 8
    deviations = []
    for pair in pairs:
        ours = result.get(pair["benchmark"])
        assert ours is not None
        assert ours.change == pytest.approx(pair["change_mean"], rel=1e-9)
        assert ours.median_change == pytest.approx(pair["change_median"], rel=1e-9)
        lo, hi = pair["change_mean_ci"]
        assert ours.change_ci is not None
        width = hi - lo
        deviations += [abs(ours.change_ci[0] - lo) / width, abs(ours.change_ci[1] - hi) / width]
    assert max(deviations) < 0.10
    assert float(np.median(deviations)) < 0.03


@pytest.mark.realdata
def test_linear_and_flat_pairs_are_both_covered(realdata: Path) -> None:
    pairs = json.loads((realdata / PAIRS[0][0] / PAIRS[0][1]).read_text())["pairs"]
    assert {p["sampling_mode"] for p in pairs} == {"Linear", "Flat"}
