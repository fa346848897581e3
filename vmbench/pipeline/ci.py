"""What the CI workflow decides, as tested library code; the workflow YAML only calls it.

- `gate` picks the runs to compare (the runs manifest `vmbench bench --base-ref` wrote, or
  explicit refs such as the baseline file on main), handles a first run (no baseline:
  a neutral outcome, never a failure), compares, and decides with `vmbench detect`'s exit
  codes: 0 pass, 1 regression at or above `fail_on`, 3 suspected regression that needs
  confirmation (`vmbench bench --confirm` reruns the suspects). After confirmation runs
  (`confirmed=True`) the suspects are compared again with every run; one still
  undecided is "unconfirmed": reported in the comment, not a failure.
  It writes `gate.json`, `comparison.json`, `detect.md` and `suspects.json` into the
  output directory.
- `comment_text` is the pull-request comment (or the issue on a regression on main):
  a hidden marker to find it again, the gate's markdown, the report's status, a link to
  the run, cut to GitHub's size limit at a line boundary.
- `decision` is the job's final word: exit status and the annotation line.

gate.json format history: schema_version 1 (this version; `confirmed_benchmarks`,
`confirm_baseline` and `confirm_candidate` were added later, read as empty when absent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from vmbench.atomic import atomic_write_text
from vmbench.compare.verdicts import FailOn
from vmbench.errors import InputError, SchemaVersionError
from vmbench.pipeline.interleave import RunsManifest
from vmbench.pipeline.runner import exact_filter
from vmbench.readers.jsonfiles import read_json
from vmbench.settings import Settings

SCHEMA_VERSION = 1
COMMENT_MARKER = "<!-- vmbench-report -->"
ISSUE_MARKER = "<!-- vmbench-main-regression -->"
# GitHub refuses comments and issue bodies over 65536 characters; leave room for the note.
COMMENT_LIMIT = 60_000
Status = Literal["pass", "regression", "suspect", "unconfirmed", "no-baseline"]
EXIT_CODES: dict[Status, int] = {
    "pass": 0,
    "regression": 1,
    "suspect": 3,
    "unconfirmed": 0,
    "no-baseline": 0,
}


@dataclass(frozen=True)
class GateOutcome:
    """What the gate decided; serialised as gate.json."""

    status: Status
    exit_code: int
    fail_on: str
    baseline: tuple[str, ...] = ()
    candidate: tuple[str, ...] = ()
    suspects: tuple[str, ...] = ()
    reason: str = ""
    summary: str = ""
    confirmed: bool = False
    # After confirmation: the benchmarks rerun and the confirmation runs of each side.
    confirmed_benchmarks: tuple[str, ...] = ()
    confirm_baseline: tuple[str, ...] = ()
    confirm_candidate: tuple[str, ...] = ()
    schema_version: int = field(default=SCHEMA_VERSION)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> GateOutcome:
        data = read_json(path)
        if not isinstance(data, dict):
            raise InputError(path, "not a vmbench gate file")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise SchemaVersionError(
                path, f"gate file schema_version {data.get('schema_version')!r}; rerun the gate"
            )
        try:
            return cls(
                status=data["status"],
                exit_code=int(data["exit_code"]),
                fail_on=str(data["fail_on"]),
                baseline=tuple(data.get("baseline", ())),
                candidate=tuple(data.get("candidate", ())),
                suspects=tuple(data.get("suspects", ())),
                reason=str(data.get("reason", "")),
                summary=str(data.get("summary", "")),
                confirmed=bool(data.get("confirmed", False)),
                confirmed_benchmarks=tuple(data.get("confirmed_benchmarks", ())),
                confirm_baseline=tuple(data.get("confirm_baseline", ())),
                confirm_candidate=tuple(data.get("confirm_candidate", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(path, f"malformed gate file: {exc}") from None


def gate(
    criterion_dir: Path,
    *,
    output_dir: Path,
    fail_on: FailOn = "medium",
    manifest: Path | None = None,
    baseline: Sequence[str] = (),
    candidate: Sequence[str] = (),
    confirmed: bool = False,
    categories_file: Path | None = None,
    settings: Settings | None = None,
) -> GateOutcome:
    """Compare and decide (see the module docstring); writes the gate's files."""
    from vmbench.compare.refs import compare_refs
    from vmbench.render import render

    output_dir.mkdir(parents=True, exist_ok=True)
    include = None
    compared_baseline: Sequence[str] | None = None
    compared_candidate: Sequence[str] | None = None
    confirmation: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
    reason = ""
    if manifest is not None:
        runs = RunsManifest.from_file(manifest)
        baseline, candidate = runs.runs.baseline, runs.runs.candidate
        reason = runs.first_run or ""
        if confirmed:
            if runs.confirm is None or not runs.confirm.benchmarks:
                raise InputError(
                    manifest, "no confirmation runs listed; run vmbench bench --confirm"
                )
            compared_baseline = (*baseline, *runs.confirm.baseline)
            compared_candidate = (*candidate, *runs.confirm.candidate)
            include = "|".join(f"(?:{exact_filter(i)})" for i in runs.confirm.benchmarks)
            confirmation = (
                tuple(runs.confirm.benchmarks),
                tuple(runs.confirm.baseline),
                tuple(runs.confirm.candidate),
            )
    elif not candidate:
        raise InputError(None, "give a runs manifest or --candidate refs")
    if not baseline or _empty_baseline_file(baseline):
        outcome = GateOutcome(
            status="no-baseline",
            exit_code=0,
            fail_on=fail_on,
            candidate=tuple(candidate),
            reason=reason or "no baseline to compare with yet",
        )
        _write(output_dir / "gate.json", outcome.to_json())
        return outcome
    # After confirmation the suspects are compared with every run; the outcome (and the
    # report) keeps the first runs' refs, which every benchmark has.
    result = compare_refs(
        criterion_dir=criterion_dir,
        baseline=tuple(compared_baseline or baseline),
        candidate=tuple(compared_candidate or candidate),
        settings=settings or Settings(),
        categories_file=categories_file,
        include=include,  # Python's re reads exact_filter's escapes too
    )
    comparison = result.comparison
    suffix = "-confirmed" if confirmed else ""
    _write(output_dir / f"comparison{suffix}.json", render(comparison, "json"))
    _write(output_dir / f"detect{suffix}.md", render(comparison, "markdown", only_not_stable=True))
    from vmbench.compare.confirm import suspects_document

    document = suspects_document(comparison, fail_on)
    suspects = list(document["benchmarks"])
    _write(output_dir / "suspects.json", json.dumps(document, indent=2) + "\n")
    code = comparison.gate(fail_on)  # detect's exit code: 0 pass, 1 regression, 3 confirm
    status: Status
    if code == 1:
        status = "regression"
    elif code == 3:
        status = "unconfirmed" if confirmed else "suspect"
    else:
        status = "pass"
    outcome = GateOutcome(
        status=status,
        exit_code=EXIT_CODES[status],
        fail_on=fail_on,
        baseline=tuple(baseline),
        candidate=tuple(candidate),
        suspects=tuple(suspects),
        summary=str(comparison.summary),
        confirmed=confirmed,
        confirmed_benchmarks=confirmation[0],
        confirm_baseline=confirmation[1],
        confirm_candidate=confirmation[2],
    )
    _write(output_dir / "gate.json", outcome.to_json())
    return outcome


