"""Severity rules: from a change, its significance and the run-to-run noise to a verdict.

- significant = q < alpha and, when the run-to-run noise is known (a noise model, or
  several runs per side), |log(1 + change)| exceeds the noise band
      band = t(noise_confidence, df) * sigma * sqrt(1/k_baseline + 1/k_candidate)
  where sigma is the benchmark's relative run-to-run noise (its own estimate, widened
  towards the noise model's median when few runs agreed by luck, see `noise_estimate`)
  and k the number of runs per side (averaging runs narrows the band);
- `noisy`: the band is wider than the regression threshold, so a regression of that size
  could not be told from noise, and the change does not clear the band: reported with its
  measured noise, never flagged or passed. A change that clears even a wide band is judged
  (and the note says the benchmark is noisy);
- `high` significant and change > +high; `medium` significant and change > +regression;
  `improvement` significant and change < -improvement; `stable` otherwise;
- `insufficient` when the samples cannot reach p < alpha at all (asv's rule);
- a change that would be flagged, on a benchmark whose run (either side) looks unstable
  within itself (a mid-run level jump, or many severe outliers), is `noisy` instead: that
  run's mean moved for reasons other than the code (on the bundled A/A runs this is what
  most surviving false alarms looked like).

Thresholds are compared after rounding to 12 significant digits, so that float rounding
(multiplying every time by a constant, swapping sides) cannot move a change across one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from vmbench import stats
from vmbench.settings import Settings
from vmbench.stats import t_quantile

if TYPE_CHECKING:
    from vmbench.compare.noise import NoiseModel
    from vmbench.compare.result import BenchmarkComparison
    from vmbench.model import Run


class Categorizer(Protocol):
    def categorize(self, benchmark_id: str, group: str | None = None) -> str: ...


Severity = Literal[
    "high", "medium", "improvement", "stable", "new", "removed", "insufficient", "noisy"
]
# Order in reports and `counts`: what needs attention first.
SEVERITIES: tuple[Severity, ...] = (
    "high",
    "medium",
    "improvement",
    "noisy",
    "insufficient",
    "new",
    "removed",
    "stable",
)
INDICATORS: dict[str, str] = {
    "high": "🔴",
    "medium": "🟡",
    "improvement": "🟢",
    "stable": "✅",
    "noisy": "〰️",
    "insufficient": "❔",
    "new": "🆕",
    "removed": "➖",
}
FailOn = Literal["high", "medium", "never"]
FAILING: dict[str, tuple[Severity, ...]] = {
    "high": ("high",),
    "medium": ("high", "medium"),
    "never": (),
}


def _r(x: float) -> float:
    return float(f"{x:.12g}")


@dataclass(frozen=True)
class NoiseEstimate:
    """A benchmark's run-to-run noise as used in one comparison."""

    sigma: float  # moderated relative run-to-run sd of a run mean
    df: float  # degrees of freedom behind sigma (prior included)
    band: float  # |change| (relative) that a real change must exceed
    source: str  # "noise model", "runs within each side" or both

    @property
    def band_log(self) -> float:
        return math.log1p(self.band)


def noise_estimate(
    *,
    model_sigma: float | None,
    model_df: int,
    within_ss: float,
    within_df: int,
    prior_sigma: float | None,
    k_baseline: int,
    k_candidate: int,
    settings: Settings,
) -> NoiseEstimate | None:
    """Pool the noise model's and the within-side estimates, widen towards the prior.

    `within_ss` is the sum of squared deviations of log run means around their side's
    mean (runs of one side measure the same code), with `within_df` degrees of freedom.
    """
    sources = []
    ss = 0.0
    df = 0.0
    if model_sigma is not None and model_df > 0:
        ss += model_sigma**2 * model_df
        df += model_df
        sources.append("noise model")
    if within_df > 0:
        ss += within_ss
        df += within_df
        sources.append("runs within each side")
    if df == 0:
        return None
    d0 = settings.noise_prior_df if prior_sigma is not None else 0.0
    prior_var = (prior_sigma or 0.0) ** 2
    # The prior only widens: it guards a benchmark whose few runs agreed by luck, but never
    # narrows the band of one that was seen to be noisy (run-to-run noise differs a lot
    # between benchmarks: 0.5 % for a compute loop, 50 % for lock contention on 2 cores).
    var = max(ss / df, (ss + d0 * prior_var) / (df + d0))
    sigma = math.sqrt(var)
    total_df = df + d0
    band_log = (
        t_quantile(settings.noise_confidence, total_df)
        * sigma
        * math.sqrt(1.0 / k_baseline + 1.0 / k_candidate)
    )
    return NoiseEstimate(
        sigma=sigma, df=total_df, band=math.expm1(band_log), source=" and ".join(sources)
    )


