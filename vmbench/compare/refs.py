"""Compare runs named by REFs (baseline names, other directories, files): load, then compare.

This is what `vmbench compare`/`detect` and the notebooks call; `vmbench.compare.engine.compare`
stays pure (no I/O). Skipped benchmarks of every loaded run are returned so that callers
can list them (the CLI prints one warning line each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.errors import InputError, Skipped, UsageError
from vmbench.model import Run
from vmbench.readers.categories import Categories
from vmbench.readers.criterion import shared_scans
from vmbench.readers.refs import load_ref
from vmbench.settings import DEFAULT_ESTIMATOR, Settings


@dataclass(frozen=True)
class RefComparison:
    """A comparison, the runs it was made from and what was skipped while loading them."""

    comparison: Comparison
    skipped: tuple[Skipped, ...]
    runs: tuple[Run, ...]  # baseline, candidate and noise runs, in that order
    noise: NoiseModel | None  # the model used (learned from --noise runs, or loaded)
    baseline_runs: tuple[Run, ...]
    candidate_runs: tuple[Run, ...]
    noise_excluded: tuple[str, ...]  # --noise runs left out because they are compared
    categories: Categories


def require_usable(role: str, runs: Sequence[Run]) -> None:
    """InputError, naming the first skipped file, when a run has no usable benchmark:
    a comparison must never report "all removed, no regression" on unreadable data."""
    for run in runs:
        if len(run) == 0:
            first = f"; first: {run.skipped[0]}" if run.skipped else ""
            raise InputError(
                run.source,
                f"nothing usable in the {role} run {run.label!r} "
                f"({len(run.skipped)} skipped{first})",
            )


def load_refs(refs: Sequence[str], *, criterion_dir: Path) -> list[Run]:
    """Load every REF; the same REF twice is an error (it would fake a second run)."""
    seen = [r for i, r in enumerate(refs) if r in refs[:i]]
    if seen:
        raise UsageError(f"run {seen[0]!r} given twice; several runs per side must differ")
    return [load_ref(ref, criterion_dir=criterion_dir) for ref in refs]


def load_noise_model(
    *,
    noise_refs: Sequence[str],
    noise_model_file: Path | None,
    criterion_dir: Path,
    compared: Sequence[str] = (),
    estimator: str = DEFAULT_ESTIMATOR,
) -> tuple[NoiseModel | None, list[Run], tuple[str, ...]]:
    """The noise model from A/A runs (`noise_refs`) or a saved model file (`noise_model_file`).

    A noise run that is itself compared is left out (its difference would count as noise,
    which is circular) and returned in the third item; when fewer than two runs remain
    there is no noise model.
    """
    if noise_refs and noise_model_file is not None:
        raise UsageError(
            "give either noise runs or a noise model file, not both", parameter="noise_refs"
        )
    if noise_model_file is not None:
        return NoiseModel.load(noise_model_file), [], ()
    if not noise_refs:
        return None, [], ()
    if len(noise_refs) < 2:
        raise UsageError(
            "at least two runs of identical code are needed to learn the noise from",
            parameter="noise_refs",
        )
    excluded = tuple(r for r in noise_refs if r in compared)
    usable = [r for r in noise_refs if r not in compared]
    if len(usable) < 2:
        return None, [], excluded
    runs = load_refs(usable, criterion_dir=criterion_dir)
    return NoiseModel.from_runs(runs, estimator=estimator), runs, excluded


def compare_refs(
    *,
    criterion_dir: Path,
    baseline: Sequence[str],
    candidate: Sequence[str],
    settings: Settings | None = None,
    noise_refs: Sequence[str] = (),
    noise_model_file: Path | None = None,
    categories_file: Path | None = None,
    include: str | None = None,
    exclude: str | None = None,
) -> RefComparison:
    """Load the runs REFs name and compare them; nothing in common is an error."""
    overlap = sorted(set(baseline) & set(candidate))
    if overlap:
        raise UsageError(f"{overlap[0]!r} is on both sides of the comparison")
    with shared_scans():  # the runs usually share one tree: walk it once, not per run
        base_runs = load_refs(baseline, criterion_dir=criterion_dir)
        cand_runs = load_refs(candidate, criterion_dir=criterion_dir)
        require_usable("baseline", base_runs)
        require_usable("candidate", cand_runs)
        noise, noise_runs, noise_excluded = load_noise_model(
            noise_refs=noise_refs,
            noise_model_file=noise_model_file,
            criterion_dir=criterion_dir,
            compared=[*baseline, *candidate],
            estimator=(settings or Settings()).estimator,
        )
    categories = Categories.load(categories_file)
    result = compare(
        base_runs,
        cand_runs,
        settings=settings,
        noise=noise,
        categories=categories,
        include=include,
        exclude=exclude,
    )
    if not result.benchmarks:
        what = " after --filter/--exclude" if include or exclude else ""
        raise UsageError(f"no benchmarks to compare{what}")
    runs = (*base_runs, *cand_runs, *noise_runs)
    skipped = tuple(s for run in runs for s in run.skipped)
    return RefComparison(
        comparison=result,
        skipped=skipped,
        runs=runs,
        noise=noise,
        baseline_runs=tuple(base_runs),
        candidate_runs=tuple(cand_runs),
        noise_excluded=noise_excluded,
        categories=categories,
    )
