"""Regenerate the bad-input corpus in this folder: `python tests/data/bad/make_corpus.py`.

Each case folder holds one broken input (a Criterion tree under `criterion/`, a baseline
file or a cargo-criterion message file). `cases.yaml` (hand-written) says which commands
run on it and what they must say. `_good/criterion` is one healthy benchmark, `good/ok`,
that the tests merge into a case's tree to check it is still reported beside the bad one.
Cases that need the file system at run time (symlink loop, unreadable file, a file of
hundreds of MB) are built by the test itself, not stored here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
N = 20
ITERS = [100.0] * N
# Fixed, varied times so that statistics are well defined (no ties everywhere).
TIMES = [100_000.0 + 137.0 * ((7 * i) % N) for i in range(N)]
GOOD_MEAN_NS = sum(t / i for t, i in zip(TIMES, ITERS, strict=True)) / N


def meta(full_id: str, directory: str | None = None) -> dict[str, Any]:
    group, _, rest = full_id.partition("/")
    return {
        "group_id": group,
        "function_id": rest or None,
        "value_str": None,
        "throughput": None,
        "full_id": full_id,
        "directory_name": directory if directory is not None else full_id,
        "title": full_id,
    }


def sample(iters: Any = None, times: Any = None, mode: str = "Flat") -> dict[str, Any]:
    return {
        "sampling_mode": mode,
        "iters": ITERS if iters is None else iters,
        "times": TIMES if times is None else times,
    }


def estimates() -> dict[str, Any]:
    def est(point: float) -> dict[str, Any]:
        ci = {"confidence_level": 0.95, "lower_bound": point * 0.99, "upper_bound": point * 1.01}
        return {"confidence_interval": ci, "point_estimate": point, "standard_error": point / 100}

    return {
        "mean": est(GOOD_MEAN_NS),
        "median": est(GOOD_MEAN_NS),
        "median_abs_dev": est(50.0),
        "slope": None,
        "std_dev": est(60.0),
    }


def dump(value: Any) -> str:
    return json.dumps(value)


def write_bench(
    tree: Path,
    directory: str,
    files: dict[str, str | None],
    baselines: tuple[str, ...] = ("base", "new"),
) -> None:
    """Write `files` (name -> text; None = leave out) into each baseline folder."""
    for baseline in baselines:
        folder = tree / directory / baseline
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            if text is not None:
                (folder / name).write_text(text)


def healthy(full_id: str = "bad/x", **override: str | None) -> dict[str, str | None]:
    files: dict[str, str | None] = {
        "benchmark.json": dump(meta(full_id)),
        "sample.json": dump(sample()),
        "estimates.json": dump(estimates()),
    }
    files.update(override)
    return files


def tree_case(name: str, **override: str | None) -> None:
    write_bench(HERE / name / "criterion", "bad/x", healthy(**override))


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir():
            shutil.rmtree(old)

    write_bench(HERE / "_good" / "criterion", "good/ok", healthy("good/ok"))

    full_sample = dump(sample())
    tree_case("truncated_sample_json", **{"sample.json": full_sample[: len(full_sample) // 2]})
    tree_case("invalid_json_benchmark", **{"benchmark.json": "{group_id: 'bad', full_id: x}"})
    tree_case("empty_sample_json", **{"sample.json": ""})
    tree_case("empty_benchmark_json", **{"benchmark.json": "   \n"})
    tree_case("missing_sample_json", **{"sample.json": None})
    tree_case("missing_benchmark_json", **{"benchmark.json": None})
    tree_case("length_mismatch", **{"sample.json": dump(sample(times=TIMES[:-1]))})
    tree_case("empty_arrays", **{"sample.json": dump(sample(iters=[], times=[]))})
    tree_case("zero_iters", **{"sample.json": dump(sample(iters=[0.0, *ITERS[1:]]))})
    tree_case("negative_iters", **{"sample.json": dump(sample(iters=[-100.0] * N))})
    tree_case("negative_times", **{"sample.json": dump(sample(times=[-1.0, *TIMES[1:]]))})
    # Python's json module reads the NaN/Infinity literals; the loader must still refuse.
    tree_case("nan_times", **{"sample.json": full_sample.replace("100000.0", "NaN", 1)})
    tree_case("infinite_times", **{"sample.json": full_sample.replace("100000.0", "Infinity", 1)})
    tree_case("overflowing_number", **{"sample.json": full_sample.replace("100000.0", "1e999", 1)})
    tree_case("string_times", **{"sample.json": dump(sample(times=[str(t) for t in TIMES]))})
    tree_case("null_in_iters", **{"sample.json": dump(sample(iters=[None, *ITERS[1:]]))})
    tree_case("boolean_iters", **{"sample.json": dump(sample(iters=[True] * N))})
    tree_case("nested_times", **{"sample.json": dump(sample(times=[[t] for t in TIMES]))})
    tree_case("sample_json_is_string", **{"sample.json": dump("iters and times")})
    tree_case(
        "missing_times_field", **{"sample.json": dump({"sampling_mode": "Flat", "iters": ITERS})}
    )
    tree_case("unknown_sampling_mode", **{"sample.json": dump(sample(mode="Quadratic"))})
    # The two layouts mixed up: the <=0.3.2 list layout with 0.3.3+ lower-case estimates,
    # and a three-array list (neither layout).
    tree_case("layouts_mixed_up", **{"sample.json": dump([ITERS, TIMES])})
    tree_case("old_layout_three_arrays", **{"sample.json": dump([ITERS, TIMES, TIMES])})
    tree_case("benchmark_json_is_list", **{"benchmark.json": dump(["bad", "x"])})
    no_id = meta("bad/x")
    del no_id["full_id"]
    tree_case("benchmark_json_no_full_id", **{"benchmark.json": dump(no_id)})
    tree_case("id_disagrees_with_folder", **{"benchmark.json": dump(meta("elsewhere/y"))})
    tree_case("estimates_invalid", **{"estimates.json": '{"mean": {'})
    tree_case(
        "throughput_negative",
        **{"benchmark.json": dump({**meta("bad/x"), "throughput": {"Bytes": -5}})},
    )
    tree_case("not_utf8", **{"benchmark.json": None})
    for baseline in ("base", "new"):
        (HERE / "not_utf8/criterion/bad/x" / baseline / "benchmark.json").write_bytes(
            b'{"full_id": "bad/\xff\xfe"}'
        )

    # Two folders whose benchmark.json claim the same full_id (the good one's).
    dup = HERE / "duplicate_ids" / "criterion"
    write_bench(
        dup,
        "good/ok_2",
        healthy("good/ok", **{"benchmark.json": dump(meta("good/ok", "good/ok_2"))}),
    )

    # A baseline folder holding nothing usable, and a tree with no benchmark at all.
    (HERE / "empty_baseline_dir" / "criterion" / "bad" / "x" / "new").mkdir(parents=True)
    (HERE / "empty_baseline_dir" / "criterion" / "bad" / "x" / "new" / ".keep").write_text("")
    (HERE / "empty_tree" / "criterion").mkdir(parents=True)
    (HERE / "empty_tree" / "criterion" / ".keep").write_text("")
    # Only bad benchmarks: nothing usable is left.
    write_bench(HERE / "all_bad" / "criterion", "bad/x", healthy(**{"sample.json": "[1, 2"}))
    write_bench(HERE / "all_bad" / "criterion", "bad/y", healthy("bad/y", **{"sample.json": ""}))
    # A directory where sample.json should be a file.
    tree_case("sample_json_is_directory", **{"sample.json": None})
    for baseline in ("base", "new"):
        (HERE / "sample_json_is_directory/criterion/bad/x" / baseline / "sample.json").mkdir()
        (
            HERE / "sample_json_is_directory/criterion/bad/x" / baseline / "sample.json" / ".keep"
        ).write_text("")
    # A plain file given where a Criterion directory is expected.
    (HERE / "file_not_directory").mkdir()
    (HERE / "file_not_directory" / "criterion").write_text("not a directory\n")

    # Baseline files (benches/baselines/main.json shape).
    good_entry = {"value": GOOD_MEAN_NS / 1000, "unit": "µs", "description": "healthy"}

    def entries(bad: Any) -> str:
        return dump({"good/ok": good_entry, **bad})

    baseline_files: dict[str, str] = {
        "baseline_unknown_unit": dump(
            {"good/ok": good_entry, "bad/x": {"value": 3, "unit": "furlongs"}}
        ),
        "baseline_missing_value": entries({"bad/x": {"unit": "ms"}}),
        "baseline_value_string": dump(
            {"good/ok": good_entry, "bad/x": {"value": "fast", "unit": "ms"}}
        ),
        "baseline_value_nan": dump(
            {"good/ok": good_entry, "bad/x": {"value": float("nan"), "unit": "ms"}}
        ),
        "baseline_entry_not_object": entries({"bad/x": 1.5}),
        # Found by tests/test_fuzz_loaders.py: an int too large for a float.
        "baseline_value_huge_int": entries({"bad/x": {"value": 10**400, "unit": "ms"}}),
        "baseline_truncated": dump({"good/ok": good_entry})[:-7],
        "baseline_not_object": dump([good_entry]),
        "baseline_all_bad": dump(
            {"bad/x": {"unit": "ms"}, "bad/y": {"value": 1, "unit": "parsecs"}}
        ),
    }
    for name, text in baseline_files.items():
        (HERE / name).mkdir()
        (HERE / name / "main.json").write_text(text)
    (HERE / "baseline_is_directory" / "main.json").mkdir(parents=True)
    (HERE / "baseline_is_directory" / "main.json" / ".keep").write_text("")

    # cargo-criterion --message-format=json lines.
    def message(full_id: str, iters: Any = None, times: Any = None) -> dict[str, Any]:
        return {
            "reason": "benchmark-complete",
            "id": full_id,
            "report_directory": f"target/criterion/reports/{full_id}",
            "iteration_count": [int(i) for i in ITERS] if iters is None else iters,
            "measured_values": TIMES if times is None else times,
            "unit": "ns",
            "throughput": [],
        }

    good_line = dump(message("good/ok"))
    bad_line = dump(message("bad/x"))
    cargo_files = {
        "cargo_line_cut": f"{good_line}\n{bad_line[: len(bad_line) // 3]}",
        "cargo_lengths_differ": f"{good_line}\n{dump(message('bad/x', times=TIMES[:5]))}\n",
        "cargo_zero_iterations": f"{good_line}\n{dump(message('bad/x', iters=[0] * N))}\n",
        "cargo_strings_for_numbers": f"{good_line}\n{dump(message('bad/x', times=['1'] * N))}\n",
        "cargo_all_garbage": 'this is not json\n{"reason": \n',
        "cargo_empty": "",
    }
    for name, text in cargo_files.items():
        (HERE / name).mkdir()
        (HERE / name / "messages.jsonl").write_text(text)


if __name__ == "__main__":
    main()
