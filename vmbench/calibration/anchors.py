"""The field's own decision rules, scored on the same runs as vmbench's verdicts.

Each anchor gets what it would get in practice: the raw per-iteration samples of each
side (several runs of a side pooled, as a user would feed them) and says, per benchmark,
"regressed", "improved" or nothing.

- **Criterion.rs** (`analysis/compare.rs`, 0.3-0.5): Welch's t-test p < 0.05 on the two
  sample sets, and the 95 % bootstrap interval of the mean change entirely beyond its
  1 % noise threshold. vmbench reproduces it in `vmbench.stats.criterion_verdict`
  (checked against Criterion's own output on real runs), so it needs no package.
- **asv** (`asv compare`, factor 1.1): `asv._stats.is_different` (Mann-Whitney U at
  p < 0.002 when the sample sizes allow it) and the median more than 10 % worse.
- **pyperf** (`pyperf compare_to`): `pyperf._utils.is_significant` (two-sample Student
  t at 95 %) and the mean slower. pyperf's test needs equal sample counts: the longer
  side is cut to the shorter one's length.

asv and pyperf are imported from their PyPI packages (the `calibration` extra); a missing
package leaves its anchor out and says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from vmbench.compare.result import Comparison
from vmbench.model import Run

Flags = dict[str, str]  # benchmark id -> "regressed" | "improved"


def _pooled(runs: Sequence[Run], bid: str) -> np.ndarray | None:
    parts = [r.benchmarks[bid].per_iteration for r in runs if bid in r.benchmarks]
    return np.concatenate(parts) if parts else None


def criterion_flags(result: Comparison) -> Flags:
    out: Flags = {}
    for b in result.benchmarks:
        if b.criterion_verdict in ("regressed", "improved"):
            out[b.id] = b.criterion_verdict
    return out


Verdict = Callable[[np.ndarray, np.ndarray], str | None]


def _flags(base: Sequence[Run], cand: Sequence[Run], ids: Sequence[str], rule: Verdict) -> Flags:
    """`rule` on each benchmark's pooled samples (baseline, candidate), where both exist."""
    out: Flags = {}
    for bid in ids:
        a, b = _pooled(base, bid), _pooled(cand, bid)
        if a is None or b is None:
            continue
        flag = rule(a, b)
        if flag is not None:
            out[bid] = flag
    return out


def _asv(a: np.ndarray, b: np.ndarray, mod: Any) -> str | None:
    ma, mb = float(np.median(a)), float(np.median(b))
    stats_a = {"ci_99_a": -np.inf, "ci_99_b": np.inf}
    different = mod.is_different(list(a), list(b), stats_a, stats_a)
    if different and mb > ma * 1.1:
        return "regressed"
    if different and ma > mb * 1.1:
        return "improved"
    return None


def _pyperf(a: np.ndarray, b: np.ndarray, mod: Any) -> str | None:
    n = min(a.size, b.size)
    significant, _ = mod.is_significant(list(a[:n]), list(b[:n]))
    if not significant:
        return None
    return "regressed" if float(np.mean(b)) > float(np.mean(a)) else "improved"


def available() -> dict[str, Callable[[Sequence[Run], Sequence[Run], Sequence[str]], Flags]]:
    """The package-based anchors that import here (name -> rule)."""
    found: dict[str, Callable[[Sequence[Run], Sequence[Run], Sequence[str]], Flags]] = {}
    try:
        asv_stats = importlib.import_module("asv._stats")
        found["asv"] = lambda b, c, ids: _flags(b, c, ids, lambda x, y: _asv(x, y, asv_stats))
    except ImportError:
        pass
    try:
        pyperf_utils = importlib.import_module("pyperf._utils")
        found["pyperf"] = lambda b, c, ids: _flags(
            b, c, ids, lambda x, y: _pyperf(x, y, pyperf_utils)
        )
    except ImportError:
        pass
    return found
