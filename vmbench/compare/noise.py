"""Run-to-run noise: how far a benchmark's mean moves between identical runs.

Samples within one Criterion run sit close together, so a within-run test calls a 5 %
difference between two processes "significant" although it is only the machine. This
module learns, per benchmark, the spread of per-run means over earlier runs of identical
code (A/A runs, or past runs of the same branch on the same runner).

Estimator: `sigma` is the sample standard deviation (ddof = 1) of log(mean_ns) over the
runs that measured the benchmark, i.e. the relative run-to-run noise (0.03 = 3 %). It has
`runs - 1` degrees of freedom. Few runs give a poor per-benchmark estimate (two runs that
agree by luck), so the comparison widens it towards `prior_sigma_for(id)` (the median
sigma of the benchmark's Criterion group, or of the whole model) with
`Settings.noise_prior_df` pseudo degrees of freedom (a moderated variance, as limma does
for gene expression, except that it never narrows a benchmark seen to be noisy). See
`vmbench.compare.verdicts` for how the noise band enters a verdict.

File format history (`schema_version`):
  1 - {"schema_version": 1, "kind": "vmbench-noise-model", "runs": [labels],
       "benchmarks": {id: {"sigma": float, "runs": int, "mean_ns": float}}}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vmbench.atomic import atomic_write_text
from vmbench.errors import InputError, SchemaVersionError
from vmbench.model import Run
from vmbench.readers.jsonfiles import read_json

SCHEMA_VERSION = 1
KIND = "vmbench-noise-model"
GROUP_PRIOR_MIN = 3  # benchmarks of one group needed for a group-level prior


@dataclass(frozen=True)
class BenchmarkNoise:
    """Relative run-to-run noise of one benchmark."""

    id: str
    sigma: float  # sd of log(per-run mean): 0.03 = 3 % run to run
    runs: int  # runs it was learned from; degrees of freedom = runs - 1
    mean_ns: float  # geometric mean of the per-run means, for reference

    @property
    def df(self) -> int:
        return self.runs - 1


@dataclass(frozen=True)
class NoiseModel:
    """Per-benchmark run-to-run noise learned from runs of identical code."""

    benchmarks: Mapping[str, BenchmarkNoise]
    runs: tuple[str, ...] = ()

    @property
    def prior_sigma(self) -> float:
        """Median sigma over all benchmarks (the value few-run estimates shrink towards)."""
        if not self.benchmarks:
            return 0.0
        return float(np.median([b.sigma for b in self.benchmarks.values()]))

    def prior_sigma_for(self, benchmark_id: str) -> float:
        """The sigma a benchmark's few-run estimate is widened towards: the median of its
        Criterion group (the id's first part) when the model holds at least
        `GROUP_PRIOR_MIN` of that group, else `prior_sigma`. Benchmarks of one group share
        their machinery (all lock benchmarks suffer from a busy 2-core machine), so the
        group says more about a benchmark's noise than the whole suite does."""
        group = benchmark_id.split("/", 1)[0]
        members = [b.sigma for b in self.benchmarks.values() if b.id.split("/", 1)[0] == group]
        if len(members) >= GROUP_PRIOR_MIN:
            return float(np.median(members))
        return self.prior_sigma

    def get(self, benchmark_id: str) -> BenchmarkNoise | None:
        return self.benchmarks.get(benchmark_id)

    def describe(self) -> str:
        if not self.benchmarks:
            return "empty noise model"
        return (
            f"run-to-run noise learned from {len(self.runs)} runs "
            f"({', '.join(self.runs)}); median sigma {self.prior_sigma:.2%} "
            f"over {len(self.benchmarks)} benchmarks"
        )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> NoiseModel:
        """Learn from a tidy frame with columns `run`, `id`, `mean_ns` (one row per run).

        This is what the history store provides; benchmarks measured in fewer than two
        runs carry no information about run-to-run noise and are left out.
        """
        missing = {"run", "id", "mean_ns"} - set(frame.columns)
        if missing:
            raise InputError(None, f"noise frame lacks columns {sorted(missing)}")
        good = frame[np.isfinite(frame["mean_ns"]) & (frame["mean_ns"] > 0)]
        good = good.assign(log_mean=np.log(good["mean_ns"].astype(np.float64)))
        # Several rows for one (run, id) would count one run twice: keep their mean.
        per_run = good.groupby(["id", "run"], sort=True)["log_mean"].mean().reset_index()
        grouped = per_run.groupby("id", sort=True)["log_mean"]
        stats = pd.DataFrame(
            {"sigma": grouped.std(ddof=1), "runs": grouped.size(), "centre": grouped.mean()}
        )
        stats = stats[stats["runs"] >= 2]
        benchmarks = {
            str(bid): BenchmarkNoise(
                id=str(bid),
                sigma=float(row.sigma),
                runs=int(row.runs),
                mean_ns=float(math.exp(row.centre)),
            )
            for bid, row in stats.iterrows()
        }
        runs = tuple(dict.fromkeys(str(r) for r in frame["run"]))
        return cls(benchmarks=benchmarks, runs=runs)

    @classmethod
    def from_runs(cls, runs: Sequence[Run]) -> NoiseModel:
        """Learn from loaded runs of identical code (e.g. A/A baselines aa1, aa2, aa3)."""
        rows = [
            {"run": run.label, "id": bid, "mean_ns": bench.mean_ns}
            for run in runs
            for bid, bench in run.benchmarks.items()
        ]
        if not rows:
            return cls(benchmarks={}, runs=tuple(r.label for r in runs))
        model = cls.from_frame(pd.DataFrame(rows))
        return cls(benchmarks=model.benchmarks, runs=tuple(r.label for r in runs))

    # --- serialisation ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "runs": list(self.runs),
            "benchmarks": {
                bid: {
                    "sigma": b.sigma,
                    "runs": b.runs,
                    "mean_ns": b.mean_ns if math.isfinite(b.mean_ns) else None,
                }
                for bid, b in sorted(self.benchmarks.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: Path | str | None = None) -> NoiseModel:
        if not isinstance(data, Mapping) or data.get("kind") != KIND:
            raise InputError(source, "not a vmbench noise model (no kind 'vmbench-noise-model')")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SchemaVersionError(
                source,
                f"noise model schema_version {version!r} is not supported (this vmbench reads "
                f"{SCHEMA_VERSION}); rebuild it with this version of vmbench",
            )
        benchmarks: dict[str, BenchmarkNoise] = {}
        entries = data.get("benchmarks")
        if not isinstance(entries, Mapping):
            raise InputError(source, "noise model 'benchmarks' must be an object")
        for bid, entry in entries.items():
            try:
                sigma = float(entry["sigma"])
                runs = int(entry["runs"])
                raw_mean = entry.get("mean_ns")
                mean_ns = float("nan") if raw_mean is None else float(raw_mean)
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(source, f"noise entry {bid!r} is malformed ({exc})") from None
            if not (math.isfinite(sigma) and sigma >= 0 and runs >= 2):
                raise InputError(source, f"noise entry {bid!r} needs sigma >= 0 and runs >= 2")
            benchmarks[str(bid)] = BenchmarkNoise(str(bid), sigma, runs, mean_ns)
        runs_field = data.get("runs", [])
        labels = tuple(str(r) for r in runs_field) if isinstance(runs_field, list) else ()
        return cls(benchmarks=benchmarks, runs=labels)

    def save(self, path: Path | str) -> None:
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path | str) -> NoiseModel:
        p = Path(path)
        if not p.exists() and not p.is_symlink():
            raise InputError(p, "noise model file not found")
        return cls.from_dict(read_json(p), source=p)
