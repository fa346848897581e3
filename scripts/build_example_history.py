"""Build the bundled example history store from the raw runs of the demo crate.

    python3 scripts/build_example_history.py [OUTPUT_DIR]

Reads `examples/data/history-runs/manifest.json` (each run's baseline, commit, branch,
date; written by `scripts/generate_example_data.py history`) and the Criterion tree
beside it, and records every run with `vmbench.history.add_run` into
`examples/data/history/` (or OUTPUT_DIR), replacing what was there. The output is
deterministic: run ids are made from the date, commit and baseline name instead of a
random suffix, and the
machine fingerprint comes from `runs.json` (the machine the runs were measured on), not
from the machine running this script.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from vmbench.history.machine import MachineInfo
from vmbench.history.store import add_run, parse_date
from vmbench.readers.criterion import load_criterion

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "examples" / "data" / "history-runs"
STORE = ROOT / "examples" / "data" / "history"


def recorded_machine(runs_json: Path) -> MachineInfo:
    info = json.loads(runs_json.read_text()).get("machine", {}) if runs_json.is_file() else {}
    return MachineInfo(
        name="vmdemo-example",
        cpu=str(info.get("cpu", "unknown")),
        cores=int(info.get("logical_cores", 0) or 0),
        os=str(info.get("os", "unknown")),
        rustc=str(info.get("rustc", "unknown")),
        host_hash="example",
    )


def main(argv: list[str]) -> int:
    store = Path(argv[0]) if argv else STORE
    manifest_path = RUNS / "manifest.json"
    if not manifest_path.is_file():
        print(f"{manifest_path} not found: run scripts/generate_example_data.py history first")
        return 2
    manifest = json.loads(manifest_path.read_text())
    machine = recorded_machine(RUNS / "runs.json")
    store.mkdir(parents=True, exist_ok=True)
    for old in store.glob("*.parquet"):
        old.unlink()
    for entry in manifest:
        date: dt.datetime = parse_date(entry["date"])
        run = load_criterion(RUNS / "criterion", entry["baseline"], label=entry["baseline"])
        run_id = f"{date:%Y%m%dT%H%M%SZ}-{entry['commit'][:12]}-{entry['baseline']}"
        path = add_run(
            store,
            run,
            commit=entry["commit"],
            branch=entry["branch"],
            date=date,
            machine=machine,
            run_id=run_id,
        )
        print(f"{path}: {len(run.benchmarks)} benchmarks")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
