"""Run `vmbench` commands as real child processes, fast: the bad-input suite's runner.

A forkserver imports vmbench, pandas, scipy and pyarrow once; every command then runs in
a fresh child forked from it, with real file descriptors 0/1/2 (so `> /dev/full`, a FIFO
or a terminal-like file behave as they do for a user), its own working directory, and a
hard time limit: a child still running after `timeout` seconds is killed and reported as
a hang. A child that dies with an exception writes the traceback to its stderr exactly
as the interpreter would, so a test sees what a user would see.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

PRELOAD = [
    "vmbench.cli",
    "vmbench.cli.show",
    "vmbench.cli.compare",
    "vmbench.cli.history",
    "vmbench.cli.baseline",
    "vmbench.cli.report",
    "vmbench.cli.init",
    "vmbench.refs",
    "vmbench.history.store",
    "tests.support.processes",
]
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(PRELOAD)


@dataclass(frozen=True)
class Outcome:
    """What one command did: exit code (None: killed after the time limit) and output."""

    exit_code: int | None
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def hung(self) -> bool:
        return self.exit_code is None


def _child(args: list[str], cwd: str, stdout: str, stderr: str, start_at: float) -> None:
    os.chdir(cwd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    out = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
    code = 0
    time.sleep(max(0.0, start_at - time.time()))  # several children released at once
    try:
        from vmbench.cli import main

        main(args=args, prog_name="vmbench")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:  # what the interpreter would print
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
    except OSError as exc:  # the interpreter would print this at exit
        print(f"Exception ignored on flushing sys.stdout: {exc!r}", file=sys.stderr)
        code = 120
    sys.stderr.flush()
    os._exit(code)


@dataclass(frozen=True)
class Running:
    """A started child: its process and where its output goes."""

    process: multiprocessing.process.BaseProcess
    stdout: str
    stderr: str
    captured: bool


def start(
    args: list[str],
    *,
    cwd: Path,
    tmp: Path,
    stdout: str | None = None,
    start_at: float = 0.0,
) -> Running:
    """Start `vmbench ARGS` in a child process; stdout to `stdout` (a path) if given; the
    command itself begins at wall-clock time `start_at` (to make children race)."""
    tmp.mkdir(parents=True, exist_ok=True)
    out_path = stdout or str(tmp / "stdout.txt")
    err_path = str(tmp / "stderr.txt")
    child = _CONTEXT.Process(target=_child, args=(args, str(cwd), out_path, err_path, start_at))
    child.start()
    return Running(child, out_path, err_path, captured=stdout is None)


def finish(running: Running, *, timeout: float) -> Outcome:
    """Wait for a child at most `timeout` seconds (then kill it: a hang) and read its output."""
    child = running.process
    child.join(timeout)
    code: int | None = child.exitcode
    if child.is_alive():
        child.kill()
        child.join()
        code = None

    def read(path: str) -> str:
        return Path(path).read_text(encoding="utf-8", errors="backslashreplace")

    return Outcome(
        exit_code=code,
        stdout=read(running.stdout) if running.captured else "",
        stderr=read(running.stderr),
    )


def run(
    args: list[str], *, cwd: Path, tmp: Path, timeout: float = 20.0, stdout: str | None = None
) -> Outcome:
    """`vmbench ARGS` in a child process, killed after `timeout` seconds."""
    return finish(start(args, cwd=cwd, tmp=tmp, stdout=stdout), timeout=timeout)
