"""`shared_scans`: loads inside the block walk each Criterion tree once, with the same
result as separate walks; outside it every load walks the tree again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import TEST_DATA
from vmbench.model import Run
from vmbench.readers import criterion
from vmbench.readers.criterion import list_baselines, load_criterion, shared_scans
from vmbench.readers.refs import load_ref

TREE = TEST_DATA / "loaders" / "criterion"


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    walked: list[Path] = []
    real = criterion._walk

    def counting(root: Path) -> criterion._Scan:
        walked.append(root)
        return real(root)

    monkeypatch.setattr(criterion, "_walk", counting)
    return walked


def _summary(run: Run) -> list[tuple[str, str, list[float]]]:
    return [(b.id, str(b.source), b.times.tolist()) for b in run.benchmarks.values()]


def test_one_walk_per_tree_inside_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    separate = [load_ref(name, criterion_dir=TREE) for name in list_baselines(TREE)]
    walked = _count_walks(monkeypatch)
    with shared_scans():
        shared = [load_ref(name, criterion_dir=TREE) for name in list_baselines(TREE)]
    assert walked == [TREE]
    assert [_summary(r) for r in shared] == [_summary(r) for r in separate]
    assert [r.skipped for r in shared] == [r.skipped for r in separate]


def test_outside_the_block_a_changed_tree_is_seen(write_bench, tmp_path: Path) -> None:
    root = tmp_path / "criterion"
    write_bench("g/one")
    with shared_scans():
        assert load_criterion(root).ids == ["g/one"]
        write_bench("g/two")
        assert load_criterion(root).ids == ["g/one"]  # the block's walk is reused
    assert load_criterion(root).ids == ["g/one", "g/two"]
