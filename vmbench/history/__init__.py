"""Run history: the store of recorded runs, machine fingerprints and trend analysis.

- `store`: one Parquet file per run (`add_run`, `load_history`, `load_run_samples`,
  `list_runs`, `prune_samples`);
- `machine`: the fingerprint of the machine a run was measured on;
- `summary`: per-run summaries stored next to the samples;
- `cargo_import`: import cargo-criterion's own history files;
- `trend`: change points, drift and category index over a history frame;
- `latest`: the latest run against the previous one with noise learned from history;

Step detection in one series is `vmbench.stats.changepoint` (re-exported here); output
for `vmbench trend` and the trend notebook is in `vmbench.render.trend`,
`vmbench.render.trend_plots` and `vmbench.notebook.trend`.

May import: `vmbench.compare`, `vmbench.stats`, `vmbench.readers` and the root modules.
Not `render`, `notebook`, `pipeline` or `cli`.
"""

from vmbench.history.latest import LatestComparison, latest_vs_previous
from vmbench.history.machine import MachineInfo, current_machine
from vmbench.history.store import (
    DEFAULT_STORE,
    PruneResult,
    add_run,
    list_runs,
    load_history,
    load_run_samples,
    prune_samples,
)
from vmbench.history.trend import (
    TrendReport,
    analyze_trend,
    benchmark_series,
    category_drift,
    category_index,
    change_points,
    drift,
    select_line,
)
from vmbench.settings import StepSettings
from vmbench.stats.changepoint import Step, detect_steps

__all__ = [
    "DEFAULT_STORE",
    "LatestComparison",
    "MachineInfo",
    "PruneResult",
    "Step",
    "StepSettings",
    "TrendReport",
    "add_run",
    "analyze_trend",
    "benchmark_series",
    "category_drift",
    "category_index",
    "change_points",
    "current_machine",
    "detect_steps",
    "drift",
    "latest_vs_previous",
    "list_runs",
    "load_history",
    "load_run_samples",
    "prune_samples",
    "select_line",
]
