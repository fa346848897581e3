"""Markdown for a pull-request comment.

A one-line verdict, counts with the design document's indicators, a table of what is not
stable (sorted by severity, then size of change), everything else folded in `<details>`,
the thresholds and noise model used, and the warnings. Every name is escaped with
`vmbench.escape.markdown` so it cannot break the table, run HTML or mention anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from vmbench import escape
from vmbench.compare.result import BenchmarkComparison, Comparison
from vmbench.compare.verdicts import INDICATORS, SEVERITIES
from vmbench.render import cells

ID_WIDTH = 120
_COLUMNS = ("", "Benchmark", "Category", "Baseline", "Candidate", "Change", "95% CI", "p", "Note")


def settings_line(comparison: Comparison) -> str:
    s = comparison.settings
    noise = comparison.noise_model or "none (run-to-run noise from the runs given)"
    used = {b.run_level.estimator for b in comparison.benchmarks if b.run_level is not None}
    estimator = (
        f"{s.estimator} ({', '.join(sorted(used))} chosen per benchmark)"
        if s.estimator == "auto"
        else s.estimator
    )
    return (
        f"Thresholds: regression > +{s.regression:.0%} (high > +{s.high:.0%}), improvement "
        f"< -{s.improvement:.0%}; verdicts on the {estimator} of each run (the run is the "
        f"unit), flags at false discovery rate {s.alpha:g} (Benjamini-Hochberg, one-sided per "
        "direction), "
        f"stable only when an equivalence test at {s.alpha:g} puts the change within them; "
        f"means with {s.confidence:.0%} CIs by seeded bootstrap ({s.resamples} resamples); "
        f"noise model: {noise}"
    )


def _row(b: BenchmarkComparison) -> str:
    values = (
        b.indicator,
        escape.markdown(b.id, width=ID_WIDTH),
        escape.markdown(b.category),
        escape.markdown(cells.mean_with_ci(b.baseline)),
        escape.markdown(cells.mean_with_ci(b.candidate)),
        escape.markdown(cells.change(b)),
        escape.markdown(cells.change_ci(b)),
        escape.markdown(cells.pvalue(cells.verdict_p(b))),
        escape.markdown(b.note),
    )
    return "| " + " | ".join(values) + " |"


def _table(benches: Sequence[BenchmarkComparison], budget: list[int]) -> list[str]:
    """Header and rows while the character budget lasts; then one line saying how many
    rows were left out (a GitHub comment holds at most 65,536 characters)."""
    lines = [
        "| " + " | ".join(_COLUMNS) + " |",
        "|" + "|".join(("---", "---", "---", "---:", "---:", "---:", "---:", "---:", "---")) + "|",
    ]
    for shown, b in enumerate(benches):
        row = _row(b)
        if len(row) + 1 > budget[0]:
            lines += ["", f"*{len(benches) - shown} more not shown here: see the JSON output.*"]
            break
        budget[0] -= len(row) + 1
        lines.append(row)
    return lines


MAX_CHARS = 60_000


def render_markdown(
    comparison: Comparison, *, only_not_stable: bool = False, max_chars: int = MAX_CHARS
) -> str:
    counts = comparison.counts
    lines = [
        f"## Benchmarks: {escape.markdown(comparison.candidate)} vs "
        f"{escape.markdown(comparison.baseline)}",
        "",
        f"**{escape.markdown(comparison.summary)}**",
        "",
        " · ".join(f"{INDICATORS[s]} {counts[s]} {s}" for s in SEVERITIES if counts[s])
        or "no benchmarks compared",
        "",
    ]
    suite = cells.suite_line(comparison)
    if suite is not None:
        lines += [escape.markdown(suite), ""]
    budget = [max_chars - 4_000]  # room for the heading, warnings and settings
    flagged = comparison.not_stable()
    stable = [b for b in comparison.sorted_benchmarks() if b.severity == "stable"]
    if flagged:
        lines += [*_table(flagged, budget), ""]
    if stable and not only_not_stable:
        lines += [
            "<details>",
            f"<summary>{len(stable)} stable benchmark(s)</summary>",
            "",
            *_table(stable, budget),
            "",
            "</details>",
            "",
        ]
    if comparison.warnings:
        lines += [f"> - ⚠️ {escape.markdown(w)}" for w in comparison.warnings]
        lines.append("")
    lines += [f"<sub>{escape.markdown(settings_line(comparison))}</sub>", ""]
    return "\n".join(lines)
