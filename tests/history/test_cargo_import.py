"""The CBOR decoder (RFC 8949 Appendix A vectors) and the cargo-criterion history import."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vmbench.cli import main
from vmbench.errors import InputError
from vmbench.history.cargo_import import import_cargo_criterion
from vmbench.history.store import list_runs, load_history, load_run_samples
from vmbench.readers.cbor import CborError, loads

# (hex, value) from RFC 8949 Appendix A.
VECTORS: list[tuple[str, Any]] = [
    ("00", 0),
    ("17", 23),
    ("1818", 24),
    ("1903e8", 1000),
    ("1b000000e8d4a51000", 1000000000000),
    ("1bffffffffffffffff", 18446744073709551615),
    ("20", -1),
    ("3903e7", -1000),
    ("f90000", 0.0),
    ("f93c00", 1.0),
    ("fb3ff199999999999a", 1.1),
    ("f97bff", 65504.0),
    ("fa47c35000", 100000.0),
    ("fb7e37e43c8800759c", 1.0e300),
    ("f90001", 5.960464477539063e-8),
    ("f9c400", -4.0),
    ("f97c00", math.inf),
    ("f4", False),
    ("f5", True),
    ("f6", None),
    ("c074323031332d30332d32315432303a30343a30305a", "2013-03-21T20:04:00Z"),
    ("4401020304", b"\x01\x02\x03\x04"),
    ("60", ""),
    ("62225c", '"\\'),
    ("63e6b0b4", "\u6c34"),
    ("8301820203820405", [1, [2, 3], [4, 5]]),
    ("a201020304", {1: 2, 3: 4}),
    ("a26161016162820203", {"a": 1, "b": [2, 3]}),
    ("5f42010243030405ff", b"\x01\x02\x03\x04\x05"),
    ("7f657374726561646d696e67ff", "streaming"),
    ("9f018202039f0405ffff", [1, [2, 3], [4, 5]]),
    ("bf61610161629f0203ffff", {"a": 1, "b": [2, 3]}),
]


@pytest.mark.parametrize(("hex_text", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_rfc_8949_vectors(hex_text: str, expected: Any) -> None:
    assert loads(bytes.fromhex(hex_text)) == expected


def test_half_precision_nan() -> None:
    assert math.isnan(loads(bytes.fromhex("f97e00")))


@pytest.mark.parametrize(
    ("hex_text", "problem"),
    [
        ("18", "truncated"),
        ("1c", "reserved"),
        ("ff", "break"),
        ("9f01", "missing break"),
        ("616100", "after the data item"),
        ("62c3", "truncated"),
        ("62ffff", "UTF-8"),
        ("a182010200", "unhashable"),
        ("5f6161ff", "mixed chunks"),
        ("81" * 100 + "00", "nested"),
    ],
)
def test_malformed_cbor_is_refused(hex_text: str, problem: str) -> None:
    with pytest.raises(CborError, match=problem):
        loads(bytes.fromhex(hex_text))


# --- a tiny encoder for fixtures shaped like serde_cbor's output ------------------------


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def dumps(value: Any) -> bytes:
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(dumps(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(dumps(k) + dumps(v) for k, v in value.items())
    raise TypeError(value)


def _estimate(x: float) -> dict[str, Any]:
    ci = {"confidence_level": 0.95, "lower_bound": x, "upper_bound": x}
    return {"confidence_interval": ci, "point_estimate": x, "standard_error": 0.0}


def write_benchmark(
    root: Path, directory: str, ident: dict[str, Any], runs: list[tuple[str, str | None, float]]
) -> None:
    """`runs`: (datetime, history_id, ns per iteration) of each measurement file."""
    where = root / "data" / "main" / directory
    where.mkdir(parents=True)
    for k, (date, history_id, ns) in enumerate(runs):
        iters = [float(i) for i in range(1, 11)]
        values = [i * ns * (1 + 0.001 * (j % 3)) for j, i in enumerate(iters)]
        est = {
            "mean": _estimate(ns), "median": _estimate(ns), "median_abs_dev": _estimate(0.0),
            "slope": _estimate(ns), "std_dev": _estimate(0.0),
        }  # fmt: skip
        record = {
            "datetime": date, "iterations": iters, "values": values,
            "avg_values": [v / i for v, i in zip(values, iters, strict=True)],
            "estimates": est, "throughput": ident.get("throughput"), "changes": None,
            "change_direction": None, "history_id": history_id, "history_description": None,
        }  # fmt: skip
        (where / f"measurement_{k:02d}.cbor").write_bytes(dumps(record))
    latest = f"measurement_{len(runs) - 1:02d}.cbor"
    (where / "benchmark.cbor").write_bytes(dumps({"id": ident, "latest_record": latest}))


@pytest.fixture
def cargo_history(tmp_path: Path) -> Path:
    root = tmp_path / "criterion"
    dates = [f"2024-05-0{d}T10:00:{s:02d}.123456789Z" for d, s in ((1, 0), (2, 0), (3, 0))]
    write_benchmark(
        root, "vm_dispatch",
        {"group_id": "vm", "function_id": "dispatch", "value_str": None, "throughput": None},
        [(dates[0], "aaa111", 100.0), (dates[1], "bbb222", 100.0), (dates[2], "ccc333", 150.0)],
    )  # fmt: skip
    write_benchmark(
        root, "memory_alloc_4096",
        {"group_id": "memory", "function_id": "alloc", "value_str": "4096",
         "throughput": {"Bytes": 4096}},
        [(d.replace(":00.", ":30."), h, 2000.0)
         for d, h in zip(dates, ["aaa111", "bbb222", "ccc333"], strict=True)],
    )  # fmt: skip
    return root


def test_import_makes_one_run_per_history_id(cargo_history: Path, tmp_path: Path) -> None:
    store = tmp_path / "history"
    result = import_cargo_criterion(cargo_history, store)
    assert len(result.written) == 3
    assert result.skipped == ()
    runs = list_runs(store)
    assert list(runs["commit"]) == ["aaa111", "bbb222", "ccc333"]
    assert set(runs["branch"]) == {"main"}
    assert (runs["benchmarks"] == 2).all()
    frame = load_history(store)
    dispatch = frame[frame["id"] == "vm/dispatch"]
    assert list(dispatch["mean_ns"]) == pytest.approx([100 * 1.0009, 100 * 1.0009, 150 * 1.0009])
    run = load_run_samples(store, runs["run_id"].iloc[0])
    alloc = run.benchmarks["memory/alloc/4096"]
    assert alloc.throughput is not None
    assert alloc.throughput.per_iteration == 4096.0
    assert alloc.n == 10
    again = import_cargo_criterion(cargo_history, store)
    assert (again.written, again.already_present) == ((), 3)


def test_without_history_ids_runs_are_split_by_time(tmp_path: Path) -> None:
    root = tmp_path / "criterion"
    for name in ("a", "b"):
        write_benchmark(
            root, name, {"group_id": name, "function_id": None, "value_str": None},
            [("2024-05-01T10:00:00Z", None, 10.0), ("2024-05-02T10:00:00Z", None, 12.0)],
        )  # fmt: skip
    result = import_cargo_criterion(root, tmp_path / "h")
    assert len(result.written) == 2
    runs = list_runs(tmp_path / "h")
    assert list(runs["commit"]) == ["unknown", "unknown"]
    assert list(runs["benchmarks"]) == [2, 2]


def test_bad_files_are_skipped_and_named(cargo_history: Path, tmp_path: Path) -> None:
    bad_dir = cargo_history / "data" / "main" / "vm_dispatch"
    (bad_dir / "measurement_09.cbor").write_bytes(b"\x9f\x01")
    (bad_dir / "measurement_10.cbor").write_bytes(dumps({"datetime": "yesterday"}))
    broken = cargo_history / "data" / "main" / "broken"
    broken.mkdir()
    (broken / "benchmark.cbor").write_bytes(dumps({"id": {}}))
    result = import_cargo_criterion(cargo_history, tmp_path / "h")
    assert len(result.written) == 3
    reasons = sorted(str(s) for s in result.skipped)
    assert any("measurement_09.cbor [vm/dispatch]: not valid CBOR" in r for r in reasons)
    assert any("measurement_10.cbor [vm/dispatch]: measurement lacks" in r for r in reasons)
    assert any("broken/benchmark.cbor: benchmark.cbor has no id.group_id" in r for r in reasons)


def test_hostile_history_ids_never_become_paths(cargo_history: Path, tmp_path: Path) -> None:
    root = tmp_path / "c2"
    write_benchmark(
        root, "x", {"group_id": "x", "function_id": None, "value_str": None},
        [("2024-05-01T10:00:00Z", "../../etc/passwd", 10.0),
         ("2024-05-02T10:00:00Z", "../../etc/passwd", 10.0)],
    )  # fmt: skip
    store = tmp_path / "h"
    result = import_cargo_criterion(root, store)
    assert [p.parent for p in result.written] == [store]
    assert list_runs(store)["commit"].tolist() == ["../../etc/passwd"]


def test_no_history_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no cargo-criterion history found"):
        import_cargo_criterion(tmp_path, tmp_path / "h")


def test_cli_import_then_trend(cargo_history: Path, tmp_path: Path) -> None:
    store = tmp_path / "history"
    args = ["history", "import-cargo-criterion", str(cargo_history), "--history", str(store)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"imported 3 runs into {store}")
    result = CliRunner().invoke(main, ["trend", "--history", str(store), "--format", "json"])
    assert json.loads(result.stdout)["runs"] == 3
    result = CliRunner().invoke(
        main, ["history", "import-cargo-criterion", str(tmp_path / "none"), "--history", "x"]
    )
    assert result.exit_code == 2
    assert "no cargo-criterion history found" in result.stderr
