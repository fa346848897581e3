"""Renderers of a Comparison: golden markdown and table, JSON/CSV faithful to the data,
hostile names escaped. Regenerate goldens with VMBENCH_UPDATE_GOLDEN=1 (then review)."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import numpy as np
import pytest

from tests.support.paths import TEST_DATA
from tests.support.runs import bench, run
from vmbench.compare.engine import compare
from vmbench.compare.result import Comparison
from vmbench.compare.verdicts import SEVERITIES
from vmbench.model import Metric, Run
from vmbench.render import FORMATS, render

GOLDEN = TEST_DATA / "compare" / "golden"
HOSTILE = "<script>alert(1)</script> | @user `x`\n\u202e"


def _comparison() -> Comparison:
    """Two runs a side of eleven timed benchmarks (so the run-to-run noise is measured and
    the suite shift can be removed) plus point metrics: every severity appears."""
    rng = np.random.default_rng(42)

    def samples(level: float) -> np.ndarray:
        return level * rng.lognormal(0.0, 0.03, size=40)

    timed = {  # id -> (baseline level, candidate factor)
        "jit/tier1_compile": (1_550_000, 1.32),
        "jit/tier2_compile": (4_200_000, 1.0),
        "gc/minor": (52_000, 1.14),
        "gc/major": (800_000, 0.80),
        "memory/alloc/1024": (120, 1.0),
        "memory/alloc/4096": (410, 1.0),
        "vm/dispatch": (2_000, 1.0),
        "vm/decode": (9_000, 1.0),
        HOSTILE: (1000, 1.5),
    }
    # tlb/flaky moves +-12 % run to run on its own: it cannot be decided from two runs.
    flaky = {"main": (0.88, 1.12), "pr": (1.14, 0.90)}
    metrics = {
        "main": [
            Metric("jit/code_size", 1000.0, "bytes"),
            Metric("tlb/hit_rate", 95.0, "%", "higher"),
            Metric("tlb/misses", 0.0, "count"),
        ],
        "pr": [
            Metric("jit/code_size", 1120.0, "bytes"),
            Metric("tlb/hit_rate", 96.0, "%", "higher"),
            Metric("tlb/misses", 3.0, "count"),
        ],
    }

    def side(name: str, k: int) -> Run:
        factor = (lambda f: 1.0) if name == "main" else (lambda f: f)
        only = "memory/removed_one" if name == "main" else "memory/new_one"
        few = [10.0, 11.0, 12.0] if name == "main" else [30.0, 31.0, 32.0]
        return run(
            f"{name}{k}",
            [
                *(bench(bid, samples(level * factor(f))) for bid, (level, f) in timed.items()),
                bench(only, samples(300)),
                bench("tlb/few", few),
                bench("tlb/flaky", samples(700 * flaky[name][k])),
            ],
            metrics[name],
        )

    return compare([side("main", 0), side("main", 1)], [side("pr", 0), side("pr", 1)])


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VMBENCH_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_markdown_golden() -> None:
    _golden("comparison.md", render(_comparison(), "markdown"))


def test_table_golden() -> None:
    _golden("comparison.txt", render(_comparison(), "table"))
    _golden("detect.txt", render(_comparison(), "table", only_not_stable=True))


def test_markdown_structure() -> None:
    text = render(_comparison(), "markdown")
    lines = text.splitlines()
    assert lines[2].startswith("**🔴 Performance regression")
    assert "🔴 3 high" in text
    assert "❓ 2 inconclusive" in text
    assert "❔ 1 insufficient" in text
    assert "🟡" in text
    assert "🟢" in text
    rows = [ln for ln in lines if ln.startswith("| ")]
    header_cells = len(re.findall(r"(?<!\\)\|", rows[0]))
    for row in rows:  # no name can add or remove a column
        assert len(re.findall(r"(?<!\\)\|", row)) == header_cells, row
    assert "<script>" not in text
    assert "@user" not in text
    assert "<details>" in text
    assert "</details>" in text
    flagged, folded = text.split("<details>")
    assert "jit/tier1\\_compile" in flagged
    assert "jit/tier2\\_compile" in flagged  # inconclusive is never folded with the stable
    assert "vm/decode" in folded  # stable: folded
    assert "Thresholds: regression &gt; +10%" in text
    assert "from replicate runs" in text  # what each verdict rests on
    assert "Whole suite: +" in text
    assert "Benjamini-Hochberg" in text


def test_markdown_rows_are_sorted_by_severity_then_size() -> None:
    comparison = _comparison()
    order = [b.id for b in comparison.not_stable()]
    assert order[:3] == ["tlb/few", HOSTILE, "jit/tier1_compile"]  # +200 %, +50 %, +32 %
    severities = [b.severity for b in comparison.not_stable()]
    assert severities[:3] == ["high", "high", "high"]
    assert severities[3:] == sorted(severities[3:], key=SEVERITIES.index)


def test_json_is_the_comparisons_dict() -> None:
    comparison = _comparison()
    data = json.loads(render(comparison, "json"))
    assert data == json.loads(json.dumps(comparison.to_dict()))
    only = json.loads(render(comparison, "json", only_not_stable=True))
    assert all(b["severity"] != "stable" for b in only["benchmarks"])
    assert only["counts"] == data["counts"]


def test_csv_has_one_row_per_benchmark_and_safe_cells() -> None:
    comparison = _comparison()
    rows = list(csv.DictReader(io.StringIO(render(comparison, "csv"))))
    assert len(rows) == len(comparison.benchmarks)
    ids = {r["id"] for r in rows}
    assert "jit/tier1_compile" in ids
    hostile = next(r for r in rows if "script" in r["id"])
    assert "\n" not in hostile["id"]
    assert "\u202e" not in hostile["id"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_metrics_and_point_values(fmt: str) -> None:
    text = render(_comparison(), fmt)  # type: ignore[arg-type]
    assert "code" in text
    assert "hit" in text


def test_table_escapes_terminal_controls() -> None:
    text = render(_comparison(), "table")
    assert "\u202e" not in text
    assert "\x1b" not in text
    assert "<script>alert(1)</script> | @user `x` \\u202e" in text


def test_markdown_stays_within_a_github_comment() -> None:
    rng = np.random.default_rng(3)
    ids = [f"memory/alloc/{'x' * 40}/{i}" for i in range(3000)]
    base = run("main", [bench(i, rng.lognormal(0, 0.02, 20)) for i in ids])
    cand = run(
        "pr",
        [bench(i, rng.lognormal(0, 0.02, 20) * (1.3 if n < 5 else 1)) for n, i in enumerate(ids)],
    )
    comparison = compare(base, cand)
    text = render(comparison, "markdown")
    assert len(text) <= 60_000
    assert "more not shown here" in text
    # One run a side flags nothing: the five slowed ones are suspected regressions, and
    # what is not stable comes first, so all of them are there.
    slowed = ids[:5]
    assert set(slowed) <= set(comparison.suspects("medium"))
    for bid in slowed:
        assert f"| ❓ | {bid} |" in text
