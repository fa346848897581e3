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
# Bands of a planted benchmark's own run-to-run sd (simulations know it): how power
# depends on the noise of the benchmark that changed, not only on the suite's typical
# noise. "variable work" benchmarks (GC, contended locks) are a band of their own.
SIGMA_BANDS: tuple[tuple[str, float, float], ...] = (
    ("< 3 %", 0.0, 0.03),
    ("3-6 %", 0.03, 0.06),
    ("6-10 %", 0.06, 0.10),
    (">= 10 %", 0.10, float("inf")),
)
VARIABLE_BAND = "variable work"


def sigma_band(sigma: float, variable: bool) -> str:
    if variable:
        return VARIABLE_BAND
    return next(name for name, lo, hi in SIGMA_BANDS if lo <= sigma < hi)


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
    # band -> factor -> [planted, found], where the planted benchmarks' bands are known
    by_band: dict[str, dict[float, list[int]]] = field(default_factory=dict)

    def add(
        self,
        outcome: Outcome,
        planted: Mapping[str, float],
        bands: Mapping[str, str] | None = None,
    ) -> None:
        """Count one comparison; `bands` gives planted benchmarks' noise bands (sim only)."""
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
            if bands is not None and bid in bands:
                cell = self.by_band.setdefault(bands[bid], {}).setdefault(factor, [0, 0])
                cell[0] += 1
                cell[1] += hit

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
            "power_by_sigma": {
                band: {
                    _label(f): {"planted": n, "power": share(hit, n)}
                    for f, (n, hit) in sorted(cells.items())
                }
                for band, cells in sorted(self.by_band.items(), key=lambda kv: _band_order(kv[0]))
            },
        }


def _band_order(band: str) -> int:
    names = [name for name, _lo, _hi in SIGMA_BANDS] + [VARIABLE_BAND]
    return names.index(band) if band in names else len(names)
