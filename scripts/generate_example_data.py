#!/usr/bin/env python3
"""Regenerate vmbench's bundled example data by really running examples/vmdemo.

    python3 scripts/generate_example_data.py pilot [--runs 3]   # A/A noise, nothing kept
    python3 scripts/generate_example_data.py main      # main, aa1, pr, aa2, aa3
    python3 scripts/generate_example_data.py history   # h01..h08 with a planted step
    python3 scripts/generate_example_data.py wallclock # wall-clock A/A + planted runs
    python3 scripts/generate_example_data.py readme    # rewrite examples/data/README.md

Each run gets a fresh, empty Criterion directory (CRITERION_HOME), so Criterion never
compares it with an earlier run and writes no `change/` directory; only the named
baseline's JSON files (benchmark, sample, estimates, tukey) are copied into the bundle,
in Criterion's own layout. Needs cargo and Debian's librust-criterion-dev; stdlib only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATE = ROOT / "examples" / "vmdemo"
DATA = ROOT / "examples" / "data"
BUNDLE = DATA / "criterion"
HISTORY_RUNS = DATA / "history-runs"
JSON_FILES = ("benchmark.json", "sample.json", "estimates.json", "tukey.json")

# Planted changes of the `pr` run, chosen among the benchmarks that were quietest
# between identical runs in the pilot (see README): > 20 % slower, 10-20 % slower,
# > 5 % faster.
PLANTED = {
    "jit/tier2_compile": 1.40,
    "cross_arch/x86_64_to_arm64": 1.15,
    "tlb/lookup_hit": 0.80,
}
# Interleaved so that slow drift of the shared machine does not line up with one run.
MAIN_RUNS = [("main", {}), ("aa1", {}), ("pr", PLANTED), ("aa2", {}), ("aa3", {})]
MAIN_ARGS = ["--warm-up-time", "1", "--measurement-time", "2"]
AA_BASELINES = ["main", "aa1", "aa2", "aa3"]
# Process CPU time rather than wall-clock time (VMDEMO_CLOCK, see the crate's README):
# on this overloaded shared machine wall-clock means of identical runs moved by 12 % to
# 110 %, mostly by how long other processes held the CPU.
CLOCK = os.environ.get("VMDEMO_CLOCK", "cpu")

# History: eight daily runs on main; from h05 on one quiet benchmark is slower.
HISTORY_STEP = {"cross_arch/x86_64_to_riscv": 1.30}
HISTORY_STEP_FROM = 5
HISTORY_COUNT = 8
HISTORY_LAST_DATE = date(2026, 11, 25)
HISTORY_ARGS = ["--warm-up-time", "1", "--measurement-time", "1"]

# Wall-clock runs (Criterion's default clock) on this shared machine, kept beside the
# CPU-time set so the verdicts are calibrated on the noise CI runners really have.
# Six identical runs a1..a6 and three runs p1..p3 with planted changes of the sizes a PR
# gate must catch (+30 %, +20 %, +12 %, -20 %), recorded twice: whole suite per run
# (`sequential`, how plain `cargo bench` runs) and benchmark by benchmark with the runs
# rotated (`interleaved`, how `vmbench bench --confirm` runs). Planted ids were fixed
# before recording, away from the benchmarks with a fixed per-iteration cost
# (thread start-up in concurrency/*, executor set-up in async/*).
WALLCLOCK = DATA / "wallclock"
WALLCLOCK_PLANTED = {
    "jit/tier2_compile": 1.30,
    "cross_arch/x86_64_to_arm64": 1.20,
    "gc/major_pause": 1.12,
    "tlb/lookup_hit": 0.80,
}
WALLCLOCK_RUNS = [
    ("a1", {}),
    ("p1", WALLCLOCK_PLANTED),
    ("a2", {}),
    ("a3", {}),
    ("p2", WALLCLOCK_PLANTED),
    ("a4", {}),
    ("a5", {}),
    ("p3", WALLCLOCK_PLANTED),
    ("a6", {}),
]
WALLCLOCK_ARGS = ["--warm-up-time", "1", "--measurement-time", "1"]


def log(msg: str) -> None:
    print(f"[generate] {msg}", file=sys.stderr, flush=True)


def build() -> None:
    log("building examples/vmdemo (bench profile, offline)")
    subprocess.run(
        ["cargo", "bench", "--offline", "--bench", "vm", "--no-run"], cwd=CRATE, check=True
    )


def benchmark_ids() -> list[str]:
    """The suite's ids, read from the crate so there is one list."""
    src = (CRATE / "src" / "factors.rs").read_text()
    block = src.split("pub const BENCHMARK_IDS: &[&str] = &[", 1)[1].split("];", 1)[0]
    return [line.strip().strip(",").strip('"') for line in block.splitlines() if '"' in line]


