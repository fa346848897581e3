"""Run a Rust workspace's Criterion benchmarks with `cargo bench` and follow their progress.

`run_benchmarks` builds the argv (a list, never a shell string), lists the benchmarks
first (`cargo bench ... -- --list`: this also builds, so a compile error surfaces before
any measuring, and it gives the total for an "n/N" progress count), then runs them and
turns Criterion's text output into `BenchEvent`s for a caller-supplied callback. The
library never prints; `vmbench bench` prints the events.

Where Criterion writes its data is decided exactly as Criterion 0.3-0.5 decide it:
`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `<cargo metadata
target_directory>/criterion`, else `target/criterion`. Relative values of the two
variables are made absolute against the workspace before cargo starts, so cargo (run in
the workspace) and the bench binaries (run in each package's directory) agree.

Over 400 lines on purpose: the argv, the parser of Criterion's progress output and the
data-directory rules are one job (running `cargo bench` as Criterion expects) and change
together whenever Criterion or cargo changes; `after_bench` is the short tail that hands
the result to the history and the report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vmbench.errors import InputError, UsageError

EventKind = Literal["build", "listed", "start", "done"]

# Criterion's status lines: "Benchmarking <id>: <phase>" (ids may contain ": ").
_PHASES = (
    ": Warming up for ",
    ": Collecting ",
    ": Analyzing",
    ": Complete (Analysis Disabled)",
    ": Profiling for ",
    ": Skipping",
)
_STARTED = "Benchmarking "
# "<id>   time:   [1.1 ns 1.2 ns 1.3 ns]", or the id alone on the line before when it is
# longer than Criterion's column. A change block's "time: [+2.5% ...]" has no units.
_TIME_LINE = re.compile(
    r"^(?P<id>.*?)\s*time:\s+\[(?P<low>\S+ \S+) (?P<mid>\S+ \S+) (?P<high>\S+ \S+)\]"
)
_CARGO_STATUS = re.compile(
    r"^\s*(Compiling|Finished|Running|Updating|Locking|Downloaded?|Blocking)\b"
)
# `--output-format bencher` (and libtest): "test <id> ... bench:   1,234 ns/iter (+/- 5)".
_BENCHER = re.compile(r"^test (?P<id>.+?) \.\.\. bench:\s+(?P<value>[\d,.]+) ns/iter")
# Criterion prints picoseconds for sub-nanosecond times.
_TIME_SCALE = {"ps": 1e-3, "ns": 1.0, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9}
_LISTED = re.compile(r"^(?P<id>.+): bench$")


@dataclass(frozen=True)
class BenchEvent:
    """One thing that happened while benchmarking, for a progress display.

    `done` counts finished benchmarks; `total` is known after the listing step (None
    before, or when the listing found nothing). `estimate_ns` is Criterion's point
    estimate of the time per iteration on a `done` event.
    """

    kind: EventKind
    elapsed_s: float
    done: int = 0
    total: int | None = None
    id: str | None = None
    estimate_ns: float | None = None
    line: str = ""


@dataclass(frozen=True)
class BenchRun:
    """What a `run_benchmarks` call did: where the data is, and what was measured."""

    workspace: Path
    criterion_dir: Path
    argv: tuple[str, ...]
    benchmarks: tuple[str, ...]
    save_baseline: str | None
    elapsed_s: float


class ProgressParser:
    """Turns Criterion's text output, one line at a time, into `BenchEvent`s.

    Pure (no I/O); `clock` gives the elapsed seconds stamped on each event.
    """

    def __init__(
        self, *, total: int | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.total = total
        self.done: list[str] = []
        self._current: str | None = None
        self._pending_name: str | None = None
        self._clock = clock or (lambda: 0.0)

    def feed(self, raw: str) -> BenchEvent | None:
        line = raw.rstrip("\r\n")
        # A progress bar redraws with "\r" when stdout is a terminal; keep the last state.
        line = line.rsplit("\r", 1)[-1]
        if line.startswith(_STARTED):
            name = line[len(_STARTED) :]
            if any(phase in name for phase in _PHASES):
                return None
            self._current = name
            self._pending_name = None
            return self._event("start", name, line=line)
        match = _TIME_LINE.match(line)
        if match is not None:
            return self._finished(match, line)
        bencher = _BENCHER.match(line)
        if bencher is not None:
            value = float(bencher.group("value").replace(",", ""))
            return self._done(bencher.group("id"), value, line)
        if line and not line[0].isspace() and line == self._current:
            # Long ids: Criterion prints the id alone, then "   time: [...]" below it.
            self._pending_name = line
            return None
        if _CARGO_STATUS.match(line):
            return self._event("build", None, line=line.strip())
        return None

    def _finished(self, match: re.Match[str], line: str) -> BenchEvent | None:
        number, _, unit = match.group("mid").partition(" ")
        if unit not in _TIME_SCALE:
            return None  # a change block ("time: [+2.6% +6.5% +10.8%]"), not a result
        try:
            estimate = float(number) * _TIME_SCALE[unit]
        except ValueError:
            return None
        name = match.group("id").strip() or self._pending_name or self._current
        if name is None:
            return None
        return self._done(name, estimate, line)

    def _done(self, name: str, estimate: float, line: str) -> BenchEvent:
        self._pending_name = None
        self._current = None
        self.done.append(name)
        return self._event("done", name, line=line, estimate_ns=estimate)

    def _event(
        self, kind: EventKind, name: str | None, *, line: str, estimate_ns: float | None = None
    ) -> BenchEvent:
        return BenchEvent(
            kind=kind,
            elapsed_s=self._clock(),
            done=len(self.done),
            total=self.total,
            id=name,
            estimate_ns=estimate_ns,
            line=line,
        )


def parse_listing(lines: Iterable[str]) -> list[str]:
    """Benchmark ids from the output of `cargo bench -- --list` (`<id>: bench` lines)."""
    found = []
    for raw in lines:
        match = _LISTED.match(raw.rstrip("\r\n"))
        if match is not None:
            found.append(match.group("id"))
    return found


def cargo_bench_argv(
    *,
    cargo: str = "cargo",
    benches: Sequence[str] = (),
    save_baseline: str | None = None,
    filter: str | None = None,
    offline: bool = False,
    criterion_args: Sequence[str] = (),
    list_only: bool = False,
) -> list[str]:
    """The `cargo bench` command line: the whole workspace, or only the named targets.

    Criterion's own arguments go after `--`; the filter is Criterion's positional regex.
    """
    argv = [cargo, "bench", "--workspace", "--all-features"]
    for name in benches:
        argv += ["--bench", name]
    if offline:
        argv.append("--offline")
    argv.append("--")
    if list_only:
        argv.append("--list")
    else:
        if save_baseline is not None:
            argv += ["--save-baseline", save_baseline]
        argv += list(criterion_args)
    if filter is not None:
        argv.append(filter)
    return argv


def bench_environment(workspace: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The child environment: relative CARGO_TARGET_DIR/CRITERION_HOME made absolute."""
    child = dict(env)
    for name in ("CARGO_TARGET_DIR", "CRITERION_HOME"):
        value = child.get(name)
        if value and not Path(value).is_absolute():
            child[name] = str((workspace / value).resolve())
    return child


