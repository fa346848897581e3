"""Read `cargo criterion --message-format=json` output (one JSON message a line).

Format (cargo-criterion 1.x): each line has a `reason`. Only `benchmark-complete`
carries data: `id` (Criterion's full id), `iteration_count` and `measured_values`
(the raw samples, same meaning as sample.json's iters/times), `unit` of the measured
values ("ns" for wall time), `throughput` (a list of `{"per_iteration": n, "unit":
"bytes"|"elements"}`), and the estimates `typical, mean, median, median_abs_dev,
slope` as `{"estimate", "lower_bound", "upper_bound", "unit"}` (slope is null in
Flat sampling mode), plus `change`. Other reasons (`group-complete`, ...) are ignored.

The messages do not say the sampling mode: a null slope means Flat, otherwise Linear.
Nor do they give the group/function/value split of the id; it is taken from the id's
"/"-separated parts (group/function/value), which is how Criterion builds it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from vmbench.errors import InputError, Skipped
from vmbench.model import Benchmark, Estimate, Run, SamplingMode, Throughput, ThroughputKind
from vmbench.readers.jsonfiles import (
    MAX_JSON_BYTES,
    ended_early,
    loads_text,
    numbers,
    open_regular,
    read_bytes,
)
from vmbench.units import parse_unit

_ESTIMATES = ("typical", "mean", "median", "median_abs_dev", "slope")
_THROUGHPUT: dict[str, ThroughputKind] = {
    "bytes": "bytes",
    "bytesdecimal": "bytes_decimal",
    "bytes_decimal": "bytes_decimal",
    "elements": "elements",
}


def read_lines(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> list[str]:
    """A text file's lines, or InputError naming it (missing, too big, not text)."""
    if not path.exists() and not path.is_symlink():
        raise InputError(path, "does not exist")
    data = read_bytes(path, max_bytes=max_bytes, what="a JSON-lines file")
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None


def _number(value: Any, what: str, where: str) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ValueError(f"{where}{what} must be a finite number, not {value!r}")
    return float(value)


def _estimate(raw: Any, name: str, scale: float) -> Estimate:
    if not isinstance(raw, dict):
        raise ValueError(f"{name} must be an object with estimate/lower_bound/upper_bound")
    unit_scale = parse_unit(raw["unit"]).scale if isinstance(raw.get("unit"), str) else scale
    return Estimate(
        point=_number(raw.get("estimate"), ".estimate", name) * unit_scale,
        lower=_number(raw.get("lower_bound"), ".lower_bound", name) * unit_scale,
        upper=_number(raw.get("upper_bound"), ".upper_bound", name) * unit_scale,
        standard_error=math.nan,  # not in the messages
        confidence_level=0.95,  # cargo-criterion's default; the messages do not say
    )


def _throughput(raw: Any) -> Throughput | None:
    if not isinstance(raw, list) or not raw or not isinstance(raw[0], dict):
        return None
    kind = _THROUGHPUT.get(str(raw[0].get("unit", "")).lower())
    amount: Any = raw[0].get("per_iteration")
    if kind is None or type(amount) not in (int, float) or not math.isfinite(amount):
        return None
    return Throughput(kind, float(amount)) if amount > 0 else None


def _benchmark(message: dict[str, Any], path: Path, line: int) -> Benchmark:
    bench_id = message.get("id")
    if not isinstance(bench_id, str) or not bench_id:
        raise InputError(path, f"line {line}: id must be a non-empty string")
    where = f"line {line}: "
    try:
        unit = parse_unit(str(message.get("unit", "ns")))
    except ValueError as exc:
        raise InputError(path, f"{where}{exc}") from None
    if unit.kind != "time":
        raise InputError(path, f"{where}unit {unit.name!r} is not a time unit")
    try:
        iters = numbers(message.get("iteration_count"), f"{where}iteration_count", path)
        times = numbers(message.get("measured_values"), f"{where}measured_values", path)
        estimates = {
            name: _estimate(message[name], name, unit.scale)
            for name in _ESTIMATES
            if message.get(name) is not None
        }
    except ValueError as exc:
        raise InputError(path, f"{where}{exc}") from None
    if iters.size != times.size:
        raise InputError(
            path,
            f"{where}iteration_count has {iters.size} values but measured_values has "
            f"{times.size}; must pair up",
        )
    mode: SamplingMode = "Flat" if message.get("slope") is None else "Linear"
    parts = bench_id.split("/")
    try:
        return Benchmark(
            id=bench_id,
            group=parts[0],
            function=parts[1] if len(parts) > 1 else None,
            value="/".join(parts[2:]) or None,
            iters=iters,
            times=times * unit.scale,
            sampling_mode=mode,
            throughput=_throughput(message.get("throughput")),
            estimates=estimates,
            source=path,
        )
    except InputError as exc:
        raise InputError(path, f"{where}{exc.problem}") from None


def load_cargo_criterion(path: Path, *, label: str | None = None) -> Run:
    """Every `benchmark-complete` message in a cargo-criterion JSON-lines file.

    A cut-off or invalid line is skipped with its line number; a file with no
    benchmark messages at all (and nothing skipped) is an InputError.
    """
    path = Path(path)
    benchmarks: dict[str, Benchmark] = {}
    skipped: list[Skipped] = []
    for number, text in enumerate(read_lines(path), start=1):
        if not text.strip():
            continue
        try:
            message = loads_text(text)
        except json.JSONDecodeError as exc:
            hint = " (cut off?)" if ended_early(exc, len(text.rstrip())) else ""
            skipped.append(
                Skipped(path, f"line {number}: invalid JSON{hint}: {exc.msg} at column {exc.colno}")
            )
            continue
        except (ValueError, RecursionError) as exc:  # an integer of 5,000 digits, deep nesting
            problem = " ".join(str(exc).split())[:120] or "nested too deeply"
            skipped.append(Skipped(path, f"line {number}: invalid JSON: {problem}"))
            continue
        if not isinstance(message, dict):
            skipped.append(Skipped(path, f"line {number}: not a JSON object"))
            continue
        if message.get("reason") != "benchmark-complete":
            continue
        try:
            bench = _benchmark(message, path, number)
        except InputError as exc:
            bench_id = message.get("id") if isinstance(message.get("id"), str) else None
            skipped.append(Skipped(path, exc.problem, bench_id))
            continue
        if bench.id in benchmarks:
            skipped.append(Skipped(path, f"line {number}: duplicate id {bench.id!r}", bench.id))
            continue
        benchmarks[bench.id] = bench
    if not benchmarks and not skipped:
        raise InputError(path, "no benchmark-complete messages (is this cargo-criterion output?)")
    return Run(
        label=label or path.stem,
        source=path,
        format="cargo-criterion",
        benchmarks=benchmarks,
        skipped=tuple(skipped),
    )


def looks_like_cargo_criterion(path: Path) -> bool:
    """Whether a file's first non-empty line is a cargo-criterion message."""
    try:
        # Through the safe opener: a FIFO or a device given as a REF must not hang here.
        with open_regular(path, max_bytes=MAX_JSON_BYTES, what="a JSON-lines file") as handle:
            for raw in iter(lambda: handle.readline(2**20), b""):  # never a whole huge file
                if raw.strip():
                    message = json.loads(raw)
                    return isinstance(message, dict) and "reason" in message
    except (InputError, OSError, ValueError):
        return False
    return False
