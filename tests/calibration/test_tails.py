"""Run-level tails: simulated contention episodes are measured back at the rate planted,
one-sided; without them the tails are those of the run offsets alone."""

from __future__ import annotations

import numpy as np
import pytest

from vmbench.calibration.simulate import NoiseSpec, make_suite, simulate_run
from vmbench.calibration.tails import run_level_tails


def _identical_runs(episodes: float, seed: int) -> list:
    spec = NoiseSpec(sigma_run=0.02, sigma_shared=0.03, burst_prob=0.0, episode_prob=episodes)
    rng = np.random.default_rng(seed)
    suite = make_suite(40, spec, rng)
    return [simulate_run(suite, f"a{k}", rng) for k in range(10)]


def test_episodes_are_measured_back_one_sided_at_the_planted_rate() -> None:
    tails = run_level_tails(_identical_runs(0.15, seed=5), "min")
    assert tails["runs"] == 10
    assert tails["benchmarks"] == 40
    # 15 % of 400 benchmark-runs slowed by U(5 %, 60 %): 14 % beyond +10 %, 8 % beyond
    # +30 %; each share has a sampling sd of under 2 points (the median run moves too)
    assert tails["slower"]["10%"] == pytest.approx(0.15 * 50 / 55, abs=0.05)
    assert tails["slower"]["30%"] == pytest.approx(0.15 * 30 / 55, abs=0.04)
    # one-sided: the run offsets alone move a few benchmark-runs 10 % either way
    assert tails["faster"]["20%"] < 0.02
    assert tails["slower"]["10%"] > 3 * tails["faster"]["10%"]
    assert tails["beyond_4_robust_sd"] > 0.08


def test_without_episodes_the_tails_are_the_run_offsets() -> None:
    tails = run_level_tails(_identical_runs(0.0, seed=5), "min")
    assert tails["slower"]["10%"] < 0.03
    assert tails["faster"]["10%"] < 0.03
    assert tails["typical_sd"] < 0.04
