"""Trend analysis over the run history: series, change points, drift, category index.

Everything here takes the tidy frame of `load_history` (one row per run and benchmark)
and returns tidy frames; nothing reads files or prints. A trend only makes sense on one
line of code measured on one kind of machine, so `select_line` picks one branch and one
machine (by default those of the latest run) and says what it left out.

Over 400 lines: the trend report's analyses (line selection, change points, drift with
its noise model, category index) and its JSON document share one frame layout and one
run-ordering helper; each function is short.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from vmbench.errors import UsageError
from vmbench.readers.patterns import PatternError, compile_regex
from vmbench.settings import DEFAULT_ESTIMATOR, StepSettings
from vmbench.stats.changepoint import (
    Noise,
    Step,
    detect_steps,
    diff_variance,
    noise_model,
    suite_noise,
    suite_steps,
)

TREND_SCHEMA_VERSION = 2  # 2: q_value, runs_before/after, provisional, noise; drift q_value
# The run-level estimate change points and drift work on: the comparison's per-run location
# (`vmbench.stats.location.run_location`, `settings.DEFAULT_ESTIMATOR`) as the store keeps
# it per run and benchmark. On the bundled history the run-to-run noise of the three store
# columns is close (median over benchmarks: median 0.9 %, min 1.0 %, mean 1.0 %; the mean
# 4.5 % on average, contended benchmarks' means carrying their outlier samples); the
# comparison's choice (min, measured on the wall-clock runs) is kept so trend and verdicts
# agree. An estimator the store has no column for falls back to the median.
_STORE_COLUMNS = {"min": "min_ns", "median": "median_ns", "mean": "mean_ns"}
ESTIMATE_COLUMN = _STORE_COLUMNS.get(DEFAULT_ESTIMATOR, "median_ns")

CHANGE_POINT_COLUMNS = [
    "id",
    "category",
    "position",
    "run_id",
    "commit",
    "date",
    "before_ns",
    "after_ns",
    "change",
    "p_value",
    "q_value",
    "runs",
    "runs_before",
    "runs_after",
    "provisional",
    "noise",
    "phi",
]
DRIFT_COLUMNS = [
    "id",
    "category",
    "runs_before",
    "runs_after",
    "before_ns",
    "after_ns",
    "change",
    "p_value",
    "q_value",
]


@dataclass(frozen=True)
class Line:
    """The runs of one branch on one machine, and what `select_line` left out."""

    history: pd.DataFrame
    branch: str | None
    machine: str | None
    notes: tuple[str, ...] = ()


def select_line(
    history: pd.DataFrame,
    *,
    branch: str | None = None,
    machine: str | None = None,
    pattern: str | None = None,
    category: str | None = None,
) -> Line:
    """Keep one branch and one machine (default: the latest run's) and the matching ids.

    `pattern` is a regular expression searched in benchmark ids; `category` an exact name.
    """
    notes: list[str] = []
    frame = history
    if frame.empty:
        return Line(frame, branch, machine, ("the history holds no runs",))
    newest = frame.sort_values(["date", "run_id"], kind="stable").iloc[-1]
    branch = branch if branch is not None else str(newest["branch"])
    frame = frame[frame["branch"] == branch]
    if frame.empty:
        raise UsageError(f"no runs on branch {branch!r} in the history")
    if machine is None:
        machine = str(frame.sort_values(["date", "run_id"], kind="stable").iloc[-1]["machine"])
    others = frame.loc[frame["machine"] != machine, "run_id"].nunique()
    frame = frame[frame["machine"] == machine]
    if frame.empty:
        raise UsageError(f"no runs of branch {branch!r} on machine {machine!r}")
    if others:
        notes.append(f"{others} run(s) of branch {branch!r} on other machines left out")
    if pattern:
        try:
            regex = compile_regex(pattern)  # RE2: linear time whatever the pattern
        except PatternError as exc:
            raise UsageError(f"invalid regex {pattern!r}: {exc}", parameter="pattern") from None
        frame = frame[frame["id"].map(lambda i: regex.search(i) is not None).astype(bool)]
    if category:
        frame = frame[frame["category"] == category]
    if frame.empty:
        notes.append("no benchmark matches the filter")
    return Line(frame.reset_index(drop=True), branch, machine, tuple(notes))


def benchmark_series(history: pd.DataFrame, benchmark_id: str) -> pd.DataFrame:
    """One benchmark's mean and CI by run, oldest first."""
    cols = ["run_id", "date", "commit", "branch", "machine", "mean_ns", "ci_low", "ci_high", "n"]
    rows = history.loc[history["id"] == benchmark_id, cols]
    return rows.sort_values(["date", "run_id"], kind="stable").reset_index(drop=True)


def _grouped(history: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Row order grouping the frame by benchmark id (date order within each), and bounds."""
    # Group rows by id with numpy (a stable sort of integer codes keeps date order
    # within each id), which is much cheaper than sorting the frame by strings.
    dates = history["date"].to_numpy(dtype="datetime64[us]").view(np.int64)
    codes = pd.factorize(history["id"])[0]
    order = np.lexsort((pd.factorize(history["run_id"], sort=True)[0], dates, codes))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    return order, np.r_[starts, len(order)]


def change_points(history: pd.DataFrame, settings: StepSettings | None = None) -> pd.DataFrame:
    """Steps in every benchmark's series of run-level estimates, largest change first.

    Each row names the first run after the step (`run_id`, `commit`, `date`, `position` in
    the series), its size (`before_ns`, `after_ns`, `change`), the series' Holm-adjusted
    `p_value` and the suite's Benjamini-Hochberg `q_value` (a step is kept at q <=
    `settings.fdr`), the runs it rests on (`runs_before`, `runs_after`), whether it is
    `provisional` (fewer than `settings.confirm_runs` runs after it) and the series' noise
    (`noise`, relative sigma; `phi`, AR(1)). Use it on one line (`select_line`): mixing
    branches or machines makes steps of their own.
    """
    settings = settings or StepSettings()
    if history.empty:
        return pd.DataFrame(columns=CHANGE_POINT_COLUMNS)
    order, bounds = _grouped(history)
    values = history[ESTIMATE_COLUMN].to_numpy(dtype=np.float64)[order]
    spans = list(itertools.pairwise(bounds))
    series = [values[lo:hi] for lo, hi in spans]
    per_series = [
        detect_steps(x, settings, noise=noise)
        for x, noise in zip(series, suite_noise(series, settings), strict=True)
    ]
    found = suite_steps(per_series, settings.fdr)
    rows: list[dict[str, Any]] = []
    for (lo, hi), steps in zip(spans, found, strict=True):
        for step in steps:
            rows.append(_step_row(history.iloc[int(order[lo + step.index])], step, int(hi - lo)))
    frame = pd.DataFrame(rows, columns=CHANGE_POINT_COLUMNS)
    if frame.empty:
        return frame
    order_by_size = frame["change"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order_by_size].reset_index(drop=True)


def _step_row(at: pd.Series, step: Step, runs: int) -> dict[str, Any]:
    return {
        "id": at["id"],
        "category": at["category"],
        "position": step.index,
        "run_id": at["run_id"],
        "commit": at["commit"],
        "date": at["date"],
        "before_ns": step.before,
        "after_ns": step.after,
        "change": step.change,
        "p_value": step.p_value,
        "q_value": step.q_value,
        "runs": runs,
        "runs_before": step.runs_before,
        "runs_after": step.runs_after,
        "provisional": step.provisional,
        "noise": step.noise,
        "phi": step.phi,
    }


def window_bounds(
    history: pd.DataFrame, window_days: float
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(start of the previous window, start of the last window, end): end is the latest run."""
    if not (math.isfinite(window_days) and window_days > 0):
        raise UsageError(f"window must be a positive number of days, not {window_days!r}")
    end = pd.Timestamp(history["date"].max())
    width = pd.Timedelta(days=window_days)
    return end - 2 * width, end - width, end


def drift(
    history: pd.DataFrame, *, window_days: float, settings: StepSettings | None = None
) -> pd.DataFrame:
    """Per benchmark: geometric mean of run-level estimates in the last `window_days` against the
    `window_days` before, with a p-value that knows the run-to-run noise and a q-value
    across benchmarks.

    The test: difference of the two windows' mean log estimates over its standard error
    under the benchmark's AR(1) noise model (`noise_model` on its whole series in the
    line; runs of consecutive days are not independent, which a rank test would assume),
    Student's t with the noise's degrees of freedom. `q_value`: Benjamini-Hochberg over
    the benchmarks tested. Sorted by the size of the change, largest first; benchmarks
    without runs in both windows are left out.
    """
    settings = settings or StepSettings()
    if history.empty:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    start, middle, _ = window_bounds(history, window_days)
    order, bounds = _grouped(history)
    logs = np.log(history[ESTIMATE_COLUMN].to_numpy(dtype=np.float64))[order]
    dates = history["date"]
    side = np.where(dates > middle, 1, np.where(dates > start, 0, -1))[order]
    # Each series' id and category, from its first row (a frame row per series is slow).
    firsts = order[bounds[:-1]]
    ids = history["id"].take(firsts).to_numpy()
    categories = history["category"].take(firsts).to_numpy()
    rows = []
    for series, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        before = logs[lo:hi][side[lo:hi] == 0]
        after = logs[lo:hi][side[lo:hi] == 1]
        if before.size == 0 or after.size == 0:
            continue
        noise = noise_model(logs[lo:hi], settings.short_phi)
        rows.append(
            {
                "id": ids[series],
                "category": categories[series],
                "runs_before": before.size,
                "runs_after": after.size,
                "before_ns": math.exp(before.mean()),
                "after_ns": math.exp(after.mean()),
                "change": math.exp(after.mean() - before.mean()) - 1.0,
                "p_value": window_p_value(before, after, noise),
            }
        )
    out = pd.DataFrame(rows, columns=DRIFT_COLUMNS)
    if out.empty:
        return out
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy(dtype=np.float64))
    order_by_size = out["change"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order_by_size].reset_index(drop=True)


