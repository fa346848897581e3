"""vmbench: statistically sound Criterion.rs benchmark comparison and reports.

The curated public API is listed in `__all__`; everything else is internal.

    >>> import vmbench
    >>> main = vmbench.load_criterion("examples/data/criterion", "main")
    >>> pr = vmbench.load_criterion("examples/data/criterion", "pr")
    >>> result = vmbench.compare(main, pr)
    >>> print(vmbench.render(result, "markdown"))
"""

from vmbench import escape
from vmbench.baseline_file import (
    BaselineEntry,
    baseline_from_run,
    load_baseline_file,
    update_baseline_file,
    write_baseline_file,
)
from vmbench.cargo_criterion import load_cargo_criterion
from vmbench.categories import Categories, Category
from vmbench.category import geomean_change, scaling, slope_fits
from vmbench.category_report import category_data
from vmbench.classify import INDICATORS, SEVERITIES
from vmbench.compare import compare
from vmbench.compare_refs import RefComparison, compare_refs
from vmbench.comparison import (
    BenchmarkComparison,
    Comparison,
    Outliers,
    SideSummary,
    ThroughputChange,
)
from vmbench.criterion import (
    CriterionChange,
    list_baselines,
    load_criterion,
    load_criterion_change,
)
from vmbench.errors import InputError, Skipped, UsageError, VmbenchError
from vmbench.frames import benchmarks_frame, metrics_frame, samples_frame, skipped_frame
from vmbench.history import (
    MachineInfo,
    StepSettings,
    TrendReport,
    add_run,
    analyze_trend,
    change_points,
    detect_steps,
    latest_vs_previous,
    list_runs,
    load_history,
    load_run_samples,
    prune_samples,
)
from vmbench.insights import insights, recommendations
from vmbench.inventory import inventory
from vmbench.model import Benchmark, Estimate, Metric, Run, Throughput
from vmbench.noise import BenchmarkNoise, NoiseModel
from vmbench.refs import load_ref
from vmbench.render import FORMATS, render
from vmbench.report import NotebookError, ReportResult, run_all, run_report
from vmbench.reporting import regression_data
from vmbench.runner import BenchFailed, BenchRun, after_bench, run_benchmarks
from vmbench.scaffold import init_repository
from vmbench.settings import Settings
from vmbench.units import format_duration, format_value, parse_duration, parse_unit

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "INDICATORS",
    "SEVERITIES",
    "BaselineEntry",
    "BenchFailed",
    "BenchRun",
    "Benchmark",
    "BenchmarkComparison",
    "BenchmarkNoise",
    "Categories",
    "Category",
    "Comparison",
    "CriterionChange",
    "Estimate",
    "InputError",
    "MachineInfo",
    "Metric",
    "NoiseModel",
    "NotebookError",
    "Outliers",
    "RefComparison",
    "ReportResult",
    "Run",
    "Settings",
    "SideSummary",
    "Skipped",
    "StepSettings",
    "Throughput",
    "ThroughputChange",
    "TrendReport",
    "UsageError",
    "VmbenchError",
    "__version__",
    "add_run",
    "after_bench",
    "analyze_trend",
    "baseline_from_run",
    "benchmarks_frame",
    "category_data",
    "change_points",
    "compare",
    "compare_refs",
    "detect_steps",
    "escape",
    "format_duration",
    "format_value",
    "geomean_change",
    "init_repository",
    "insights",
    "inventory",
    "latest_vs_previous",
    "list_baselines",
    "list_runs",
    "load_baseline_file",
    "load_cargo_criterion",
    "load_criterion",
    "load_criterion_change",
    "load_history",
    "load_ref",
    "load_run_samples",
    "metrics_frame",
    "parse_duration",
    "parse_unit",
    "prune_samples",
    "recommendations",
    "regression_data",
    "render",
    "run_all",
    "run_benchmarks",
    "run_report",
    "samples_frame",
    "scaling",
    "skipped_frame",
    "slope_fits",
    "update_baseline_file",
    "write_baseline_file",
]
