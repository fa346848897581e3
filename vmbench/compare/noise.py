"""Run-to-run noise: how far a benchmark's per-run location moves between identical runs.

Learned from runs of identical code (A/A runs, or past runs of the same branch on the same
runner) with the same run-level model the verdicts use (`vmbench.stats.runmodel`): per
run and benchmark the log of the per-run location (`Settings.estimator`); the run effects
(the whole machine slower in one run) are removed with a robust median over benchmarks,
and what is left is each benchmark's own run-to-run variance (`sigma`, with `df`
degrees of freedom). `run_sigma` is the sd of the run effects. A comparison adds these
sums of squares to whatever replication it has itself; the suite-wide prior and the
moderation happen there (`vmbench.stats.runmodel.assess`).

File format history (`schema_version`):
  1 - {"schema_version": 1, "kind": "vmbench-noise-model", "runs": [labels],
       "benchmarks": {id: {"sigma": float, "runs": int, "mean_ns": float}}}
      sigma: sd of log(mean) over the runs, run effects included.
  2 - adds "estimator", "run_sigma" (float|null), "run_df" (int) and per benchmark
      "df" (float) and "location_ns" (geometric mean of the per-run locations);
      sigma is the sd after run effects, for the given estimator. Version 1 files are
      still read (their sigma taken as is, run effects unknown).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vmbench.atomic import atomic_write_text
from vmbench.errors import InputError, SchemaVersionError
from vmbench.model import Run
from vmbench.readers.jsonfiles import read_json
from vmbench.settings import DEFAULT_ESTIMATOR, location_of
from vmbench.stats.location import run_location
from vmbench.stats.runmodel import residual_variance, run_effects

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is built: `vmbench detect` does not need it

SCHEMA_VERSION = 2
KIND = "vmbench-noise-model"


@dataclass(frozen=True)
class BenchmarkNoise:
    """Relative run-to-run noise of one benchmark (after run effects)."""

    id: str
    sigma: float  # sd of log(per-run location): 0.03 = 3 % run to run
    runs: int  # runs it was learned from
    location_ns: float  # geometric mean of the per-run locations, for reference
    df: float  # degrees of freedom behind sigma

    @property
    def mean_ns(self) -> float:  # the name of version 1 files
        return self.location_ns


@dataclass(frozen=True)
class NoiseModel:
    """Per-benchmark run-to-run noise learned from runs of identical code."""

    benchmarks: Mapping[str, BenchmarkNoise]
    runs: tuple[str, ...] = ()
    run_sigma: float | None = None  # sd of the run effects (log); None when unknown
    run_df: int = 0
    estimator: str = DEFAULT_ESTIMATOR

    @property
    def prior_sigma(self) -> float:
        """Median sigma over all benchmarks (for display)."""
        if not self.benchmarks:
            return 0.0
        return float(np.median([b.sigma for b in self.benchmarks.values()]))

    def get(self, benchmark_id: str) -> BenchmarkNoise | None:
        return self.benchmarks.get(benchmark_id)

    def describe(self) -> str:
        if not self.benchmarks:
            return "empty noise model"
        machine = f"; run effects {self.run_sigma:.2%}" if self.run_sigma is not None else ""
        return (
            f"run-to-run noise learned from {len(self.runs)} runs "
            f"({', '.join(self.runs)}); median sigma {self.prior_sigma:.2%} "
            f"over {len(self.benchmarks)} benchmarks ({self.estimator} per run{machine})"
        )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, estimator: str = "mean") -> NoiseModel:
        """Learn from a tidy frame with columns `run`, `id` and `location_ns` (or
        `mean_ns`, then `estimator` should say "mean"), one row per run and benchmark.

        Benchmarks measured in fewer than two runs carry no information about run-to-run
        noise and are left out.
        """
        column = "location_ns" if "location_ns" in frame.columns else "mean_ns"
        missing = {"run", "id", column} - set(frame.columns)
        if missing:
            raise InputError(None, f"noise frame lacks columns {sorted(missing)}")
        values = frame[column].astype(np.float64)
        good = frame[np.isfinite(values) & (values > 0)]
        good = good.assign(log_loc=np.log(good[column].astype(np.float64)))
        # Several rows for one (run, id) would count one run twice: keep their mean.
        wide = good.groupby(["id", "run"], sort=True)["log_loc"].mean().unstack("run")
        labels = tuple(dict.fromkeys(str(r) for r in frame["run"]))
        if wide.empty:
            return cls(benchmarks={}, runs=labels, estimator=estimator)
        y = wide.to_numpy(dtype=np.float64)
        groups = np.zeros(y.shape[1], dtype=np.int64)
        effects = run_effects(y, groups)
        res = residual_variance(y, groups, effects.effects)
        counts = np.isfinite(y).sum(axis=1)
        centre = np.nanmean(y, axis=1)
        benchmarks = {
            str(bid): BenchmarkNoise(
                id=str(bid),
                sigma=float(math.sqrt(res.s2[i])),
                runs=int(counts[i]),
                location_ns=float(math.exp(centre[i])),
                df=float(res.df[i]),
            )
            for i, bid in enumerate(wide.index)
            if counts[i] >= 2 and math.isfinite(float(res.s2[i]))
        }
        run_sigma = math.sqrt(effects.tau2) if effects.tau2 is not None else None
        return cls(
            benchmarks=benchmarks,
            runs=labels,
            run_sigma=run_sigma,
            run_df=effects.df,
            estimator=estimator,
        )

    @classmethod
    def from_runs(cls, runs: Sequence[Run], *, estimator: str = DEFAULT_ESTIMATOR) -> NoiseModel:
        """Learn from loaded runs of identical code (e.g. A/A baselines aa1, aa2, aa3).

        `auto` (a per-benchmark choice that needs the compared runs) learns the noise of
        its first candidate (`vmbench.settings.location_of`); the comparison then uses
        that estimator for every benchmark, as the variances hold for it only.
        """
        estimator = location_of(estimator)
        rows = [
            {
                "run": run.label,
                "id": bid,
                "location_ns": run_location(bench.per_iteration, estimator),
            }
            for run in runs
            for bid, bench in run.benchmarks.items()
        ]
        if not rows:
            return cls(benchmarks={}, runs=tuple(r.label for r in runs), estimator=estimator)
        import pandas as pd

        model = cls.from_frame(pd.DataFrame(rows), estimator=estimator)
        return cls(
            benchmarks=model.benchmarks,
            runs=tuple(r.label for r in runs),
            run_sigma=model.run_sigma,
            run_df=model.run_df,
            estimator=estimator,
        )

    # --- serialisation ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "estimator": self.estimator,
            "runs": list(self.runs),
            "run_sigma": self.run_sigma,
            "run_df": self.run_df,
            "benchmarks": {
                bid: {
                    "sigma": b.sigma,
                    "df": b.df,
                    "runs": b.runs,
                    "location_ns": b.location_ns if math.isfinite(b.location_ns) else None,
                }
                for bid, b in sorted(self.benchmarks.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: Path | str | None = None) -> NoiseModel:
        if not isinstance(data, Mapping) or data.get("kind") != KIND:
            raise InputError(source, "not a vmbench noise model (no kind 'vmbench-noise-model')")
        version = data.get("schema_version")
        if version not in (1, SCHEMA_VERSION) or isinstance(version, bool):
            raise SchemaVersionError(
                source,
                f"noise model schema_version {version!r} is not supported (this vmbench reads "
                f"1 and {SCHEMA_VERSION}); rebuild it with this version of vmbench",
            )
        benchmarks: dict[str, BenchmarkNoise] = {}
        entries = data.get("benchmarks")
        if not isinstance(entries, Mapping):
            raise InputError(source, "noise model 'benchmarks' must be an object")
        for bid, entry in entries.items():
            try:
                sigma = float(entry["sigma"])
                runs = int(entry["runs"])
                raw = entry.get("location_ns", entry.get("mean_ns"))
                location = float("nan") if raw is None else float(raw)
                df = float(entry.get("df", runs - 1))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise InputError(source, f"noise entry {bid!r} is malformed ({exc})") from None
            if not (math.isfinite(sigma) and sigma >= 0 and runs >= 2):
                raise InputError(source, f"noise entry {bid!r} needs sigma >= 0 and runs >= 2")
            if not (math.isfinite(df) and 0 < df < runs):
                raise InputError(source, f"noise entry {bid!r} needs 0 < df < runs")
            benchmarks[str(bid)] = BenchmarkNoise(str(bid), sigma, runs, location, df)
        runs_field = data.get("runs", [])
        labels = tuple(str(r) for r in runs_field) if isinstance(runs_field, list) else ()
        run_sigma, run_df = data.get("run_sigma"), data.get("run_df", 0)
        ok_sigma = run_sigma is None or (
            isinstance(run_sigma, int | float) and math.isfinite(run_sigma) and run_sigma >= 0
        )
        if not ok_sigma or not isinstance(run_df, int) or isinstance(run_df, bool) or run_df < 0:
            raise InputError(source, "noise model run_sigma/run_df are malformed")
        estimator = str(data.get("estimator", "mean"))
        return cls(
            benchmarks=benchmarks,
            runs=labels,
            run_sigma=float(run_sigma) if run_sigma is not None else None,
            run_df=run_df if run_sigma is not None else 0,
            estimator=estimator,
        )

    def save(self, path: Path | str) -> None:
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path | str) -> NoiseModel:
        p = Path(path)
        if not p.exists() and not p.is_symlink():
            raise InputError(p, "noise model file not found")
        return cls.from_dict(read_json(p), source=p)
