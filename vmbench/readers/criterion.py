"""Read a Criterion.rs output directory (`target/criterion`) into a `Run`.

Layout (checked against criterion.rs 0.3.1 to 0.8 and real trees):

    target/criterion/<dir>/.../<dir>/<baseline>/{benchmark.json, sample.json, estimates.json}
    target/criterion/<dir>/.../<dir>/change/estimates.json   (last comparison; fractions)
    target/criterion/report/, <dir>/report/                  (HTML; ignored)

A benchmark directory is any directory holding `<baseline>/benchmark.json` (or a
`sample.json`/`estimates.json`, so a half-written one is reported rather than missed),
at any depth. `<baseline>` is `new` (the last run), `base` (copied from `new` after a
default run) or any `--save-baseline NAME`. Directory names are sanitised and cut by
Criterion, so ids always come from `benchmark.json`'s `full_id`.

Format history of the files read here:
- up to 0.3.2: `sample.json` is `[[iters...], [times...]]` (always linear sampling);
  `estimates.json` keys are `Mean, Median, MedianAbsDev, Slope, StdDev`.
- 0.3.3 to 0.8: `sample.json` is `{"sampling_mode": "Linear"|"Flat", "iters": [...],
  "times": [...]}`; estimates keys are lower snake case, `slope` is null in Flat mode.
- every version: `benchmark.json` has `group_id, function_id, value_str, throughput,
  full_id, directory_name, title`; throughput is null or `{"Bytes": n}`,
  `{"BytesDecimal": n}` (0.4+), `{"Elements": n}`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmbench.errors import InputError, Skipped
from vmbench.model import (
    Benchmark,
    Estimate,
    FloatArray,
    Run,
    SamplingMode,
    Throughput,
    ThroughputKind,
)
from vmbench.readers.jsonfiles import describe, numbers, read_json

NOT_BASELINES = frozenset({"change", "report"})
_MARKERS = frozenset({"benchmark.json", "sample.json", "estimates.json"})
_THROUGHPUT_KINDS: dict[str, ThroughputKind] = {
    "Bytes": "bytes",
    "BytesDecimal": "bytes_decimal",
    "Elements": "elements",
}
_SAMPLING_MODES: frozenset[str] = frozenset({"Linear", "Flat", "Auto"})


def _finite(value: Any, what: str, path: Path) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise InputError(path, f"{what} must be a finite number, not {describe(value)}")
    return float(value)


# --- scanning -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    benchmarks: dict[Path, frozenset[str]]  # benchmark dir -> baselines found in it
    skipped: tuple[Skipped, ...]


def _check_root(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "does not exist")
    if not path.is_dir():
        raise InputError(path, "is not a directory (expected a Criterion directory)")


# Walks shared by the loads inside a `shared_scans()` block, by root directory.
_SCANS: ContextVar[dict[Path, _Scan] | None] = ContextVar("vmbench_scans", default=None)


@contextmanager
def shared_scans() -> Iterator[None]:
    """Inside the block, each Criterion directory is walked once.

    Loading a report's baseline and candidate from one tree otherwise walks it four
    times (a REF is looked up among the baselines, then loaded), about a third of the
    load time. Only for a block that does not expect the tree to change meanwhile.
    """
    outer = _SCANS.get()
    token = _SCANS.set({} if outer is None else outer)
    try:
        yield
    finally:
        _SCANS.reset(token)


def _scan(root: Path) -> _Scan:
    cache = _SCANS.get()
    if cache is None:
        return _walk(root)
    if root not in cache:
        cache[root] = _walk(root)
    return cache[root]


def _walk(root: Path) -> _Scan:
    # Plain strings while walking: a Path per directory was a third of the walk's cost.
    found: dict[str, set[str]] = {}
    skipped: list[Skipped] = []

    def on_error(err: OSError) -> None:
        where = Path(err.filename) if err.filename else root
        skipped.append(Skipped(where, f"cannot read directory: {err.strerror or err}"))

    top = root.stat()
    seen = {(top.st_dev, top.st_ino)}
    start = os.fspath(root)
    inside = os.path.realpath(start)
    for dirpath, dirnames, filenames in os.walk(start, onerror=on_error, followlinks=True):
        keep = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            try:
                info = os.stat(full)
            except OSError as exc:
                skipped.append(Skipped(Path(full), f"cannot read directory: {exc.strerror}"))
                continue
            key = (info.st_dev, info.st_ino)
            if key in seen:  # only symlinks can lead back to a directory already walked
                skipped.append(Skipped(Path(full), "symlink loop (directory already scanned)"))
                continue
            if os.path.islink(full) and not _within(os.path.realpath(full), inside):
                # A link to / would walk /proc and every mount: stay inside the tree.
                skipped.append(
                    Skipped(Path(full), "symlink out of the Criterion tree, not followed")
                )
                continue
            seen.add(key)
            keep.append(name)
        dirnames[:] = keep
        if dirpath != start and _MARKERS.intersection(filenames):
            parent, name = os.path.split(dirpath)
            if name not in NOT_BASELINES:
                found.setdefault(parent, set()).add(name)
    benchmarks = sorted((Path(d), frozenset(b)) for d, b in found.items())
    return _Scan(dict(benchmarks), tuple(skipped))


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def list_baselines(path: Path) -> list[str]:
    """Names of the baselines in a Criterion directory (`new`, `base`, saved names), sorted."""
    path = Path(path)
    _check_root(path)
    names: set[str] = set()
    for baselines in _scan(path).benchmarks.values():
        names |= baselines
    return sorted(names)


# --- one benchmark --------------------------------------------------------------------


def _throughput(raw: Any, path: Path) -> Throughput | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) != 1:
        raise InputError(path, f"throughput must be null or one {{kind: n}} pair, not {raw!r}")
    ((kind, amount),) = raw.items()
    if kind == "ElementsAndBytes" and isinstance(amount, dict):  # criterion 0.6+
        kind, amount = "Elements", amount.get("elements")
    if kind not in _THROUGHPUT_KINDS:
        return None  # a kind newer than this reader: keep the samples, drop the label
    value = _finite(amount, f"throughput {kind}", path)
    if value <= 0:
        raise InputError(path, f"throughput {kind} must be positive, not {value:g}")
    return Throughput(_THROUGHPUT_KINDS[kind], value)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def parse_estimates(raw: Any, path: Path) -> dict[str, Estimate]:
    """Criterion's estimates.json (any version) with keys in lower snake case."""
    if not isinstance(raw, dict):
        raise InputError(path, f"must be a JSON object of estimates, not {describe(raw)}")
    out: dict[str, Estimate] = {}
    for key, entry in raw.items():
        if entry is None:  # slope in Flat sampling mode
            continue
        name = _snake(str(key))
        if not isinstance(entry, dict) or not isinstance(entry.get("confidence_interval"), dict):
            raise InputError(path, f"estimate {key!r} lacks a confidence_interval object")
        ci = entry["confidence_interval"]
        out[name] = Estimate(
            point=_finite(entry.get("point_estimate"), f"{key}.point_estimate", path),
            lower=_finite(ci.get("lower_bound"), f"{key}.lower_bound", path),
            upper=_finite(ci.get("upper_bound"), f"{key}.upper_bound", path),
            standard_error=_finite(entry.get("standard_error"), f"{key}.standard_error", path),
            confidence_level=_finite(ci.get("confidence_level", 0.95), "confidence_level", path),
        )
    return out


