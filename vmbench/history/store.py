"""The run history store: one Parquet file per recorded run, append-only.

Layout: `<store>/<run_id>.parquet`, where `run_id` is `<UTC date>-<commit[:12]>-<random>`, so
names sort by date and two processes adding runs at the same moment never pick the same
name (each file is written to a temporary name, then renamed: readers never see half a file).

Why Parquet (through pyarrow): it is columnar and compressed, so loading the summaries of
a year of runs reads only the summary columns and skips the raw samples; and DuckDB,
Polars, Spark and pandas read the files as they are (`SELECT * FROM 'history/*.parquet'`)
when a team's history outgrows one machine. One row per benchmark; run metadata are
columns (dictionary-encoded, so they cost almost nothing) so that no join is needed.
Raw samples are two list columns (`iters`, `times`) in the same row; `prune_samples`
rewrites old files with those set to null and leaves every summary column untouched.

Size, measured on synthetic runs (1,000 benchmarks x 100 samples, times in whole ns,
zstd with byte-stream-split floats): 415 KB per run with samples, 67 KB after pruning,
so a year of daily runs is about 151 MB, or 25 MB once its samples are pruned.

Format history (`vmbench.schema_version` in the Parquet key-value metadata):
  1 (vmbench 0.1): the columns of `_SCHEMA` below; key `vmbench.samples` is `kept` or
    `pruned` (then `iters` and `times` are null).

Over 400 lines on purpose: the schema, the atomic writer, the validating reader and
pruning are one file format; split apart, each piece would need the others' private
schema and a change to the format would touch several modules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
import os
import re
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vmbench.atomic import atomic_write_bytes
from vmbench.errors import InputError, SchemaVersionError, Skipped, UsageError
from vmbench.history.machine import MachineInfo
from vmbench.history.summary import summary_columns
from vmbench.model import Benchmark, Run, Throughput
from vmbench.readers.categories import Categories
from vmbench.readers.jsonfiles import MAX_PARQUET_BYTES, open_regular

SCHEMA_VERSION = 1
_VERSION_KEY = b"vmbench.schema_version"
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")  # a file name, never a path
_SAMPLES_KEY = b"vmbench.samples"  # "kept", or "pruned" once prune_samples dropped them
DEFAULT_STORE = Path("benches/history")
_READERS = min(8, os.cpu_count() or 1)  # run files read at once by `load_history`
_SKIPPED_ATTR = "vmbench.skipped"  # frame.attrs key: files left out of a load
T = TypeVar("T")

_RUN_FIELDS = [
    pa.field("run_id", pa.string()),
    pa.field("date", pa.timestamp("us", tz="UTC")),
    pa.field("commit", pa.string()),
    pa.field("branch", pa.string()),
    pa.field("label", pa.string()),
    pa.field("machine", pa.string()),
    pa.field("machine_fingerprint", pa.string()),
    pa.field("cpu", pa.string()),
    pa.field("cores", pa.int32()),
    pa.field("os", pa.string()),
    pa.field("rustc", pa.string()),
    pa.field("host_hash", pa.string()),
]
_SUMMARY_FIELDS = [
    pa.field("id", pa.string()),
    pa.field("group", pa.string()),
    pa.field("function", pa.string()),
    pa.field("value", pa.string()),
    pa.field("n", pa.int32()),
    pa.field("iterations", pa.int64()),
    pa.field("mean_ns", pa.float64()),
    pa.field("median_ns", pa.float64()),
    pa.field("std_dev_ns", pa.float64()),
    pa.field("mad_ns", pa.float64()),
    pa.field("ci_low", pa.float64()),
    pa.field("ci_high", pa.float64()),
    pa.field("min_ns", pa.float64()),
    pa.field("max_ns", pa.float64()),
    pa.field("sampling_mode", pa.string()),
    pa.field("throughput_kind", pa.string()),
    pa.field("throughput_per_iteration", pa.float64()),
]
_SAMPLE_FIELDS = [
    pa.field("iters", pa.list_(pa.float64())),
    pa.field("times", pa.list_(pa.float64())),
]
_SCHEMA = pa.schema(_RUN_FIELDS + _SUMMARY_FIELDS + _SAMPLE_FIELDS)
RUN_COLUMNS = [f.name for f in _RUN_FIELDS]
SUMMARY_COLUMNS = RUN_COLUMNS + [f.name for f in _SUMMARY_FIELDS]
_CATEGORY_AT = SUMMARY_COLUMNS.index("group") + 1  # load_history adds `category` after `group`
_DICTIONARY_COLUMNS = [*RUN_COLUMNS, "group", "sampling_mode", "throughput_kind"]
# Read back as pandas categoricals (few distinct values, many rows).
_CATEGORICAL_COLUMNS = [
    *(f.name for f in _RUN_FIELDS if f.type == pa.string()),
    "id",
    "group",
    "function",
    "value",
    "sampling_mode",
    "throughput_kind",
]
_TYPES = {f.name: f.type for f in _SCHEMA}
# The summary columns as `load_history` hands them to pandas.
_LOADED_SCHEMA = pa.schema(
    [
        pa.field(f.name, pa.dictionary(pa.int32(), pa.string()))
        if f.name in _CATEGORICAL_COLUMNS
        else f
        for f in _SCHEMA
        if f.name in SUMMARY_COLUMNS
    ]
)
_SUMMARY_NAMES = frozenset(SUMMARY_COLUMNS)
# Byte-stream-split encoding lets zstd compress floats (raw times) about 20% better.
_SPLIT_COLUMNS = [
    *(f.name for f in _SUMMARY_FIELDS if f.type == pa.float64()),
    "times.list.element",
]


@dataclass(frozen=True)
class PruneResult:
    """What `prune_samples` did: files rewritten without samples, and store size change."""

    pruned: tuple[Path, ...]
    bytes_before: int
    bytes_after: int
    skipped: tuple[Skipped, ...] = ()  # run files that could not be read, left as they are


_FIRST_YEAR = 1970  # run dates before the epoch are typos (and sort wrongly as file names)


_EPOCH = dt.datetime(_FIRST_YEAR, 1, 1, tzinfo=dt.timezone.utc)


def _utc(date: dt.datetime, *, check_range: bool = True) -> dt.datetime:
    """The date with a zone (none: taken as UTC); UsageError outside 1970..9999 in UTC."""
    # A date without a zone is taken as UTC: CI logs and git dates are compared in UTC.
    date = date.replace(tzinfo=dt.timezone.utc) if date.tzinfo is None else date
    try:
        utc = date.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):  # year 1 with a +01:00 offset, 9999-12-31 with -01:00
        raise UsageError(f"date {date.isoformat()} is outside the years 1-9999 in UTC") from None
    if check_range and utc.year < _FIRST_YEAR:
        raise UsageError(f"date {date.isoformat()} is before {_FIRST_YEAR}; a typo?")
    return date


def make_run_id(date: dt.datetime, commit: str, suffix: str | None = None) -> str:
    """`<YYYYmmddTHHMMSSZ>-<commit[:12]>-<suffix or 8 random hex>`: sorts by date and
    never collides; only letters and digits of the commit reach the file name."""
    safe = "".join(c for c in commit[:12] if c.isascii() and c.isalnum()) or "nocommit"
    stamp = _utc(date).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{safe}-{suffix or secrets.token_hex(4)}"


def _to_parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        use_dictionary=_DICTIONARY_COLUMNS,
        use_byte_stream_split=_SPLIT_COLUMNS,
        write_statistics=False,
    )
    return bytes(sink.getvalue().to_pybytes())


def add_run(
    store: Path,
    run: Run,
    *,
    commit: str,
    branch: str,
    date: dt.datetime,
    machine: MachineInfo | None,
    run_id: str | None = None,
) -> Path:
    """Record `run` in `store` (created if missing) and return the new file's path.

    `run_id` is normally generated; pass one only to rebuild a store deterministically.
    """
    if not run.benchmarks:
        raise InputError(run.source, "run has no benchmarks with samples; nothing to record")
    if not commit.strip() or not branch.strip():
        raise UsageError("a history run needs a non-empty commit and branch")
    date = _utc(date)
    machine = machine or MachineInfo(name="unknown")
    rid = run_id or make_run_id(date, commit)
    if not _RUN_ID.fullmatch(rid):
        raise UsageError(f"run id {rid!r} must be letters, digits, '.', '_' or '-'")
    columns = summary_columns([run.benchmarks[key] for key in sorted(run.benchmarks)])
    rows = len(run.benchmarks)
    constants: dict[str, object] = {
        "run_id": rid,
        "date": date,
        "commit": commit.strip(),
        "branch": branch.strip(),
        "label": run.label,
        "machine": machine.name,
        "machine_fingerprint": machine.fingerprint,
        "cpu": machine.cpu,
        "cores": machine.cores,
        "os": machine.os,
        "rustc": machine.rustc,
        "host_hash": machine.host_hash,
    }
    arrays = [
        pa.array([constants[f.name]] * rows, type=f.type)
        if f.name in constants
        else columns[f.name]
        for f in _SCHEMA
    ]
    table = pa.Table.from_arrays(arrays, schema=_SCHEMA).replace_schema_metadata(
        {_VERSION_KEY: str(SCHEMA_VERSION).encode(), _SAMPLES_KEY: b"kept"}
    )
    store = Path(store)
    if store.exists() and not store.is_dir():
        raise InputError(store, "history store must be a directory, this is a file")
    target = store / f"{rid}.parquet"
    if target.exists():
        raise UsageError(f"run id {rid!r} is already in {store}")
    _write(target, table)
    return target


def _write(path: Path, table: pa.Table) -> None:
    try:
        atomic_write_bytes(path, _to_parquet_bytes(table))
    except OSError as exc:
        raise InputError(path, f"cannot write history file: {exc.strerror or exc}") from exc


def run_files(store: Path) -> list[Path]:
    """The run files of a store, oldest first; an error when the store does not exist."""
    store = Path(store)
    if not store.is_dir():
        raise InputError(store, "history store not found (record a run with `vmbench history add`)")
    return sorted(p for p in store.glob("*.parquet") if not p.name.startswith("."))


def _check_version(path: Path, metadata: dict[bytes, bytes]) -> None:
    raw = metadata.get(_VERSION_KEY)
    if raw is None:
        raise SchemaVersionError(
            path, "not a vmbench history file (no schema_version); move it out of the store"
        )
    try:
        version = int(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise SchemaVersionError(
            path, f"schema_version {raw[:20]!r} is not a number; not a vmbench history file"
        ) from None
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            path,
            f"history schema_version {version} is newer than this vmbench reads "
            f"({SCHEMA_VERSION}); upgrade vmbench (pip install -U vmbench)",
        )
    if version < SCHEMA_VERSION:  # pragma: no cover - no older version exists yet
        raise SchemaVersionError(
            path,
            f"history schema_version {version} is too old (this vmbench reads "
            f"{SCHEMA_VERSION}); re-record the run with `vmbench history add`",
        )


@dataclass(frozen=True)
class _RunFile:
    """An open run file: its reader, its top-level column names, its key-value metadata."""

    parquet: pq.ParquetFile
    columns: frozenset[str]
    metadata: dict[bytes, bytes]


@contextlib.contextmanager
def _open(path: Path) -> Iterator[_RunFile]:
    # Through the safe opener: a FIFO or a device named *.parquet is refused, not read.
    with open_regular(path, max_bytes=MAX_PARQUET_BYTES, what="a Parquet history file") as f:
        try:
            # One reader per file: its footer and Arrow schema each cost about as much
            # as reading a column, and a year of daily runs is 730 files.
            try:
                # Repeated strings read dictionary-encoded (pandas categoricals).
                pf = pq.ParquetFile(f, read_dictionary=_CATEGORICAL_COLUMNS)
            except KeyError:  # one of them is missing: `_read` names what is
                pf = pq.ParquetFile(f)
            metadata = pf.metadata.metadata or {}
            _check_version(path, metadata)
            columns = frozenset(pf.schema_arrow.names)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(path, f"cannot read history file: {_one_line(exc)}") from None
        yield _RunFile(pf, columns, metadata)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _check_table(path: Path, table: pa.Table) -> None:
    """A run file's summaries are usable: typed columns, rows, ids, finite positive means."""
    if table.num_rows == 0:
        raise InputError(path, "history file has no rows (an empty run)")
    if table.schema.equals(_LOADED_SCHEMA):  # every summary column, as `_open` reads it
        names = _SUMMARY_NAMES
    else:
        for field in table.schema:
            expected = _TYPES[field.name]
            actual = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
            if actual != expected:
                raise InputError(path, f"column {field.name!r} is {actual}, expected {expected}")
        names = frozenset(table.column_names)
    for name in ("run_id", "date", "id", "mean_ns"):
        if name in names and table.column(name).null_count:
            raise InputError(path, f"column {name!r} holds nulls")
    if "mean_ns" in names:
        mean = table.column("mean_ns").to_numpy()  # no nulls (checked above)
        if not np.all(np.isfinite(mean) & (mean > 0.0)):
            raise InputError(path, "column 'mean_ns' holds a mean that is not finite and > 0")


