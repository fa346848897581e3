"""Every threshold, significance level, seed and resample count, in one validated place.

- `Settings`: the comparison (`compare`, `detect`, the regression and trend notebooks);
- `StepSettings`: change-point detection over the history (`trend`, the trend notebook);
- `SEED`: the one seed of every seeded resampling (bootstraps, permutation tests).

`DEFAULTS` and `STEP_DEFAULTS` are what the CLI options, the library functions' keyword
defaults and the notebooks' parameters resolve to (tests check that the notebooks'
parameters cells and `params/*.yaml` agree with them), so `vmbench detect` and a
notebook cannot silently disagree.

Defaults are the design document's: regression alert above +10 %, high severity above
+20 %, improvement below -5 %. `alpha` is the error rate of the run-level flags
(Benjamini-Hochberg, `vmbench.compare.verdicts`): a comparison of identical code flags a
regression with probability at most alpha, and among a PR's flags the expected share of
false ones is at most alpha. `correction` applies to the within-run
Mann-Whitney q-values, which are descriptive. `estimator` is the per-run location the
verdicts compare (`vmbench.stats.location`, chosen by measurement).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from vmbench.errors import UsageError

Correction = Literal["fdr_bh", "bonferroni", "none"]
CORRECTIONS: tuple[Correction, ...] = ("fdr_bh", "bonferroni", "none")

# Per-run location estimators (`vmbench.stats.location` computes them). The default was
# chosen by measurement on the bundled wall-clock runs: see that module's docstring.
# `auto` is not an estimator of its own: it chooses, per benchmark, between the
# `AUTO_CANDIDATES` (`vmbench.compare.estimators`); opt-in, measured in
# benchmarks/results/estimator-auto-2026-12-01.md.
Location = Literal[
    "mean", "median", "q25", "q10", "q05", "min", "trimmed", "lower_half", "low10", "low5"
]
Estimator = Literal[Location, "auto"]
LOCATIONS: tuple[Location, ...] = get_args(Location)
ESTIMATORS: tuple[Estimator, ...] = get_args(Estimator)
DEFAULT_ESTIMATOR: Estimator = "min"
AUTO_CANDIDATES: tuple[Location, ...] = ("min", "median")


def location_of(estimator: str) -> str:
    """The one estimator used where no per-benchmark choice can be made (`auto` falls
    back to the first of its candidates, the suite-wide default `min`)."""
    return AUTO_CANDIDATES[0] if estimator == "auto" else estimator


SEED = 20_251_126  # fixed so that results are identical run to run


@dataclass(frozen=True)
class Settings:
    """Everything that decides a verdict; every report prints these values."""

    alpha: float = 0.05
    regression: float = 0.10
    high: float = 0.20
    improvement: float = 0.05
    correction: Correction = "fdr_bh"
    confidence: float = 0.95
    # Bootstrap of the change's interval: fixed seed so results are identical run to run.
    resamples: int = 2000
    seed: int = SEED
    # The per-run location estimate the run-level verdicts compare.
    estimator: Estimator = DEFAULT_ESTIMATOR
    # A note, never a verdict: a run "looks unstable" when its first and second halves
    # differ by more than `unstable_shift` with MWU p < `unstable_p`, or when more than
    # `unstable_severe_fraction` of its samples are severe outliers.
    unstable_p: float = 0.001
    unstable_shift: float = 0.05
    unstable_severe_fraction: float = 0.10

    def __post_init__(self) -> None:
        for name in ("alpha", "confidence", "unstable_p"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 < value < 1.0):
                raise UsageError(f"{name} must be between 0 and 1 (exclusive), not {value!r}")
        for name in ("regression", "high", "improvement", "unstable_shift"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise UsageError(f"{name} must be a positive fraction (0.10 = 10%), not {value!r}")
        if self.improvement >= 1.0:
            raise UsageError(f"improvement must be below 1 (100% faster), not {self.improvement}")
        if self.high < self.regression:
            raise UsageError(
                f"high ({self.high}) must be at least the regression threshold ({self.regression})"
            )
        if self.correction not in CORRECTIONS:
            raise UsageError(f"correction must be one of {', '.join(CORRECTIONS)}")
        if self.resamples < 100:
            raise UsageError(f"resamples must be at least 100, not {self.resamples}")
        if self.estimator not in ESTIMATORS:
            raise UsageError(
                f"estimator must be one of {', '.join(ESTIMATORS)}, not {self.estimator!r}"
            )
        if not (0.0 < self.unstable_severe_fraction <= 1.0):
            raise UsageError("unstable_severe_fraction must be in (0, 1]")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


MAX_PHI = 0.9  # largest AR(1) coefficient the change-point noise model uses


@dataclass(frozen=True)
class StepSettings:
    """Knobs of `vmbench.stats.changepoint.detect_steps` and of the suite's change points
    (`vmbench.history.trend.change_points`); defaults from the calibration in the README
    ("Trends calibration", benchmarks/trend_calibration.py)."""

    alpha: float = 0.005  # family-wise error per series (its candidates)
    fdr: float = 0.05  # Benjamini-Hochberg across the benchmarks of a suite
    min_size: int = 2  # runs on each side of a step
    min_change: float = 0.0  # smallest relative step reported
    min_noise: float = 1.0  # smallest step in units of the series' noise sigma
    confirm_runs: int = 5  # a step with fewer runs after it is provisional
    short_phi: float = 0.2  # prior AR(1) phi (series under 20 runs use it as is)
    threshold: float = 3.0  # candidate threshold (standard errors)

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise UsageError(f"alpha must be between 0 and 1, not {self.alpha}")
        if not 0.0 < self.fdr <= 1.0:
            raise UsageError(f"fdr must be in (0, 1], not {self.fdr}")
        if self.min_size < 2:
            raise UsageError("min_size must be at least 2 (a single run is a spike, not a step)")
        if not (math.isfinite(self.min_change) and self.min_change >= 0.0):
            raise UsageError("min_change must be a fraction, zero or more")
        if not (math.isfinite(self.min_noise) and self.min_noise >= 0.0):
            raise UsageError("min_noise must be zero or more (noise sigmas)")
        if self.confirm_runs < self.min_size:
            raise UsageError("confirm_runs must be at least min_size")
        if not 0.0 <= self.short_phi <= MAX_PHI:
            raise UsageError(f"short_phi must be between 0 and {MAX_PHI}")
        if not (math.isfinite(self.threshold) and self.threshold >= 0.0):
            raise UsageError("threshold must be zero or more")

    def describe(self) -> str:
        """One line naming the method and its thresholds, for every report."""
        return (
            "AR(1)-aware two-sample z-test on run-level estimates (binary segmentation, "
            "Siegmund scan correction, plus a test of the last "
            f"{self.confirm_runs - 1} runs' splits alone); per-series alpha {self.alpha:g} "
            "(split between the two, Holm over candidates), short series' noise moderated "
            f"across the suite, FDR {self.fdr:g} across benchmarks (Benjamini-Hochberg); "
            "step >= "
            f"{self.min_noise:g} noise sigma and >= {self.min_change:.0%}; at least "
            f"{self.min_size} runs each side; provisional until {self.confirm_runs} runs "
            "follow; ramps (a line fits better than a step) are drift, not steps"
        )


DEFAULTS = Settings()
STEP_DEFAULTS = StepSettings()
