"""vmbench: statistically sound Criterion.rs benchmark comparison and reports.

The curated public API is listed in `__all__`; everything else is internal.
"""

from vmbench.errors import InputError, Skipped, UsageError, VmbenchError
from vmbench.model import Benchmark, Estimate, Metric, Run, Throughput

__version__ = "0.1.0"

__all__ = [
    "Benchmark",
    "Estimate",
    "InputError",
    "Metric",
    "Run",
    "Skipped",
    "Throughput",
    "UsageError",
    "VmbenchError",
    "__version__",
]