def criterion_dir(
    workspace: Path,
    *,
    env: Mapping[str, str],
    cargo: str = "cargo",
    offline: bool = False,
) -> Path:
    """Where Criterion writes this workspace's data (see the module docstring)."""
    child = bench_environment(workspace, env)
    if child.get("CRITERION_HOME"):
        return Path(child["CRITERION_HOME"])
    if child.get("CARGO_TARGET_DIR"):
        return Path(child["CARGO_TARGET_DIR"]) / "criterion"
    argv = [cargo, "metadata", "--format-version", "1", "--no-deps"]
    if offline:
        argv.append("--offline")
    try:
        done = subprocess.run(
            argv, cwd=workspace, env=child, capture_output=True, text=True, check=False
        )
        target = json.loads(done.stdout)["target_directory"] if done.returncode == 0 else None
    except (OSError, ValueError, KeyError, TypeError):
        target = None
    if isinstance(target, str) and target:
        return Path(target) / "criterion"
    return workspace / "target" / "criterion"


def _check_workspace(workspace: Path) -> Path:
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise InputError(workspace, "workspace directory does not exist")
    if not (workspace / "Cargo.toml").is_file():
        raise InputError(workspace, "no Cargo.toml here; pass the root of a Rust workspace")
    return workspace.resolve()


def find_cargo(cargo: str | None, env: Mapping[str, str]) -> str:
    """The cargo executable to run: `cargo`, `$CARGO` or an explicit path; an error if none."""
    wanted = cargo or env.get("CARGO") or "cargo"
    found = shutil.which(wanted, path=env.get("PATH"))
    if found is None:
        raise UsageError(
            f"cargo not found ({wanted!r} is not on PATH): install Rust (https://rustup.rs)"
        )
    return found