def bench_once(
    root: Path, baseline: str, factors: dict[str, float], args: list[str], clock: str
) -> dict[str, object]:
    """One `cargo bench` process into its own Criterion home `root/<baseline>`, saved as
    baseline `<baseline>`; returns its log row (start, duration, 1-minute load)."""
    env = dict(os.environ, CRITERION_HOME=str(root / baseline))
    env.pop("VMDEMO_FACTORS", None)
    env.pop("VMDEMO_CLOCK", None)
    if clock != "wall":
        env["VMDEMO_CLOCK"] = clock
    if factors:
        env["VMDEMO_FACTORS"] = ",".join(f"{i}={f}" for i, f in factors.items())
    cmd = ["cargo", "bench", "--offline", "--bench", "vm", "--"]
    cmd += ["--save-baseline", baseline, "--noplot", *args]
    started = datetime.now(UTC)
    load = os.getloadavg()[0]
    subprocess.run(
        cmd, cwd=CRATE, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return {
        "baseline": baseline,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "loadavg_1min": round(load, 2),
    }


def run_interleaved(
    runs: list[tuple[str, dict[str, float]]],
    extra: list[str],
    root: Path,
    clock: str | None = None,
) -> list[dict[str, object]]:
    """Run every benchmark once per run, benchmark by benchmark.

    Each (benchmark, run) is its own process with its own empty Criterion directory
    `root/<run>`, saved as baseline `<run>`. The runs of one benchmark follow each
    other within seconds, in an order rotated from one benchmark to the next, so slow
    drift of the shared machine's load falls on all runs alike instead of on whichever
    whole-suite run happened to be slow.
    """
    log_rows: list[dict[str, object]] = []
    for k, bid in enumerate(benchmark_ids()):
        order = runs[k % len(runs) :] + runs[: k % len(runs)]
        for baseline, factors in order:
            row = bench_once(
                root, baseline, factors, [*extra, f"^{re.escape(bid)}$"], clock or CLOCK
            )
            log_rows.append({"benchmark": bid, **row})
        log(f"{k + 1:2d}/{len(benchmark_ids())} {bid} (load {os.getloadavg()[0]:.2f})")
    return log_rows


def run_sequential(
    runs: list[tuple[str, dict[str, float]]], extra: list[str], root: Path
) -> list[dict[str, object]]:
    """Run the whole suite once per run, one `cargo bench` process each (wall clock).

    This is how a CI job runs `cargo bench`: a run's benchmarks share one process and
    one stretch of the machine's load, so a slow period falls on one run as a whole.
    """
    log_rows: list[dict[str, object]] = []
    for baseline, factors in runs:
        row = bench_once(root, baseline, factors, extra, "wall")
        log_rows.append(row)
        seconds, load = row["seconds"], row["loadavg_1min"]
        log(f"sequential run {baseline} done in {seconds} s (load {load})")
    return log_rows


def cmd_wallclock(into: str) -> None:
    """Record the wall-clock set into examples/data/<into> (a second set, recorded under
    other load, goes beside the first: `--into wallclock-load4-9`)."""
    dest = DATA / into
    build()
    if dest.exists():
        shutil.rmtree(dest)
    record: dict[str, object] = {"machine": machine(), "clock": "wall"}
    for mode in ("sequential", "interleaved"):
        tree = dest / mode
        with tempfile.TemporaryDirectory(prefix=f"vmdemo-wall-{mode}-") as tmp:
            if mode == "interleaved":
                rows = run_interleaved(WALLCLOCK_RUNS, WALLCLOCK_ARGS, Path(tmp), "wall")
            else:
                rows = run_sequential(WALLCLOCK_RUNS, WALLCLOCK_ARGS, Path(tmp))
            for baseline, _ in WALLCLOCK_RUNS:
                copy_baseline(Path(tmp) / baseline, baseline, tree)
        record[mode] = {
            "criterion_args": ["--save-baseline", "NAME", "--noplot", *WALLCLOCK_ARGS],
            "runs": rows,
        }
    write_json(
        dest / "PLANTED.json",
        {name: WALLCLOCK_PLANTED for name, factors in WALLCLOCK_RUNS if factors},
    )
    write_json(dest / "runs.json", record)


def copy_baseline(home: Path, baseline: str, dest: Path) -> int:
    """Copy `<bench>/<baseline>/*.json` from `home` into `dest`; returns the count."""
    count = 0
    for bench_json in sorted(home.rglob(f"{baseline}/benchmark.json")):
        src_dir = bench_json.parent
        target = dest / src_dir.relative_to(home)
        target.mkdir(parents=True, exist_ok=True)
        for name in JSON_FILES:
            shutil.copy2(src_dir / name, target / name)
        count += 1
    return count


def read_means(tree: Path, baseline: str) -> dict[str, float]:
    """Criterion's own mean point estimate (ns per iteration) per full_id."""
    means = {}
    for bench_json in tree.rglob(f"{baseline}/benchmark.json"):
        full_id = json.loads(bench_json.read_text())["full_id"]
        est = json.loads((bench_json.parent / "estimates.json").read_text())
        means[full_id] = est["mean"]["point_estimate"]
    return means


def aa_movement(means_by_run: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Per benchmark: (max/min - 1, coefficient of variation) of the runs' means."""
    out = {}
    for bid in sorted(means_by_run[0]):
        values = [m[bid] for m in means_by_run if bid in m]
        spread = max(values) / min(values) - 1
        cv = statistics.stdev(values) / statistics.fmean(values)
        out[bid] = (spread, cv)
    return out


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2) + "\n")


