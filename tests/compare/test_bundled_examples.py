"""The comparison on the bundled real data (examples/data/criterion, from real runs of
examples/vmdemo): planted changes found at their severity; A/A false alarms gone or
`noisy` once the run-to-run noise model of the other identical runs is used."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.support.paths import EXAMPLES
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.model import Run
from vmbench.readers.criterion import load_criterion
from vmbench.settings import Settings

DATA = EXAMPLES
AA = ["main", "aa1", "aa2", "aa3"]
FLAGS = ("high", "medium", "improvement")


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    if not (DATA / "criterion").is_dir() or not (DATA / "PLANTED.json").is_file():
        pytest.skip("bundled example data not generated yet (scripts/generate_example_data.py)")
    return {name: load_criterion(DATA / "criterion", name) for name in [*AA, "pr"]}


@pytest.fixture(scope="module")
def planted() -> dict[str, float]:
    if not (DATA / "PLANTED.json").is_file():
        pytest.skip("bundled example data not generated yet")
    factors: dict[str, float] = json.loads((DATA / "PLANTED.json").read_text())["pr"]
    return factors


def _expected(factor: float, s: Settings) -> str:
    if factor - 1 > s.high:
        return "high"
    if factor - 1 > s.regression:
        return "medium"
    return "improvement"


def _flags(result: Comparison) -> dict[str, str]:
    return {b.id: b.severity for b in result.benchmarks if b.severity in FLAGS}


def test_planted_changes_are_flagged_with_their_severity(
    runs: dict[str, Run], planted: dict[str, float]
) -> None:
    s = Settings()
    noise = NoiseModel.from_runs([runs[n] for n in ("aa1", "aa2", "aa3")])
    for model in (None, noise):
        result = compare(runs["main"], runs["pr"], noise=model)
        for bid, factor in planted.items():
            got = result.get(bid)
            assert got is not None, bid
            assert got.severity == _expected(factor, s), (bid, model is not None, got.note)
            assert got.change == pytest.approx(factor - 1, abs=0.06)
    # with the noise model, nothing else is flagged
    with_model = compare(runs["main"], runs["pr"], noise=noise)
    assert set(_flags(with_model)) == set(planted), _flags(with_model)


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(AA, 2)))
def test_aa_pairs_have_no_flags_with_the_noise_model_of_the_other_runs(
    runs: dict[str, Run], a: str, b: str
) -> None:
    others = [runs[n] for n in AA if n not in (a, b)]
    result = compare(runs[a], runs[b], noise=NoiseModel.from_runs(others))
    assert _flags(result) == {}, {
        i: next(x.note for x in result.benchmarks if x.id == i) for i in _flags(result)
    }
    without = compare(runs[a], runs[b])
    assert any("run-to-run noise unknown" in w for w in without.warnings)