def _lines(argv: list[str], workspace: Path, env: Mapping[str, str]) -> Iterator[str]:
    """Run argv, yield its merged stdout+stderr lines, raise on a non-zero exit."""
    tail: list[str] = []
    with subprocess.Popen(
        argv,
        cwd=workspace,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail = [*tail[-199:], line.rstrip("\n")]
            yield line
        code = proc.wait()
    if code != 0:
        raise BenchFailed(argv, code, tail)


class BenchFailed(InputError):
    """`cargo bench` exited non-zero: a build error, a failing benchmark, a bad argument."""

    def __init__(self, argv: Sequence[str], returncode: int, output: Sequence[str]) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output = tuple(output)
        command = f"{Path(argv[0]).name} {argv[1]}" if len(argv) > 1 else "cargo"
        super().__init__(None, f"{command} failed (exit {returncode}): {_cause(output)}")


def _cause(output: Sequence[str]) -> str:
    """The most telling line of a failed cargo run: a compiler or Criterion error, else a
    benchmark's panic (with its message), else cargo's summary, else the last line."""
    lines = [line.strip() for line in output]
    for text in lines:
        if text.startswith(("error[", "error:")) and not any(
            generic in text for generic in ("bench failed", "could not compile")
        ):
            return text
    for i, text in enumerate(lines):
        if "panicked at" in text:
            message = lines[i + 1] if i + 1 < len(lines) and not text.endswith("'") else ""
            return f"{text} {message}".strip()
    for text in lines:
        if text.startswith("error"):
            return text
    rest = [text for text in lines if text]
    return rest[-1] if rest else "no output"


def run_benchmarks(
    workspace: Path,
    *,
    save_baseline: str | None = None,
    benches: Sequence[str] = (),
    filter: str | None = None,
    offline: bool = False,
    criterion_args: Sequence[str] = (),
    cargo: str | None = None,
    env: Mapping[str, str] | None = None,
    on_event: Callable[[BenchEvent], None] | None = None,
) -> BenchRun:
    """Run the workspace's benchmarks and return where Criterion put the data.

    Raises `UsageError` when cargo is missing, `BenchFailed` (an `InputError`) when the
    build or a benchmark fails, with Criterion's or cargo's first error line.
    """
    workspace = _check_workspace(workspace)
    if filter is not None:
        try:
            re.compile(filter)
        except re.error as exc:
            raise UsageError(
                f"{filter!r} is not a valid regex: {exc}", parameter="filter"
            ) from None
    base_env = dict(os.environ if env is None else env)
    exe = find_cargo(cargo, base_env)
    child = bench_environment(workspace, base_env)
    start = time.monotonic()

    def clock() -> float:
        return time.monotonic() - start

    def emit(event: BenchEvent) -> None:
        if on_event is not None:
            on_event(event)

    # Listing first builds everything (so a compile error stops us before any measuring)
    # and tells the total for the "n/N" count; the measuring run then reuses the build.
    list_argv = cargo_bench_argv(
        cargo=exe, benches=benches, filter=filter, offline=offline, list_only=True
    )
    listing: list[str] = []
    builder = ProgressParser(clock=clock)
    for line in _lines(list_argv, workspace, child):
        listing += parse_listing([line])
        event = builder.feed(line)
        if event is not None and event.kind == "build":
            emit(event)
    total = len(listing) or None
    emit(BenchEvent(kind="listed", elapsed_s=clock(), total=total))

    argv = cargo_bench_argv(
        cargo=exe,
        benches=benches,
        filter=filter,
        offline=offline,
        save_baseline=save_baseline,
        criterion_args=criterion_args,
    )
    parser = ProgressParser(total=total, clock=clock)
    for line in _lines(argv, workspace, child):
        event = parser.feed(line)
        if event is not None and event.kind != "build":
            emit(event)
    where = criterion_dir(workspace, env=child, cargo=exe, offline=offline)
    if not parser.done:
        raise InputError(
            where, "cargo bench ran no Criterion benchmark (check the bench target and filter)"
        )
    return BenchRun(
        workspace=workspace,
        criterion_dir=where,
        argv=tuple(argv),
        benchmarks=tuple(parser.done),
        save_baseline=save_baseline,
        elapsed_s=clock(),
    )


@dataclass(frozen=True)
class AfterBench:
    """What `after_bench` produced: the history entry and the report files, when asked."""

    history_entry: Path | None
    reports: tuple[Path, ...]


def after_bench(
    bench: BenchRun,
    *,
    history: Path | None = None,
    commit: str | None = None,
    branch: str | None = None,
    machine: str | None = None,
    report_dir: Path | None = None,
    report_baseline: str = "base",
    date: dt.datetime | None = None,
) -> AfterBench:
    """Record the run in the history store and/or build the regression report.

    The run recorded is the baseline `bench` saved (Criterion's `new` when none was
    named); the report compares `report_baseline` against it.
    """
    candidate = bench.save_baseline or "new"
    entry = None
    if history is not None:
        if not commit or not branch:
            raise UsageError(
                "recording in the history needs a commit and a branch", parameter="commit"
            )
        from vmbench.history.machine import current_machine
        from vmbench.history.store import add_run
        from vmbench.readers.criterion import load_criterion

        run = load_criterion(bench.criterion_dir, candidate)
        entry = add_run(
            history,
            run,
            commit=commit,
            branch=branch,
            date=date or dt.datetime.now(dt.timezone.utc),
            machine=current_machine(machine),
        )
    reports: tuple[Path, ...] = ()
    if report_dir is not None:
        from vmbench.pipeline.execute import run_report

        result = run_report(
            "regression",
            parameters={
                "criterion_dir": str(bench.criterion_dir),
                "baseline": report_baseline,
                "candidate": candidate,
                # One run per side: the report says run-to-run noise is unknown.
                "noise_runs": [],
            },
            output_dir=report_dir,
        )
        reports = result.files
    return AfterBench(history_entry=entry, reports=reports)
