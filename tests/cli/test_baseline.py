"""`vmbench baseline update` and `vmbench baseline show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmbench.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tree(write_bench, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    write_bench("jit/tier1", iters=[1.0, 2.0], times=[1_550_000.0, 3_100_000.0], baseline="main")
    write_bench("gc/minor", iters=[10.0, 20.0], times=[520.0, 1040.0], baseline="main")
    return tmp_path / "criterion"


def test_update_writes_the_design_documents_format(tree: Path, tmp_path: Path) -> None:
    file = tmp_path / "benches" / "baselines" / "main.json"
    code, out, _ = _run(
        "baseline",
        "update",
        str(tree),
        "--from",
        "main",
        "--file",
        str(file),
        "--date",
        "2025-12-28",
    )
    assert code == 0
    assert "wrote 2 entries" in out
    data = json.loads(file.read_text())
    assert data["jit/tier1"] == {"value": 1.55, "unit": "ms", "date": "2025-12-28"}
    assert data["gc/minor"] == {"value": 52.0, "unit": "ns", "date": "2025-12-28"}


def test_update_keeps_descriptions_and_entries_it_does_not_measure(
    tree: Path, tmp_path: Path
) -> None:
    file = tmp_path / "main.json"
    file.write_text(
        json.dumps(
            {
                "jit/tier1": {"value": 9, "unit": "ms", "description": "Tier 1 compile"},
                "snapshot/ratio": {"value": 3.1, "unit": "ratio", "description": "compression"},
            }
        )
    )
    code, _, _ = _run(
        "baseline",
        "update",
        str(tree),
        "--from",
        "main",
        "--file",
        str(file),
        "--date",
        "2026-01-02",
    )
    assert code == 0
    data = json.loads(file.read_text())
    assert data["jit/tier1"]["description"] == "Tier 1 compile"
    assert data["jit/tier1"]["value"] == 1.55
    assert data["snapshot/ratio"]["value"] == 3.1
    assert set(data) == {"jit/tier1", "gc/minor", "snapshot/ratio"}
    code, _, _ = _run(
        "baseline", "update", str(tree), "--from", "main", "--file", str(file), "--drop-missing"
    )
    assert "snapshot/ratio" not in json.loads(file.read_text())


def test_show_lists_entries(tree: Path, tmp_path: Path) -> None:
    file = tmp_path / "main.json"
    _run(
        "baseline",
        "update",
        str(tree),
        "--from",
        "main",
        "--file",
        str(file),
        "--date",
        "2025-12-28",
    )
    code, out, _ = _run("baseline", "show", "--file", str(file))
    assert code == 0
    assert "jit/tier1" in out
    assert "1.55 ms" in out
    assert "2025-12-28" in out
    code, out, _ = _run("baseline", "show", "--file", str(file), "--format", "json")
    assert json.loads(out)["jit/tier1"]["value"] == pytest.approx(1_550_000.0)


def test_compare_against_the_baseline_file_uses_thresholds(
    tree: Path, tmp_path: Path, write_bench
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "main.json"
    _run("baseline", "update", str(tree), "--from", "main", "--file", str(file))
    write_bench("jit/tier1", iters=[1.0, 2.0], times=[2_000_000.0, 4_000_000.0], baseline="new")
    write_bench("gc/minor", iters=[10.0, 20.0], times=[520.0, 1040.0], baseline="new")
    code, out, _ = _run(
        "detect", str(tree), "--baseline", str(file), "--candidate", "new", "--format", "json"
    )
    assert code == 1
    data = json.loads(out)
    (tier1,) = data["benchmarks"]
    assert tier1["severity"] == "high"
    assert tier1["p_value"] is None
    assert "no significance test" in tier1["note"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["update", "--from", "nope"], "'nope' is neither a baseline"),
        (["update", "--from", "main", "--date", "yesterday"], "not a date"),
        (["show", "--file", "/nonexistent/main.json"], "/nonexistent/main.json"),
    ],
)
def test_bad_input_exits_2(tree: Path, args: list[str], message: str) -> None:
    extra = [str(tree)] if args[0] == "update" else []
    code, _, err = _run("baseline", args[0], *extra, *args[1:])
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_bad_baseline_file_entry_is_skipped_with_a_warning(tmp_path: Path) -> None:
    file = tmp_path / "main.json"
    file.write_text(json.dumps({"ok": {"value": 1, "unit": "ms"}, "bad": {"unit": "ms"}}))
    code, out, err = _run("baseline", "show", "--file", str(file))
    assert code == 0
    assert "ok" in out
    assert "vmbench: warning: skipped" in err
    assert "bad" in err
