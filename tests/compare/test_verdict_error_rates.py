"""Error rates of the verdicts, measured on seeded simulations of a shared CI runner.

These are the claims the README makes, tested on simulated suites (run offsets per
benchmark, shared run effects, one-sided contention bursts, Criterion's linear sampling)
with seeds that nothing was tuned on. Bounds leave room for the binomial noise of the
number of comparisons: with 80 comparisons and a true rate of 5 %, more than 12 % happens
with probability < 1 %.
"""

from __future__ import annotations

from typing import Any

import pytest

from vmbench.calibration.modes import MODES, simulate_cell
from vmbench.calibration.simulate import NoiseSpec

MODE = {m.name: m for m in MODES}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def three_a_side() -> dict[str, object]:
    cell = simulate_cell(
        MODE["3v3"], NoiseSpec(sigma_run=0.05), comparisons=80, seed=424_242, with_anchors=False
    )
    return cell.to_dict()["vmbench"]  # type: ignore[return-value]


def test_identical_code_fails_the_gate_at_most_alpha_with_three_runs_a_side(
    three_a_side: dict[str, dict[str, object]],
) -> None:
    aa = three_a_side["aa"]
    assert aa["gate_fail_share"] <= 0.12, aa  # type: ignore[operator]
    assert aa["false_regressions_per_comparison"] <= 0.2, aa  # type: ignore[operator]


def test_planted_changes_are_never_called_stable_with_three_runs_a_side(
    three_a_side: dict[str, dict[str, object]],
) -> None:
    planted = three_a_side["planted"]
    stable = planted["called_stable"]
    assert isinstance(stable, dict)
    assert stable["+25%"] == 0.0, stable
    assert stable["-20%"] <= 0.02, stable
    assert planted["power"]["+25%"] >= 0.6, planted  # type: ignore[index]


def test_power_at_plus_25_percent_on_a_quieter_runner() -> None:
    cell = simulate_cell(
        MODE["3v3"], NoiseSpec(sigma_run=0.02), comparisons=40, seed=515_151, with_anchors=False
    ).to_dict()["vmbench"]
    assert cell["planted"]["power"]["+25%"] >= 0.9, cell["planted"]  # type: ignore[index]


def test_one_run_a_side_never_fails_the_gate_and_asks_for_confirmation_instead() -> None:
    cell = simulate_cell(
        MODE["1v1"], NoiseSpec(sigma_run=0.05), comparisons=40, seed=626_262, with_anchors=False
    ).to_dict()["vmbench"]
    aa, planted = cell["aa"], cell["planted"]
    assert aa["gate_fail_share"] == 0.0, aa  # no flag without replication
    assert planted["called_stable"]["+25%"] == 0.0, planted  # type: ignore[index]
    # a +25 % regression is never passed in silence: the gate asks for confirmation
    assert planted["confirmation_share"] + planted["gate_fail_share"] == 1.0, planted  # type: ignore[operator]


def test_confirmation_runs_turn_suspicions_into_verdicts() -> None:
    cell = simulate_cell(
        MODE["1v1+confirm"],
        NoiseSpec(sigma_run=0.03),
        comparisons=40,
        seed=737_373,
        with_anchors=False,
    ).to_dict()["vmbench"]
    aa, planted = cell["aa"], cell["planted"]
    assert aa["gate_fail_share"] <= 0.15, aa  # type: ignore[operator]
    # a PR with planted regressions never passes in silence
    assert planted["gate_fail_share"] + planted["confirmation_share"] == 1.0, planted  # type: ignore[operator]
    # Suspects are the benchmarks leaning slower whose interval reaches past +10 %, so a
    # +25 % change that one run a side measured below +10 % is still rerun.
    assert planted["power"]["+25%"] >= 0.6, planted  # type: ignore[index]


def test_a_noise_model_from_three_identical_runs_keeps_the_gate_at_alpha() -> None:
    # One run a side plus a noise model: each benchmark's noise rests on 2 df and the
    # suite's prior. Benchmarks whose work varies from sample to sample have a noisier
    # minimum than the prior says; their own sampling error bounds the variance from below.
    cell = simulate_cell(
        MODE["1v1+noise"],
        NoiseSpec(sigma_run=0.05),
        comparisons=80,
        seed=848_484,
        with_anchors=False,
    ).to_dict()["vmbench"]
    aa = cell["aa"]
    assert aa["gate_fail_share"] <= 0.12, aa  # type: ignore[operator]
    assert cell["planted"]["called_stable"]["+25%"] == 0.0, cell["planted"]  # type: ignore[index]


def _identical(mode: str, spec: NoiseSpec, comparisons: int, *, seed: int) -> dict[str, Any]:
    """vmbench alone on `comparisons` identical-code comparisons of `mode`."""
    cell = simulate_cell(
        MODE[mode],
        spec,
        comparisons=comparisons,
        seed=seed,
        with_anchors=False,
        identical_only=True,
    )
    return cell.to_dict()["vmbench"]  # type: ignore[return-value]


@pytest.mark.parametrize("mode", ["3v3", "1v1+noise"])
def test_identical_code_fails_the_gate_at_most_alpha_on_a_noisy_runner(mode: str) -> None:
    # The bound "at most 5 % of identical-code comparisons fail the gate up to sigma_run
    # 15 %" needs many comparisons to test: with 400 and a true rate of 5 %, more than
    # 30 failures (7.5 %) happen with probability about 1 %; with a true rate of 10 %, 30
    # or fewer happen with probability about 5 %, so the test tells 5 % from 10 %.
    # At sigma_run 15 %, the noisiest level the bound covers (and where moderation is
    # most often wrong). Measured on this seed: 3 v 3 4.0 %; 1 v 1 + noise model 4.8 %
    # while one run a side could flag, 0.5 % since a flag needs two (whole-suite shifts).
    cell = _identical(mode, NoiseSpec(sigma_run=0.15, sigma_shared=0.05), 400, seed=919_191)
    aa = cell["aa"]
    assert aa["comparisons"] == 400
    assert aa["gate_fail_share"] <= 0.075, aa  # type: ignore[operator]
    assert cell["planted"]["comparisons"] == 0


@pytest.mark.parametrize("mode", ["2v1", "1v1+noise"])
def test_a_contention_episode_on_the_one_candidate_run_does_not_fail_the_gate(mode: str) -> None:
    # Real shared runners slow a benchmark's whole run now and then (one benchmark-run in
    # seven by more than 10 % in examples/data/wallclock): episodes at 12 % per
    # benchmark-run, a quiet machine otherwise. Letting one run on a side carry a flag
    # failed 32 % (2 v 1) and 50 % (1 v 1 + noise model) of 60 identical-code comparisons
    # here (benchmarks/results/episodes-2026-12-02.md); with a flag needing two runs a
    # side they ask for confirmation instead. The bound is the stated alpha with room for
    # 100 comparisons (more than 10 failures at a true 5 %: probability 3 %). Measured:
    # 31 % and 43 % with one run allowed to flag, 0 % and 0 % now.
    spec = NoiseSpec(sigma_run=0.02, sigma_shared=0.05, episode_prob=0.12)
    aa = _identical(mode, spec, 100, seed=737_373)["aa"]
    assert aa["comparisons"] == 100
    assert aa["gate_fail_share"] <= 0.10, aa  # type: ignore[operator]
    assert aa["false_regressions_per_comparison"] <= 0.10, aa  # type: ignore[operator]
