"""Reports on partly broken data: the skipped files are listed, nothing usable fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.paths import REPO, TEST_DATA
from vmbench.errors import InputError
from vmbench.notebook.category import category_data
from vmbench.notebook.common import skipped_table
from vmbench.notebook.regression import regression_data, regression_summary

BAD = TEST_DATA / "bad"


def _tree(tmp_path: Path, case: str, *, good: bool) -> Path:
    tree = tmp_path / "criterion"
    shutil.copytree(BAD / case / "criterion", tree)
    if good:
        shutil.copytree(BAD / "_good" / "criterion", tree, dirs_exist_ok=True)
    return tree


def test_regression_data_lists_what_was_skipped(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "truncated_sample_json", good=True)
    data = regression_data(criterion_dir=tree, baseline="base", candidate="new")
    assert [b.id for b in data.comparison.benchmarks] == ["good/ok"]
    table = skipped_table(data.skipped, criterion_dir=tree)
    assert sorted(table.frame["file"]) == ["bad/x/base/sample.json", "bad/x/new/sample.json"]
    markdown = table._repr_markdown_()
    assert re.search(
        r"\| new \| bad/x/new/sample\.json \|  \| invalid JSON \(truncated\?\)", markdown
    )
    assert "invalid JSON" in table._repr_html_()
    summary = regression_summary(data)
    assert {s["path"] for s in summary["skipped"]} == {
        str(tree / "bad" / "x" / side / "sample.json") for side in ("base", "new")
    }


def test_nothing_usable_is_an_error_with_the_first_reason(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "all_bad", good=False)
    reason = r"nothing usable in the baseline run 'base' \(2 skipped; first: .*sample\.json: "
    with pytest.raises(InputError, match=reason):
        regression_data(criterion_dir=tree, baseline="base", candidate="new")
    with pytest.raises(InputError, match=reason):
        category_data(criterion_dir=tree, baseline="base", candidate="new", category="bad")


def test_trend_report_lists_a_skipped_run_file(tmp_path: Path) -> None:
    from vmbench.notebook.trend import headline, skipped_table, trend_data, trend_summary

    store = tmp_path / "history"
    shutil.copytree(REPO / "examples" / "data" / "history", store)
    (store / "20260101T000000Z-garbage-00000000.parquet").write_text("junk\n")
    data = trend_data(history_dir=store, window_days=4.0)
    assert data.report.runs == 8  # h01..h08 still analysed
    table = skipped_table(data)
    assert table.frame["file"].tolist() == ["20260101T000000Z-garbage-00000000.parquet"]
    assert table.frame["reason"].str.startswith("cannot read history file").all()
    assert any("1 run file(s)" in line for line in headline(data).details)
    assert trend_summary(data)["skipped"][0]["path"].endswith("garbage-00000000.parquet")
