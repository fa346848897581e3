"""The bounds of issue 12 on seeded histories the method was not tuned on.

benchmarks/trend_calibration.py draws its histories from seed 20,261,130 and keys; these
tests use their own seeds (and a generator of their own), so they are held-out samples.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from vmbench.history.store import load_history
from vmbench.history.trend import change_points
from vmbench.stats.changepoint import StepSettings, detect_steps, suite_noise, suite_steps

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "examples" / "data" / "history"
MANIFEST = ROOT / "examples" / "data" / "history-runs" / "manifest.json"


def ar1_levels(n: int, phi: float, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Log levels with stationary AR(1) noise of marginal sd sigma."""
    e = rng.normal(0.0, sigma * math.sqrt(1.0 - phi * phi), n)
    e[0] /= math.sqrt(1.0 - phi * phi)
    out: np.ndarray = signal.lfilter([1.0], [1.0, -phi], e)
    return out


def test_false_steps_on_730_daily_runs_of_ar1_noise_stay_under_5_per_1000() -> None:
    # A suite as `change_points` sees it: 600 benchmarks of pure AR(1) noise (phi 0, 0.2,
    # 0.4) and 60 with a real +15 % step, so that the FDR control is not flattered by a
    # suite of pure noise.
    rng = np.random.default_rng(7_000_001)
    null = [np.exp(ar1_levels(730, phi, 0.05, rng)) for phi in (0.0, 0.2, 0.4) for _ in range(200)]
    stepped = []
    for _ in range(60):
        y = ar1_levels(730, 0.2, 0.05, rng)
        y[400:] += math.log(1.15)
        stepped.append(np.exp(y))
    per_series = [detect_steps(x) for x in null + stepped]
    raw_false = sum(map(len, per_series[:600]))
    suite = suite_steps(per_series, StepSettings().fdr)
    false = sum(map(len, suite[:600]))
    assert false <= 3, f"{false} false steps in 600 series with FDR (bound: 5 per 1,000)"
    # Each series alone (no suite): the per-series level 0.005 holds within sampling error.
    assert raw_false <= 6, f"{raw_false} false steps in 600 series, per series"
    assert sum(any(abs(s.index - 400) <= 2 for s in steps) for steps in suite[600:]) >= 54


@pytest.mark.parametrize("phi", [0.0, 0.2, 0.4])
def test_fifteen_percent_steps_are_found_within_two_runs_with_five_after(phi: float) -> None:
    rng = np.random.default_rng(7_100_000 + int(phi * 10))
    hits = 0
    for _ in range(60):
        y = ar1_levels(105, phi, 0.03, rng)
        y[100:] += math.log(1.15)
        hits += any(abs(s.index - 100) <= 2 for s in detect_steps(np.exp(y)))
    assert hits >= 54, f"{hits}/60 found"  # 90 %


def test_slow_drift_is_not_a_staircase_of_steps() -> None:
    rng = np.random.default_rng(7_200_000)
    steps = 0
    for _ in range(40):
        y = ar1_levels(730, 0.2, 0.05, rng) + 0.003 * np.arange(730)
        steps += len(detect_steps(np.exp(y)))
    assert steps <= 4, f"{steps} steps in 40 drifting series"


def test_a_short_burst_that_comes_back_is_not_two_steps() -> None:
    y = ar1_levels(200, 0.2, 0.02, np.random.default_rng(7_300_000))
    y[120:123] += math.log(1.4)
    assert detect_steps(np.exp(y)) == []


def _planted() -> tuple[str, int]:
    if not (MANIFEST.is_file() and STORE.is_dir()):
        pytest.skip("bundled example history not there (scripts/build_example_history.py)")
    manifest = json.loads(MANIFEST.read_text())
    first = next(e for e in manifest if e["factors"])
    (bid,) = first["factors"]
    return bid, [e["commit"] for e in manifest].index(first["commit"])


