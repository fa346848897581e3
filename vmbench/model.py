"""The data model every part of vmbench shares.

A `Run` is one set of measurements (a Criterion baseline such as `main` or `new`, a
cargo-criterion message file, or the design document's baseline file). It holds
`Benchmark`s with raw samples (Criterion's `iters`/`times` arrays) and `Metric`s with
point values only (baseline files, code size, hit rates...). Objects validate on
construction, like pyperf's `Run`, so nothing downstream sees a zero iteration count
or a NaN time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from vmbench.errors import InputError, Skipped

FloatArray = npt.NDArray[np.float64]

SamplingMode = Literal["Linear", "Flat", "Auto", "unknown"]
ThroughputKind = Literal["bytes", "bytes_decimal", "elements"]
Direction = Literal["lower", "higher"]
RunFormat = Literal["criterion", "criterion-0.3.2", "cargo-criterion", "baseline-file", "history"]


@dataclass(frozen=True)
class Throughput:
    """Criterion's `Throughput`: how much work one iteration does."""

    kind: ThroughputKind
    per_iteration: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.per_iteration) and self.per_iteration > 0):
            raise ValueError(f"throughput must be a positive number, not {self.per_iteration!r}")


@dataclass(frozen=True)
class Estimate:
    """One of Criterion's own bootstrap estimates (from `estimates.json`), in ns."""

    point: float
    lower: float
    upper: float
    standard_error: float
    confidence_level: float = 0.95


@dataclass(frozen=True, eq=False)
class Benchmark:
    """One benchmark's raw samples in one run.

    `iters[i]` iterations took `times[i]` nanoseconds in total. `id` is Criterion's
    `full_id` (never the sanitised directory name).
    """

    id: str
    group: str
    function: str | None
    value: str | None
    iters: FloatArray
    times: FloatArray
    sampling_mode: SamplingMode = "unknown"
    throughput: Throughput | None = None
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    source: Path | None = None

    def __post_init__(self) -> None:
        where = self.source if self.source is not None else self.id
        iters = np.asarray(self.iters, dtype=np.float64)
        times = np.asarray(self.times, dtype=np.float64)
        if iters.ndim != 1 or times.ndim != 1:
            raise InputError(where, "iters and times must be flat lists of numbers")
        if iters.size == 0:
            raise InputError(where, "no samples (iters and times are empty)")
        if iters.size != times.size:
            raise InputError(
                where, f"iters has {iters.size} values but times has {times.size}; must pair up"
            )
        if not np.all(np.isfinite(iters)) or not np.all(np.isfinite(times)):
            raise InputError(where, "iters or times contain NaN or infinite values")
        if np.any(iters <= 0):
            raise InputError(where, "iteration counts must be positive (found zero or negative)")
        if np.any(times < 0):
            raise InputError(where, "times must not be negative")
        iters.setflags(write=False)
        times.setflags(write=False)
        object.__setattr__(self, "iters", iters)
        object.__setattr__(self, "times", times)

    @property
    def per_iteration(self) -> FloatArray:
        """Time per iteration of each sample, in ns (what Criterion's mean is taken over)."""
        out: FloatArray = self.times / self.iters
        return out

    @property
    def n(self) -> int:
        return int(self.iters.size)

    @property
    def total_iterations(self) -> int:
        return round(float(self.iters.sum()))

    @property
    def mean_ns(self) -> float:
        return float(np.mean(self.per_iteration))


@dataclass(frozen=True)
class Metric:
    """A point value without samples: a baseline-file entry or a non-time metric.

    Time metrics are stored in ns (`unit == "ns"`); `display_unit` is what the file said.
    """

    id: str
    value: float
    unit: str
    direction: Direction = "lower"
    description: str = ""
    date: str | None = None
    display_unit: str | None = None
    source: Path | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise InputError(self.source or self.id, f"value of {self.id!r} is not a finite number")
        if self.direction not in ("lower", "higher"):
            raise InputError(
                self.source or self.id, f"direction of {self.id!r} must be 'lower' or 'higher'"
            )

    @property
    def is_time(self) -> bool:
        return self.unit == "ns"


@dataclass(frozen=True)
class Run:
    """One labelled set of measurements and what was skipped while loading it."""

    label: str
    source: Path
    format: RunFormat
    benchmarks: Mapping[str, Benchmark] = field(default_factory=dict)
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()

    @property
    def ids(self) -> list[str]:
        """Every benchmark and metric id, sorted."""
        return sorted({*self.benchmarks, *self.metrics})

    def __len__(self) -> int:
        return len(self.benchmarks) + len(self.metrics)
