"""Deep-dive computations for one category of benchmarks (the category report).

All functions take a samples frame (`vmbench.readers.frames.samples_frame`, one row per raw
Criterion sample) and return tidy frames or frozen results; the notebook only displays.

- `distributions`: per (run, benchmark) sample summaries and Tukey outlier counts
  (Criterion's fences: 1.5 and 3 IQR, from `vmbench.stats`);
- `outlier_samples`: the individual samples outside the fences, classified;
- `slope_fits`: Criterion's linear-regression estimate: total time against iteration
  count, least squares through the origin (slope = sum(x*y) / sum(x*x)), with R^2;
- `throughputs`: bytes or elements per second where Criterion recorded a `Throughput`;
- `scaling`: parameterized benchmarks (`memory/alloc/1024 ... 16384`) as log-log series
  with the fitted exponent (OLS of log time on log parameter) and its 95 % interval;
- `geomean_change`: the category's geometric-mean change, candidate against baseline,
  with a seeded hierarchical bootstrap interval (runs, then samples within a run), so
  several runs per side widen the interval by their run-to-run spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from vmbench import stats
from vmbench.errors import UsageError
from vmbench.settings import DEFAULTS

FloatArray = stats.FloatArray
_KEYS = ["run", "id"]
RESAMPLES = DEFAULTS.resamples
SEED = DEFAULTS.seed


def select(samples: pd.DataFrame, category: str) -> pd.DataFrame:
    """The samples of one category; an unknown category lists the known ones."""
    known = sorted(samples["category"].dropna().unique())
    if category not in known:
        raise UsageError(f"no benchmark in category {category!r}; categories: {', '.join(known)}")
    return samples[samples["category"] == category].reset_index(drop=True)


def _groups(samples: pd.DataFrame) -> list[tuple[tuple[str, str], FloatArray]]:
    return [
        ((str(run), str(bench)), frame["per_iter_ns"].to_numpy(dtype=np.float64))
        for (run, bench), frame in samples.groupby(_KEYS, sort=True)
    ]


def distributions(samples: pd.DataFrame) -> pd.DataFrame:
    """Per (run, id): n, mean, median, quartiles, min, max and Tukey outlier counts (ns)."""
    rows = []
    for (run, bench), x in _groups(samples):
        s = stats.summarize(x)
        q1, q3 = stats.quantiles(x[None, :], (0.25, 0.75))
        rows.append(
            {
                "run": run,
                "id": bench,
                "n": x.size,
                "mean_ns": float(s.mean[0]),
                "median_ns": float(s.median[0]),
                "q1_ns": float(q1[0]),
                "q3_ns": float(q3[0]),
                "min_ns": float(x.min()),
                "max_ns": float(x.max()),
                "cv": float(s.std_dev[0] / s.mean[0]) if s.mean[0] > 0 else math.nan,
                "low_severe": int(s.low_severe[0]),
                "low_mild": int(s.low_mild[0]),
                "high_mild": int(s.high_mild[0]),
                "high_severe": int(s.high_severe[0]),
            }
        )
    return pd.DataFrame(rows, columns=_DISTRIBUTION_COLUMNS)


_DISTRIBUTION_COLUMNS = [
    "run", "id", "n", "mean_ns", "median_ns", "q1_ns", "q3_ns", "min_ns", "max_ns", "cv",
    "low_severe", "low_mild", "high_mild", "high_severe",
]  # fmt: skip


def outlier_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Every sample outside its benchmark's Tukey fences: run, id, sample, value, class."""
    rows = []
    for (run, bench), frame in samples.groupby(_KEYS, sort=True):
        x = frame["per_iter_ns"].to_numpy(dtype=np.float64)
        fences = stats.tukey_fences(x[None, :])[0]
        classes = np.select(
            [x < fences[0], x < fences[1], x > fences[3], x > fences[2]],
            ["low severe", "low mild", "high severe", "high mild"],
            default="",
        )
        for sample, value, cls in zip(frame["sample"], x, classes, strict=True):
            if cls:
                rows.append(
                    {"run": run, "id": bench, "sample": int(sample), "per_iter_ns": float(value),
                     "class": str(cls)}
                )  # fmt: skip
    return pd.DataFrame(rows, columns=["run", "id", "sample", "per_iter_ns", "class"])