def _samples(raw: Any, path: Path) -> tuple[FloatArray, FloatArray, SamplingMode, bool]:
    """(iters, times, sampling mode, is the <=0.3.2 layout) from a parsed sample.json."""
    if isinstance(raw, list):
        if len(raw) != 2:
            raise InputError(path, f"old layout must be [[iters...], [times...]], got {len(raw)}")
        return numbers(raw[0], "iters", path), numbers(raw[1], "times", path), "Linear", True
    if not isinstance(raw, dict):
        raise InputError(path, f"must be a JSON object or [[iters], [times]], not {describe(raw)}")
    missing = [key for key in ("iters", "times") if key not in raw]
    if missing:
        raise InputError(path, f"has no {' or '.join(missing)} field")
    mode = raw.get("sampling_mode", "unknown")
    if mode != "unknown" and (not isinstance(mode, str) or mode not in _SAMPLING_MODES):
        shown = repr(mode) if isinstance(mode, str) else describe(mode)
        raise InputError(path, f"unknown sampling_mode {shown} (expected Linear or Flat)")
    iters = numbers(raw["iters"], "iters", path)
    return iters, numbers(raw["times"], "times", path), mode, False


def _text(raw: Mapping[str, Any], key: str, path: Path, *, optional: bool) -> str | None:
    value = raw.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise InputError(path, f"{key} must be a non-empty string, not {describe(value)}")
    return value


