"""Confirmation runs: suspects written by detect, rounds decided with a stated error rate.

Seeded simulations of interleaved rounds (`vmbench.calibration.simulate`, no shared run
effect between the two sides of a round) with per-benchmark run offsets; the seeds here
are used nowhere else.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vmbench.calibration.simulate import NoiseSpec, make_suite, simulate_run
from vmbench.compare.confirm import (
    decide,
    read_suspects,
    suspects_document,
)
from vmbench.compare.engine import compare
from vmbench.errors import InputError, UsageError
from vmbench.settings import Settings

SETTINGS = Settings(resamples=200)


def _rounds(seed: int, factors: dict[str, float], rounds: int, sigma: float = 0.05):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng([seed, 77])
    suite = make_suite(8, NoiseSpec(sigma_run=sigma, sigma_spread=0.3), rng)
    ids = list(suite.ids)
    planted = {ids[i]: f for i, f in enumerate(factors.values())}
    base = [simulate_run(suite, f"cb{k}", rng, shared=0.0) for k in range(rounds)]
    cand = [simulate_run(suite, f"cc{k}", rng, shared=0.0, factors=planted) for k in range(rounds)]
    return ids, planted, base, cand


def test_a_planted_regression_is_confirmed_and_nothing_else_is_flagged() -> None:
    ids, planted, base, cand = _rounds(1, {"x": 1.30}, rounds=5, sigma=0.03)
    result = decide(base, cand, ids, SETTINGS, budget=5)
    by_id = {b.id: b for b in result.benchmarks}
    slow = by_id[next(iter(planted))]
    assert slow.severity in ("high", "medium")
    assert slow.decided
    assert slow.change is not None
    assert slow.change == pytest.approx(0.30, abs=0.08)
    others = [b for b in result.benchmarks if b.id not in planted]
    assert not [b for b in others if b.severity in ("high", "medium", "improvement")]
    assert result.gate("medium", SETTINGS) == 1


def test_false_confirmations_stay_within_alpha_over_many_identical_sequences() -> None:
    # Identical code, 8 suspects, rounds until decided or the budget of 5 is spent: the
    # Bonferroni-over-looks, Holm-over-suspects rule keeps the chance of any false flag
    # at most alpha = 0.05 (binomial 95 % upper bound for 120 sequences: < 0.10).
    flagged = 0
    runs = 120
    for seed in range(runs):
        ids, _, base, cand = _rounds(1000 + seed, {}, rounds=5)
        for k in range(2, 6):
            result = decide(base[:k], cand[:k], ids, SETTINGS, budget=5)
            if result.finished:
                break
        flagged += any(b.severity in ("high", "medium", "improvement") for b in result.benchmarks)
    assert flagged / runs < 0.10


def test_undecided_after_the_budget_keeps_the_gate_at_confirm() -> None:
    _ids, planted, base, cand = _rounds(7, {"x": 1.12}, rounds=2, sigma=0.15)
    result = decide(base, cand, [next(iter(planted))], SETTINGS, budget=2)
    b = result.benchmarks[0]
    if not b.decided:
        assert result.finished
        assert result.pending == [b.id]
        assert result.gate("medium", SETTINGS) in (3, 0)
        assert result.gate("never", SETTINGS) == 0


def test_rounds_must_pair_up_and_the_budget_must_allow_a_test() -> None:
    ids, _, base, cand = _rounds(3, {}, rounds=3)
    with pytest.raises(UsageError, match="pair up"):
        decide(base, cand[:2], ids, SETTINGS)
    with pytest.raises(UsageError, match="budget"):
        decide(base, cand, ids, SETTINGS, budget=1)
    one = decide(base[:1], cand[:1], ids, SETTINGS, budget=5)
    assert not one.finished
    assert all(not b.decided for b in one.benchmarks)


def test_suspects_document_round_trip_and_validation(tmp_path: Path) -> None:
    rng = np.random.default_rng(21)
    suite = make_suite(12, NoiseSpec(sigma_run=0.05), rng)
    base = simulate_run(suite, "main", rng)
    cand = simulate_run(suite, "pr", rng, factors={suite.ids[0]: 1.4})
    result = compare(base, cand, settings=SETTINGS)
    doc = suspects_document(result, "medium")
    assert doc["kind"] == "vmbench-suspects"
    assert doc["baseline"] == ["main"]
    assert (
        doc["benchmarks"] == [i for i in result.suspects("medium") if i != "*"]
        or doc["whole_suite"]
    )
    assert read_suspects(json.loads(json.dumps(doc)), "s.json") == doc["benchmarks"]
    with pytest.raises(InputError, match="not a vmbench suspects file"):
        read_suspects({"kind": "other"}, "s.json")
    with pytest.raises(InputError, match="schema_version"):
        read_suspects({"kind": "vmbench-suspects", "schema_version": 9}, "s.json")
    with pytest.raises(InputError, match="list of benchmark ids"):
        read_suspects({"kind": "vmbench-suspects", "schema_version": 1, "benchmarks": 3}, "s")