def slope_fits(samples: pd.DataFrame) -> pd.DataFrame:
    """Criterion's slope estimate per (run, id): time = slope * iterations, through 0."""
    rows = []
    for (run, bench), frame in samples.groupby(_KEYS, sort=True):
        x = frame["iterations"].to_numpy(dtype=np.float64)
        y = frame["time_ns"].to_numpy(dtype=np.float64)
        slope = float(x @ y / (x @ x))
        residual = y - slope * x
        total = float(((y - y.mean()) ** 2).sum())
        r2 = 1.0 - float(residual @ residual) / total if total > 0 else math.nan
        distinct = int(np.unique(x).size)
        rows.append(
            {"run": run, "id": bench, "slope_ns": slope, "r_squared": r2,
             "distinct_iteration_counts": distinct}
        )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["run", "id", "slope_ns", "r_squared", "distinct_iteration_counts"]
    )


_RATE_UNITS = {"bytes": "B/s", "bytes_decimal": "B/s", "elements": "elements/s"}


def throughputs(samples: pd.DataFrame) -> pd.DataFrame:
    """Per (run, id) with a recorded Throughput: work per iteration and the mean rate.

    The rate uses the mean time per iteration (what Criterion reports): higher is better.
    """
    recorded = samples[samples["throughput_kind"].notna()]
    rows = []
    for (run, bench), frame in recorded.groupby(_KEYS, sort=True):
        kind = str(frame["throughput_kind"].iloc[0])
        per_iter = float(frame["throughput_per_iter"].iloc[0])
        mean_ns = float(frame["per_iter_ns"].mean())
        rows.append(
            {"run": run, "id": bench, "kind": kind, "per_iteration": per_iter,
             "per_second": per_iter / mean_ns * 1e9, "unit": _RATE_UNITS.get(kind, "/s")}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["run", "id", "kind", "per_iteration", "per_second", "unit"])


@dataclass(frozen=True)
class Scaling:
    """Points (run, series, parameter, id, mean_ns) and fits (run, series, exponent...)."""

    points: pd.DataFrame
    fits: pd.DataFrame


def scaling(samples: pd.DataFrame, *, min_points: int = 3, confidence: float = 0.95) -> Scaling:
    """Log-log fits of mean time against the numeric Criterion parameter of each series.

    A series is a Criterion group and function whose benchmarks differ only in a numeric
    `value` (e.g. `memory/alloc/1024`, `/4096`, `/16384`); it needs `min_points` distinct
    positive parameters. exponent 1 means time grows linearly with the parameter.
    """
    param = pd.to_numeric(samples["value"], errors="coerce")
    numeric = samples[param.notna() & (param > 0)].assign(parameter=param)
    series = numeric["group"].astype(str) + numeric["function"].map(
        lambda f: "" if f is None or (isinstance(f, float) and math.isnan(f)) else f"/{f}"
    )
    means = (
        numeric.assign(series=series)
        .groupby(["run", "series", "parameter", "id"], sort=True)["per_iter_ns"]
        .mean()
        .rename("mean_ns")
        .reset_index()
    )
    fit_rows = []
    keep = []
    for (run, name), frame in means.groupby(["run", "series"], sort=True):
        if frame["parameter"].nunique() < min_points:
            continue
        keep.append(frame)
        x = np.log(frame["parameter"].to_numpy(dtype=np.float64))
        y = np.log(frame["mean_ns"].to_numpy(dtype=np.float64))
        slope, intercept = np.polyfit(x, y, 1)
        dof = x.size - 2
        residual = y - (slope * x + intercept)
        sxx = float(((x - x.mean()) ** 2).sum())
        se = math.sqrt(float(residual @ residual) / dof / sxx) if dof > 0 else math.nan
        half = stats.t_quantile(confidence, dof) * se if dof > 0 else math.nan
        fit_rows.append(
            {"run": run, "series": name, "points": int(x.size), "exponent": float(slope),
             "exponent_low": float(slope - half), "exponent_high": float(slope + half)}
        )  # fmt: skip
    points = (
        pd.concat(keep, ignore_index=True)
        if keep
        else pd.DataFrame(columns=["run", "series", "parameter", "id", "mean_ns"])
    )
    fits = pd.DataFrame(
        fit_rows, columns=["run", "series", "points", "exponent", "exponent_low", "exponent_high"]
    )
    return Scaling(points=points, fits=fits)


