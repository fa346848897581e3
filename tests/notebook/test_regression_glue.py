"""The regression notebook's glue (`vmbench.notebook.regression`) on in-memory runs: the
tables and lines it displays say what the verdicts rest on (fast; no kernel)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support.runs import runner_runs
from vmbench.compare.engine import compare
from vmbench.errors import UsageError
from vmbench.model import Run
from vmbench.notebook import regression as vr
from vmbench.readers.categories import Categories
from vmbench.render.display import Bullets, Nothing, Stack, Table
from vmbench.settings import Settings

IDS = [f"vm/b{i}" for i in range(10)]


def _data(base: list[Run], cand: list[Run], settings: Settings | None = None) -> vr.RegressionData:
    return vr.RegressionData(
        comparison=compare(base, cand, settings=settings),
        baseline=tuple(base),
        candidate=tuple(cand),
        noise=None,
        noise_excluded=(),
        categories=Categories.load(None),
        skipped=pd.DataFrame(),
    )


def _sides(runs: int) -> tuple[list[Run], list[Run]]:
    flat = dict.fromkeys(IDS, 1.0)
    cand = flat | {"vm/b1": 1.3, "vm/b2": 0.8}
    return (
        runner_runs("main", flat, runs=runs, seed=1, bench_sigma=0.005, sigma=0.02),
        runner_runs("pr", cand, runs=runs, seed=2, bench_sigma=0.005, sigma=0.02),
    )


def test_settings_lines_state_the_method_and_the_suite_shift() -> None:
    data = _data(*_sides(3), settings=Settings(alpha=0.01, estimator="q10"))
    text = "\n".join(vr.settings_lines(data))
    assert "summarised by its q10 (10th percentile of per-iteration times)" in text
    assert "Benjamini-Hochberg's correction at false discovery rate 0.01" in text
    assert "equivalence test at 0.01 (two one-sided tests: the 98% interval)" in text
    assert "Within-run instability is a note" in text
    assert "Whole suite: " in text
    assert "q-value" not in text


def test_rows_show_the_run_level_change_and_its_adjusted_p() -> None:
    data = _data(*_sides(3))
    rows = vr.benchmark_rows(data.comparison.sorted_benchmarks())
    assert list(rows.columns) == list(vr.COLUMNS)
    assert "q" not in rows.columns
    slow = rows.set_index("benchmark").loc["vm/b1"]
    b1 = data.comparison.get("vm/b1")
    assert b1 is not None
    assert b1.run_level is not None
    assert b1.run_level.ci is not None
    assert slow[vr.CHANGE].startswith(f"{b1.run_level.change:+.1%} [{b1.run_level.ci[0]:+.1%}")
    assert slow["severity"] == "🔴 high"
    assert slow["q (BH)"] == "<0.001"
    forest = vr.forest_frame(data.comparison).set_index("id")
    assert forest.loc["vm/b1", "change"] == b1.run_level.change
    assert forest.loc["vm/b1", "change_ci_low"] == b1.run_level.ci[0]


def test_status_tables_list_inconclusive_not_noisy() -> None:
    one = _data(*_sides(1))  # one run a side: the unchanged are mostly inconclusive
    stack = vr.status_tables(one.comparison)
    titles = [t.title for t in stack.parts if isinstance(t, Table)]
    assert [t.split(" (")[0] for t in titles] == ["new", "removed", "insufficient", "inconclusive"]
    assert f"inconclusive ({one.comparison.counts['inconclusive']})" in titles


def test_suite_section_shows_each_runs_effect() -> None:
    data = _data(*_sides(3))
    section = vr.suite_section(data.comparison)
    assert isinstance(section, Stack)
    bullets, table = section.parts
    assert isinstance(bullets, Bullets)
    assert bullets.items[0].startswith("Whole suite: ")
    assert isinstance(table, Table)
    assert list(table.frame["run"]) == ["main0", "main1", "main2", "pr0", "pr1", "pr2"]
    assert list(table.frame["side"]) == ["baseline"] * 3 + ["candidate"] * 3
    assert "sd of run effects" in table.title
    few = compare(*(runs[:1] for runs in _sides(1)), include="^vm/b[0-3]$")
    assert isinstance(vr.suite_section(few), Nothing)


def test_unknown_estimator_is_a_usage_error(tmp_path: object) -> None:
    with pytest.raises(UsageError, match="estimator must be one of"):
        vr.regression_data(
            criterion_dir=str(tmp_path), baseline="main", candidate="pr", estimator="mode"
        )


def test_raw_samples_are_drawn_for_the_flagged_and_then_the_suspected() -> None:
    three = _data(*_sides(3))
    assert vr.flagged_ids(three.comparison) == ["vm/b1", "vm/b2"]  # high, then improvement
    one = _data(*_sides(1))  # one run a side: nothing flagged, the +30 % one suspected
    assert not any(b.severity in ("high", "medium") for b in one.comparison.benchmarks)
    suspects = [s for s in one.comparison.suspects("medium") if s != "*"]
    assert "vm/b1" in suspects
    assert vr.flagged_ids(one.comparison) == suspects
    assert not isinstance(vr.flagged_distributions(one), Nothing)
