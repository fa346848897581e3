"""The result of `compare()`: frozen dataclasses, their stable JSON and a tidy DataFrame.

Every renderer (terminal table, markdown, JSON, CSV, notebooks) reads these objects and
nothing else. JSON never contains NaN or infinity: missing or undefined numbers are null.

JSON schema history (`schema_version`):
  1 - top level: schema_version, tool, baseline, candidate (run labels, "a+b" for several
      runs), baseline_runs, candidate_runs, settings (alpha, regression, high, improvement,
      correction, confidence, resamples, seed, noise_model, noise_confidence,
      noise_prior_df), verdict, summary, warnings, counts, benchmarks.
      Each benchmark: id, category, group, kind (time|metric), unit, direction,
      baseline / candidate (n, runs, iterations, mean_ns, median_ns, std_dev_ns, mad_ns,
      mean_ci_ns, outliers{low_severe, low_mild, high_mild, high_severe}, sampling_mode,
      value, unit; null when absent), change, change_ci, median_change,
      hodges_lehmann_ns, hodges_lehmann, cliffs_delta, p_value, q_value, min_p_value,
      test (mann-whitney-u|thresholds|none), significant, severity, note,
      noise{sigma, band, df, source}|null, unstable, throughput|null,
      criterion_verdict (regressed|improved|within noise|no change|null).
  2 - verdicts from the run-level model: each benchmark's `noise` is replaced by
      `run_level` {estimator, runs, total_change, change, ci, p_slower, p_faster, sigma,
      df, source, relative_to_suite, direction}|null; severity `noisy` is replaced by
      `inconclusive`; `p_value`/`q_value` stay the within-run Mann-Whitney U test on raw
      samples (descriptive: samples of one run share its machine state, so they do not
      decide a verdict). Top level adds `suite` {shift, ci, p_slower, p_faster, severity,
      run_sigma, run_effects, benchmarks}|null, `gate` {fail_on: exit code} and
      `suspects` (ids needing confirmation at fail_on=medium); settings add `estimator`
      and drop noise_confidence and noise_prior_df. Since 2026-12-02 `p_slower` and
      `p_faster` are Benjamini-Hochberg adjusted (they were Holm adjusted); the shape is
      unchanged, so the version is too.

Over 400 lines on purpose: the result classes, their JSON schema (with its history) and
their tidy frame must change together, so they stay in one module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from vmbench.compare.verdicts import (
    FAILING,
    GATE_CONFIRM,
    GATE_FAIL,
    GATE_PASS,
    INDICATORS,
    SEVERITIES,
    FailOn,
    RunVerdict,
    Severity,
    SuiteVerdict,
    disagreement,
    fail_threshold,
)
from vmbench.model import FloatArray
from vmbench.settings import Settings

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is built: `vmbench detect` does not need it

SCHEMA_VERSION = 2


def clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, tuples become lists."""
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def clean_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = clean(value)
    return out


@dataclass(frozen=True)
class Outliers:
    """Tukey outlier counts, classified as Criterion does (1.5 and 3 IQR fences)."""

    low_severe: int
    low_mild: int
    high_mild: int
    high_severe: int

    @property
    def total(self) -> int:
        return self.low_severe + self.low_mild + self.high_mild + self.high_severe


@dataclass(frozen=True, eq=False)
class SideSummary:
    """One side of one benchmark: samples summarised, or a point value."""

    runs: tuple[str, ...]
    n: int | None  # samples (None for a point value)
    iterations: int | None
    mean_ns: float | None
    median_ns: float | None
    std_dev_ns: float | None
    mad_ns: float | None  # scaled by 1.4826 like Criterion's
    mean_ci_ns: tuple[float, float] | None
    outliers: Outliers | None
    sampling_mode: str | None
    value: float  # mean_ns for time benchmarks, the metric's value otherwise
    unit: str
    samples: FloatArray | None = field(default=None, repr=False)  # per-iteration ns, pooled

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "runs": list(self.runs),
            "iterations": self.iterations,
            "mean_ns": self.mean_ns,
            "median_ns": self.median_ns,
            "std_dev_ns": self.std_dev_ns,
            "mad_ns": self.mad_ns,
            "mean_ci_ns": list(self.mean_ci_ns) if self.mean_ci_ns else None,
            "outliers": None
            if self.outliers is None
            else {
                "low_severe": self.outliers.low_severe,
                "low_mild": self.outliers.low_mild,
                "high_mild": self.outliers.high_mild,
                "high_severe": self.outliers.high_severe,
            },
            "sampling_mode": self.sampling_mode,
            "value": self.value,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class ThroughputChange:
    """Criterion throughput per side; `change` > 0 means more work per second (better)."""

    kind: str
    baseline_per_s: float
    candidate_per_s: float
    change: float