def _has_samples(run_file: _RunFile) -> bool:
    return run_file.metadata.get(_SAMPLES_KEY) != b"pruned"


def _read(path: Path, columns: list[str]) -> pa.Table:
    with _open(path) as run_file:
        if not run_file.columns.issuperset(columns):
            missing = [c for c in columns if c not in run_file.columns]
            raise InputError(path, f"history file lacks columns {missing}")
        try:
            table = run_file.parquet.read(columns=columns, use_threads=False)
        except (OSError, pa.ArrowException) as exc:  # flipped bytes in a data page
            raise InputError(path, f"cannot read history file: {_one_line(exc)}") from None
    _check_table(path, table.select([c for c in columns if c in _SUMMARY_NAMES]))
    return table


def _read_summary_file(path: Path) -> pa.Table:
    """The summary columns of one run file, validated (see `_check_table`)."""
    return _read(path, SUMMARY_COLUMNS)


def _usable(paths: list[Path], check: Callable[[Path], T]) -> tuple[list[T], tuple[Skipped, ...]]:
    """`check` each file: the results of the good ones, and a `Skipped` for each bad one.

    One bad file (torn, foreign, from a newer vmbench) must not hide the other runs; but
    when every file is bad there is nothing to show, so the first file's error is raised.
    """

    def attempt(path: Path) -> T | InputError:
        try:
            return check(path)
        except InputError as exc:
            return exc

    # Files are read side by side: pyarrow decodes without holding the GIL, and a year
    # of daily runs is 730 files of a few milliseconds each. Results keep path order.
    workers = min(_READERS, len(paths))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(attempt, paths))
    else:
        outcomes = [attempt(p) for p in paths]
    good: list[T] = []
    skipped: list[Skipped] = []
    first: InputError | None = None
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, InputError):
            first = first or outcome
            skipped.append(Skipped(path, outcome.problem))
        else:
            good.append(outcome)
    if first is not None and not good:
        raise first
    return good, tuple(skipped)