@dataclass(frozen=True)
class GeomeanChange:
    """Geometric-mean change of a category (0.1 = 10 % slower), with its interval."""

    change: float
    low: float
    high: float
    benchmarks: int
    baseline_runs: int
    candidate_runs: int
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _side_bootstrap(
    x_by_run: Sequence[FloatArray], stream: int, rng: np.random.Generator
) -> FloatArray:
    """B bootstrap means of one benchmark on one side: resample runs, then samples.

    Each benchmark, side and run gets its own weight stream: benchmarks are independent,
    and shared resampling indices would correlate their bootstrap errors.
    """
    boots = np.stack(
        [
            stats.bootstrap_means(
                x[None, :], resamples=RESAMPLES, seed=SEED, stream=stream + 2 * r
            )[0]
            for r, x in enumerate(x_by_run)
        ]
    )
    if len(x_by_run) == 1:
        out: FloatArray = boots[0]
        return out
    picks = rng.integers(0, len(x_by_run), size=(RESAMPLES, len(x_by_run)))
    out = boots[picks, np.arange(RESAMPLES)[:, None]].mean(axis=1)
    return out


def geomean_change(
    samples: pd.DataFrame,
    *,
    baseline: Sequence[str],
    candidate: Sequence[str],
    confidence: float = 0.95,
) -> GeomeanChange | None:
    """The geometric mean of candidate/baseline mean ratios over benchmarks on both sides.

    None when no benchmark has samples on both sides. Each side's mean is the average of
    its runs' means; the interval is a percentile bootstrap of the whole statistic.
    """
    rng = np.random.default_rng(SEED)
    logs = []
    boot_logs = []
    for k, (_, frame) in enumerate(samples.groupby("id", sort=True)):
        sides = []
        for runs in (baseline, candidate):
            sides.append(
                [
                    frame.loc[frame["run"] == r, "per_iter_ns"].to_numpy(dtype=np.float64)
                    for r in runs
                    if (frame["run"] == r).any()
                ]
            )
        if not sides[0] or not sides[1]:
            continue
        base_mean = np.mean([x.mean() for x in sides[0]])
        cand_mean = np.mean([x.mean() for x in sides[1]])
        if base_mean <= 0 or cand_mean <= 0:
            continue
        logs.append(math.log(cand_mean / base_mean))
        stream = 1 + 2 * (len(baseline) + len(candidate)) * k
        b = _side_bootstrap(sides[0], stream, rng)
        c = _side_bootstrap(sides[1], stream + 1, rng)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_logs.append(np.log(c / b))
    if not logs:
        return None
    replicate = np.nanmean(np.stack(boot_logs), axis=0)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(replicate, [tail, 1.0 - tail])
    return GeomeanChange(
        change=math.expm1(float(np.mean(logs))),
        low=math.expm1(float(low)),
        high=math.expm1(float(high)),
        benchmarks=len(logs),
        baseline_runs=len(baseline),
        candidate_runs=len(candidate),
        confidence=confidence,
    )