@dataclass(frozen=True, eq=False)
class BenchmarkComparison:
    """One benchmark's comparison and verdict."""

    id: str
    category: str
    group: str
    kind: Literal["time", "metric"]
    unit: str
    direction: str
    baseline: SideSummary | None
    candidate: SideSummary | None
    change: float | None  # candidate / baseline - 1 (of means, or of point values)
    change_ci: tuple[float, float] | None
    median_change: float | None
    hodges_lehmann_ns: float | None  # median of pairwise candidate - baseline differences
    hodges_lehmann: float | None  # the same, relative to the baseline median
    cliffs_delta: float | None  # P(candidate > baseline) - P(candidate < baseline)
    p_value: float | None
    q_value: float | None
    min_p_value: float | None
    test: str
    severity: Severity
    significant: bool
    note: str
    run_level: RunVerdict | None  # what the verdict rests on (None: no run-level test)
    unstable: bool
    throughput: ThroughputChange | None
    # What Criterion itself would say (Welch t p < 0.05 and the change interval beyond
    # +/-1 %): "regressed", "improved", "within noise", "no change"; None without samples.
    criterion_verdict: str | None = None

    @property
    def indicator(self) -> str:
        return INDICATORS[self.severity]

    @property
    def judged_change(self) -> float | None:
        """The change the verdict was made on (run level), else the change of means."""
        return self.run_level.change if self.run_level is not None else self.change

    def suspected(self, fail_on: FailOn, settings: Settings) -> bool:
        """A suspected regression at `fail_on`: not decided, leaning slower, and a
        slow-down past the gate's threshold not ruled out (`detect` exits 3)."""
        threshold = fail_threshold(fail_on, settings)
        if threshold is None or self.severity not in ("inconclusive", "insufficient"):
            return False
        if self.run_level is not None:
            # ...or, with no noise information, another estimate of the same runs is past
            # it (contention can move one run's fastest sample): see `disagreement`
            return self.run_level.suspected(threshold) or (
                disagreement(self.run_level, self.other_changes(), threshold) is not None
            )
        return self.change is not None and self.change > threshold and self.test != "none"

    def other_changes(self) -> tuple[float, ...]:
        """The changes of means and of medians of the same runs (descriptive estimates)."""
        return tuple(
            c for c in (self.change, self.median_change) if c is not None and math.isfinite(c)
        )

    def to_dict(self) -> dict[str, Any]:
        return clean_dict(
            {
                "id": self.id,
                "category": self.category,
                "group": self.group,
                "kind": self.kind,
                "unit": self.unit,
                "direction": self.direction,
                "baseline": self.baseline.to_dict() if self.baseline else None,
                "candidate": self.candidate.to_dict() if self.candidate else None,
                "change": self.change,
                "change_ci": list(self.change_ci) if self.change_ci else None,
                "median_change": self.median_change,
                "hodges_lehmann_ns": self.hodges_lehmann_ns,
                "hodges_lehmann": self.hodges_lehmann,
                "cliffs_delta": self.cliffs_delta,
                "p_value": self.p_value,
                "q_value": self.q_value,
                "min_p_value": self.min_p_value,
                "test": self.test,
                "significant": self.significant,
                "severity": self.severity,
                "note": self.note,
                "run_level": None if self.run_level is None else self.run_level.to_dict(),
                "unstable": self.unstable,
                "throughput": None
                if self.throughput is None
                else {
                    "kind": self.throughput.kind,
                    "baseline_per_s": self.throughput.baseline_per_s,
                    "candidate_per_s": self.throughput.candidate_per_s,
                    "change": self.throughput.change,
                },
                "criterion_verdict": self.criterion_verdict,
            }
        )


