"""Scoring of calibration outcomes: what counts as found, false, stable, and by noise band."""

from __future__ import annotations

from vmbench.calibration.scoring import Outcome, Tally, sigma_band


def test_bands_follow_the_benchmarks_own_noise_and_variable_work_is_its_own() -> None:
    assert sigma_band(0.01, False) == "< 3 %"
    assert sigma_band(0.03, False) == "3-6 %"
    assert sigma_band(0.099, False) == "6-10 %"
    assert sigma_band(0.5, False) == ">= 10 %"
    assert sigma_band(0.01, True) == "variable work"


def test_power_by_band_counts_each_planted_benchmark_in_its_band() -> None:
    tally = Tally()
    planted = {"a": 1.25, "b": 1.25, "c": 0.8}
    bands = {"a": "< 3 %", "b": ">= 10 %", "c": "< 3 %", "d": "3-6 %"}
    tally.add(
        Outcome(1, {"a": "high", "b": "inconclusive", "c": "stable", "d": "stable"}, {}),
        planted,
        bands,
    )
    tally.add(
        Outcome(1, {"a": "medium", "b": "high", "c": "improvement", "d": "high"}, {}),
        planted,
        bands,
    )
    by = tally.to_dict()["power_by_sigma"]
    assert by == {
        "< 3 %": {"+25%": {"planted": 2, "power": 1.0}, "-20%": {"planted": 2, "power": 0.5}},
        ">= 10 %": {"+25%": {"planted": 2, "power": 0.5}},
    }
    # the unplanted benchmark's false flag is counted as one, never in a band
    assert tally.to_dict()["false_regressions_per_comparison"] == 0.5


def test_without_bands_nothing_is_broken_down() -> None:
    tally = Tally()
    tally.add(Outcome(0, {"a": "stable"}, {}), {"a": 1.25})
    assert tally.to_dict()["power_by_sigma"] == {}