def skipped_files(frame: pd.DataFrame) -> tuple[Skipped, ...]:
    """The run files `load_history` or `list_runs` left out of `frame`, with the reason."""
    skipped: tuple[Skipped, ...] = frame.attrs.get(_SKIPPED_ATTR, ())
    return skipped


def _read_summaries(tables: list[pa.Table], filters: pc.Expression | None) -> pa.Table:
    # Each file was read and checked on its own (`_read_summary_file`), so that one torn
    # or foreign file is skipped and named instead of failing the whole store.
    # Repeated strings stay dictionary-encoded: pandas gets categoricals, not 730k strings.
    # Files read through `_open` already have these types: cast only those that do not.
    combined = pa.concat_tables(
        [
            t if t.schema.equals(_LOADED_SCHEMA) else t.cast(_LOADED_SCHEMA)
            for t in (t.select(SUMMARY_COLUMNS) for t in tables)
        ]
    )
    return combined.filter(filters) if filters is not None else combined


def parse_date(text: str, *, check_range: bool = True) -> dt.datetime:
    """An ISO date or date-time (`2025-01-31`, `2025-01-31T03:00:00Z`); UTC when no zone."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"not an ISO date: {text!r} (e.g. 2025-01-31 or 2025-01-31T03:00Z)"
        ) from None
    return _utc(value, check_range=check_range)


def _since(since: dt.date | dt.datetime | str | None) -> dt.datetime | None:
    if since is None:
        return None
    if isinstance(since, str):
        since = parse_date(since, check_range=False)
    if not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    return max(_utc(since, check_range=False), _EPOCH)  # "since year 1" is every run


def _file_date(path: Path) -> dt.datetime | None:
    try:
        stamp = dt.datetime.strptime(path.name[:16], "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return stamp.replace(tzinfo=dt.timezone.utc)


def load_history(
    store: Path,
    *,
    branch: str | None = None,
    since: dt.date | dt.datetime | str | None = None,
    machine: str | None = None,
    categories: Categories | None = None,
) -> pd.DataFrame:
    """One row per run and benchmark, sorted by date: the summaries, never the samples.

    Columns: `run_id, date, commit, branch, label, machine, machine_fingerprint, ...`,
    then `id, group, category, n, iterations, mean_ns, median_ns, std_dev_ns, ci_low,
    ci_high, ...`. `since` keeps runs at or after that date (UTC when no zone is given).
    A file that cannot be used is left out and listed by `skipped_files(frame)`; when no
    file is usable, its error (`InputError`, `SchemaVersionError`) is raised.
    """
    start = _since(since)
    paths = run_files(store)
    if start is not None:
        # File names start with the run date: skip old files without opening them.
        paths = [p for p in paths if (d := _file_date(p)) is None or d >= start]
    if not paths:
        return _empty_frame()
    filters = []
    if branch is not None:
        filters.append(pc.field("branch") == branch)
    if machine is not None:
        filters.append(pc.field("machine") == machine)
    if start is not None:
        filters.append(pc.field("date") >= pa.scalar(start, type=_SCHEMA.field("date").type))
    combined = functools.reduce(operator.and_, filters) if filters else None
    tables, skipped = _usable(paths, _read_summary_file)
    frame: pd.DataFrame = _read_summaries(tables, combined).to_pandas()
    # Files are named by date and rows written sorted by id, so this is usually a no-op.
    order = np.lexsort(
        (
            pd.factorize(frame["id"], sort=True)[0],
            pd.factorize(frame["run_id"], sort=True)[0],
            frame["date"].to_numpy(dtype="datetime64[us]").view(np.int64),
        )
    )
    if not np.array_equal(order, np.arange(len(frame))):
        frame = frame.take(order)
    frame = frame.reset_index(drop=True)
    frame.insert(_CATEGORY_AT, "category", _categories(frame, categories))
    frame.attrs[_SKIPPED_ATTR] = skipped
    return frame


def _empty_frame() -> pd.DataFrame:
    empty: pd.DataFrame = _SCHEMA.empty_table().select(SUMMARY_COLUMNS).to_pandas()
    empty.insert(_CATEGORY_AT, "category", pd.Series(dtype=str))
    return empty


def _categories(frame: pd.DataFrame, categories: Categories | None) -> pd.Series:
    cats = categories or Categories.load()
    # An id always has the same group (both come from Criterion's benchmark.json).
    pairs = frame[["id", "group"]].drop_duplicates("id")
    mapping = {i: cats.categorize(i, g) for i, g in zip(pairs["id"], pairs["group"], strict=True)}
    return frame["id"].map(mapping).astype("category")


def _run_row(path: Path) -> dict[str, Any]:
    table = _read_summary_file(path)
    meta: dict[str, Any] = table.select(RUN_COLUMNS).slice(0, 1).to_pylist()[0]
    with _open(path) as run_file:
        has_samples = _has_samples(run_file)
    meta.update(
        benchmarks=table.num_rows,
        has_samples=has_samples,
        size_bytes=path.stat().st_size,
        path=str(path),
    )
    return meta


def list_runs(store: Path) -> pd.DataFrame:
    """One row per run: metadata, benchmark count, whether raw samples are kept, file size.

    Files that cannot be used are left out and listed by `skipped_files(frame)`.
    """
    rows, skipped = _usable(run_files(store), _run_row)
    frame = pd.DataFrame(rows, columns=[*RUN_COLUMNS, "benchmarks", "has_samples", "size_bytes"])
    if rows:
        frame["path"] = [r["path"] for r in rows]
    frame = frame.sort_values(["date", "run_id"], kind="stable").reset_index(drop=True)
    frame.attrs[_SKIPPED_ATTR] = skipped
    return frame


def _find_run(store: Path, run_id: str) -> Path:
    matches = [p for p in run_files(store) if p.stem == run_id or p.stem.startswith(run_id)]
    if len(matches) != 1:
        what = "no run" if not matches else f"{len(matches)} runs"
        raise UsageError(f"{what} in {store} with id {run_id!r} (see `vmbench history list`)")
    return matches[0]


def load_run_samples(store: Path, run_id: str, *, label: str | None = None) -> Run:
    """The raw samples of one recorded run (id or unique prefix), as a `Run`.

    The label defaults to the one the run was recorded with (its baseline name).
    """
    path = _find_run(store, run_id)
    rows = _read(path, [*SUMMARY_COLUMNS, "iters", "times"]).to_pylist()
    if any(r["times"] is None for r in rows):
        raise InputError(path, "raw samples of this run were pruned; only summaries remain")
    benchmarks: dict[str, Benchmark] = {}
    for r in rows:
        throughput = (
            Throughput(r["throughput_kind"], r["throughput_per_iteration"])
            if r["throughput_kind"]
            else None
        )
        benchmarks[r["id"]] = Benchmark(
            id=r["id"],
            group=r["group"],
            function=r["function"],
            value=r["value"],
            iters=np.asarray(r["iters"], dtype=np.float64),
            times=np.asarray(r["times"], dtype=np.float64),
            sampling_mode=r["sampling_mode"],
            throughput=throughput,
            source=path,
        )
    label = label or (rows[0]["label"] if rows else path.stem)
    return Run(label=label, source=path, format="history", benchmarks=benchmarks)


def prune_samples(
    store: Path, *, keep_samples_days: int, now: dt.datetime | None = None
) -> PruneResult:
    """Drop the raw samples of runs older than `keep_samples_days`; summaries stay as they are."""
    if keep_samples_days < 0:
        raise UsageError("keep_samples_days must be zero or more")
    now = _utc(now or dt.datetime.now(dt.timezone.utc))
    try:
        cutoff = now - dt.timedelta(days=keep_samples_days)
    except OverflowError:  # more days than the calendar holds: keep every run's samples
        cutoff = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    paths = run_files(store)
    before = sum(p.stat().st_size for p in paths)
    pruned: list[Path] = []
    skipped: list[Skipped] = []
    first: InputError | None = None
    for path in paths:
        try:
            table = _without_samples(path, cutoff)
        except InputError as exc:  # a bad file is left as it is, and named
            first = first or exc
            skipped.append(Skipped(path, exc.problem))
            continue
        if table is not None:
            _write(path, table)
            pruned.append(path)
    if first is not None and len(skipped) == len(paths):  # nothing usable: say why
        raise first
    after = sum(p.stat().st_size for p in run_files(store))
    return PruneResult(
        pruned=tuple(pruned), bytes_before=before, bytes_after=after, skipped=tuple(skipped)
    )


def _without_samples(path: Path, cutoff: dt.datetime) -> pa.Table | None:
    """The run file with its samples set to null, or None when it keeps them."""
    with _open(path) as run_file:
        if not _has_samples(run_file):
            return None
        metadata = run_file.parquet.schema_arrow.metadata or {}
    table = _read(path, [f.name for f in _SCHEMA])
    if table.column("date")[0].as_py() >= cutoff:
        return None
    try:  # back to the stored types (read back dictionary-encoded)
        table = table.cast(_SCHEMA)
    except (ValueError, pa.ArrowException) as exc:
        raise InputError(path, f"cannot rewrite history file: {_one_line(exc)}") from None
    nulls = pa.nulls(table.num_rows, type=pa.list_(pa.float64()))
    table = table.set_column(table.schema.get_field_index("iters"), "iters", nulls)
    table = table.set_column(table.schema.get_field_index("times"), "times", nulls)
    return table.replace_schema_metadata({**metadata, _SAMPLES_KEY: b"pruned"})