def _sort_key(b: BenchmarkComparison) -> tuple[int, float, str]:
    size = abs(b.change) if b.change is not None and math.isfinite(b.change) else -1.0
    return (SEVERITIES.index(b.severity), -size, b.id)


@dataclass(frozen=True)
class Comparison:
    """A whole comparison: settings, warnings, per-benchmark results and counts."""

    baseline: str
    candidate: str
    baseline_runs: tuple[str, ...]
    candidate_runs: tuple[str, ...]
    settings: Settings
    noise_model: str | None
    warnings: tuple[str, ...]
    benchmarks: tuple[BenchmarkComparison, ...]
    counts: Mapping[str, int]
    suite: SuiteVerdict | None = None  # the shift the whole suite shares, and run effects

    @classmethod
    def build(cls, **kwargs: Any) -> Comparison:
        benches: tuple[BenchmarkComparison, ...] = kwargs["benchmarks"]
        counts: dict[str, int] = {s: 0 for s in SEVERITIES}
        for b in benches:
            counts[b.severity] += 1
        return cls(**kwargs, counts=counts)

    @property
    def verdict(self) -> Literal["high", "medium", "improvement", "inconclusive", "stable"]:
        """The worst finding: high, medium, improvement, inconclusive or stable.

        The suite shift counts like a benchmark: a whole suite 15 % slower is `medium`.
        A benchmark that cannot be judged (`insufficient`) makes the comparison
        inconclusive, never stable: cannot-tell is not a pass.
        """
        suite = self.suite.severity if self.suite is not None else None
        levels: tuple[Literal["high", "medium", "improvement"], ...] = (
            "high",
            "medium",
            "improvement",
        )
        for level in levels:
            if self.counts.get(level, 0) or suite == level:
                return level
        if self.counts.get("inconclusive", 0) or self.counts.get("insufficient", 0):
            return "inconclusive"
        if suite == "inconclusive":
            return "inconclusive"
        return "stable"

    @property
    def summary(self) -> str:
        """One-line verdict for a PR comment or a terminal."""
        c = dict(self.counts)
        suite = self.suite
        if c["high"] or c["medium"] or (suite is not None and suite.severity in ("high", "medium")):
            found = ", ".join(f"{c[s]} {s}" for s in ("high", "medium") if c[s])
            if suite is not None and suite.severity in ("high", "medium"):
                whole = f"whole suite {suite.shift:+.1%}"
                found = f"{found}, {whole}" if found else whole
            head = f"{INDICATORS[self.verdict]} Performance regression: {found}"
            others: tuple[str, ...] = (
                "improvement",
                "inconclusive",
                "insufficient",
                "new",
                "removed",
            )
        elif self.suspects("medium"):
            head = (
                f"{INDICATORS['inconclusive']} Suspected regression, not confirmed: "
                f"{len(self.suspects('medium'))} to confirm with more runs"
            )
            others = ("improvement", "inconclusive", "insufficient", "new", "removed")
        elif c["improvement"]:
            head = f"{INDICATORS['improvement']} Faster: {c['improvement']} improvement(s)"
            others = ("inconclusive", "insufficient", "new", "removed")
        elif c["inconclusive"] or c["insufficient"]:
            undecided = c["inconclusive"] + c["insufficient"]
            head = (
                f"{INDICATORS['inconclusive']} No regression found, {undecided} "
                "benchmark(s) undecided"
            )
            others = ("inconclusive", "insufficient", "new", "removed")
        else:
            head = f"{INDICATORS['stable']} No significant regression"
            others = ("inconclusive", "insufficient", "new", "removed")
        extra = "; ".join(f"{c[s]} {s}" for s in others if c[s])
        tail = f" ({extra})" if extra else ""
        return f"{head} in {len(self.benchmarks)} benchmarks{tail}"

    def suspects(self, fail_on: FailOn) -> list[str]:
        """Benchmarks (and `*` for the whole suite) whose regression needs confirmation."""
        out = [b.id for b in self.sorted_benchmarks() if b.suspected(fail_on, self.settings)]
        if self.suite is not None and self.suite.suspected(fail_threshold(fail_on, self.settings)):
            out.append("*")
        return out

    def gate(self, fail_on: FailOn) -> int:
        """`detect`'s exit code: 1 regression at or above `fail_on`, 3 a suspected one that
        needs confirmation runs, 0 pass."""
        if self.failed(fail_on):
            return GATE_FAIL
        if self.suspects(fail_on):
            return GATE_CONFIRM
        return GATE_PASS

    def sorted_benchmarks(self) -> list[BenchmarkComparison]:
        """Benchmarks by severity (worst first), then by size of change."""
        return sorted(self.benchmarks, key=_sort_key)

    def not_stable(self) -> list[BenchmarkComparison]:
        return [b for b in self.sorted_benchmarks() if b.severity != "stable"]

    def failed(self, fail_on: FailOn) -> bool:
        """True when a benchmark is at or above `fail_on` (the regression gate)."""
        levels = FAILING[fail_on]
        suite = self.suite.severity if self.suite is not None else None
        return any(self.counts.get(s, 0) for s in levels) or suite in levels

    def get(self, benchmark_id: str) -> BenchmarkComparison | None:
        return next((b for b in self.benchmarks if b.id == benchmark_id), None)

    def to_dict(self) -> dict[str, Any]:
        settings = self.settings.to_dict()
        settings["noise_model"] = self.noise_model
        return clean_dict(
            {
                "schema_version": SCHEMA_VERSION,
                "tool": "vmbench",
                "baseline": self.baseline,
                "candidate": self.candidate,
                "baseline_runs": list(self.baseline_runs),
                "candidate_runs": list(self.candidate_runs),
                "settings": settings,
                "verdict": self.verdict,
                "summary": self.summary,
                "warnings": list(self.warnings),
                "counts": dict(self.counts),
                "suite": None if self.suite is None else self.suite.to_dict(),
                "gate": {f: self.gate(f) for f in ("high", "medium", "never")},
                "suspects": self.suspects("medium"),
                "benchmarks": [b.to_dict() for b in self.benchmarks],
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame, one row per benchmark (for notebooks and CSV)."""
        import pandas as pd

        rows = []
        for b in self.benchmarks:
            row: dict[str, Any] = {
                "id": b.id,
                "category": b.category,
                "group": b.group,
                "kind": b.kind,
                "unit": b.unit,
                "direction": b.direction,
                "severity": b.severity,
                "indicator": b.indicator,
                "significant": b.significant,
                "change": b.change,
                "change_ci_low": b.change_ci[0] if b.change_ci else None,
                "change_ci_high": b.change_ci[1] if b.change_ci else None,
                "median_change": b.median_change,
                "hodges_lehmann_ns": b.hodges_lehmann_ns,
                "cliffs_delta": b.cliffs_delta,
                "p_value": b.p_value,
                "q_value": b.q_value,
                "run_change": clean(b.run_level.change) if b.run_level else None,
                "run_change_ci_low": clean(b.run_level.ci[0])
                if b.run_level and b.run_level.ci
                else None,
                "run_change_ci_high": clean(b.run_level.ci[1])
                if b.run_level and b.run_level.ci
                else None,
                "run_sigma": clean(b.run_level.sigma) if b.run_level else None,
                "unstable": b.unstable,
                "criterion_verdict": b.criterion_verdict,
                "test": b.test,
                "note": b.note,
            }
            for name, side in (("baseline", b.baseline), ("candidate", b.candidate)):
                row[f"{name}_n"] = side.n if side else None
                row[f"{name}_value"] = side.value if side else None
                row[f"{name}_mean_ns"] = side.mean_ns if side else None
                row[f"{name}_median_ns"] = side.median_ns if side else None
                row[f"{name}_std_dev_ns"] = side.std_dev_ns if side else None
                ci = side.mean_ci_ns if side else None
                row[f"{name}_ci_low_ns"] = ci[0] if ci else None
                row[f"{name}_ci_high_ns"] = ci[1] if ci else None
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        float_cols = [c for c in frame.columns if c.endswith(("_ns", "_value", "_low", "_high"))]
        numbers = ["change", "median_change", "cliffs_delta", "p_value", "q_value", "run_change"]
        for col in [*float_cols, *numbers, "run_sigma"]:
            frame[col] = frame[col].astype("float64")
        return frame