def by_threshold(change: float, settings: Settings) -> Severity:
    """Severity of a change that is taken as real (significant or thresholds-only)."""
    c = _r(change)
    if c > settings.high:
        return "high"
    if c > settings.regression:
        return "medium"
    if c < -settings.improvement:
        return "improvement"
    return "stable"


def classify_sampled(
    *,
    change: float,
    q_value: float,
    min_p: float,
    noise: NoiseEstimate | None,
    settings: Settings,
) -> tuple[Severity, bool, list[str]]:
    """Severity, significance and explanatory notes for a benchmark with samples."""
    notes: list[str] = []
    if min_p > settings.alpha:
        notes.append(
            f"too few samples to reach p < {settings.alpha:g} (smallest possible p "
            f"{min_p:.3g}); take more samples"
        )
        return "insufficient", False, notes
    stat_sig = q_value < settings.alpha
    beyond = True
    if noise is not None:
        # change = -100 % (a candidate of all-zero times) is infinitely far in log space
        size = abs(math.log1p(change)) if change > -1.0 else math.inf
        beyond = _r(size) > _r(noise.band_log)
        notes.append(f"run-to-run noise {noise.sigma:.1%} (band ±{noise.band:.1%}, {noise.source})")
        too_noisy = _r(noise.band_log) > _r(math.log1p(settings.regression))
        if too_noisy and not (stat_sig and beyond):
            notes.append(
                f"noisy: a {settings.regression:.0%} regression cannot be told from run-to-run "
                "noise here; use more runs per side or a quieter machine"
            )
            return "noisy", False, notes
        if too_noisy:
            notes.append("noisy benchmark, but the change clears its noise band")
        if stat_sig and not beyond:
            notes.append("within-run test significant, but the change is within the noise band")
    significant = stat_sig and beyond
    severity = by_threshold(change, settings) if significant else "stable"
    return severity, significant, notes


def cost_change(baseline: float, candidate: float, direction: str) -> float | None:
    """Change in the "cost" sense (positive = worse) of a point metric, or None if undefined.

    Lower-is-better: candidate/baseline - 1. Higher-is-better (throughput, hit rate):
    baseline/candidate - 1, so ops/s reads exactly like the time it is the inverse of.
    """
    if direction == "higher":
        if candidate == 0:
            return None if baseline == 0 else math.inf
        return baseline / candidate - 1.0
    if baseline == 0:
        return 0.0 if candidate == 0 else None
    return candidate / baseline - 1.0


@dataclass(frozen=True)
class Extra:
    """Per-benchmark facts the classification needs besides the result itself."""

    within_ss: float = 0.0  # squared deviations of log run means around their side's mean
    within_df: int = 0
    k_baseline: int = 1
    k_candidate: int = 1
    unstable: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# --- q-values, noise and severities over the whole comparison ---------------------------


def _undefined_change_note(r: BenchmarkComparison) -> str:
    """Why a comparison has no relative change (see `sampled.ratio`), in words."""
    base = r.baseline.mean_ns if r.baseline is not None else None
    cand = r.candidate.mean_ns if r.candidate is not None else None
    if base is None or cand is None or not math.isfinite(base) or not math.isfinite(cand):
        return "a mean is not a finite number (overflow): relative change undefined"
    if base == 0:
        return "baseline mean is 0 ns: relative change undefined"
    return (
        f"the means differ by more than a float can hold ({cand:.3g} ns vs {base:.3g} ns): "
        "relative change undefined"
    )


