"""vmbench's own performance benchmark: speed and memory on synthetic and real data.

    .venv/bin/python benchmarks/run.py                  # full run (about 10 minutes)
    .venv/bin/python benchmarks/run.py --quick --output /tmp/bench   # smoke test

Measures, in one run, and writes `benchmarks/results/<date>-<host>.json` plus a table:
- load, compare and render time and peak memory (ru_maxrss of a fresh process per size)
  for synthetic Criterion trees of 100, 1,000 and 10,000 benchmarks x 100 samples with
  planted changes, and how the per-benchmark cost grows with size;
- the regression report end to end (papermill + HTML + markdown, vmbench.pipeline.execute) at
  1,000 benchmarks next to the same pipeline on benchmarks/floor.ipynb, a notebook that
  only imports the same libraries, as a ratio; report sizes at 1,000 and 10,000;
- loading a history of 730 daily runs x 1,000 benchmarks and detecting change points
  in every series (vmbench.history);
- start-up: `vmbench --help` and `vmbench detect` on the bundled example data (21
  benchmarks), each in a fresh process, median of several runs (wall time, as a user or
  a CI job waits for it);
- where cargo and Debian's criterion are present, Criterion's own comparison of two saved
  baselines (`cargo bench -- --load-baseline pr --baseline main` in examples/vmdemo) next
  to `vmbench compare` on the same data, as a ratio.

Results file format (`schema_version`):
  1: schema_version, date, host, machine, options, compare[], report, history,
     criterion, targets[] (name, target, measured, unit, met); since 2026-11-30 also
     startup (python_s; commands[]: name, args, median_s, min_s, runs_s[], cpu_median_s,
     exit_code, imports[]).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCHEMA_VERSION = 1
FULL_SIZES = (100, 1000, 10_000)
QUICK_SIZES = (20, 100)
SAMPLES = 100
GIB = 2**30
MIB = 2**20

sys.path.insert(0, str(HERE.parent))  # the repository root: tests.support is the data builder
from tests.support import criterion_trees as synthetic  # noqa: E402

# --- workers: each measurement runs in a fresh process (clean peak memory) -------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_compare(tree: Path) -> dict[str, Any]:
    start = time.perf_counter()
    from vmbench.compare.engine import compare
    from vmbench.readers.criterion import load_criterion
    from vmbench.render import render

    out: dict[str, Any] = {"import_s": time.perf_counter() - start, "rss_import_mib": _rss_mib()}
    start = time.perf_counter()
    base = load_criterion(tree, "main")
    cand = load_criterion(tree, "pr")
    out["load_s"] = time.perf_counter() - start
    start = time.perf_counter()
    result = compare(base, cand)
    out["compare_s"] = time.perf_counter() - start
    start = time.perf_counter()
    text = {fmt: render(result, fmt) for fmt in ("json", "markdown", "table")}
    out["render_s"] = time.perf_counter() - start
    out["peak_rss_mib"] = _rss_mib()
    out["markdown_bytes"] = len(text["markdown"].encode())
    planted = json.loads((tree.parent / "planted.json").read_text())
    found = {b.id: b.severity for b in result.benchmarks}
    leaning = {b.id: b.judged_change for b in result.benchmarks}
    suspects = set(result.suspects("medium"))

    def caught(bid: str, expected: str) -> bool:
        # One run a side flags nothing (no replication): a planted regression counts as
        # found when it is flagged or a suspect (exit 3), an improvement when it is
        # flagged or undecided leaning faster past the threshold.
        if found.get(bid) == expected:
            return True
        if expected in ("high", "medium"):
            return bid in suspects
        change = leaning.get(bid)
        return found.get(bid) == "inconclusive" and change is not None and change < -0.05

    out["benchmarks_compared"] = len(found)
    out["planted"] = len(planted)
    out["planted_found"] = sum(caught(i, s) for i, s in planted.items())
    out["false_alarms"] = sum(
        s in ("high", "medium", "improvement") and i not in planted for i, s in found.items()
    )
    return out


def worker_history(store: Path) -> dict[str, Any]:
    start = time.perf_counter()
    from vmbench.history.store import load_history
    from vmbench.history.trend import analyze_trend, change_points

    out: dict[str, Any] = {"import_s": time.perf_counter() - start}
    start = time.perf_counter()
    history = load_history(store)
    out["load_s"] = time.perf_counter() - start
    out["rows"] = len(history)
    start = time.perf_counter()
    steps = change_points(history)
    out["detect_s"] = time.perf_counter() - start
    start = time.perf_counter()
    report = analyze_trend(history, window_days=30)
    out["analyze_s"] = time.perf_counter() - start
    out["change_points"] = len(steps)
    out["change_points_in_report"] = len(report.change_points)
    planted = json.loads(store.with_name(f"{store.name}.planted.json").read_text())
    found: dict[str, list[int]] = {}
    for row in steps.itertuples():
        found.setdefault(str(row.id), []).append(int(row.position))
    out["planted_steps"] = {
        i: {"planted": at, "found": sorted(found.get(i, []))} for i, at in planted["steps"].items()
    }
    out["spikes_flagged"] = {i: sorted(found.get(i, [])) for i in planted["spikes"]}
    out["series_with_false_change_points"] = len(set(found) - set(planted["steps"]))
    out["peak_rss_mib"] = _rss_mib()
    return out


WORKERS = {"compare": worker_compare, "history": worker_history}


def run_worker(kind: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


# --- the measurements ------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_tree(workdir: Path, n: int) -> Path:
    """A synthetic tree of `n` benchmarks (reused when a finished one is in workdir)."""
    folder = workdir / f"tree-{n}"
    tree = folder / "criterion"
    if (folder / "planted.json").is_file():
        return tree
    if folder.exists():
        shutil.rmtree(folder)
    start = time.perf_counter()
    planted = synthetic.write_criterion_tree(tree, n, samples_per_benchmark=SAMPLES)
    (folder / "planted.json").write_text(json.dumps(planted))
    log(f"tree of {n} benchmarks written in {time.perf_counter() - start:.1f} s")
    return tree


def cli_seconds(*args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "vmbench", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"vmbench {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


BUNDLED = REPO / "examples" / "data" / "criterion"
STARTUP_COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("help", ("--help",)),
    ("detect", ("detect", str(BUNDLED), "--baseline", "main", "--candidate", "pr")),
)


def _import_breakdown(args: tuple[str, ...], top: int = 8) -> list[dict[str, Any]]:
    """The packages one run of the command spends most import time in (python -X
    importtime): per top-level package, the cumulative time of its outermost import
    (which includes what that import pulled in first)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vmbench", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    # "import time: self [us] | cumulative | imported package"
    found = re.findall(r"^import time:\s+\d+ \|\s+(\d+) \|\s+(\S+)$", proc.stderr, re.MULTILINE)
    package: dict[str, int] = {}
    for us, name in found:
        root = name.split(".")[0]
        package[root] = max(package.get(root, 0), int(us))
    rows = sorted(package.items(), key=lambda item: item[1], reverse=True)[:top]
    return [{"module": name, "cumulative_s": us / 1e6} for name, us in rows]