def window_p_value(
    before: npt.NDArray[np.float64], after: npt.NDArray[np.float64], noise: Noise
) -> float:
    """Two-sided p-value that two adjacent windows of log estimates differ in level, with
    the AR(1) standard error of the difference of their means (NaN when it cannot tell)."""
    if before.size < 2 or after.size < 2 or noise.df < 1:
        return math.nan
    variance = float(
        diff_variance(np.array([float(before.size)]), np.array([float(after.size)]), noise.phi)[0]
    )
    se = noise.sigma * math.sqrt(variance)
    diff = float(after.mean() - before.mean())
    if se <= 0.0:
        return 0.0 if diff != 0.0 else 1.0
    return float(2.0 * special.stdtr(noise.df, -abs(diff) / se))


def benjamini_hochberg(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """BH q-values of p-values (NaN stays NaN and does not count as a test)."""
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * ok.size / np.arange(1, ok.size + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return q


def category_drift(benchmark_drift: pd.DataFrame) -> pd.DataFrame:
    """Per category: geometric mean of the benchmarks' drift ratios, and how many there are."""
    cols = ["category", "benchmarks", "change"]
    if benchmark_drift.empty:
        return pd.DataFrame(columns=cols)
    logs = pd.Series(np.log1p(benchmark_drift["change"].to_numpy(dtype=np.float64)))
    grouped = logs.groupby(benchmark_drift["category"].to_numpy())
    out = pd.DataFrame(
        {
            "category": grouped.mean().index,
            "benchmarks": grouped.size().to_numpy(),
            "change": np.expm1(grouped.mean().to_numpy()),
        }
    )
    return out.sort_values("category", kind="stable").reset_index(drop=True)


def category_index(history: pd.DataFrame, *, since: Any = None) -> pd.DataFrame:
    """Per category and run: geometric mean over its benchmarks of mean / mean at the start.

    The start is the first run at or after `since` (default: the first run). Only
    benchmarks measured in that first run count, so the index starts at exactly 1.
    """
    cols = ["date", "run_id", "commit", "category", "index", "benchmarks"]
    frame = history
    if since is not None:
        frame = frame[frame["date"] >= pd.Timestamp(since)]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    wide = frame.pivot_table(
        index="run_id", columns="id", values="mean_ns", aggfunc="first", observed=True
    )
    runs = frame.drop_duplicates("run_id").set_index("run_id")[["date", "commit"]]
    runs = runs.sort_values("date", kind="stable")
    wide = wide.loc[runs.index].apply(np.log)
    base = wide.iloc[0]
    rel = wide.loc[:, base.notna()] - base[base.notna()]
    cats = frame.drop_duplicates("id").set_index("id")["category"]
    parts = []
    for category, members in cats.loc[rel.columns].groupby(cats.loc[rel.columns], observed=True):
        block = rel[members.index]
        parts.append(
            pd.DataFrame(
                {
                    "date": runs["date"].to_numpy(),
                    "run_id": runs.index.to_numpy(),
                    "commit": runs["commit"].to_numpy(),
                    "category": category,
                    "index": np.exp(block.mean(axis=1, skipna=True)).to_numpy(),
                    "benchmarks": block.notna().sum(axis=1).to_numpy(),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return out.sort_values(["category", "date"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class TrendReport:
    """Everything `vmbench trend` and the trend notebook show, as data.

    JSON format history (`schema_version`): 1: first version; 2: change points gain
    `q_value`, `runs_before`, `runs_after`, `provisional`, `noise`, `phi`; drift gains
    `q_value` and an AR(1)-aware p-value; settings name the method and thresholds.
    """

    branch: str | None
    machine: str | None
    runs: int
    benchmarks: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    window_days: float
    change_points: pd.DataFrame
    drift: pd.DataFrame
    category_drift: pd.DataFrame
    settings: StepSettings
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `vmbench trend --format json` (names are fixed)."""
        return {
            "schema_version": TREND_SCHEMA_VERSION,
            "branch": self.branch,
            "machine": self.machine,
            "runs": self.runs,
            "benchmarks": self.benchmarks,
            "first_date": _iso(self.first_date),
            "last_date": _iso(self.last_date),
            "window_days": self.window_days,
            "settings": {
                "alpha": self.settings.alpha,
                "fdr": self.settings.fdr,
                "min_size": self.settings.min_size,
                "min_change": self.settings.min_change,
                "min_noise": self.settings.min_noise,
                "confirm_runs": self.settings.confirm_runs,
                "short_phi": self.settings.short_phi,
                "estimate": ESTIMATE_COLUMN,
                "method": self.settings.describe(),
                "drift": "window means, AR(1) t-test, Benjamini-Hochberg q across benchmarks",
            },
            "change_points": _records(self.change_points),
            "drift": _records(self.drift),
            "category_drift": _records(self.category_drift),
            "notes": list(self.notes),
        }


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                clean[str(key)] = value.isoformat()
            elif isinstance(value, (float, np.floating)):
                clean[str(key)] = None if math.isnan(value) else float(value)
            elif isinstance(value, np.integer):
                clean[str(key)] = int(value)
            else:
                clean[str(key)] = value
        out.append(clean)
    return out


def analyze_trend(
    history: pd.DataFrame,
    *,
    window_days: float = 30.0,
    branch: str | None = None,
    machine: str | None = None,
    pattern: str | None = None,
    category: str | None = None,
    settings: StepSettings | None = None,
) -> TrendReport:
    """Change points and drift of one line (branch and machine) of the history."""
    settings = settings or StepSettings()
    if not (math.isfinite(window_days) and window_days > 0):
        raise UsageError(f"window must be a positive number of days, not {window_days!r}")
    line = select_line(history, branch=branch, machine=machine, pattern=pattern, category=category)
    frame = line.history
    per_benchmark = drift(frame, window_days=window_days, settings=settings)
    return TrendReport(
        branch=line.branch,
        machine=line.machine,
        runs=int(frame["run_id"].nunique()),
        benchmarks=int(frame["id"].nunique()),
        first_date=frame["date"].min() if not frame.empty else None,
        last_date=frame["date"].max() if not frame.empty else None,
        window_days=window_days,
        change_points=change_points(frame, settings),
        drift=per_benchmark,
        category_drift=category_drift(per_benchmark),
        settings=settings,
        notes=line.notes,
    )
