"""Terminal table: aligned plain text, names escaped and shortened, worst first."""

from __future__ import annotations

from vmbench import escape
from vmbench.compare.result import Comparison
from vmbench.render import cells
from vmbench.render.markdown import settings_line

ID_WIDTH = 60
_HEAD = ("severity", "benchmark", "category", "baseline", "candidate", "change", "95% CI", "p")


def render_table(comparison: Comparison, *, only_not_stable: bool = False) -> str:
    benches = comparison.not_stable() if only_not_stable else comparison.sorted_benchmarks()
    rows = [
        (
            b.severity,
            escape.terminal(b.id, width=ID_WIDTH),
            escape.terminal(b.category, width=20),
            cells.value(b.baseline),
            cells.value(b.candidate),
            cells.change(b),
            cells.change_ci(b),
            cells.pvalue(cells.verdict_p(b)),
        )
        for b in benches
    ]
    lines = [
        f"{comparison.candidate} vs {comparison.baseline}: "
        + escape.terminal(comparison.summary.split(" ", 1)[1])
    ]
    if rows:
        widths = [max(len(r[i]) for r in [_HEAD, *rows]) for i in range(len(_HEAD))]
        numeric = {3, 4, 5, 6, 7}

        def fmt(row: tuple[str, ...]) -> str:
            return "  ".join(
                cell.rjust(w) if i in numeric else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()

        lines += ["", fmt(_HEAD), fmt(tuple("-" * w for w in widths))]
        lines += [fmt(r) for r in rows]
    elif only_not_stable:
        lines.append("nothing to report: every benchmark is stable")
    notes = [b for b in benches if b.note and b.severity != "stable"]
    if notes:
        lines += ["", "notes:"]
        lines += [
            f"  {escape.terminal(b.id, width=ID_WIDTH)}: {escape.terminal(b.note)}" for b in notes
        ]
    suite = cells.suite_line(comparison)
    if suite is not None:
        lines += ["", escape.terminal(suite)]
    lines += ["", escape.terminal(settings_line(comparison))]
    lines += [f"warning: {escape.terminal(w)}" for w in comparison.warnings]
    return "\n".join(lines) + "\n"