def measure_startup(repeat: int) -> dict[str, Any]:
    """Wall time of whole `vmbench` commands, each run in a new process: one untimed run
    first (so the files are in the page cache), then the median of `repeat` runs."""
    commands = []
    for name, args in STARTUP_COMMANDS:
        if name == "detect" and not BUNDLED.is_dir():
            continue
        argv = [sys.executable, "-m", "vmbench", *args]
        warm = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)
        if warm.returncode not in (0, 1, 3):  # 1 and 3 are gate decisions, 2 an error
            raise RuntimeError(f"vmbench {' '.join(args)} failed:\n{warm.stderr}")
        runs, cpu = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False, cwd=REPO)
            runs.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        median = statistics.median(runs)
        commands.append(
            {
                "name": name,
                "args": ["vmbench", *(a.replace(str(REPO) + os.sep, "") for a in args)],
                "median_s": median,
                "min_s": min(runs),
                "runs_s": runs,
                # CPU time (user + system) of the process: less affected than wall time
                # by other processes on a shared machine.
                "cpu_median_s": statistics.median(cpu),
                "exit_code": warm.returncode,
                "imports": _import_breakdown(args),
            }
        )
        log(f"start-up {name}: median {median:.3f} s of {repeat} runs")
    bare = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False)
        bare.append(time.perf_counter() - start)
    return {"commands": commands, "python_s": statistics.median(bare)}


