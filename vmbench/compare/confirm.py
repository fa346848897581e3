"""Confirmation runs: settle suspected regressions with base and candidate interleaved.

When a comparison cannot decide a benchmark (`inconclusive`) that leans slower and whose
interval reaches past the gate's threshold (`vmbench.compare.verdicts.reaches_past`),
`vmbench detect` exits 3 and lists the suspects (`suspects_document`). The runner then
measures only those benchmarks again, base and candidate alternating (A B A B ..., one
process per benchmark and side), one *round* at a time, and calls `decide` after each
round until every suspect is decided or the budget of rounds is spent.

Rounds are paired: the base and candidate runs of one round follow each other within
seconds, so what slows the machine for a while falls on both. The change of benchmark i
is the mean over rounds of d_ij = log(location of candidate) - log(location of base) in
round j, with the sd of the d_ij (k - 1 degrees of freedom, moderated towards the other
suspects' with Smyth's empirical Bayes when there are three or more).

Stopping rule and error rates: with a budget of K rounds the test is made after rounds
2, 3, ..., K, each look at level alpha / (K - 1) (Bonferroni over the looks) with Holm's
correction over the suspects. So the chance of any false regression flag over the whole
sequence stays at most alpha, however many looks are taken, and a suspect called stable
passes the equivalence test (two one-sided tests) at that level. What is still
undecided after K rounds stays `inconclusive` and keeps the gate at exit 3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vmbench.compare.result import Comparison
from vmbench.compare.verdicts import (
    FAILING,
    GATE_CONFIRM,
    GATE_FAIL,
    GATE_PASS,
    FailOn,
    Severity,
    fail_threshold,
    reaches_past,
    relative,
)
from vmbench.errors import InputError, UsageError
from vmbench.model import Run
from vmbench.settings import Settings, location_of
from vmbench.stats.location import run_location
from vmbench.stats.moderation import fit_f_dist, squeeze_var
from vmbench.stats.runmodel import holm, t_cdf, t_ppf

SUSPECTS_KIND = "vmbench-suspects"
SUSPECTS_VERSION = 1
DEFAULT_ROUNDS = 5


def suspects_document(comparison: Comparison, fail_on: FailOn) -> dict[str, Any]:
    """What `detect --suspects FILE` writes: the benchmarks to measure again.

    A suspected shift of the whole suite (`*`) cannot be settled one benchmark at a time
    cheaply; every compared benchmark with a run-level test is then listed.
    """
    ids = comparison.suspects(fail_on)
    whole_suite = "*" in ids
    if whole_suite:
        ids = [b.id for b in comparison.sorted_benchmarks() if b.run_level is not None]
    return {
        "schema_version": SUSPECTS_VERSION,
        "kind": SUSPECTS_KIND,
        "baseline": list(comparison.baseline_runs),
        "candidate": list(comparison.candidate_runs),
        "fail_on": fail_on,
        "whole_suite": whole_suite,
        "benchmarks": ids,
    }


def read_suspects(data: Mapping[str, Any], source: str) -> list[str]:
    """The benchmark ids of a suspects document (validated)."""
    if not isinstance(data, Mapping) or data.get("kind") != SUSPECTS_KIND:
        raise InputError(source, f"not a vmbench suspects file (no kind {SUSPECTS_KIND!r})")
    if data.get("schema_version") != SUSPECTS_VERSION:
        raise InputError(
            source,
            f"suspects schema_version {data.get('schema_version')!r} is not supported "
            f"(this vmbench reads {SUSPECTS_VERSION})",
        )
    ids = data.get("benchmarks")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputError(source, "suspects 'benchmarks' must be a list of benchmark ids")
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class Confirmed:
    """One suspect after the rounds so far."""

    id: str
    severity: Severity  # high/medium/improvement/stable decided; inconclusive pending
    change: float | None  # relative, candidate over base (geometric mean over rounds)
    ci: tuple[float, float] | None  # at the look's level, alpha / (budget - 1)
    rounds: int
    decided: bool
    # upper end of the (1 - alpha) interval, as in a comparison's verdict: while it
    # reaches past the gate's threshold, an undecided suspect stays suspected
    reach: float | None = None


@dataclass(frozen=True)
class Confirmation:
    """The state of a confirmation after some rounds."""

    benchmarks: tuple[Confirmed, ...]
    rounds: int
    budget: int
    level: float  # the per-look test level, alpha / (budget - 1)

    @property
    def pending(self) -> list[str]:
        return [b.id for b in self.benchmarks if not b.decided]

    @property
    def finished(self) -> bool:
        return not self.pending or self.rounds >= self.budget

    def gate(self, fail_on: FailOn, settings: Settings) -> int:
        levels = FAILING[fail_on]
        if any(b.severity in levels for b in self.benchmarks):
            return GATE_FAIL
        threshold = fail_threshold(fail_on, settings)
        for b in self.benchmarks:
            if b.decided or b.change is None:
                continue
            if reaches_past(b.change, b.reach, threshold):
                return GATE_CONFIRM
        return GATE_PASS

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "vmbench-confirmation",
            "rounds": self.rounds,
            "budget": self.budget,
            "level": self.level,
            "finished": self.finished,
            "pending": self.pending,
            "benchmarks": [
                {
                    "id": b.id,
                    "severity": b.severity,
                    "change": b.change,
                    "ci": list(b.ci) if b.ci else None,
                    "rounds": b.rounds,
                    "decided": b.decided,
                    "reach": b.reach,
                }
                for b in self.benchmarks
            ],
        }


def _paired_logs(base: Sequence[Run], cand: Sequence[Run], bid: str, estimator: str) -> np.ndarray:
    diffs = []
    for b_run, c_run in zip(base, cand, strict=True):
        b, c = b_run.benchmarks.get(bid), c_run.benchmarks.get(bid)
        if b is None or c is None:
            continue
        lb, lc = run_location(b.per_iteration, estimator), run_location(c.per_iteration, estimator)
        if lb > 0 and lc > 0 and math.isfinite(lb) and math.isfinite(lc):
            diffs.append(math.log(lc) - math.log(lb))
    return np.array(diffs, dtype=np.float64)


def decide(
    base_rounds: Sequence[Run],
    cand_rounds: Sequence[Run],
    suspects: Sequence[str],
    settings: Settings | None = None,
    *,
    budget: int = DEFAULT_ROUNDS,
) -> Confirmation:
    """Decide the suspects from the rounds so far (round j = base_rounds[j], cand_rounds[j])."""
    settings = settings or Settings()
    if len(base_rounds) != len(cand_rounds):
        raise UsageError(
            f"confirmation rounds must pair up: {len(base_rounds)} base and "
            f"{len(cand_rounds)} candidate runs"
        )
    if budget < 2:
        raise UsageError(f"a confirmation needs a budget of at least 2 rounds, not {budget}")
    level = settings.alpha / (budget - 1)
    ids = list(dict.fromkeys(suspects))
    # `auto` chooses from a comparison's replicate runs; the paired rounds use its default.
    estimator = location_of(settings.estimator)
    diffs = [_paired_logs(base_rounds, cand_rounds, bid, estimator) for bid in ids]
    k = np.array([d.size for d in diffs], dtype=np.float64)
    mean = np.array([d.mean() if d.size else math.nan for d in diffs])
    s2 = np.array([d.var(ddof=1) if d.size > 1 else math.nan for d in diffs])
    df = np.maximum(k - 1.0, 0.0)
    prior = fit_f_dist(s2, df) if len(ids) >= 3 else None
    post, post_df = squeeze_var(s2, df, prior)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(post / k)
        t = mean / se
    testable = (k >= 2) & np.isfinite(se) & (se > 0)
    p_slow = np.where(testable, 1.0 - t_cdf(t, post_df), np.nan)
    p_fast = np.where(testable, t_cdf(t, post_df), np.nan)
    adj_slow, adj_fast = holm(p_slow), holm(p_fast)
    q = t_ppf(1.0 - level / 2.0, np.where(testable, post_df, 1.0))
    q_eq = t_ppf(1.0 - level, np.where(testable, post_df, 1.0))
    q_reach = t_ppf(1.0 - settings.alpha / 2.0, np.where(testable, post_df, 1.0))
    up, top = math.log1p(settings.regression), math.log1p(settings.high)
    down = math.log1p(-settings.improvement)
    out = []
    for i, bid in enumerate(ids):
        if not testable[i]:
            change = relative(mean[i]) if math.isfinite(mean[i]) else None
            out.append(Confirmed(bid, "inconclusive", change, None, int(k[i]), False))
            continue
        lo, hi = mean[i] - q[i] * se[i], mean[i] + q[i] * se[i]
        severity: Severity = "inconclusive"
        if adj_slow[i] < level and mean[i] > top:
            severity = "high"
        elif adj_slow[i] < level and mean[i] > up:
            severity = "medium"
        elif adj_fast[i] < level and mean[i] < down:
            severity = "improvement"
        elif mean[i] - q_eq[i] * se[i] > down and mean[i] + q_eq[i] * se[i] < up:
            severity = "stable"
        out.append(
            Confirmed(
                bid,
                severity,
                relative(float(mean[i])),
                (relative(float(lo)), relative(float(hi))),
                int(k[i]),
                severity != "inconclusive",
                relative(float(mean[i] + q_reach[i] * se[i])),
            )
        )
    return Confirmation(tuple(out), len(base_rounds), budget, level)
