"""JSON output: `Comparison.to_dict()` (the stable schema), never NaN."""

from __future__ import annotations

import json

from vmbench.compare.result import Comparison


def render_json(comparison: Comparison, *, only_not_stable: bool = False) -> str:
    data = comparison.to_dict()
    if only_not_stable:
        data["benchmarks"] = [b for b in data["benchmarks"] if b["severity"] != "stable"]
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
