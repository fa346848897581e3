"""`vmbench ci`: the workflow's decisions (gate, comment text, final status) as commands.

The gate runs on the bundled Criterion data (examples/data/criterion): the planted
regression (`pr` against `main` with the identical-code runs `aa1`, `aa2`: the verdicts
flag nothing without replication) fails it, one run a side needs confirmation (exit 3),
an A/A pair never regresses, a first run is neutral.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.criterion_trees import measure_again
from vmbench.cli import main
from vmbench.errors import InputError
from vmbench.pipeline.ci import (
    COMMENT_MARKER,
    ISSUE_MARKER,
    GateOutcome,
    comment_text,
    decision,
    gate,
    report_parameters,
    truncate,
)
from vmbench.pipeline.interleave import RunSet, RunsManifest

ROOT = Path(__file__).resolve().parents[2]
CRITERION = ROOT / "examples" / "data" / "criterion"


@pytest.fixture
def bundled() -> Path:
    if not CRITERION.is_dir():
        pytest.skip(f"bundled example data {CRITERION} is missing")
    return CRITERION


def _manifest(tmp_path: Path, baseline: tuple[str, ...], candidate: tuple[str, ...]) -> Path:
    path = tmp_path / "runs.json"
    runs = RunSet(baseline=baseline, candidate=candidate, benchmarks=())
    path.write_text(RunsManifest(runs=runs).to_json())
    return path


def test_planted_regression_fails_and_names_what_regressed(bundled: Path, tmp_path: Path) -> None:
    # Three base runs against the one candidate run: the planted changes rest on one run,
    # which a contention episode could move as far, so the gate asks for confirmation...
    single = gate(
        bundled,
        output_dir=tmp_path / "single",
        manifest=_manifest(tmp_path, ("main", "aa1", "aa2"), ("pr",)),
    )
    assert (single.status, single.exit_code) == ("suspect", 3)
    # ...and with the candidate measured twice it fails and names them.
    criterion = _confirmation_copy(bundled, tmp_path)
    out = tmp_path / "out"
    manifest = _manifest(tmp_path, ("main", "aa1", "aa2"), ("pr", "confirm-cand-1"))
    outcome = gate(criterion, output_dir=out, manifest=manifest)
    assert set(single.suspects) >= {b for b in outcome.suspects + tuple(_flagged(out)) if b != "*"}
    assert outcome.status == "regression"
    assert outcome.exit_code == 1
    assert GateOutcome.from_file(out / "gate.json") == outcome
    comparison = json.loads((out / "comparison.json").read_text())
    high = [b["id"] for b in comparison["benchmarks"] if b["severity"] == "high"]
    assert high
    text = comment_text(out, run_url="https://example.invalid/run/1")
    assert text.startswith(COMMENT_MARKER)
    assert "🔴 Regression at or above `medium`" in text
    assert "baseline main aa1 aa2 · candidate pr confirm-cand-1" in text
    assert decision(out).exit_code == 1


def test_aa_pair_passes(bundled: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = gate(bundled, output_dir=out, baseline=("aa1",), candidate=("aa2",), fail_on="high")
    assert outcome.exit_code in (0, 3)  # never a regression on identical code
    assert outcome.status != "regression"
    suspects = json.loads((out / "suspects.json").read_text())["benchmarks"]
    assert suspects == list(outcome.suspects)


def test_one_run_a_side_needs_confirmation(bundled: Path, tmp_path: Path) -> None:
    # Without replication the verdicts flag nothing; a suspected regression (the planted
    # ones) asks for confirmation runs: exit 3, and the suspects file names them.
    out = tmp_path / "out"
    outcome = gate(bundled, output_dir=out, baseline=("main",), candidate=("pr",))
    assert (outcome.status, outcome.exit_code) == ("suspect", 3)
    suspects = json.loads((out / "suspects.json").read_text())
    assert suspects["kind"] == "vmbench-suspects"
    assert suspects["benchmarks"] == list(outcome.suspects)
    assert outcome.suspects
    assert decision(out).exit_code == 1  # a suspect that was never confirmed fails the job
    text = comment_text(out, run_url="u")
    assert "Suspected regressions, not confirmed yet" in text


def test_first_run_is_neutral(tmp_path: Path) -> None:
    manifest = tmp_path / "runs.json"
    manifest.write_text(
        RunsManifest(
            runs=RunSet(baseline=(), candidate=("pr-1",), benchmarks=()),
            first_run="the base (abc) has no Cargo.toml at this workspace's path",
        ).to_json()
    )
    out = tmp_path / "out"
    outcome = gate(tmp_path / "criterion-unused", output_dir=out, manifest=manifest)
    assert (outcome.status, outcome.exit_code) == ("no-baseline", 0)
    text = comment_text(out, run_url="u")
    assert "ℹ️ No baseline yet: the base (abc) has no Cargo.toml" in text
    assert "🔴" not in text
    result = decision(out)
    assert result.exit_code == 0
    assert "No baseline yet" in result.message
    assert report_parameters(out, tmp_path) is None


def test_empty_or_missing_baseline_file_on_main_is_a_first_run(tmp_path: Path) -> None:
    empty = tmp_path / "main.json"
    empty.write_text("{}\n")
    for ref in (empty, tmp_path / "absent.json"):
        outcome = gate(
            tmp_path, output_dir=tmp_path / "o", baseline=(str(ref),), candidate=("new",)
        )
        assert outcome.status == "no-baseline"
    text = comment_text(tmp_path / "o", run_url="u", kind="main")
    assert text.startswith(ISSUE_MARKER)


def test_no_gate_file_means_the_comparison_failed(tmp_path: Path) -> None:
    text = comment_text(tmp_path, run_url="u", report_status=1)
    assert "could not compare the runs" in text
    assert "regression report failed to build (exit 1)" in text
    assert decision(tmp_path).exit_code == 2


def test_report_failure_fails_the_job(bundled: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    gate(bundled, output_dir=out, baseline=("aa1",), candidate=("aa2",), fail_on="never")
    assert decision(out, report_status=0).exit_code in (0, 1)
    assert decision(out, report_status=2).exit_code == 1
    parameters = report_parameters(out, bundled)
    assert parameters is not None
    assert parameters["baseline"] == ["aa1"]
    assert parameters["candidate"] == ["aa2"]


def test_truncation_keeps_the_limit_a_line_boundary_and_the_footer() -> None:
    body = "".join(f"| row {i} | {'x' * 50} |\n" for i in range(5000))
    footer = "Full report: [run](u)."
    text = truncate(body + footer, limit=60_000, footer=footer)
    assert len(text) <= 60_000
    assert text.rstrip().endswith(footer)
    assert "truncated" in text
    kept = text.split("\n\n… (truncated")[0]
    assert kept.endswith("|")  # cut after a whole line
    assert truncate("short", limit=10) == "short"


def test_comment_of_a_huge_report_fits_github(tmp_path: Path) -> None:
    (tmp_path / "gate.json").write_text(
        GateOutcome(
            status="regression", exit_code=1, fail_on="medium", baseline=("b",), candidate=("c",)
        ).to_json()
    )
    (tmp_path / "detect.md").write_text("| a | b |\n" * 20_000)
    text = comment_text(tmp_path, run_url="https://x/run")
    assert len(text) <= 60_000
    assert text.startswith(COMMENT_MARKER)
    assert text.rstrip().endswith("[https://x/run](https://x/run).")


def test_bad_gate_file(tmp_path: Path) -> None:
    (tmp_path / "gate.json").write_text('{"schema_version": 1}')
    with pytest.raises(InputError, match="malformed gate file"):
        GateOutcome.from_file(tmp_path / "gate.json")


def test_cli_exit_codes(bundled: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    manifest = _manifest(tmp_path, ("main", "aa1", "aa2"), ("pr", "confirm-cand-1"))
    criterion = _confirmation_copy(bundled, tmp_path)
    args = ["ci", "gate", str(criterion), "--manifest", str(manifest), "--output-dir", str(out)]
    assert runner.invoke(main, args).exit_code == 1
    comment = runner.invoke(
        main,
        [
            "ci",
            "comment",
            "--output-dir",
            str(out),
            "--run-url",
            "u",
            "--output",
            str(tmp_path / "c.md"),
        ],
    )
    assert comment.exit_code == 0, comment.output
    assert (tmp_path / "c.md").read_text().startswith(COMMENT_MARKER)
    decided = runner.invoke(main, ["ci", "decide", "--output-dir", str(out)])
    assert decided.exit_code == 1
    assert decided.output.startswith("::error::performance regression at or above 'medium'")
    bad = runner.invoke(
        main, ["ci", "gate", str(bundled), "--manifest", str(tmp_path / "nope.json")]
    )
    assert bad.exit_code == 2
    assert bad.output.startswith("vmbench: error: ")


def _flagged(out: Path) -> list[str]:
    comparison = json.loads((out / "comparison.json").read_text())
    return [b["id"] for b in comparison["benchmarks"] if b["severity"] in ("high", "medium")]


def _confirmation_copy(bundled: Path, tmp_path: Path) -> Path:
    """The bundled runs plus `confirm-cand-1`: the candidate `pr` measured again, 3 % slower
    (a second run of the same code must not be a byte copy: that would fake agreement)."""
    criterion = tmp_path / "criterion"
    shutil.copytree(bundled, criterion)
    measure_again(criterion, "pr", "confirm-cand-1")
    return criterion


@pytest.mark.slow
def test_a_confirmed_gate_hands_its_confirmation_runs_to_the_report(
    bundled: Path, tmp_path: Path
) -> None:
    # One run a side asks for confirmation; after it, the gate decides the suspects with
    # every run, and the regression report shows those same verdicts (not only the first
    # runs' "cannot tell"), so the report and the job's status agree.
    from vmbench.notebook.regression import confirmation_section, regression_data

    criterion = _confirmation_copy(bundled, tmp_path)
    out = tmp_path / "out"
    first = gate(criterion, output_dir=out, baseline=("main",), candidate=("pr",))
    assert first.status == "suspect"
    manifest = tmp_path / "runs.json"
    manifest.write_text(
        RunsManifest(
            runs=RunSet(baseline=("main",), candidate=("pr",), benchmarks=()),
            confirm=RunSet(
                baseline=("aa1", "aa2"), candidate=("confirm-cand-1",), benchmarks=first.suspects
            ),
        ).to_json()
    )
    final = gate(criterion, output_dir=out, manifest=manifest, confirmed=True)
    assert final.confirmed
    assert final.confirmed_benchmarks == first.suspects
    assert final.confirm_baseline == ("aa1", "aa2")
    assert final.confirm_candidate == ("confirm-cand-1",)
    assert GateOutcome.from_file(out / "gate.json") == final
    parameters = report_parameters(out, criterion)
    assert parameters is not None
    assert parameters["confirm_benchmarks"] == list(first.suspects)
    assert parameters["confirm_candidate"] == ["confirm-cand-1"]

    data = regression_data(**{k: v for k, v in parameters.items() if k != "noise_runs"})
    assert data.confirmation is not None
    gated = json.loads((out / "comparison-confirmed.json").read_text())
    shown = {b.id: b.severity for b in data.confirmation.benchmarks}
    assert shown == {b["id"]: b["severity"] for b in gated["benchmarks"]}
    assert set(shown) == set(first.suspects)
    assert data.confirmation.baseline_runs == ("main", "aa1", "aa2")
    if final.status == "regression":
        assert {"high", "medium"} & set(shown.values())
    section = confirmation_section(data)
    assert "The suspects with every run" in section._repr_markdown_()

    # The notebook itself, as the compare job runs it (papermill, nbconvert).
    result = CliRunner().invoke(main, ["ci", "report", str(criterion), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report" / "regression.json").read_text())
    assert {b["id"]: b["severity"] for b in report["confirmation"]["benchmarks"]} == shown
    markdown = (out / "report" / "regression.md").read_text()
    assert "## Confirmation runs" in markdown
    assert "After confirmation" in markdown


def test_a_report_without_confirmation_says_its_verdicts_are_final(bundled: Path) -> None:
    from vmbench.errors import UsageError
    from vmbench.notebook.regression import confirmation_section, regression_data

    data = regression_data(criterion_dir=bundled, baseline="main", candidate="pr")
    assert data.confirmation is None
    assert "verdicts above are the final ones" in confirmation_section(data)._repr_markdown_()
    with pytest.raises(UsageError, match="confirmation runs on both sides"):
        regression_data(
            criterion_dir=bundled, baseline="main", candidate="pr", confirm_benchmarks=["x"]
        )
