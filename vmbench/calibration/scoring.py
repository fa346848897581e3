"""Scoring verdicts against what is known to be true (planted changes).

A comparison of identical code (A/A) has no true change: any flag is a false alarm, and
the gate failing (exit 1) is a false gate failure. For each planted benchmark a comparison
says whether it was found (flagged in its direction) and whether it was at least not
called stable (flagged, or `inconclusive` leaning its way). `inconclusive` is counted as
what it is, a non-answer: never as found, never as stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SLOWER = ("high", "medium")


@dataclass(frozen=True)
class Outcome:
    """What one rule said on one comparison: the gate's exit code and, per benchmark,
    a severity and the change it leaned towards (None when it said nothing)."""

    gate: int
    severity: Mapping[str, str]
    leaning: Mapping[str, float | None]


def _label(factor: float) -> str:
    return f"{factor - 1:+.0%}"


@dataclass
class Tally:
    """Counts over many comparisons of one rule, mode and noise level."""

    comparisons: int = 0
    gate_failed: int = 0  # exit 1
    needs_confirmation: int = 0  # exit 3
    false_regressions: int = 0  # unplanted benchmarks flagged high/medium
    false_improvements: int = 0
    unplanted: int = 0
    inconclusive: int = 0  # among unplanted
    planted: dict[float, int] = field(default_factory=dict)
    found: dict[float, int] = field(default_factory=dict)
    in_direction: dict[float, int] = field(default_factory=dict)
    called_stable: dict[float, int] = field(default_factory=dict)

    def add(self, outcome: Outcome, planted: Mapping[str, float]) -> None:
        self.comparisons += 1
        self.gate_failed += outcome.gate == 1
        self.needs_confirmation += outcome.gate == 3
        for bid, severity in outcome.severity.items():
            factor = planted.get(bid)
            if factor is None:
                self.unplanted += 1
                self.false_regressions += severity in SLOWER
                self.false_improvements += severity == "improvement"
                self.inconclusive += severity in ("inconclusive", "insufficient")
                continue
            slower = factor > 1.0
            hit = severity in SLOWER if slower else severity == "improvement"
            lean = outcome.leaning.get(bid)
            leaning = lean is not None and (lean > 0) == slower
            undecided = severity in ("inconclusive", "insufficient")
            self.planted[factor] = self.planted.get(factor, 0) + 1
            self.found[factor] = self.found.get(factor, 0) + hit
            self.in_direction[factor] = self.in_direction.get(factor, 0) + (
                hit or (undecided and leaning)
            )
            self.called_stable[factor] = self.called_stable.get(factor, 0) + (severity == "stable")

    def to_dict(self) -> dict[str, object]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return {
            "comparisons": self.comparisons,
            "gate_fail_share": share(self.gate_failed, self.comparisons),
            "confirmation_share": share(self.needs_confirmation, self.comparisons),
            "false_regressions_per_comparison": share(self.false_regressions, self.comparisons),
            "false_improvements_per_comparison": share(self.false_improvements, self.comparisons),
            "inconclusive_share": share(self.inconclusive, self.unplanted),
            "power": {_label(f): share(self.found[f], n) for f, n in sorted(self.planted.items())},
            "flagged_or_inconclusive_in_direction": {
                _label(f): share(self.in_direction[f], n) for f, n in sorted(self.planted.items())
            },
            "called_stable": {
                _label(f): share(self.called_stable[f], n) for f, n in sorted(self.planted.items())
            },
        }