def finish(
    results: dict[str, tuple[BenchmarkComparison, Extra]],
    *,
    settings: Settings,
    noise: NoiseModel | None,
    categories: Categorizer,
) -> dict[str, BenchmarkComparison]:
    tested = [bid for bid, (r, _) in results.items() if r.p_value is not None]
    q = stats.adjust_p_values(
        np.array([results[bid][0].p_value for bid in tested], dtype=np.float64),
        settings.correction,
    )
    q_of = dict(zip(tested, q.tolist(), strict=True))
    # Prior for the moderated noise: from the noise model only (group or overall median).
    # Not the within-side estimates of this comparison: a slow run slows every benchmark,
    # so those share the same few runs and add no independent degrees of freedom.
    with_prior = noise is not None and bool(noise.benchmarks)
    out: dict[str, BenchmarkComparison] = {}
    for bid, (r, extra) in results.items():
        category = categories.categorize(bid, r.group)
        if r.p_value is None:
            out[bid] = replace(r, category=category)
            continue
        learned = noise.get(bid) if noise is not None else None
        estimate = noise_estimate(
            model_sigma=learned.sigma if learned else None,
            model_df=learned.df if learned else 0,
            within_ss=extra.within_ss,
            within_df=extra.within_df,
            prior_sigma=noise.prior_sigma_for(bid) if noise is not None and with_prior else None,
            k_baseline=extra.k_baseline,
            k_candidate=extra.k_candidate,
            settings=settings,
        )
        assert r.min_p_value is not None
        severity: Severity
        if r.change is None:  # a mean of 0 ns, or a ratio of means a float cannot hold
            severity, significant = "insufficient", False
            notes = [_undefined_change_note(r)]
        else:
            severity, significant, notes = classify_sampled(
                change=r.change,
                q_value=q_of[bid],
                min_p=r.min_p_value,
                noise=estimate,
                settings=settings,
            )
        if extra.unstable:
            notes.append("looks unstable: " + ", ".join(extra.unstable))
            if severity in ("high", "medium", "improvement"):
                # A run that jumps level mid-run, or is full of severe outliers, was not
                # in a steady state: its mean moved for reasons other than the code.
                severity, significant = "noisy", False
                notes.append(
                    "noisy: a run was unstable within itself, so its mean cannot carry a "
                    "verdict; rerun on a quieter machine or with more runs per side"
                )
        notes.extend(extra.notes)
        out[bid] = replace(
            r,
            category=category,
            q_value=q_of[bid],
            severity=severity,
            significant=significant,
            note="; ".join(notes),
            noise=estimate,
            unstable=bool(extra.unstable),
        )
    return out


def warnings_for(
    base_runs: tuple[Run, ...],
    cand_runs: tuple[Run, ...],
    results: dict[str, BenchmarkComparison],
    noise: NoiseModel | None,
) -> list[str]:
    warnings: list[str] = []
    tested = [r for r in results.values() if r.test == "mann-whitney-u"]
    if tested and noise is None and len(base_runs) == 1 and len(cand_runs) == 1:
        warnings.append(
            "run-to-run noise unknown: one run per side and no noise model, so a difference "
            "between two runs of the same code can look significant; for a firmer answer "
            "use several runs per side on the same machine or a noise model (--noise)"
        )
    if noise is not None and tested:
        covered = sum(1 for r in tested if noise.get(r.id) is not None)
        if covered < len(tested):
            warnings.append(f"noise model covers {covered} of {len(tested)} compared benchmarks")
    unstable = [r.id for r in tested if r.unstable]
    if unstable:
        warnings.append(f"{len(unstable)} benchmark(s) look unstable within a run (see notes)")
    points = [r for r in results.values() if r.test == "thresholds"]
    if points:
        warnings.append(
            f"{len(points)} benchmark(s) have point values only (baseline file or metrics): "
            "classified by thresholds alone, no significance test was possible"
        )
    return warnings
