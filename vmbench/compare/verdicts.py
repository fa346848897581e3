"""Verdicts: from run-level estimates to severities, and the regression gate.

Inputs are the run-level model's numbers (`vmbench.stats.runmodel.assess`): per benchmark
a change in log space (candidate runs minus baseline runs of the per-run location, judged
relative to the suite shift when one is removed), its standard error and degrees of
freedom. Decisions, with the error rate each one controls:

- **Flags.** Two one-sided families, each with Benjamini-Hochberg's step-up correction
  over every benchmark with a run-level test plus the suite shift: "slower" (p of
  change <= 0) and "faster" (p of change >= 0). A benchmark is flagged `high` / `medium`
  when its adjusted p (q-value) in the slower family is below `alpha` and the change is
  above the `high` / `regression` threshold; `improvement` likewise on the faster side
  below `-improvement`. The error rates: on identical code (no benchmark changed) the
  chance that any regression is flagged, and so that the gate fails, is at most `alpha`
  (Simes 1986: with every hypothesis true, false discovery rate and family-wise error
  are one number); when some benchmarks did change, the expected share of false flags
  among the flags is at most `alpha` (Benjamini & Hochberg 1995). Both hold for
  independent and positively dependent tests (Benjamini & Yekutieli 2001): changes
  judged against one shared suite shift are positively dependent among themselves, the
  suite shift's own test is not, and the calibration measures what that costs. The same
  holds for improvements, separately. Holm's step-down test, which
  would bound the chance of any false flag even on a PR with real regressions, was the
  rule until 2026-12: it found fewer of several planted changes at the same false-gate
  rate (benchmarks/results/calibration-2026-12-02.md) and buys nothing for a gate that
  fails on the real regression anyway.
- **Stable** only when the data rule out a change that matters: an equivalence test
  (two one-sided tests, Schuirmann 1987) at level alpha against the margins
  (-improvement, +regression), i.e. the (1 - 2 alpha) interval lies within them. The
  reports show the (1 - alpha) interval, as the design asks.
- **Inconclusive** otherwise: the interval reaches past a threshold but the evidence does
  not reach the flag. It says the suspected direction and size, is never counted as
  stable, and when it leans slower and its interval reaches past the gate's threshold it
  is a *suspected regression*: `detect` exits 3 and CI runs confirmation runs
  (`vmbench.compare.confirm`).
- **No flag without replication.** With one run a side and no noise model, each
  benchmark's own run-to-run noise is not measured; the spread of the suite's changes
  stands in for it, which is enough to call a benchmark stable or to say where it leans,
  but not to flag it at a stated error rate (benchmarks differ in noise by 10x and more:
  on the bundled wall-clock runs, from 1.4 % to 40 % run to run). Such a comparison
  flags nothing; what leans slower past the gate's threshold is a suspected regression
  (exit 3) for confirmation runs to decide.
- **No flag on one run** (`MIN_RUNS_TO_FLAG`). With a noise model or a replicated other
  side, a change resting on a single run of one side is still not flagged: other
  processes now and then slow a benchmark's whole run (a contention episode), which no
  noise model learned from other runs predicts. It is inconclusive in its direction, a
  suspected regression when it leans slower.
- **Insufficient**: no run-level test is possible (one run a side, fewer than
  `MIN_SUITE` benchmarks and no noise model). A change past the gate's threshold is
  still a suspected regression, and so is one whose change of means or medians is past
  it when the judged estimate is not (`BenchmarkComparison.suspected`).

Within-run instability (a level jump mid-run, many severe outliers) is a note; it never
changes a verdict.

Over 400 lines on purpose: the severities, the gate's codes, the run-level verdict types
and the rules that produce them and explain them are one vocabulary; splitting them would
make each reader open two modules to see what a severity means. Thresholds are compared
after rounding to 12 significant digits so
that float rounding (scaling every time, swapping sides) cannot move a change across one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from vmbench import format as fmt
from vmbench.settings import Settings
from vmbench.stats.runmodel import Assessment, benjamini_hochberg, t_cdf, t_ppf

if TYPE_CHECKING:
    from vmbench.compare.result import BenchmarkComparison
    from vmbench.model import Run


class Categorizer(Protocol):
    def categorize(self, benchmark_id: str, group: str | None = None) -> str: ...


Severity = Literal[
    "high", "medium", "improvement", "stable", "inconclusive", "insufficient", "new", "removed"
]
# Order in reports and `counts`: what needs attention first.
SEVERITIES: tuple[Severity, ...] = (
    "high",
    "medium",
    "improvement",
    "inconclusive",
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
    "inconclusive": "❓",
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
# `vmbench detect` exit codes.
GATE_PASS, GATE_FAIL, GATE_BAD_INPUT, GATE_CONFIRM = 0, 1, 2, 3
# A flag (high, medium, improvement) rests on at least this many runs on each side; with
# fewer it is `inconclusive` in its direction and the gate asks for confirmation runs
# (exit 3). On a shared machine a benchmark's whole measurement window is now and then
# slowed by other processes, which no noise model learned from other runs predicts: in
# the six identical wall-clock runs of examples/data/wallclock, 14 % of benchmark-runs
# are more than 10 % slower than the benchmark's median run and 6 % more than 30 %,
# while its typical run-to-run sd is 1.7 % (benchmarks/results/episodes-2026-12-02.md).
# One run on a side cannot be told from such an episode; with two, both would have to
# be hit.
MIN_RUNS_TO_FLAG = 2
# exp() of a larger log change overflows a float (about 1e304 times slower or faster).
MAX_LOG_CHANGE = 700.0


def _r(x: float) -> float:
    return float(f"{x:.12g}")


def relative(log_change: float) -> float:
    """exp(log_change) - 1, infinite past what a float holds (JSON writes null)."""
    return math.inf if log_change > MAX_LOG_CHANGE else math.expm1(log_change)


def reaches_past(change: float, upper: float | None, threshold: float | None) -> bool:
    """An undecided change is a *suspected regression* at `threshold` when it leans slower
    and the upper end of its (1 - alpha) interval reaches past the threshold: a slow-down
    that fails the gate is not ruled out. Without an interval (`upper` None: no noise
    information) the best estimate itself must be past the threshold.

    The interval, not the best estimate, decides: a +25 % regression that one noisy run
    a side measured at +8 % is still rerun by the confirmation runs instead of passing
    the gate in silence.
    """
    if threshold is None or not change > 0:
        return False
    reach = change if upper is None else max(change, upper)
    return _r(reach) > _r(threshold)


def disagreement(
    verdict: RunVerdict, others: Sequence[float], threshold: float | None
) -> float | None:
    """The largest of `others` (other location estimates' changes of the same runs) past
    `threshold` when the verdict has no interval (no noise information at all) and its
    own change is not past it: the estimators disagree, and with the judged one's error
    unknown it is not trusted alone. None otherwise."""
    if verdict.ci is not None or reaches_past(verdict.change, None, threshold):
        return None
    past = [c for c in others if reaches_past(c, None, threshold)]
    return max(past) if past else None


def fail_threshold(fail_on: FailOn, settings: Settings) -> float | None:
    """The relative slow-down at which the gate fails (None: never)."""
    return {"high": settings.high, "medium": settings.regression}.get(fail_on)


@dataclass(frozen=True)
class RunVerdict:
    """The run-level numbers a benchmark's verdict rests on (relative changes)."""

    estimator: str
    runs: tuple[int, int]  # runs measured on the baseline and candidate side
    total_change: float  # candidate / baseline - 1 of the per-run locations
    change: float  # the judged change (relative to the suite shift when removed)
    ci: tuple[float, float] | None  # its (1 - alpha) interval; None without a test
    p_slower: float | None  # BH-adjusted (q-value), family "slower"
    p_faster: float | None  # BH-adjusted (q-value), family "faster"
    sigma: float | None  # moderated run-to-run sd of one run's location (log)
    df: float | None
    source: str  # where the noise estimate came from
    relative_to_suite: bool

    @property
    def direction(self) -> Literal["slower", "faster", "none"]:
        if self.change > 0:
            return "slower"
        return "faster" if self.change < 0 else "none"

    def suspected(self, threshold: float | None) -> bool:
        """Leaning slower with a slow-down past `threshold` not ruled out (the caller
        checks that the benchmark is undecided): a suspected regression, for confirmation
        runs. See `reaches_past`."""
        return reaches_past(self.change, self.ci[1] if self.ci else None, threshold)

    def to_dict(self) -> dict[str, object]:
        return {
            "estimator": self.estimator,
            "runs": list(self.runs),
            "total_change": self.total_change,
            "change": self.change,
            "ci": list(self.ci) if self.ci else None,
            "p_slower": self.p_slower,
            "p_faster": self.p_faster,
            "sigma": self.sigma,
            "df": self.df if self.df is None or math.isfinite(self.df) else None,
            "source": self.source,
            "relative_to_suite": self.relative_to_suite,
            "direction": self.direction,
        }


SuiteSeverity = Literal["high", "medium", "improvement", "stable", "inconclusive", "unknown"]


@dataclass(frozen=True)
class SuiteVerdict:
    """The shift every benchmark shares (median over the suite) and the run effects."""

    shift: float  # relative: +0.08 = the whole suite 8 % slower
    ci: tuple[float, float] | None  # None when the run-to-run machine noise is unknown
    p_slower: float | None
    p_faster: float | None
    severity: SuiteSeverity
    run_sigma: float | None  # sd of run effects (log), the machine's run-to-run noise
    run_effects: dict[str, float]  # run label -> relative effect, within its side
    benchmarks: int

    def suspected(self, threshold: float | None) -> bool:
        if self.severity not in ("inconclusive", "unknown"):
            return False
        return reaches_past(self.shift, self.ci[1] if self.ci else None, threshold)

    def to_dict(self) -> dict[str, object]:
        return {
            "shift": self.shift,
            "ci": list(self.ci) if self.ci else None,
            "p_slower": self.p_slower,
            "p_faster": self.p_faster,
            "severity": self.severity,
            "run_sigma": self.run_sigma,
            "run_effects": dict(self.run_effects),
            "benchmarks": self.benchmarks,
        }


@dataclass(frozen=True)
class Judgement:
    """Verdicts of every benchmark of an assessment (aligned with its rows)."""

    severity: tuple[Severity, ...]
    verdicts: tuple[RunVerdict | None, ...]
    suite: SuiteVerdict | None


def _severity(
    change: float,
    se: float,
    adj_slow: float,
    adj_fast: float,
    lo: float,
    hi: float,
    s: Settings,
    *,
    may_flag: bool = True,
) -> Severity:
    if not math.isfinite(se):
        return "insufficient"
    up, top, down = math.log1p(s.regression), math.log1p(s.high), math.log1p(-s.improvement)
    if not may_flag:
        adj_slow = adj_fast = 1.0
    if adj_slow < s.alpha and _r(change) > _r(top):
        return "high"
    if adj_slow < s.alpha and _r(change) > _r(up):
        return "medium"
    if adj_fast < s.alpha and _r(change) < _r(down):
        return "improvement"
    if _r(lo) > _r(down) and _r(hi) < _r(up):
        return "stable"
    return "inconclusive"


def judge(
    a: Assessment,
    settings: Settings,
    *,
    estimator: str | Sequence[str],
    runs: Sequence[tuple[int, int]],
    run_labels: Sequence[str],
) -> Judgement:
    """Severities, intervals and BH-adjusted p-values for every row of `a`."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = a.change / a.se
    p_slow = 1.0 - t_cdf(t, a.df)
    p_fast = t_cdf(t, a.df)
    s = a.suite
    suite_known = s.removed and math.isfinite(s.se) and s.se > 0
    suite_t = s.shift / s.se if suite_known else math.nan
    suite_df = np.array([s.df])
    sp_slow = float(1.0 - t_cdf(np.array([suite_t]), suite_df)[0]) if suite_known else math.nan
    sp_fast = float(t_cdf(np.array([suite_t]), suite_df)[0]) if suite_known else math.nan
    adj_slow = benjamini_hochberg(np.append(p_slow, sp_slow))
    adj_fast = benjamini_hochberg(np.append(p_fast, sp_fast))
    q = t_ppf(1.0 - settings.alpha / 2.0, a.df)
    lo, hi = a.change - q * a.se, a.change + q * a.se
    q_eq = t_ppf(1.0 - settings.alpha, a.df)  # two one-sided tests at alpha
    eq_lo, eq_hi = a.change - q_eq * a.se, a.change + q_eq * a.se

    severities: list[Severity] = []
    verdicts: list[RunVerdict | None] = []
    for i in range(a.change.size):
        if not math.isfinite(a.total[i]) or abs(float(a.total[i])) > MAX_LOG_CHANGE:
            # no positive location on a side, or a ratio more than a float can hold
            severities.append("insufficient")
            verdicts.append(None)
            continue
        sev = _severity(
            float(a.change[i]),
            float(a.se[i]),
            float(adj_slow[i]),
            float(adj_fast[i]),
            float(eq_lo[i]),
            float(eq_hi[i]),
            settings,
            may_flag=a.replicated and min(runs[i]) >= MIN_RUNS_TO_FLAG,
        )
        tested = math.isfinite(float(a.se[i]))
        severities.append(sev)
        verdicts.append(
            RunVerdict(
                estimator=estimator if isinstance(estimator, str) else estimator[i],
                runs=runs[i],
                total_change=relative(float(a.total[i])),
                change=relative(float(a.change[i])),
                ci=(relative(float(lo[i])), relative(float(hi[i]))) if tested else None,
                p_slower=float(adj_slow[i]) if tested else None,
                p_faster=float(adj_fast[i]) if tested else None,
                sigma=float(a.sigma[i]) if math.isfinite(float(a.sigma[i])) else None,
                df=float(a.df[i]) if tested else None,
                source=a.source,
                relative_to_suite=s.removed,
            )
        )
    return Judgement(
        tuple(severities),
        tuple(verdicts),
        _suite(a, settings, adj_slow[-1], adj_fast[-1], run_labels),
    )


def _suite(
    a: Assessment, settings: Settings, adj_slow: float, adj_fast: float, run_labels: Sequence[str]
) -> SuiteVerdict | None:
    s = a.suite
    if not s.removed:
        return None
    effects = {
        label: relative(float(e)) for label, e in zip(run_labels, a.effects.effects, strict=True)
    }
    tau = math.sqrt(a.effects.tau2) if a.effects.tau2 is not None else None
    up, down = math.log1p(settings.regression), math.log1p(-settings.improvement)
    count = int(np.isfinite(a.total).sum())
    if not (math.isfinite(s.se) and s.se > 0):
        # The machine's run-to-run noise is unknown (one run a side, no noise model): a
        # shift of the whole suite cannot be told from the machine. Past a threshold it
        # is a question to settle; within them it is reported, not judged.
        severity: SuiteSeverity = "inconclusive" if (s.shift > up or s.shift < down) else "unknown"
        return SuiteVerdict(relative(s.shift), None, None, None, severity, tau, effects, count)
    q = float(t_ppf(1.0 - settings.alpha / 2.0, np.array([s.df]))[0])
    lo, hi = s.shift - q * s.se, s.shift + q * s.se
    q_eq = float(t_ppf(1.0 - settings.alpha, np.array([s.df]))[0])
    sev = _severity(
        s.shift, s.se, adj_slow, adj_fast, s.shift - q_eq * s.se, s.shift + q_eq * s.se, settings
    )
    severity = "inconclusive" if sev == "insufficient" else sev  # type: ignore[assignment]
    return SuiteVerdict(
        relative(s.shift),
        (relative(lo), relative(hi)),
        adj_slow,
        adj_fast,
        severity,
        tau,
        effects,
        count,
    )


def by_threshold(change: float, settings: Settings) -> Severity:
    """Severity of a change taken as it is (point values: no test is possible)."""
    c = _r(change)
    if c > settings.high:
        return "high"
    if c > settings.regression:
        return "medium"
    if c < -settings.improvement:
        return "improvement"
    return "stable"


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


def notes_for(severity: Severity, verdict: RunVerdict | None, settings: Settings) -> list[str]:
    """Plain-language notes that say what a run-level verdict rests on."""
    if verdict is None:
        return []
    notes = []
    where = f"{verdict.estimator} per run, {verdict.runs[0]} v {verdict.runs[1]} runs" + (
        ", relative to the suite shift" if verdict.relative_to_suite else ""
    )
    if verdict.ci is None:
        notes.append(
            f"run-level change {fmt.percent(verdict.change)} ({where}); run-to-run noise unknown: "
            "no replicated runs and too few benchmarks to learn it from the suite"
        )
        return notes
    sigma = fmt.percent(verdict.sigma, signed=False) if verdict.sigma is not None else "unknown"
    notes.append(
        f"run-level change {fmt.percent(verdict.change)} "
        f"[{fmt.percent(verdict.ci[0])}, {fmt.percent(verdict.ci[1])}] "
        f"({where}; run-to-run noise {sigma} from {verdict.source})"
    )
    if severity == "inconclusive":
        side = "slower" if verdict.change > 0 else "faster"
        beyond = verdict.ci[0] > settings.regression or verdict.ci[1] < -settings.improvement
        if min(verdict.runs) < MIN_RUNS_TO_FLAG and beyond:
            notes.append(
                f"inconclusive: {side} by {fmt.percent(abs(verdict.change), signed=False)}, "
                "but it rests on one run on a side, which a contention episode (another "
                "process holding the core for the seconds it ran) can move this far; "
                "confirmation runs decide it"
            )
        else:
            notes.append(
                f"inconclusive: suspected {side} by "
                f"{fmt.percent(abs(verdict.change), signed=False)}, but the interval "
                f"reaches past the thresholds (-{settings.improvement:.0%}, "
                f"+{settings.regression:.0%}); more runs per side (confirmation runs) decide it"
            )
    return notes


@dataclass(frozen=True)
class Extra:
    """Per-benchmark facts the verdict needs besides the result itself."""

    # (side, run label, location ns) of every run: side 0 baseline, 1 candidate
    locations: tuple[tuple[int, str, float], ...] = ()
    log_variance: float = 0.0  # within-run sampling variance of the log change
    # `auto`: the same two fields for every candidate estimator, keyed by its name
    alternatives: Mapping[str, tuple[tuple[tuple[int, str, float], ...], float]] = field(
        default_factory=dict
    )
    k_baseline: int = 1
    k_candidate: int = 1
    unstable: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def warnings_for(
    base_runs: tuple[Run, ...],
    cand_runs: tuple[Run, ...],
    results: dict[str, BenchmarkComparison],
    noise_covered: int | None,
    suite: SuiteVerdict | None,
) -> list[str]:
    warnings: list[str] = []
    tested = [r for r in results.values() if r.run_level is not None]
    replicated = len(base_runs) > 1 or len(cand_runs) > 1
    if tested and noise_covered is None and not replicated:
        warnings.append(
            "run-to-run noise not measured: one run per side and no noise model, so each "
            "benchmark is judged against the spread of the whole suite's changes; several runs "
            "per side (or --noise runs of identical code) give firmer verdicts"
        )
    if noise_covered is not None and tested and noise_covered < len(tested):
        warnings.append(f"noise model covers {noise_covered} of {len(tested)} compared benchmarks")
    if (
        suite is not None
        and suite.severity in ("inconclusive", "unknown")
        and abs(suite.shift) >= 0.02
    ):
        warnings.append(
            f"the whole suite moved {fmt.percent(suite.shift)} between the sides: the machine "
            "or the code? Benchmarks are judged relative to that shift"
            + ("" if suite.ci is not None else "; with one run a side it cannot be told apart")
        )
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
