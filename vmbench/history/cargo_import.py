"""Import cargo-criterion's own history into the vmbench history store.

cargo-criterion keeps every measurement under
`target/criterion/data/<timeline>/<benchmark dir>/`: `benchmark.cbor` names the
benchmark (`{"id": {"group_id", "function_id", "value_str", "throughput"},
"latest_record"}`) and each `measurement_<date>.cbor` is one run of it, a `serde_cbor`
map `{"datetime", "iterations", "values", "avg_values", "estimates", "throughput",
"changes", "change_direction", "history_id", "history_description"}` (the last four
only in cargo-criterion 1.1 and later). Read with `vmbench.readers.cbor`.

Measurements of one `cargo criterion` invocation share its `--history-id` (use the
commit SHA) when one was given; otherwise those less than `gap` apart belong to the same
run. Each run becomes one history file with commit = the history id (or `unknown`),
branch = the timeline, and a run id derived from its content, so importing twice adds
nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vmbench.errors import InputError, Skipped
from vmbench.history.machine import MachineInfo
from vmbench.history.store import add_run, make_run_id
from vmbench.model import Benchmark, Run, Throughput, ThroughputKind
from vmbench.readers.cbor import CborError, loads
from vmbench.readers.jsonfiles import MAX_CBOR_BYTES, read_bytes

_KINDS: dict[str, ThroughputKind] = {
    "Bytes": "bytes",
    "BytesDecimal": "bytes_decimal",
    "Elements": "elements",
}
_NANOS = re.compile(r"(\.\d{6})\d+")  # Python parses at most microseconds


@dataclass(frozen=True)
class Measurement:
    """One benchmark measured once, as cargo-criterion saved it."""

    benchmark: Benchmark
    date: dt.datetime
    history_id: str | None


@dataclass(frozen=True)
class ImportResult:
    """Files written, runs already in the store, and measurements that could not be read."""

    written: tuple[Path, ...]
    already_present: int
    skipped: tuple[Skipped, ...]


def _read_cbor(path: Path) -> Any:
    data = read_bytes(path, max_bytes=MAX_CBOR_BYTES, what="a cargo-criterion CBOR file")
    try:
        return loads(data)
    except CborError as exc:
        raise InputError(path, f"not valid CBOR: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"not valid CBOR: {' '.join(str(exc).split())[:120]}") from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _benchmark_id(record: Any, path: Path) -> tuple[str, str, str | None, str | None]:
    ident = record.get("id") if isinstance(record, dict) else None
    if not isinstance(ident, dict) or not _text(ident.get("group_id")):
        raise InputError(path, "benchmark.cbor has no id.group_id")
    group = str(ident["group_id"])
    function, value = _text(ident.get("function_id")), _text(ident.get("value_str"))
    full = "/".join(p for p in (group, function, value) if p)
    return full, group, function, value


def _throughput(raw: Any) -> Throughput | None:
    if isinstance(raw, dict) and len(raw) == 1:
        ((kind, amount),) = raw.items()
        if kind in _KINDS and isinstance(amount, int | float) and not isinstance(amount, bool):
            try:
                per_iteration = float(amount)
            except OverflowError:  # a CBOR bignum
                return None
            # inf or NaN per iteration would give inf/NaN throughput in every report.
            if math.isfinite(per_iteration) and per_iteration > 0:
                return Throughput(_KINDS[kind], per_iteration)
    return None


def _finite(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a CBOR bignum: no float holds it
        return False


def _date(raw: Any, path: Path) -> dt.datetime:
    if not isinstance(raw, str):
        raise InputError(path, "measurement has no datetime")
    try:
        date = dt.datetime.fromisoformat(_NANOS.sub(r"\1", raw.replace("Z", "+00:00")))
    except ValueError:
        raise InputError(path, f"measurement datetime {raw!r} is not RFC 3339") from None
    date = date if date.tzinfo else date.replace(tzinfo=dt.timezone.utc)
    try:
        utc = date.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise InputError(path, f"measurement datetime {raw!r} is out of range") from None
    if utc.year < 1970:
        raise InputError(path, f"measurement datetime {raw!r} is before 1970")
    return utc


def read_measurement(path: Path, ident: tuple[str, str, str | None, str | None]) -> Measurement:
    """One `measurement_*.cbor` file of the benchmark `ident` (id, group, function, value)."""
    raw = _read_cbor(path)
    if not isinstance(raw, dict):
        raise InputError(path, "measurement is not a CBOR map")
    iters, values = raw.get("iterations"), raw.get("values")
    if not isinstance(iters, list) or not isinstance(values, list):
        raise InputError(path, "measurement lacks the iterations and values arrays")
    if not all(_finite(v) for v in [*iters, *values]):
        raise InputError(path, "iterations and values must be finite numbers")
    full, group, function, value = ident
    bench = Benchmark(
        id=full,
        group=group,
        function=function,
        value=value,
        iters=np.asarray(iters, dtype=np.float64),
        times=np.asarray(values, dtype=np.float64),
        throughput=_throughput(raw.get("throughput")),
        source=path,
    )
    return Measurement(bench, _date(raw.get("datetime"), path), _text(raw.get("history_id")))


def read_timeline(directory: Path) -> tuple[list[Measurement], list[Skipped]]:
    """Every measurement under one timeline directory, and what could not be read."""
    measurements: list[Measurement] = []
    skipped: list[Skipped] = []
    for record_path in sorted(directory.rglob("benchmark.cbor")):
        try:
            ident = _benchmark_id(_read_cbor(record_path), record_path)
        except InputError as exc:
            skipped.append(Skipped(record_path, exc.problem))
            continue
        for path in sorted(record_path.parent.glob("measurement_*.cbor")):
            try:
                measurements.append(read_measurement(path, ident))
            except InputError as exc:
                skipped.append(Skipped(path, exc.problem, ident[0]))
    return measurements, skipped


def group_runs(measurements: list[Measurement], *, gap: dt.timedelta) -> list[list[Measurement]]:
    """Measurements grouped by history id, else by time (a new run after a `gap`)."""
    tagged: dict[str, list[Measurement]] = {}
    untagged = sorted((m for m in measurements if not m.history_id), key=lambda m: m.date)
    for m in measurements:
        if m.history_id:
            tagged.setdefault(m.history_id, []).append(m)
    runs = list(tagged.values())
    current: list[Measurement] = []
    for m in untagged:
        seen = {c.benchmark.id for c in current}
        if current and (m.date - current[-1].date > gap or m.benchmark.id in seen):
            runs.append(current)
            current = []
        current.append(m)
    if current:
        runs.append(current)
    return sorted(runs, key=lambda run: min(m.date for m in run))


def _timeline_dir(path: Path, timeline: str) -> Path:
    for candidate in (path / "data" / timeline, path / timeline, path):
        if candidate.is_dir() and any(candidate.rglob("benchmark.cbor")):
            return candidate
    raise InputError(
        path, f"no cargo-criterion history found (expected data/{timeline}/*/benchmark.cbor)"
    )


def import_cargo_criterion(
    path: Path,
    store: Path,
    *,
    timeline: str = "main",
    branch: str | None = None,
    machine: MachineInfo | None = None,
    gap: dt.timedelta = dt.timedelta(minutes=30),
) -> ImportResult:
    """Add every run of a cargo-criterion history (`target/criterion`) to `store`."""
    measurements, skipped = read_timeline(_timeline_dir(Path(path), timeline))
    written: list[Path] = []
    present = 0
    for group in group_runs(measurements, gap=gap):
        latest = {m.benchmark.id: m for m in sorted(group, key=lambda m: m.date)}
        date = min(m.date for m in group)
        commit = group[0].history_id or "unknown"
        digest = hashlib.sha256(
            "\x1f".join([date.isoformat(), commit, *sorted(latest)]).encode("utf-8")
        ).hexdigest()[:8]
        run_id = make_run_id(date, commit, digest)
        if (Path(store) / f"{run_id}.parquet").exists():
            present += 1
            continue
        run = Run(
            label=commit if commit != "unknown" else f"{date:%Y-%m-%d %H:%M}",
            source=Path(path),
            format="cargo-criterion",
            benchmarks={bid: m.benchmark for bid, m in latest.items()},
        )
        written.append(
            add_run(
                store,
                run,
                commit=commit,
                branch=branch or timeline,
                date=date,
                machine=machine,
                run_id=run_id,
            )
        )
    return ImportResult(tuple(written), present, tuple(skipped))