def measure_compare(workdir: Path, sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    """Best of `repeat` fresh processes per size: the machine is shared, and other
    processes only ever add time (all repeats are kept in the results)."""
    rows = []
    for n in sizes:
        tree = make_tree(workdir, n)
        row: dict[str, Any] = {"benchmarks": n, "samples": SAMPLES}
        runs = [run_worker("compare", tree) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["load_s"] + r["compare_s"])
        row |= best
        row["repeats"] = [
            {k: r[k] for k in ("load_s", "compare_s", "render_s", "peak_rss_mib")} for r in runs
        ]
        row["cli_compare_s"] = cli_seconds(
            "compare", str(tree), "--baseline", "main", "--candidate", "pr", "--format", "json"
        )
        row["per_benchmark_ms"] = 1000 * (row["load_s"] + row["compare_s"]) / n
        log(
            f"{n} benchmarks: load {row['load_s']:.2f} s, compare {row['compare_s']:.2f} s, "
            f"peak {row['peak_rss_mib']:.0f} MiB"
        )
        rows.append(row)
    smallest = rows[0]["per_benchmark_ms"]
    for before, row in zip([None, *rows[:-1]], rows, strict=True):
        row["cost_ratio_vs_smallest"] = row["per_benchmark_ms"] / smallest
        if before is not None:  # cost of each added benchmark, fixed costs cancelled
            added = row["benchmarks"] - before["benchmarks"]
            spent = (row["load_s"] + row["compare_s"]) - (before["load_s"] + before["compare_s"])
            row["marginal_us_per_benchmark"] = 1e6 * spent / added
    return rows


def _report(notebook: str | Path, parameters: dict[str, Any], out: Path) -> dict[str, Any]:
    from vmbench.pipeline.execute import run_report

    start = time.perf_counter()
    result = run_report(notebook, parameters=parameters, output_dir=out)
    return {
        "seconds": time.perf_counter() - start,
        "html_bytes": result.html.stat().st_size,
        "markdown_bytes": result.markdown.stat().st_size,
    }


def measure_report(workdir: Path, sizes: list[int], main_size: int, repeat: int) -> dict[str, Any]:
    """The regression report per size; at `main_size`, `repeat` alternating runs of the
    report and the floor notebook, best of each (other processes only ever add time)."""
    floor_nb = HERE / "floor.ipynb"
    out: dict[str, Any] = {"sizes": [], "floor_runs_s": [], "report_runs_s": []}
    _report(floor_nb, {}, workdir / "floor-warmup")  # warm caches: kernel spec, imports
    for n in sizes:
        tree = make_tree(workdir, n)
        params = {"criterion_dir": str(tree), "baseline": "main", "candidate": "pr"}
        params["noise_runs"] = []
        rounds = repeat if n == main_size else 1
        rows = []
        for _ in range(rounds):
            if n == main_size:
                floor = _report(floor_nb, {}, workdir / "floor")
                out["floor_runs_s"].append(floor["seconds"])
            rows.append(_report("regression", params, workdir / f"report-{n}"))
        row = {"benchmarks": n, **min(rows, key=lambda r: r["seconds"])}
        log(f"regression report at {n}: {row['seconds']:.1f} s, HTML {row['html_bytes']} B")
        out["sizes"].append(row)
        if n == main_size:
            out["report_runs_s"] = [r["seconds"] for r in rows]
            out["benchmarks"] = n
            out["report_s"] = row["seconds"]
            out["floor_s"] = min(out["floor_runs_s"])
            out["ratio_to_floor"] = row["seconds"] / out["floor_s"]
            log(f"floor notebook: {out['floor_s']:.1f} s")
    return out


def measure_history(workdir: Path, runs: int, benchmarks: int) -> dict[str, Any]:
    from tests.support.history import Plan, build_history

    store = workdir / f"history-{runs}x{benchmarks}"
    marker = store / ".complete"
    plan = Plan(
        runs=runs,
        benchmarks=benchmarks,
        samples=20,
        steps={1: ((runs // 2, 1.25),), 2: ((runs // 3, 0.8), (2 * runs // 3, 1.3))},
        spikes={3: ((runs // 4, 2.0),)},
        seed=6,
    )
    from tests.support.history import benchmark_id

    planted = {
        "steps": {benchmark_id(b): [at for at, _ in steps] for b, steps in plan.steps.items()},
        "spikes": {benchmark_id(b): [at for at, _ in spikes] for b, spikes in plan.spikes.items()},
    }
    store.with_name(f"{store.name}.planted.json").write_text(json.dumps(planted))
    build_s = None
    if not marker.exists():
        if store.exists():
            shutil.rmtree(store)
        start = time.perf_counter()
        build_history(store, plan)
        build_s = time.perf_counter() - start
        marker.write_text("")
        log(f"history of {runs} x {benchmarks} built in {build_s:.0f} s")
    row: dict[str, Any] = {"runs": runs, "benchmarks": benchmarks, "build_s": build_s}
    row["store_bytes"] = sum(p.stat().st_size for p in store.glob("*.parquet"))
    row |= run_worker("history", store)
    row["load_and_detect_s"] = row["load_s"] + row["detect_s"]
    log(f"history: load {row['load_s']:.1f} s, change points {row['detect_s']:.1f} s")
    return row


def _vmdemo_ids(crate: Path, env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        ["cargo", "bench", "--offline", "--", "--list"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        line[: -len(": bench")] for line in proc.stdout.splitlines() if line.endswith(": bench")
    ]


def _synthetic_vmdemo_tree(tree: Path, ids: list[str]) -> None:
    """main and pr baselines for the crate's own ids (when examples/data is not there)."""
    import numpy as np

    rng = np.random.default_rng(1)
    for k, full_id in enumerate(ids):
        parts = full_id.split("/")
        function, value = [*parts[1:], None, None][:2]
        spec = synthetic.BenchSpec(parts[0], function, value, time_ns=2e4)
        for baseline, factor in (("main", 1.0), ("pr", 1.3 if k % 5 == 0 else 1.0)):
            iters, times = synthetic.samples(spec, factor, rng)
            synthetic.write_benchmark(tree, spec, baseline, iters, times)


def measure_criterion(workdir: Path) -> dict[str, Any]:
    """Criterion's --load-baseline comparison against vmbench compare, same data."""
    crate = REPO / "examples" / "vmdemo"
    registry = Path("/usr/share/cargo/registry")
    if shutil.which("cargo") is None or not (crate / "Cargo.toml").is_file():
        return {"available": False, "reason": "cargo or examples/vmdemo missing"}
    if not any(registry.glob("criterion-0.*")):
        return {"available": False, "reason": "Debian's librust-criterion-dev is not installed"}
    target = workdir / "cargo-target"
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    if not target.exists() and (crate / "target").is_dir():
        # Start from the crate's own build (never touch its target/criterion).
        shutil.copytree(crate / "target", target, ignore=shutil.ignore_patterns("criterion"))
    start = time.perf_counter()
    subprocess.run(
        ["cargo", "bench", "--offline", "--no-run"],
        cwd=crate,
        env=env,
        capture_output=True,
        check=True,
    )
    log(f"vmdemo bench binary built in {time.perf_counter() - start:.0f} s")
    data = REPO / "examples" / "data" / "criterion"
    tree = target / "criterion"
    if tree.exists():
        shutil.rmtree(tree)
    if (data / "pr").exists() or any(data.glob("*/*/pr")) or any(data.glob("*/pr")):
        shutil.copytree(data, tree)
        source = "examples/data/criterion"
    else:
        _synthetic_vmdemo_tree(tree, _vmdemo_ids(crate, env))
        source = "synthetic main/pr for the crate's benchmark ids"
    pristine = workdir / "criterion-pristine"
    if pristine.exists():
        shutil.rmtree(pristine)
    shutil.copytree(tree, pristine)  # Criterion rewrites its tree; vmbench reads the copy
    # --noplot: Criterion 0.3.6's plotters backend panics (summary.rs:182 unwrap on None)
    # when plotting a --load-baseline comparison; the statistics are the same without.
    args = ["--load-baseline", "pr", "--baseline", "main", "--noplot"]
    start = time.perf_counter()
    proc = subprocess.run(
        ["cargo", "bench", "--offline", "--", *args],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    criterion_s = time.perf_counter() - start
    if proc.returncode != 0:
        return {"available": False, "reason": f"cargo bench failed: {proc.stderr[-400:]}"}
    compared = len(re.findall(r"time:\s+\[", proc.stdout))
    vmbench_s = cli_seconds("compare", str(pristine), "--baseline", "main", "--candidate", "pr")
    log(f"Criterion --load-baseline {criterion_s:.1f} s, vmbench compare {vmbench_s:.1f} s")
    return {
        "available": True,
        "data": source,
        "benchmarks": compared,
        "criterion_args": args,
        "criterion_s": criterion_s,
        "vmbench_compare_s": vmbench_s,
        "ratio_vmbench_to_criterion": vmbench_s / criterion_s,
    }


# --- targets, results file, table -------------------------------------------------------


def _by_size(rows: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["benchmarks"] == n), None)


STARTUP_TARGETS_S = {"help": 0.2, "detect": 1.0}


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []

    def add(name: str, measured: float | None, limit: float, unit: str) -> None:
        if measured is not None:
            met = measured < limit
            targets.append(
                {"name": name, "target": limit, "measured": measured, "unit": unit, "met": met}
            )

    rows = results.get("compare", [])
    for n, limit in ((1000, 1.0), (10_000, 10.0)):
        row = _by_size(rows, n)
        if row is not None:
            add(f"compare {n} benchmarks (library)", row["compare_s"], limit, "s")
            add(f"peak memory at {n} benchmarks", row["peak_rss_mib"] / 1024, 2.0, "GiB")
    report = results.get("report") or {}
    if report.get("benchmarks") == 1000:
        add("regression report at 1,000 / floor", report["ratio_to_floor"], 1.5, "x")
    for row in report.get("sizes", []):
        if row["benchmarks"] == 1000:
            add("HTML report at 1,000 benchmarks", row["html_bytes"] / 1e6, 5.0, "MB")
    for command in (results.get("startup") or {}).get("commands", []):
        limit = STARTUP_TARGETS_S.get(command["name"])
        if limit is not None:
            add(f"`{' '.join(command['args'])}` (median wall)", command["median_s"], limit, "s")
    history = results.get("history") or {}
    if history.get("runs") == 730 and history.get("benchmarks") == 1000:
        add("history 730 x 1,000 load + change points", history["load_and_detect_s"], 10.0, "s")
    return targets


def machine() -> dict[str, Any]:
    import numpy
    import pandas

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "vmbench_commit": commit or "unknown",
        "load_average_at_start": load,
    }


def markdown_summary(results: dict[str, Any]) -> str:
    """The figures as markdown, for benchmarks/README.md (`--summarize FILE`)."""
    m = results["machine"]
    lines = [
        f"Run of {results['date'][:10]} on `{results['host']}` ({m['cpu']}, {m['cores']} cores,"
        f" load average {m['load_average_at_start']:.1f} at the start), vmbench "
        f"{m['vmbench_commit']}.",
        "",
        "| benchmarks | load (s) | compare (s) | render (s) | `vmbench compare` (s) "
        "| peak RSS (MiB) | µs per benchmark | x smallest |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.get("compare", []):
        lines.append(
            f"| {r['benchmarks']:,} | {r['load_s']:.2f} | {r['compare_s']:.2f} | "
            f"{r['render_s']:.2f} | {r['cli_compare_s']:.2f} | {r['peak_rss_mib']:.0f} | "
            f"{1000 * r['per_benchmark_ms']:.0f} | {r['cost_ratio_vs_smallest']:.2f} |"
        )
    lines.append("")
    report = results.get("report")
    if report:
        lines.append(
            f"Regression report at {report['benchmarks']:,} benchmarks: {report['report_s']:.1f} s"
            f" against {report['floor_s']:.1f} s for the floor notebook "
            f"(**{report['ratio_to_floor']:.2f}x**)."
        )
        for row in report["sizes"]:
            lines.append(
                f"- {row['benchmarks']:,} benchmarks: {row['seconds']:.1f} s, HTML "
                f"{row['html_bytes'] / 1e6:.2f} MB, markdown {row['markdown_bytes'] / 1e3:.0f} kB"
            )
        lines.append("")
    startup = results.get("startup")
    if startup:
        lines += [
            f"Start-up (fresh process each run, median of {len(startup['commands'][0]['runs_s'])};"
            f" `python -c pass` takes {startup['python_s']:.3f} s here):",
            "",
            "| command | median (s) | min (s) | CPU median (s) | exit | heaviest imports |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for c in startup["commands"]:
            heavy = ", ".join(f"{i['module']} {i['cumulative_s']:.2f} s" for i in c["imports"][:3])
            lines.append(
                f"| `{' '.join(c['args'])}` | {c['median_s']:.3f} | {c['min_s']:.3f} | "
                f"{c['cpu_median_s']:.3f} | {c['exit_code']} | {heavy} |"
            )
        lines.append("")
    h = results.get("history")
    if h:
        lines.append(
            f"History of {h['runs']} runs x {h['benchmarks']:,} benchmarks "
            f"({h['store_bytes'] / MIB:.0f} MiB of Parquet, raw samples included): load "
            f"{h['load_s']:.2f} s, change points on every series {h['detect_s']:.2f} s, whole "
            f"trend analysis {h['analyze_s']:.2f} s; planted steps (run: found) "
            f"{h['planted_steps']}; {h['series_with_false_change_points']} of the "
            f"{h['benchmarks'] - len(h['planted_steps']):,} series without a planted step "
            "got a change point."
        )
        lines.append("")
    c = results.get("criterion")
    if c and c.get("available"):
        lines.append(
            f"Criterion's own comparison of two saved baselines ({c['benchmarks']} benchmarks of "
            f"{c['data']}, `cargo bench -- {' '.join(c['criterion_args'])}`): "
            f"{c['criterion_s']:.1f} s; `vmbench compare` on the same tree: "
            f"{c['vmbench_compare_s']:.1f} s ({c['ratio_vmbench_to_criterion']:.2f}x)."
        )
        lines.append("")
    elif c:
        lines += [f"Criterion comparison not run: {c['reason']}.", ""]
    lines += ["| target | measured | met |", "|---|---:|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['name']} < {t['target']:g} {t['unit']} | {t['measured']:.3g} {t['unit']} "
            f"| {'yes' if t['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def print_table(results: dict[str, Any]) -> None:
    print("\nvmbench performance benchmark", results["date"], results["host"])
    print(f"{'benchmarks':>10} {'load s':>8} {'compare s':>10} {'render s':>9} "
          f"{'CLI s':>7} {'peak MiB':>9} {'µs/bench':>9} {'x smallest':>10}")  # fmt: skip
    for r in results.get("compare", []):
        print(
            f"{r['benchmarks']:>10} {r['load_s']:>8.2f} {r['compare_s']:>10.2f} "
            f"{r['render_s']:>9.2f} {r['cli_compare_s']:>7.2f} {r['peak_rss_mib']:>9.0f} "
            f"{1000 * r['per_benchmark_ms']:>9.0f} {r['cost_ratio_vs_smallest']:>10.2f}"
        )
    report = results.get("report")
    if report:
        print(f"\nfloor notebook: {report['floor_s']:.1f} s")
        for row in report["sizes"]:
            print(
                f"regression report at {row['benchmarks']}: {row['seconds']:.1f} s, HTML "
                f"{row['html_bytes'] / 1e6:.2f} MB, markdown {row['markdown_bytes'] / 1e3:.0f} kB"
            )
    history = results.get("history")
    if history:
        h = history
        print(
            f"\nhistory {h['runs']} x {h['benchmarks']}: load {h['load_s']:.2f} s, change "
            f"points {h['detect_s']:.2f} s, trend analysis {h['analyze_s']:.2f} s, "
            f"{h['change_points']} change points, store {h['store_bytes'] / MIB:.0f} MiB"
        )
        print(f"  planted steps (position: found): {h['planted_steps']}")
        print(f"  series with a change point but no planted step: "
              f"{h['series_with_false_change_points']} of {h['benchmarks']}")  # fmt: skip
    startup = results.get("startup")
    if startup:
        print(f"\nstart-up (python -c pass: {startup['python_s']:.3f} s)")
        for c in startup["commands"]:
            print(
                f"  {' '.join(c['args'])}: median {c['median_s']:.3f} s, min {c['min_s']:.3f} s,"
                f" CPU {c['cpu_median_s']:.3f} s"
            )
    crit = results.get("criterion")
    if crit:
        if crit.get("available"):
            print(
                f"\nCriterion --load-baseline: {crit['criterion_s']:.1f} s; vmbench compare: "
                f"{crit['vmbench_compare_s']:.1f} s ({crit['ratio_vmbench_to_criterion']:.2f}x)"
            )
        else:
            print(f"\nCriterion comparison skipped: {crit['reason']}")
    print("\ntargets:")
    for t in results["targets"]:
        mark = "met   " if t["met"] else "MISSED"
        print(f"  {mark} {t['name']}: {t['measured']:.3g} {t['unit']} (target < {t['target']:g})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--sizes", help="comma-separated tree sizes (default 100,1000,10000)")
    parser.add_argument("--skip-report", action="store_true", help="no papermill reports")
    parser.add_argument("--skip-cargo", action="store_true", help="no Criterion comparison")
    parser.add_argument("--skip-history", action="store_true", help="no history measurement")
    parser.add_argument("--skip-startup", action="store_true", help="no start-up measurement")
    parser.add_argument(
        "--only-history", action="store_true", help="only the history measurement (load + trend)"
    )
    parser.add_argument("--repeat", type=int, default=None, help="compare runs per size")
    parser.add_argument("--history", default=None, help="RUNSxBENCHMARKS (default 730x1000)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="results dir")
    parser.add_argument("--workdir", type=Path, help="keep generated data here (reused)")
    parser.add_argument("--summarize", type=Path, help="print a results file as markdown")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.summarize:
        print(markdown_summary(json.loads(args.summarize.read_text())), end="")
        return 0
    if args.worker:
        kind, path = args.worker
        print(json.dumps(WORKERS[kind](Path(path))))
        return 0
    if args.sizes:
        sizes = sorted(int(s) for s in args.sizes.split(","))
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    args.repeat = args.repeat or (1 if args.quick else 3)
    history_text = args.history or ("20x50" if args.quick else "730x1000")
    runs, benchmarks = (int(x) for x in history_text.lower().split("x"))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="vmbench-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    host = re.sub(r"[^A-Za-z0-9_.-]+", "-", socket.gethostname()) or "host"
    results: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "date": now.isoformat(timespec="seconds"),
        "host": host,
        "machine": machine(),
        "options": {
            "quick": args.quick,
            "sizes": sizes,
            "samples": SAMPLES,
            "repeat": args.repeat,
            "history": [runs, benchmarks],
            "skip_report": args.skip_report,
            "skip_cargo": args.skip_cargo,
            "skip_startup": args.skip_startup,
            "only_history": args.only_history,
        },
    }
    if args.only_history:
        args.skip_report = args.skip_cargo = args.skip_startup = True
        args.skip_history = False
    try:
        if not args.skip_startup:
            results["startup"] = measure_startup(5 if args.quick else 11)
        if not args.only_history:
            results["compare"] = measure_compare(workdir, sizes, args.repeat)
        if not args.skip_report:
            report_sizes = [n for n in sizes if n >= 1000] or sizes[-1:]
            results["report"] = measure_report(
                workdir, report_sizes, report_sizes[0], min(args.repeat, 2)
            )
        if not args.skip_history:
            results["history"] = measure_history(workdir, runs, benchmarks)
        if not args.skip_cargo:
            results["criterion"] = measure_criterion(workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    results["targets"] = check_targets(results)
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"{now:%Y-%m-%d}-{host}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nresults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