def _empty_baseline_file(refs: Sequence[str]) -> bool:
    """A baseline file `vmbench init` or a first run left empty (`{}`): no baseline yet."""
    for ref in refs:
        path = Path(ref)
        if path.suffix == ".json" and path.is_file():
            try:
                if read_json(path) == {}:
                    return True
            except InputError:
                return False
        elif path.suffix == ".json" and not path.exists():
            return True
    return False


def _write(path: Path, text: str) -> None:
    atomic_write_text(path, text)


_HEADLINES: dict[Status, str] = {
    "pass": "✅ No regression at or above `{fail_on}`.",
    "regression": "🔴 Regression at or above `{fail_on}`.",
    "suspect": "〰️ Suspected regressions, not confirmed yet: {suspects}.",
    "unconfirmed": (
        "〰️ Suspected regressions that confirmation runs could not decide: {suspects}. "
        "Not a failure; rerun the job or look at the report."
    ),
    "no-baseline": "ℹ️ No baseline yet: {reason}. This run's results become the baseline.",
}


def comment_text(
    out_dir: Path,
    *,
    run_url: str,
    report_status: int | None = None,
    kind: Literal["pull-request", "main"] = "pull-request",
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment (or issue body) for the gate's files in `out_dir` (see the docstring)."""
    marker = COMMENT_MARKER if kind == "pull-request" else ISSUE_MARKER
    title = (
        "## vmbench: benchmark comparison"
        if kind == "pull-request"
        else "## vmbench: performance regression on the main branch"
    )
    lines = [marker, title, ""]
    gate_file = out_dir / "gate.json"
    if not gate_file.is_file():
        lines.append("> vmbench could not compare the runs; see the job log.")
    else:
        outcome = GateOutcome.from_file(gate_file)
        suspects = ", ".join(f"`{s}`" for s in outcome.suspects) or "none"
        lines.append(
            _HEADLINES[outcome.status].format(
                fail_on=outcome.fail_on, suspects=suspects, reason=outcome.reason
            )
        )
        if outcome.status != "no-baseline":
            refs = (
                f"baseline {' '.join(outcome.baseline)} · candidate {' '.join(outcome.candidate)}"
            )
            lines += ["", f"<sub>{refs}</sub>"]
        for name in ("detect.md", "detect-confirmed.md"):
            detail = out_dir / name
            if detail.is_file():
                heading = "### Confirmation runs" if "confirmed" in name else ""
                lines += ["", heading] if heading else [""]
                lines.append(detail.read_text(encoding="utf-8").rstrip())
    if report_status not in (None, 0):
        lines += [
            "",
            f"> The regression report failed to build (exit {report_status}); see the job log.",
        ]
    footer = f"Full report (HTML, notebook, JSON): the run's artifacts, [{run_url}]({run_url})."
    return truncate("\n".join([*lines, "", footer]) + "\n", limit=limit, footer=footer)


def truncate(text: str, *, limit: int = COMMENT_LIMIT, footer: str = "") -> str:
    """`text` cut at a line boundary to at most `limit` characters, with a note (and the
    footer kept) when something was cut."""
    if len(text) <= limit:
        return text
    note = f"\n\n… (truncated: the full report is in the run's artifacts)\n\n{footer}\n"
    room = max(0, limit - len(note))
    cut = text.rfind("\n", 0, room)
    return text[: cut if cut > 0 else room] + note


@dataclass(frozen=True)
class Decision:
    exit_code: int
    message: str


def decision(out_dir: Path, *, report_status: int | None = None) -> Decision:
    """The job's final status from the gate's files (see the module docstring)."""
    gate_file = out_dir / "gate.json"
    if not gate_file.is_file():
        return Decision(2, "vmbench could not compare the runs (no gate.json); see the log")
    outcome = GateOutcome.from_file(gate_file)
    if outcome.status == "regression":
        return Decision(1, f"performance regression at or above '{outcome.fail_on}'")
    if outcome.status == "suspect":
        return Decision(1, "suspected regressions were not confirmed (confirmation did not run)")
    if report_status not in (None, 0):
        return Decision(1, f"the regression report failed to build (exit {report_status})")
    return Decision(
        0,
        _HEADLINES[outcome.status].format(
            fail_on=outcome.fail_on,
            suspects=", ".join(outcome.suspects) or "none",
            reason=outcome.reason,
        ),
    )


def report_parameters(
    out_dir: Path, criterion_dir: Path, *, categories_file: Path | None = None
) -> dict[str, object] | None:
    """The regression report's parameters for the runs the gate compared (and, after
    confirmation, the suspects' confirmation runs); None when there was nothing to compare
    (no baseline yet)."""
    outcome = GateOutcome.from_file(out_dir / "gate.json")
    if outcome.status == "no-baseline" or not outcome.baseline:
        return None
    parameters: dict[str, object] = {
        "criterion_dir": str(Path(criterion_dir).resolve()),
        "baseline": list(outcome.baseline),
        "candidate": list(outcome.candidate),
        "noise_runs": [],
    }
    if outcome.confirmed_benchmarks:
        parameters |= {
            "confirm_benchmarks": list(outcome.confirmed_benchmarks),
            "confirm_baseline": list(outcome.confirm_baseline),
            "confirm_candidate": list(outcome.confirm_candidate),
        }
    if categories_file is not None:
        parameters["categories_file"] = str(Path(categories_file).resolve())
    return parameters
