"""The latest run against the previous one of the same branch and machine.

Reuses the comparison engine (`vmbench.compare.engine.compare`) on the two runs' raw
samples, with its run-to-run noise model learned from the history: for each benchmark,
the last runs before the previous one, with those before a detected step brought to the
current level, so that an old step does not pass for noise and a false step does not
shorten the window.
Warns when the two runs' machine fingerprints differ (another CPU, OS or compiler).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vmbench.compare.noise import NoiseModel
from vmbench.compare.result import Comparison
from vmbench.errors import UsageError
from vmbench.history.machine import COMPARED_FIELDS, MachineInfo
from vmbench.history.store import load_history, load_run_samples
from vmbench.history.trend import change_points, select_line
from vmbench.model import Run
from vmbench.readers.categories import Categories
from vmbench.settings import Settings, StepSettings

NOISE_RUNS = 30  # at most this many earlier runs per benchmark feed the noise model


@dataclass(frozen=True)
class LatestComparison:
    """The comparison of the latest run with the previous one, and what to watch out for."""

    latest_run: str
    previous_run: str
    latest_commit: str
    previous_commit: str
    comparison: Comparison
    noise_runs: int
    warnings: tuple[str, ...]


def _machine(row: pd.Series) -> MachineInfo:
    return MachineInfo(name=str(row["machine"]), **{f: row[f] for f in COMPARED_FIELDS})


def _only(run: Run, ids: set[str]) -> Run:
    kept = {k: v for k, v in run.benchmarks.items() if k in ids}
    return dataclasses.replace(run, benchmarks=kept)


def _label(row: pd.Series) -> str:
    return f"{row['branch']}@{str(row['commit'])[:10]}"


def noise_frame(history: pd.DataFrame, *, before_run: str, steps: pd.DataFrame) -> pd.DataFrame:
    """Rows (`run`, `id`, `mean_ns`) of the last `NOISE_RUNS` runs of each benchmark before
    `before_run`: input for `NoiseModel.from_frame`.

    Runs before a detected step are brought to the current level (multiplied by each later
    step's after / before ratio) instead of being cut off: cutting at every detected step,
    a false one included, would leave a few runs and understate the noise, while an
    old step left in would pass for noise.
    """
    runs = history.drop_duplicates("run_id").sort_values(["date", "run_id"], kind="stable")
    order = {str(rid): i for i, rid in enumerate(runs["run_id"])}
    # Plain integer positions (the id columns are categoricals, which refuse `<`).
    pos = history["run_id"].astype(str).map(order).to_numpy(dtype=np.int64)
    keep = pos < order[before_run]
    ids = history["id"].astype(str).to_numpy()
    scale = np.ones(len(history))
    if not steps.empty:
        step_pos = steps["run_id"].astype(str).map(order).to_numpy(dtype=np.int64)
        ratio = (steps["after_ns"] / steps["before_ns"]).to_numpy(dtype=np.float64)
        by_id: dict[str, list[tuple[int, float]]] = {}
        for bid, step_at, r in zip(steps["id"].astype(str), step_pos, ratio, strict=True):
            by_id.setdefault(bid, []).append((int(step_at), float(r)))
        for bid, marks in by_id.items():
            rows = ids == bid
            for first_after, factor in marks:
                scale[rows & (pos < first_after)] *= factor
    frame = history.assign(pos=pos, mean_level=history["mean_ns"].to_numpy() * scale)[keep]
    frame = frame.sort_values("pos", kind="stable").groupby("id", observed=True).tail(NOISE_RUNS)
    return pd.DataFrame(
        {
            # Labelled by commit (the noise model lists them); runs of one commit are one code.
            "run": frame["commit"].astype(str).str[:10].to_numpy(),
            "id": frame["id"].astype(str).to_numpy(),
            "mean_ns": frame["mean_level"].to_numpy(),
        }
    )


def latest_vs_previous(
    store: Path,
    *,
    branch: str | None = None,
    machine: str | None = None,
    pattern: str | None = None,
    category: str | None = None,
    settings: Settings | None = None,
    categories: Categories | None = None,
    steps: StepSettings | None = None,
    history: pd.DataFrame | None = None,
) -> LatestComparison:
    """Compare the newest run of a branch and machine with the run before it.

    `pattern` (regex on ids) and `category` narrow the benchmarks as in `select_line`;
    `history` is the store's `load_history` frame when the caller already has it.
    """
    if history is None:
        history = load_history(store, categories=categories)
    line = select_line(history, branch=branch, machine=machine, pattern=pattern, category=category)
    frame = line.history
    runs = frame.drop_duplicates("run_id").sort_values(["date", "run_id"], kind="stable")
    if len(runs) < 2:
        raise UsageError(
            f"branch {line.branch!r} on machine {line.machine!r} has {len(runs)} run(s) "
            "in the history; a comparison needs two"
        )
    latest, previous = runs.iloc[-1], runs.iloc[-2]
    warnings = list(line.notes)
    differences = _machine(previous).differences(_machine(latest))
    if differences:
        warnings.append(
            "machine fingerprints differ between the compared runs ("
            + "; ".join(differences)
            + "): part of any change may be the machine"
        )
    noise_rows = noise_frame(
        frame[frame["run_id"] != latest["run_id"]],
        before_run=str(previous["run_id"]),
        steps=change_points(frame[frame["run_id"] != latest["run_id"]], steps),
    )
    noise = NoiseModel.from_frame(noise_rows) if not noise_rows.empty else None
    if noise is not None and not noise.benchmarks:
        noise = None
    if noise is None:
        warnings.append("fewer than two earlier runs: run-to-run noise unknown")
    from vmbench.compare.engine import compare  # the engine imports scipy's stats on first use

    keep = set(frame["id"].astype(str))
    comparison = compare(
        _only(load_run_samples(store, str(previous["run_id"]), label=_label(previous)), keep),
        _only(load_run_samples(store, str(latest["run_id"]), label=_label(latest)), keep),
        settings=settings,
        noise=noise,
        categories=categories,
    )
    return LatestComparison(
        latest_run=str(latest["run_id"]),
        previous_run=str(previous["run_id"]),
        latest_commit=str(latest["commit"]),
        previous_commit=str(previous["commit"]),
        comparison=comparison,
        noise_runs=int(noise_rows["run"].nunique()) if not noise_rows.empty else 0,
        warnings=tuple(warnings),
    )