def _load(bench_dir: Path, baseline: str) -> tuple[Benchmark, bool]:
    """The benchmark and whether its files use the <=0.3.2 layout."""
    where = bench_dir / baseline
    meta_path = where / "benchmark.json"
    meta = read_json(meta_path)
    if not isinstance(meta, dict):
        raise InputError(meta_path, f"must be a JSON object, not {describe(meta)}")
    full_id = _text(meta, "full_id", meta_path, optional=False)
    assert full_id is not None
    group = _text(meta, "group_id", meta_path, optional=True) or full_id.split("/")[0]
    directory = meta.get("directory_name")
    if isinstance(directory, str) and directory:
        want = tuple(directory.split("/"))
        have = bench_dir.absolute().parts[-len(want) :]
        if have != want:
            raise InputError(
                meta_path,
                f"directory_name {directory!r} does not match the folder it is in "
                f"({'/'.join(have)!r}); copied from another benchmark?",
            )
    throughput = _throughput(meta.get("throughput"), meta_path)

    sample_path = where / "sample.json"
    iters, times, mode, old_layout = _samples(read_json(sample_path), sample_path)

    estimates: dict[str, Estimate] = {}
    estimates_error: InputError | None = None
    estimates_path = where / "estimates.json"
    try:
        raw_estimates = read_json(estimates_path)
        estimates = parse_estimates(raw_estimates, estimates_path)
        capitalised = isinstance(raw_estimates, dict) and "Mean" in raw_estimates
        if estimates and capitalised != old_layout:
            said = "[[iters], [times]] (<=0.3.2)" if old_layout else "an object (0.3.3+)"
            keys = "capitalised (<=0.3.2)" if capitalised else "lower-case (0.3.3+)"
            estimates_error = InputError(
                sample_path,
                f"layout is {said} but estimates.json keys are {keys}; "
                "files from different Criterion versions",
            )
    except InputError as exc:
        if exc.problem != "missing":  # estimates.json is optional; a broken one is not
            estimates_error = exc
    function = _text(meta, "function_id", meta_path, optional=True)
    value = _text(meta, "value_str", meta_path, optional=True)
    try:
        bench = Benchmark(
            id=full_id,
            group=group,
            function=function,
            value=value,
            iters=iters,
            times=times,
            sampling_mode=mode,
            throughput=throughput,
            estimates=estimates,
            source=where,
        )
    except InputError as exc:  # name the file the numbers came from
        raise InputError(sample_path, exc.problem) from None
    if estimates_error is not None:  # after the samples: they are the reason to report
        raise estimates_error
    return bench, old_layout


# --- a whole directory ----------------------------------------------------------------


def _scan_for(path: Path, baseline: str) -> _Scan:
    path = Path(path)
    _check_root(path)
    scan = _scan(path)
    if not scan.benchmarks:
        raise InputError(
            path, "no Criterion benchmarks found (no <baseline>/benchmark.json below it)"
        )
    available = sorted(set().union(*scan.benchmarks.values()))
    if baseline not in available:
        raise InputError(path, f"no baseline {baseline!r} here; available: {', '.join(available)}")
    return scan


def _bench_dirs(scan: _Scan, baseline: str) -> Iterator[Path]:
    return (d for d, names in scan.benchmarks.items() if baseline in names)


def load_criterion(path: Path, baseline: str = "new", *, label: str | None = None) -> Run:
    """Every benchmark of one baseline in a Criterion directory; bad ones are `skipped`."""
    path = Path(path)
    scan = _scan_for(path, baseline)
    benchmarks: dict[str, Benchmark] = {}
    skipped = list(scan.skipped)
    old_layouts = 0
    for bench_dir in _bench_dirs(scan, baseline):
        try:
            bench, old_layout = _load(bench_dir, baseline)
        except InputError as exc:
            skipped.append(Skipped(exc.path or bench_dir, exc.problem))
            continue
        if bench.id in benchmarks:
            first = benchmarks[bench.id].source
            skipped.append(
                Skipped(
                    bench_dir / baseline / "benchmark.json",
                    f"duplicate id {bench.id!r}, already loaded from {first}",
                    bench.id,
                )
            )
            continue
        benchmarks[bench.id] = bench
        old_layouts += old_layout
    old = bool(benchmarks) and old_layouts == len(benchmarks)
    return Run(
        label=label or baseline,
        source=path,
        format="criterion-0.3.2" if old else "criterion",
        benchmarks=benchmarks,
        skipped=tuple(skipped),
    )


@dataclass(frozen=True)
class CriterionChange:
    """Criterion's own `change/estimates.json` per benchmark id (fractions: -0.05 = -5%)."""

    estimates: Mapping[str, Mapping[str, Estimate]]
    skipped: tuple[Skipped, ...] = ()


def load_criterion_change(path: Path, benchmark_id: str | None = None) -> CriterionChange:
    """The `change/estimates.json` of every benchmark (or one) that has it."""
    path = Path(path)
    _check_root(path)
    scan = _scan(path)
    out: dict[str, Mapping[str, Estimate]] = {}
    skipped: list[Skipped] = []
    for bench_dir, baselines in scan.benchmarks.items():
        change = bench_dir / "change" / "estimates.json"
        if not change.is_file():
            continue
        try:
            # The id lives in a baseline's benchmark.json; `new` is the run compared.
            name = "new" if "new" in baselines else sorted(baselines)[0]
            meta_path = bench_dir / name / "benchmark.json"
            meta = read_json(meta_path)
            if not isinstance(meta, dict):
                raise InputError(meta_path, "must be a JSON object")
            full_id = _text(meta, "full_id", meta_path, optional=False)
            assert full_id is not None
            if benchmark_id is not None and full_id != benchmark_id:
                continue
            out[full_id] = parse_estimates(read_json(change), change)
        except InputError as exc:
            skipped.append(Skipped(exc.path or change, exc.problem))
    return CriterionChange(out, tuple(skipped))