def cmd_pilot(runs: int) -> None:
    build()
    names = [f"p{k}" for k in range(runs)]
    with tempfile.TemporaryDirectory(prefix="vmdemo-pilot-") as tmp:
        run_interleaved([(n, {}) for n in names], MAIN_ARGS, Path(tmp))
        means = [read_means(Path(tmp) / n, n) for n in names]
    move = aa_movement(means)
    # pilot.json keeps one entry per clock, so earlier wall-clock pilots stay on record.
    path = DATA / "pilot.json"
    pilots = json.loads(path.read_text())["pilots"] if path.exists() else []
    pilots = [p for p in pilots if not (p["clock"] == CLOCK and p["interleaved"])]
    pilots.append(
        {
            "clock": CLOCK,
            "interleaved": True,
            "runs": names,
            "criterion_args": ["--noplot", *MAIN_ARGS],
            "note": f"made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "spread": {bid: round(s, 4) for bid, (s, _) in move.items()},
            "cv": {bid: round(c, 4) for bid, (_, c) in move.items()},
        }
    )
    write_json(path, {"pilots": pilots})
    print(f"{'benchmark':38} {'max/min-1':>10} {'cv':>7}")
    for bid, (spread, cv) in sorted(move.items(), key=lambda kv: kv[1][0]):
        print(f"{bid:38} {spread:10.1%} {cv:7.1%}")


def cmd_main() -> None:
    build()
    if BUNDLE.exists():
        shutil.rmtree(BUNDLE)
    with tempfile.TemporaryDirectory(prefix="vmdemo-main-") as tmp:
        log_rows = run_interleaved(MAIN_RUNS, MAIN_ARGS, Path(tmp))
        for baseline, _ in MAIN_RUNS:
            n = copy_baseline(Path(tmp) / baseline, baseline, BUNDLE)
            log(f"copied {n} benchmarks of {baseline}")
    write_json(DATA / "PLANTED.json", {"pr": PLANTED})
    settings = {
        "criterion_args": ["--save-baseline", "NAME", "--noplot", *MAIN_ARGS],
        "clock": CLOCK,
    }
    write_json(DATA / "runs.json", {"machine": machine(), **settings, "runs": log_rows})
    cmd_readme()


def fake_commit(name: str) -> str:
    return hashlib.sha1(f"vmdemo-history-{name}".encode()).hexdigest()  # noqa: S324