@pytest.mark.parametrize("runs_after", [2, None])
def test_real_history_planted_step_is_found_with_two_runs_after_it(
    runs_after: int | None,
) -> None:
    bid, at = _planted()
    history = load_history(STORE)
    if runs_after is not None:  # 4 runs, then the x1.30 step and 2 runs: the case
        dates = sorted(history["date"].unique())[: at + runs_after]
        history = history[history["date"].isin(dates)]
    found = change_points(history)
    hits = found[found["id"] == bid]
    assert list(hits["position"]) == [at]
    assert hits["change"].iloc[0] == pytest.approx(0.30, abs=0.08)
    after = int(hits["runs_after"].iloc[0])
    assert after == (runs_after or history["date"].nunique() - at)
    assert bool(hits["provisional"].iloc[0]) == (after < StepSettings().confirm_runs)
    assert hits["q_value"].iloc[0] <= StepSettings().fdr


# --- recent steps: the trailing test and the suite's noise for short series ------------
# Seeds 7_400_000 on: not used by the calibration script, by the tests above or by the
# tuning of the trailing test (which had seeds of its own).


@pytest.mark.parametrize("phi", [0.0, 0.2, 0.4])
def test_a_step_two_runs_old_is_found_as_provisional(phi: float) -> None:
    # 100 runs, then +25 % (against 3 % noise, the bound) or +15 %, and 2 runs.
    rng = np.random.default_rng(7_400_000 + int(phi * 10))
    for size, need in ((0.25, 58), (0.15, 51)):  # of 60: 97 % and 85 %
        hits = 0
        for _ in range(60):
            y = ar1_levels(102, phi, 0.03, rng)
            y[100:] += math.log1p(size)
            found = [s for s in detect_steps(np.exp(y)) if abs(s.index - 100) <= 2]
            hits += any(s.provisional and s.runs_after == 102 - s.index for s in found)
        assert hits >= need, f"+{size:.0%}, phi {phi}: {hits}/60 found"


def test_the_trailing_test_adds_few_false_steps_on_ar1_noise() -> None:
    # Provisional (trailing) steps in null series of 730 runs, each series analysed once
    # as of its last run: the trailing test has half the series' alpha (0.0025).
    rng = np.random.default_rng(7_410_000)
    provisional = 0
    for phi in (0.2, 0.4):
        for _ in range(300):
            steps = detect_steps(np.exp(ar1_levels(730, phi, 0.05, rng)))
            provisional += sum(s.provisional for s in steps)
    assert provisional <= 4, f"{provisional} provisional steps in 600 null series"


def test_a_spike_in_the_last_runs_is_not_a_provisional_step() -> None:
    rng = np.random.default_rng(7_420_000)
    false = 0
    for i in range(200):
        y = ar1_levels(200, 0.2, 0.03, rng)
        y[-1 - i % 2] += math.log(3.0)  # the last run or the one before
        false += len(detect_steps(np.exp(y)))
    assert false <= 2, f"{false} steps from 200 one-run spikes"


def test_short_series_share_their_noise_across_a_suite() -> None:
    # A suite of 7-run series: 40 with +25 % after run 5 (3 % noise), 40 without a step
    # with noise spread over 1-8 %. Alone, a series rests on 5 degrees of freedom.
    rng = np.random.default_rng(7_430_000)
    stepped = []
    for _ in range(40):
        y = rng.normal(0.0, 0.03, 7)
        y[5:] += math.log(1.25)
        stepped.append(np.exp(y))
    sigmas = np.exp(rng.uniform(math.log(0.01), math.log(0.08), 40))
    null = [np.exp(rng.normal(0.0, s, 7)) for s in sigmas]
    series = stepped + null
    noises = suite_noise(series)
    assert all(n.prior is not None for n in noises)
    found = [detect_steps(x, noise=n) for x, n in zip(series, noises, strict=True)]
    kept = suite_steps(found, StepSettings().fdr)
    assert sum(any(s.index == 5 for s in f) for f in kept[:40]) >= 38
    assert sum(map(len, kept[40:])) <= 1
    alone = sum(any(s.index == 5 for s in detect_steps(x)) for x in stepped)
    assert alone < 40  # the suite is what finds them all
