"""Comparison modes, run on simulated or real runs and scored side by side with anchors.

A *mode* is how many runs each side has and what else is known:

| mode | baseline runs | candidate runs | also |
|---|---|---|---|
| `1v1` | 1 | 1 | - |
| `1v1+noise` | 1 | 1 | a noise model from 3 A/A runs of identical code |
| `2v1` | 2 | 1 | the CI default: base, candidate, base again |
| `3v3` | 3 | 3 | - |
| `1v1+confirm` | 1 | 1 | suspects rerun in interleaved rounds (`vmbench.compare.confirm`) |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from vmbench.calibration import anchors
from vmbench.calibration.scoring import Outcome, Tally, sigma_band
from vmbench.calibration.simulate import NoiseSpec, Suite, make_suite, simulate_run
from vmbench.compare.confirm import decide, suspects_document
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.compare.verdicts import FailOn
from vmbench.model import Run
from vmbench.settings import Settings

FAIL_ON: FailOn = "medium"


@dataclass(frozen=True)
class Mode:
    name: str
    baseline_runs: int
    candidate_runs: int
    noise_runs: int = 0
    confirm: bool = False


MODES: tuple[Mode, ...] = (
    Mode("1v1", 1, 1),
    Mode("1v1+noise", 1, 1, noise_runs=3),
    Mode("2v1", 2, 1),
    Mode("3v3", 3, 3),
    Mode("1v1+confirm", 1, 1, confirm=True),
)
# Planted in every "planted" comparison: the sizes a PR gate must catch, and a speed-up.
PLANTED_FACTORS: tuple[float, ...] = (1.12, 1.15, 1.25, 0.80)
CONFIRM_BUDGET = 5


def vmbench_outcome(result: Comparison) -> Outcome:
    return Outcome(
        gate=result.gate(FAIL_ON),
        severity={b.id: b.severity for b in result.benchmarks},
        leaning={b.id: b.judged_change for b in result.benchmarks},
    )


def anchor_outcome(flags: anchors.Flags, ids: Sequence[str]) -> Outcome:
    """An anchor has no gate of its own: a CI job acting on it fails on any regression."""
    severity = {
        i: {"regressed": "medium", "improved": "improvement"}.get(flags.get(i, ""), "stable")
        for i in ids
    }
    leaning = {
        i: (1.0 if flags.get(i) == "regressed" else -1.0) if i in flags else None for i in ids
    }
    return Outcome(1 if "regressed" in flags.values() else 0, severity, leaning)


RoundMaker = Callable[[int, list[str]], tuple[Run, Run]]


def confirmed_outcome(
    result: Comparison, make_round: RoundMaker, settings: Settings, budget: int = CONFIRM_BUDGET
) -> Outcome:
    """The outcome after confirmation rounds of the suspects (`make_round(k, ids)` measures
    round k: a base and a candidate run of those benchmarks, interleaved)."""
    first = vmbench_outcome(result)
    if first.gate != 3:
        return first
    suspects = suspects_document(result, FAIL_ON)["benchmarks"]
    base: list[Run] = []
    cand: list[Run] = []
    confirmation = None
    for k in range(budget):
        b, c = make_round(k, suspects)
        base.append(b)
        cand.append(c)
        if k == 0:
            continue
        confirmation = decide(base, cand, suspects, settings, budget=budget)
        if confirmation.finished:
            break
    assert confirmation is not None
    severity = dict(first.severity)
    leaning = dict(first.leaning)
    for done in confirmation.benchmarks:
        severity[done.id] = done.severity
        leaning[done.id] = done.change
    return Outcome(confirmation.gate(FAIL_ON, settings), severity, leaning)


@dataclass
class Cell:
    """Tallies of every rule in one mode at one noise level: identical code and planted."""

    aa: dict[str, Tally]
    planted: dict[str, Tally]

    def to_dict(self) -> dict[str, object]:
        return {
            rule: {"aa": self.aa[rule].to_dict(), "planted": self.planted[rule].to_dict()}
            for rule in self.aa
        }


def _tallies(rules: Sequence[str]) -> dict[str, Tally]:
    return {r: Tally() for r in rules}


def simulate_cell(
    mode: Mode,
    spec: NoiseSpec,
    *,
    comparisons: int,
    seed: int,
    suite_size: int = 20,
    settings: Settings | None = None,
    with_anchors: bool = True,
    identical_only: bool = False,
) -> Cell:
    """`comparisons` seeded A/A comparisons and as many with planted changes (none with
    `identical_only`: a false-alarm rate needs many more comparisons than power does)."""
    settings = settings or Settings(resamples=200)
    found = anchors.available() if with_anchors and not mode.confirm else {}
    rules = ["vmbench", *(["criterion"] if with_anchors and not mode.confirm else []), *found]
    cell = Cell(_tallies(rules), _tallies(rules))
    for rep in range(comparisons):
        for kind in ("aa",) if identical_only else ("aa", "planted"):
            rng = np.random.default_rng([seed, rep, kind == "planted"])
            suite = make_suite(suite_size, spec, rng)
            planted: Mapping[str, float] = (
                dict(zip(suite.ids, PLANTED_FACTORS, strict=False)) if kind == "planted" else {}
            )
            outcomes = _simulated(
                mode, suite, planted, rng, settings, found, with_anchors and not mode.confirm
            )
            target = cell.aa if kind == "aa" else cell.planted
            bands = {
                bid: sigma_band(float(suite.sigma[i]), bool(suite.variable[i]))
                for i, bid in enumerate(suite.ids)
            }
            for rule, outcome in outcomes.items():
                target[rule].add(outcome, planted, bands)
    return cell


def _simulated(
    mode: Mode,
    suite: Suite,
    planted: Mapping[str, float],
    rng: np.random.Generator,
    settings: Settings,
    found: Mapping[str, Callable[[Sequence[Run], Sequence[Run], Sequence[str]], anchors.Flags]],
    with_criterion: bool,
) -> dict[str, Outcome]:
    base = [simulate_run(suite, f"base-{k}", rng) for k in range(mode.baseline_runs)]
    cand = [
        simulate_run(suite, f"cand-{k}", rng, factors=planted) for k in range(mode.candidate_runs)
    ]
    noise = None
    if mode.noise_runs:
        aa = [simulate_run(suite, f"aa-{k}", rng) for k in range(mode.noise_runs)]
        noise = NoiseModel.from_runs(aa, estimator=settings.estimator)
    result = compare(base, cand, settings=settings, noise=noise)
    if mode.confirm:

        def make_round(k: int, ids: list[str]) -> tuple[Run, Run]:
            # Interleaved: base and candidate of one benchmark back to back, so no
            # run-wide slow-down is shared between the sides.
            b = simulate_run(suite, f"cb-{k}", rng, shared=0.0, only=ids)
            c = simulate_run(suite, f"cc-{k}", rng, shared=0.0, only=ids, factors=planted)
            return b, c

        return {"vmbench": confirmed_outcome(result, make_round, settings)}
    out = {"vmbench": vmbench_outcome(result)}
    ids = list(suite.ids)
    if with_criterion:
        out["criterion"] = anchor_outcome(anchors.criterion_flags(result), ids)
    for name, rule in found.items():
        out[name] = anchor_outcome(rule(base, cand, ids), ids)
    return out


# --- real runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RealSet:
    """Real runs of one suite: identical-code runs and runs with planted changes."""

    name: str
    runs: Mapping[str, Run]  # label -> run
    identical: tuple[str, ...]  # A/A labels (a1..a6)
    planted_runs: tuple[str, ...]  # labels with the planted changes (p1..p3)
    planted: Mapping[str, float]  # benchmark id -> factor


def _pairs(mode: Mode, real: RealSet) -> list[tuple[list[str], list[str], list[str], bool]]:
    """(baseline labels, candidate labels, noise labels, planted?) for every comparison
    of `mode` that the real runs allow, each run used once per comparison."""
    a, p = list(real.identical), list(real.planted_runs)
    out: list[tuple[list[str], list[str], list[str], bool]] = []
    n = len(a)
    if mode.baseline_runs == 1 and mode.candidate_runs == 1:
        for i in range(n):
            for j in range(i + 1, n):
                others = [x for x in a if x not in (a[i], a[j])][: mode.noise_runs]
                out.append(([a[i]], [a[j]], others, False))
            for q in p:
                others = [a[(i + k) % n] for k in range(1, mode.noise_runs + 1)]
                out.append(([a[i]], [q], others, True))
    elif mode.baseline_runs == 2 and mode.candidate_runs == 1:
        for i in range(n):
            base = [a[i], a[(i + 1) % n]]
            out.append((base, [a[(i + 2) % n]], [], False))
            out.append((base, [p[i % len(p)]], [], True))
    elif mode.baseline_runs == 3 and mode.candidate_runs == 3:
        import itertools

        for combo in itertools.combinations(a, 3):
            rest = [x for x in a if x not in combo]
            if combo[0] == a[0]:  # each split of the six once
                out.append((list(combo), rest, [], False))
            out.append((list(combo), p[:3], [], True))
    return out


def real_cell(
    mode: Mode,
    real: RealSet,
    *,
    settings: Settings | None = None,
    with_anchors: bool = True,
) -> Cell:
    """Every comparison of `mode` the real runs allow, scored against the planted factors.

    Confirmation on real runs uses the recorded runs as rounds: round k pairs the k-th
    identical run with the k-th planted one (or with another identical run for A/A),
    which is what interleaved recording gives (both measured within seconds).
    """
    settings = settings or Settings(resamples=200)
    found = anchors.available() if with_anchors and not mode.confirm else {}
    rules = ["vmbench", *(["criterion"] if with_anchors and not mode.confirm else []), *found]
    cell = Cell(_tallies(rules), _tallies(rules))
    if mode.confirm:
        return _real_confirm(real, settings, cell)
    for base, cand, noise_labels, is_planted in _pairs(mode, real):
        noise = None
        if noise_labels:
            noise = NoiseModel.from_runs(
                [real.runs[x] for x in noise_labels], estimator=settings.estimator
            )
        b_runs = [real.runs[x] for x in base]
        c_runs = [real.runs[x] for x in cand]
        result = compare(b_runs, c_runs, settings=settings, noise=noise)
        planted = real.planted if is_planted else {}
        target = cell.planted if is_planted else cell.aa
        target["vmbench"].add(vmbench_outcome(result), planted)
        ids = [b.id for b in result.benchmarks]
        if "criterion" in target:
            target["criterion"].add(anchor_outcome(anchors.criterion_flags(result), ids), planted)
        for name, rule in found.items():
            target[name].add(anchor_outcome(rule(b_runs, c_runs, ids), ids), planted)
    return cell


def _real_confirm(real: RealSet, settings: Settings, cell: Cell) -> Cell:
    a, p = list(real.identical), list(real.planted_runs)
    half = len(a) // 2
    for is_planted in (False, True):
        first_base = a[0]
        first_cand = p[0] if is_planted else a[half]
        result = compare(real.runs[first_base], real.runs[first_cand], settings=settings)
        base_rounds = a[:half]
        cand_rounds = p if is_planted else a[half:]

        def make_round(
            k: int, ids: list[str], b: list[str] = base_rounds, c: list[str] = cand_rounds
        ) -> tuple[Run, Run]:
            return real.runs[b[k % len(b)]], real.runs[c[k % len(c)]]

        budget = min(len(base_rounds), len(cand_rounds))
        outcome = confirmed_outcome(result, make_round, settings, budget=max(budget, 2))
        target = cell.planted if is_planted else cell.aa
        target["vmbench"].add(outcome, real.planted if is_planted else {})
    return cell
