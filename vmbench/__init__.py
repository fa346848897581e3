"""vmbench: statistically sound Criterion.rs benchmark comparison and reports.

The curated public API is listed in `__all__`; everything else is internal. Importing
`vmbench` is cheap: each name is imported from its module on first use (PEP 562), so
`import vmbench` (and `vmbench --help`) loads no numpy-heavy, plotting or notebook module.

    >>> import vmbench
    >>> from vmbench.compare.engine import compare
    >>> from vmbench.render import render
    >>> main = vmbench.load_criterion("examples/data/criterion", "main")
    >>> pr = vmbench.load_criterion("examples/data/criterion", "pr")
    >>> print(render(compare(main, pr), "markdown"))

`vmbench.compare` and `vmbench.render` are packages (the comparison stage and the
renderers), so the functions `compare` and `render` are imported from them by name.
The layers and what each package owns: docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what mypy and editors see; at run time `__getattr__` imports on use
    from vmbench import escape
    from vmbench.compare.category import geomean_change, scaling, slope_fits
    from vmbench.compare.insights import insights, recommendations
    from vmbench.compare.noise import BenchmarkNoise, NoiseModel
    from vmbench.compare.refs import RefComparison, compare_refs
    from vmbench.compare.result import (
        BenchmarkComparison,
        Comparison,
        Outliers,
        SideSummary,
        ThroughputChange,
    )
    from vmbench.compare.verdicts import INDICATORS, SEVERITIES
    from vmbench.errors import InputError, Skipped, UsageError, VmbenchError
    from vmbench.history import (
        MachineInfo,
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
    from vmbench.model import Benchmark, Estimate, Metric, Run, Throughput
    from vmbench.notebook.category import category_data
    from vmbench.notebook.regression import regression_data
    from vmbench.pipeline.execute import NotebookError, ReportResult, run_all, run_report
    from vmbench.pipeline.init import init_repository
    from vmbench.pipeline.runner import BenchFailed, BenchRun, after_bench, run_benchmarks
    from vmbench.readers.baseline_file import (
        BaselineEntry,
        baseline_from_run,
        load_baseline_file,
        update_baseline_file,
        write_baseline_file,
    )
    from vmbench.readers.cargo_criterion import load_cargo_criterion
    from vmbench.readers.categories import Categories, Category
    from vmbench.readers.criterion import (
        CriterionChange,
        list_baselines,
        load_criterion,
        load_criterion_change,
    )
    from vmbench.readers.frames import benchmarks_frame, metrics_frame, samples_frame, skipped_frame
    from vmbench.readers.inventory import inventory
    from vmbench.readers.refs import load_ref
    from vmbench.render import FORMATS
    from vmbench.settings import Settings, StepSettings
    from vmbench.units import format_duration, format_value, parse_duration, parse_unit

# public name -> the module it is defined in
_LAZY: dict[str, str] = {
    "geomean_change": "vmbench.compare.category",
    "scaling": "vmbench.compare.category",
    "slope_fits": "vmbench.compare.category",
    "insights": "vmbench.compare.insights",
    "recommendations": "vmbench.compare.insights",
    "BenchmarkNoise": "vmbench.compare.noise",
    "NoiseModel": "vmbench.compare.noise",
    "RefComparison": "vmbench.compare.refs",
    "compare_refs": "vmbench.compare.refs",
    "BenchmarkComparison": "vmbench.compare.result",
    "Comparison": "vmbench.compare.result",
    "Outliers": "vmbench.compare.result",
    "SideSummary": "vmbench.compare.result",
    "ThroughputChange": "vmbench.compare.result",
    "INDICATORS": "vmbench.compare.verdicts",
    "SEVERITIES": "vmbench.compare.verdicts",
    "InputError": "vmbench.errors",
    "Skipped": "vmbench.errors",
    "UsageError": "vmbench.errors",
    "VmbenchError": "vmbench.errors",
    "escape": "vmbench.escape",
    "MachineInfo": "vmbench.history",
    "StepSettings": "vmbench.settings",
    "TrendReport": "vmbench.history",
    "add_run": "vmbench.history",
    "analyze_trend": "vmbench.history",
    "change_points": "vmbench.history",
    "detect_steps": "vmbench.history",
    "latest_vs_previous": "vmbench.history",
    "list_runs": "vmbench.history",
    "load_history": "vmbench.history",
    "load_run_samples": "vmbench.history",
    "prune_samples": "vmbench.history",
    "Benchmark": "vmbench.model",
    "Estimate": "vmbench.model",
    "Metric": "vmbench.model",
    "Run": "vmbench.model",
    "Throughput": "vmbench.model",
    "category_data": "vmbench.notebook.category",
    "regression_data": "vmbench.notebook.regression",
    "NotebookError": "vmbench.pipeline.execute",
    "ReportResult": "vmbench.pipeline.execute",
    "run_all": "vmbench.pipeline.execute",
    "run_report": "vmbench.pipeline.execute",
    "init_repository": "vmbench.pipeline.init",
    "BenchFailed": "vmbench.pipeline.runner",
    "BenchRun": "vmbench.pipeline.runner",
    "after_bench": "vmbench.pipeline.runner",
    "run_benchmarks": "vmbench.pipeline.runner",
    "BaselineEntry": "vmbench.readers.baseline_file",
    "baseline_from_run": "vmbench.readers.baseline_file",
    "load_baseline_file": "vmbench.readers.baseline_file",
    "update_baseline_file": "vmbench.readers.baseline_file",
    "write_baseline_file": "vmbench.readers.baseline_file",
    "load_cargo_criterion": "vmbench.readers.cargo_criterion",
    "Categories": "vmbench.readers.categories",
    "Category": "vmbench.readers.categories",
    "CriterionChange": "vmbench.readers.criterion",
    "list_baselines": "vmbench.readers.criterion",
    "load_criterion": "vmbench.readers.criterion",
    "load_criterion_change": "vmbench.readers.criterion",
    "benchmarks_frame": "vmbench.readers.frames",
    "metrics_frame": "vmbench.readers.frames",
    "samples_frame": "vmbench.readers.frames",
    "skipped_frame": "vmbench.readers.frames",
    "inventory": "vmbench.readers.inventory",
    "load_ref": "vmbench.readers.refs",
    "FORMATS": "vmbench.render",
    "Settings": "vmbench.settings",
    "format_duration": "vmbench.units",
    "format_value": "vmbench.units",
    "parse_duration": "vmbench.units",
    "parse_unit": "vmbench.units",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vmbench' has no attribute {name!r}")
    value = (
        importlib.import_module(module)
        if module == f"vmbench.{name}"
        else getattr(importlib.import_module(module), name)
    )
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
