"""Property-based fuzzing of the loaders: any file content gives a Run or a VmbenchError.

Random JSON shapes (and raw bytes, and valid files with one field replaced by anything)
are written as sample.json, benchmark.json, estimates.json, a baseline file or
cargo-criterion message lines. The loaders may skip what they cannot use, or refuse the
whole input with a VmbenchError; anything else escaping (KeyError, TypeError, numpy's
errors...) would be a traceback for the user, so it fails here. A healthy benchmark next
to the fuzzed one is always still loaded.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.paths import TEST_DATA
from vmbench.errors import VmbenchError
from vmbench.model import Run
from vmbench.readers.baseline_file import load_baseline_file
from vmbench.readers.cargo_criterion import load_cargo_criterion
from vmbench.readers.criterion import load_criterion
from vmbench.readers.refs import load_ref

GOOD = TEST_DATA / "bad" / "_good" / "criterion"
GOOD_ID = "good/ok"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(
    [
        "iters",
        "times",
        "sampling_mode",
        "full_id",
        "group_id",
        "function_id",
        "value_str",
        "throughput",
        "directory_name",
        "mean",
        "Mean",
        "slope",
        "point_estimate",
        "confidence_interval",
        "lower_bound",
        "upper_bound",
        "standard_error",
        "value",
        "unit",
        "direction",
        "description",
        "date",
        "reason",
        "id",
        "iteration_count",
        "measured_values",
        "per_iteration",
        "Bytes",
        "Elements",
        "estimate",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["Linear", "Flat", "ns", "ms", "µs", "bytes", "%", "lower", "higher"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


def _valid_sample() -> dict[str, Any]:
    return json.loads((GOOD / "good/ok/new/sample.json").read_text())


def _valid_meta() -> dict[str, Any]:
    meta = json.loads((GOOD / "good/ok/new/benchmark.json").read_text())
    meta.update(group_id="bad", function_id="x", full_id="bad/x", directory_name="bad/x")
    return meta


def _valid_estimates() -> dict[str, Any]:
    return json.loads((GOOD / "good/ok/new/estimates.json").read_text())


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any] | list[Any]) -> Any:
    """A valid object (list) with one key (item) replaced by anything, deleted, or added."""
    if isinstance(valid, list):
        items = list(valid)
        index = draw(st.integers(min_value=0, max_value=len(items)))
        if index < len(items) and draw(st.booleans()):
            del items[index]
        else:
            items[index : index + 1] = [draw(JSON)]
        return items
    out = dict(valid)
    key = draw(st.sampled_from(sorted(out)) | KEYS)
    if draw(st.booleans()) and key in out:
        del out[key]
    else:
        out[key] = draw(JSON)
    return out


def _text(value: Any) -> str:
    # allow_nan: Python writes NaN/Infinity literals, which its own reader accepts.
    return json.dumps(value, allow_nan=True)


def contents(valid: dict[str, Any] | list[Any]) -> st.SearchStrategy[bytes]:
    """Raw bytes for a file: random JSON, a mutated valid file, junk, or a cut-off file."""
    whole = _text(valid).encode()
    return st.one_of(
        JSON.map(lambda v: _text(v).encode()),
        mutated(valid).map(lambda v: _text(v).encode()),
        st.binary(max_size=64),
        st.integers(min_value=0, max_value=len(whole)).map(lambda n: whole[:n]),
    )


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="vmbench-fuzz-") as tmp:
        yield Path(tmp)


def check_run(run: Run) -> None:
    """What a loaded Run promises: finite, positive, paired samples; finite metrics."""
    for bench in run.benchmarks.values():
        assert bench.n > 0
        assert bench.iters.size == bench.times.size
        assert np.all(bench.iters > 0)
        assert np.all(np.isfinite(bench.per_iteration))
    for metric in run.metrics.values():
        assert math.isfinite(metric.value)


def load_tree(tree: Path) -> Run | None:
    try:
        run = load_criterion(tree, "new")
    except VmbenchError:
        return None
    check_run(run)
    return run


@FUZZ
@given(
    sample=contents(_valid_sample()),
    meta=contents(_valid_meta()),
    estimates=st.none() | contents(_valid_estimates()),
)
def test_criterion_tree_never_raises(sample: bytes, meta: bytes, estimates: bytes | None) -> None:
    with workdir() as tmp:
        tree = tmp / "criterion"
        shutil.copytree(GOOD, tree)
        bad = tree / "bad" / "x" / "new"
        bad.mkdir(parents=True)
        (bad / "sample.json").write_bytes(sample)
        (bad / "benchmark.json").write_bytes(meta)
        if estimates is not None:
            (bad / "estimates.json").write_bytes(estimates)
        run = load_tree(tree)
        assert run is not None, "a fuzzed benchmark made the healthy one unusable"
        assert GOOD_ID in run.benchmarks
        assert len(run.benchmarks) + len(run.skipped) >= 2  # the bad one: loaded or listed


@FUZZ
@given(sample=contents([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]))
def test_old_layout_sample_never_raises(sample: bytes) -> None:
    with workdir() as tmp:
        tree = tmp / "criterion"
        folder = tree / "old" / "new"
        folder.mkdir(parents=True)
        meta = {"group_id": "old", "full_id": "old", "directory_name": "old"}
        (folder / "benchmark.json").write_text(json.dumps(meta))
        (folder / "sample.json").write_bytes(sample)
        load_tree(tree)


GOOD_ENTRY = {"value": 1.5, "unit": "ms", "description": "fine", "date": "2026-01-01"}


@FUZZ
@given(
    data=st.one_of(
        JSON.map(lambda v: _text(v).encode()),
        st.dictionaries(st.text(max_size=10), JSON, max_size=4).map(
            lambda d: _text({"good/ok": GOOD_ENTRY, **d}).encode()
        ),
        mutated(GOOD_ENTRY).map(lambda e: _text({"good/ok": GOOD_ENTRY, "bad/x": e}).encode()),
        st.binary(max_size=64),
    )
)
def test_baseline_file_never_raises(data: bytes) -> None:
    with workdir() as tmp:
        path = tmp / "main.json"
        path.write_bytes(data)
        try:
            run = load_baseline_file(path)
        except VmbenchError:
            return
        check_run(run)
        if b'"good/ok": {"value": 1.5' in data and "good/ok" not in run.metrics:
            # Only a later duplicate key may replace the healthy entry.
            assert data.count(b'"good/ok"') > 1


def _message(full_id: str) -> dict[str, Any]:
    sample = _valid_sample()
    return {
        "reason": "benchmark-complete",
        "id": full_id,
        "iteration_count": sample["iters"],
        "measured_values": sample["times"],
        "unit": "ns",
        "throughput": [],
        "mean": {"estimate": 1.0, "lower_bound": 0.9, "upper_bound": 1.1, "unit": "ns"},
        "slope": None,
    }


LINES = st.lists(
    st.one_of(
        JSON.map(_text),
        mutated(_message("bad/x")).map(_text),
        st.text(max_size=40),
        st.integers(min_value=0, max_value=200).map(lambda n: _text(_message("bad/x"))[:n]),
    ),
    max_size=4,
)


@FUZZ
@given(lines=LINES, good_first=st.booleans())
def test_cargo_criterion_never_raises(lines: list[str], good_first: bool) -> None:
    good = _text(_message("good/ok"))
    text = "\n".join([good, *lines] if good_first else [*lines, good])
    with workdir() as tmp:
        path = tmp / "messages.jsonl"
        path.write_text(text)
        try:
            run = load_cargo_criterion(path)
        except VmbenchError:
            raise AssertionError("a file with a healthy line was refused as a whole") from None
        check_run(run)
        # A fuzzed line may only take the healthy line's place by claiming its id first.
        assert GOOD_ID in run.benchmarks or (not good_first and '"good/ok"' in "".join(lines))


REF_PARTS = st.sampled_from(["FILE", "TREE", ":", "new", "base", "..", "/", "", "~", "-"])
REFS = st.one_of(
    st.text(max_size=30),
    st.lists(REF_PARTS | st.text(max_size=5), max_size=4).map("".join),
)


@settings(FUZZ, max_examples=100)  # each example copies a tree: keep the suite fast
@given(ref=REFS, data=st.binary(max_size=64))
def test_load_ref_never_raises(ref: str, data: bytes) -> None:
    """Any REF string (names, paths, NAME:DIR forms) resolves or gives a VmbenchError."""
    assume("\x00" not in ref)  # a command-line argument cannot hold a NUL byte
    with workdir() as tmp:
        tree = tmp / "criterion"
        shutil.copytree(GOOD, tree)
        (tmp / "file.json").write_bytes(data)
        ref = ref.replace("FILE", str(tmp / "file.json")).replace("TREE", str(tree))
        here = tmp / "cwd" / "inner"  # relative refs ("..", ".") stay in this example's tree
        here.mkdir(parents=True)
        # A ref naming a directory outside it ("/", "/tmp") is walked for Criterion data at any
        # depth, as a user's tree is: correct, but a whole file system per example.
        assume(not any(_outside(here, part, tmp) for part in (ref, *ref.split(":"))))
        previous = os.getcwd()
        os.chdir(here)
        try:
            with suppress(VmbenchError):
                check_run(load_ref(ref, criterion_dir=tree))
        finally:
            os.chdir(previous)


def _outside(cwd: Path, ref: str, tmp: Path) -> bool:
    """Whether `ref` names an existing directory outside `tmp` (relative to `cwd`)."""
    try:
        path = (cwd / ref).resolve()  # as the loader reads it: no "~" expansion
        return path.is_dir() and not path.is_relative_to(tmp.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