def cmd_history() -> None:
    build()
    tree = HISTORY_RUNS / "criterion"
    if tree.exists():
        shutil.rmtree(tree)
    manifest, runs = [], []
    for k in range(1, HISTORY_COUNT + 1):
        baseline = f"h{k:02d}"
        factors = HISTORY_STEP if k >= HISTORY_STEP_FROM else {}
        runs.append((baseline, factors))
        day = HISTORY_LAST_DATE - timedelta(days=HISTORY_COUNT - k)
        manifest.append(
            {
                "baseline": baseline,
                "commit": fake_commit(baseline),
                "branch": "main",
                "date": f"{day.isoformat()}T02:00:00+00:00",
                "factors": factors,
            }
        )
    with tempfile.TemporaryDirectory(prefix="vmdemo-history-") as tmp:
        log_rows = run_interleaved(runs, HISTORY_ARGS, Path(tmp))
        for baseline, _ in runs:
            copy_baseline(Path(tmp) / baseline, baseline, tree)
    write_json(HISTORY_RUNS / "manifest.json", manifest)
    settings = {
        "criterion_args": ["--save-baseline", "NAME", "--noplot", *HISTORY_ARGS],
        "clock": CLOCK,
    }
    write_json(HISTORY_RUNS / "runs.json", {"machine": machine(), **settings, "runs": log_rows})
    cmd_readme()


def machine() -> dict[str, object]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True, check=True)
    lock = (CRATE / "Cargo.lock").read_text().split("[[package]]")
    criterion = next(p for p in lock if 'name = "criterion"' in p)
    crit_version = criterion.split('version = "')[1].split('"')[0]
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "rustc": rustc.stdout.strip(),
        "criterion": crit_version,
        "note": "shared machine: other jobs ran at the same time",
    }


def pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def cmd_readme() -> None:
    runs = json.loads((DATA / "runs.json").read_text())
    m = runs["machine"]
    means = {b: read_means(BUNDLE, b) for b, _ in MAIN_RUNS}
    ids = sorted(means["main"])
    move = aa_movement([means[b] for b in AA_BASELINES])
    lines = [
        "# Bundled example data",
        "",
        "Real Criterion output of `examples/vmdemo` (a toy VM benchmark suite), made by",
        "`scripts/generate_example_data.py`. It is the default input of `vmbench` and of the",
        "notebooks. Everything here was measured; nothing was edited or cherry-picked.",
        "",
        "## `criterion/`: five runs of the whole suite",
        "",
        "A `target/criterion` tree with five named baselines, each from its own process",
        "(`cargo bench --offline --bench vm -- --save-baseline NAME --noplot "
        + " ".join(MAIN_ARGS)
        + "`, default 100 samples):",
        "",
        "| baseline | what it is |",
        "|---|---|",
        "| `main` | the reference run |",
        "| `aa1`, `aa2`, `aa3` | identical code, identical settings (A/A runs) |",
        "| `pr` | planted changes, see `PLANTED.json` and below |",
        "",
        "Every (benchmark, baseline) pair is its own `cargo bench` process with its own empty",
        "Criterion directory, so Criterion never compared runs: there are no `new/`, `base/`",
        "or `change/` directories, and only the JSON files (`benchmark.json`, `sample.json`,",
        "`estimates.json`, `tukey.json`) were kept, no HTML/SVG/CSV.",
        "",
        "Two choices keep the run-to-run movement at a level where a 15 % change can stand",
        "out, without hiding it (pilot figures in `pilot.json`, summarised below):",
        "",
        "- **Clock: process CPU time** (`VMDEMO_CLOCK=cpu`, a custom Criterion measurement,",
        "  see `examples/vmdemo/README.md`). With the default wall clock, identical runs on",
        "  this shared 2-core machine (1-minute load average 4 to 8 while other jobs ran)",
        "  moved by 12 % to 190 %, mostly by how long other processes held the CPU. CPU time",
        "  leaves that out; cache pollution, frequency changes and lock behaviour still show.",
        "- **Interleaving benchmark by benchmark**: the five runs of one benchmark follow each",
        "  other within seconds, in an order rotated from one benchmark to the next ("
        + ", ".join(b for b, _ in MAIN_RUNS)
        + "",
        "  for the first), so slow drift of the machine falls on all runs alike.",
        "",
    ]
    lines += pilot_table()
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['logical_cores']} logical cores, {m['os']}; {m['rustc']};",
        f"Criterion {m['criterion']} (Debian's librust-criterion-dev), bench profile with",
        "`opt-level = 3`, `debug = true`, `lto = true`, `codegen-units = 1`; "
        + f"clock: {runs.get('clock', 'wall')}. "
        + m["note"].capitalize()
        + ".",
        "`runs.json` records the settings and, per benchmark and baseline, the start time,",
        "duration and 1-minute load average (here from "
        + f"{min(r['loadavg_1min'] for r in runs['runs']):.1f} to "
        + f"{max(r['loadavg_1min'] for r in runs['runs']):.1f} on 2 cores).",
        "",
        "## Planted changes (`pr`)",
        "",
        "`VMDEMO_FACTORS` multiplies the work of a benchmark (see `examples/vmdemo/README.md`).",
        "`pr/main` is the ratio of Criterion's mean point estimates; the A/A columns give the",
        "same ratio for the identical runs, for scale.",
        "",
        "| benchmark | factor | pr/main | aa1/main | aa2/main | aa3/main |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for bid in ids:
        factor = PLANTED.get(bid)
        cells = [f"{means[b][bid] / means['main'][bid]:.3f}" for b in ("pr", "aa1", "aa2", "aa3")]
        name = f"**{bid}**" if factor else bid
        lines.append(f"| {name} | {factor if factor else '1'} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## How much identical runs moved",
        "",
        "Over the four identical runs (`main`, `aa1`, `aa2`, `aa3`): the spread of",
        "Criterion's mean estimates (max/min − 1) and their coefficient of variation",
        "(sample standard deviation / mean of the four means). This is the run-to-run noise a",
        "comparison has to live with on this machine; it is far larger than the within-run",
        "confidence intervals.",
        "",
        "| benchmark | main mean | max/min − 1 | CV |",
        "|---|---:|---:|---:|",
    ]
    for bid in ids:
        spread, cv = move[bid]
        lines.append(f"| {bid} | {fmt_ns(means['main'][bid])} | {spread:.1%} | {cv:.1%} |")
    spreads = sorted(s for s, _ in move.values())
    lines += [
        "",
        f"Median spread {statistics.median(spreads):.1%}, largest {spreads[-1]:.1%}, "
        f"smallest {spreads[0]:.1%}.",
        "",
        '`PLANTED.json` holds the factors machine-readably: `{"pr": {id: factor}}`.',
        "The planted benchmarks were chosen among the quietest in the CPU-time pilot, which",
        "was made before these runs. A first full set of runs planted 1.15 on",
        "`cross_arch/x86_64_to_arm64` and measured 1.36: translating the same 2000",
        "instructions every iteration let the branch predictor learn the block, so 2300",
        "instructions cost more than 15 % extra. The benchmark now translates a different",
        "window each iteration (a check gave 1.153 and 1.144 for 1.15). A second set showed",
        "`memory/dealloc` at 188 µs in four runs and 36 µs in one, all from one first sample",
        "of 15 ms per iteration (its batched set-up); it now times allocation and freeing",
        "together. All five runs were then made again; these are they. The pilot's figures",
        "for those two benchmarks are from the old code.",
        "",
    ]
    lines += history_section()
    lines += wallclock_section(WALLCLOCK)
    lines += wallclock_section(DATA / "wallclock-load4-9")
    (DATA / "README.md").write_text("\n".join(lines))
    log("wrote examples/data/README.md")


def pilot_table() -> list[str]:
    path = DATA / "pilot.json"
    if not path.exists():
        return []
    lines = [
        "| pilot (identical runs) | clock | interleaved | median spread | largest spread |",
        "|---|---|---|---:|---:|",
    ]
    for p in json.loads(path.read_text())["pilots"]:
        spreads = sorted(p["spread"].values())
        lines.append(
            f"| {len(p['runs'])} runs ({p['note']}) | {p['clock']} | "
            f"{'yes' if p['interleaved'] else 'no'} | {statistics.median(spreads):.1%} | "
            f"{spreads[-1]:.1%} |"
        )
    return lines


def fmt_ns(ns: float) -> str:
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.1f} ns"


def wallclock_section(root: Path) -> list[str]:
    record_path = root / "runs.json"
    if not record_path.exists():
        return []
    record = json.loads(record_path.read_text())
    lines = [
        f"## `{root.name}/`: wall-clock runs for calibrating the verdicts",
        "",
        "The same suite on Criterion's default wall clock, as plain `cargo bench` measures on",
        "a CI runner: six identical runs `a1`..`a6` and three runs `p1`..`p3` with planted",
        f"changes (`{root.name}/PLANTED.json`: "
        + ", ".join(f"`{k}` x{v}" for k, v in WALLCLOCK_PLANTED.items())
        + "), recorded twice:",
        "",
        "- `sequential/`: one `cargo bench` process per run for the whole suite, runs in the",
        "  order " + ", ".join(b for b, _ in WALLCLOCK_RUNS) + ";",
        "- `interleaved/`: one process per benchmark and run, the nine runs of a benchmark",
        "  back to back in an order rotated from one benchmark to the next.",
        "",
        "The machine was shared with other jobs the whole time (1-minute load average "
        + ", ".join(
            f"{mode} {min(r['loadavg_1min'] for r in record[mode]['runs']):.1f} to "
            f"{max(r['loadavg_1min'] for r in record[mode]['runs']):.1f}"
            for mode in ("sequential", "interleaved")
            if mode in record
        )
        + " on 2 cores), so these runs carry the run-to-run noise of a busy shared",
        "runner. `benchmarks/calibration.py` scores every comparison mode on them;",
        f"`{root.name}/runs.json` has the settings, start times, durations and load.",
        "",
        "| benchmark | a-runs spread (sequential, mean) | a-runs spread (sequential, min) |",
        "|---|---:|---:|",
    ]
    tree = root / "sequential"
    means = [read_means(tree, f"a{i}") for i in range(1, 7)]
    mins = [read_mins(tree, f"a{i}") for i in range(1, 7)]
    for bid in sorted(means[0]):
        m = [x[bid] for x in means]
        n = [x[bid] for x in mins]
        lines.append(f"| {bid} | {max(m) / min(m) - 1:.1%} | {max(n) / min(n) - 1:.1%} |")
    lines.append("")
    return lines


def read_mins(tree: Path, baseline: str) -> dict[str, float]:
    """The fastest sample's time per iteration (ns) per full_id."""
    out = {}
    for bench_json in tree.rglob(f"{baseline}/benchmark.json"):
        full_id = json.loads(bench_json.read_text())["full_id"]
        sample = json.loads((bench_json.parent / "sample.json").read_text())
        out[full_id] = min(t / i for t, i in zip(sample["times"], sample["iters"], strict=True))
    return out


def history_section() -> list[str]:
    manifest_path = HISTORY_RUNS / "manifest.json"
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text())
    tree = HISTORY_RUNS / "criterion"
    means = {r["baseline"]: read_means(tree, r["baseline"]) for r in manifest}
    before = [r["baseline"] for r in manifest if not r["factors"]]
    after = [r["baseline"] for r in manifest if r["factors"]]
    step_id, step = next(iter(HISTORY_STEP.items()))
    first_after = next(r for r in manifest if r["factors"])
    lines = [
        "## `history-runs/`: raw runs for the example history",
        "",
        f"Eight runs `h01`..`h08` of the same suite (`{' '.join(HISTORY_ARGS)}`, interleaved",
        "benchmark by benchmark as above), dated one a day",
        f"from {manifest[0]['date'][:10]} to {manifest[-1]['date'][:10]}, in",
        "`history-runs/criterion/` (same layout as above). From "
        f"`{first_after['baseline']}` on, `{step_id}` carries a planted step of x{step}",
        f"(first commit after the step: `{first_after['commit']}`); everything else is",
        "unchanged. `history-runs/manifest.json` lists each run's baseline, fake but fixed",
        "commit SHA, branch, date and factors; the history store in `history/` is built",
        "from it. Mean of the runs after the step over the mean of the runs before:",
        "",
        "| benchmark | after/before | planted |",
        "|---|---:|---:|",
    ]
    for bid in sorted(means[before[0]]):
        b = statistics.fmean(means[r][bid] for r in before)
        a = statistics.fmean(means[r][bid] for r in after)
        planted = str(step) if bid == step_id else "1"
        lines.append(f"| {bid} | {a / b:.3f} | {planted} |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=["pilot", "main", "history", "wallclock", "readme"])
    parser.add_argument("--runs", type=int, default=3, help="pilot runs")
    parser.add_argument(
        "--into", default=WALLCLOCK.name, help="wallclock: directory under examples/data"
    )
    args = parser.parse_args()
    if shutil.which("cargo") is None and args.stage != "readme":
        sys.exit("generate_example_data: cargo not found (apt-get install cargo)")
    started = time.monotonic()
    {
        "pilot": lambda: cmd_pilot(args.runs),
        "main": cmd_main,
        "history": cmd_history,
        "wallclock": lambda: cmd_wallclock(args.into),
        "readme": cmd_readme,
    }[args.stage]()
    log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
