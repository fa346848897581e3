#!/usr/bin/env python3
"""Calibration of vmbench's verdicts: false alarms and power, measured, side by side.

    python benchmarks/calibration.py                      # full run, writes results JSON
    python benchmarks/calibration.py --comparisons 20     # quicker, noisier figures
    python benchmarks/calibration.py --summarize FILE     # a results file as markdown
    python benchmarks/calibration.py --modes 3v3 --estimator auto --out FILE  # one experiment
    python benchmarks/calibration.py --identical 1000     # also: false-alarm rates to +-1.5 points
    python benchmarks/calibration.py --episodes 0.12      # with whole-run contention episodes

Per comparison mode (`vmbench.calibration.modes`: 1 v 1, 1 v 1 with a noise model from
three A/A runs, 2 v 1 as the CI job runs it, 3 v 3, 1 v 1 with confirmation runs) it
reports, on comparisons of a 20-benchmark suite:

- on identical code: the share of comparisons that fail the gate (exit 1) or ask for
  confirmation (exit 3), false regressions and improvements per comparison, and the
  share of benchmarks left `inconclusive`;
- with planted changes of +12 %, +15 %, +25 % and -20 %: the share found (flagged in
  their direction) and the share at least not called stable;

(a) on seeded simulations (`vmbench.calibration.simulate`) with per-benchmark run offsets
sigma_run of 2, 5, 10 and 15 %, shared run effects of 5 %, one-sided contention bursts and
Criterion's varying linear-sampling multiplier; (b) on the real runs bundled in
examples/data: the wall-clock runs (sequential and interleaved, six identical runs and
three with planted changes) and the CPU-time set. The same comparisons are scored with
Criterion's own rule, asv's and pyperf's (from their PyPI packages when installed: the
`calibration` extra), so the table is side by side.

`--identical N` adds, for vmbench alone, N more comparisons of identical code per mode
with replication and noise level, on a seed of their own: a false-alarm share of 5 % is
measured to about +-4 points by 40 comparisons and +-1.4 points by 1,000, and the bound
"at most 5 % of identical-code comparisons fail the gate" cannot be told from 8 % with
fewer. Each share comes with its Wilson 95 % interval.

`--episodes P` adds contention episodes to every simulated run: with probability P a
benchmark's whole measurement window is slowed by 5-60 % (`NoiseSpec.episode_prob`).
Every results file also has the run-level tails of the real wall-clock sets' identical
runs (`vmbench.calibration.tails`), the measurement that P is read from: in the first
wall-clock recording 14 % of benchmark-runs are more than 10 % slower than their
benchmark's median run, 6 % more than 30 %, 2 % more than 50 %, which episodes at
P = 0.12 reproduce (0.12 x 50/55, x 30/55, x 10/55).

Nothing here tunes anything: every rule runs with its defaults.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vmbench.calibration import anchors  # noqa: E402
from vmbench.calibration.modes import MODES, RealSet, real_cell, simulate_cell  # noqa: E402
from vmbench.calibration.simulate import NoiseSpec  # noqa: E402
from vmbench.calibration.tails import run_level_tails  # noqa: E402
from vmbench.readers.criterion import load_criterion  # noqa: E402
from vmbench.settings import (  # noqa: E402
    DEFAULT_ESTIMATOR,
    ESTIMATORS,
    Estimator,
    Settings,
)

SIGMAS = (0.02, 0.05, 0.10, 0.15)
SHARED = 0.05
SEED = 20_261_130
# The identical-code precision run: its own seed, so its comparisons are not the main cells'.
IDENTICAL_SEED = SEED + 1
IDENTICAL_MODES = ("1v1+noise", "2v1", "3v3")
DATA = ROOT / "examples" / "data"


# Wall-clock sets (`scripts/generate_example_data.py wallclock --into NAME`), each recorded
# under another load of the shared machine; runs.json has the load of every run.
WALL_SETS = ("wallclock", "wallclock-load4-9")


def _load_range(record: dict[str, object], mode: str) -> str:
    runs = record.get(mode, {}).get("runs", [])  # type: ignore[union-attr]
    loads = [r["loadavg_1min"] for r in runs if "loadavg_1min" in r]
    return f"load {min(loads):.0f}-{max(loads):.0f}" if loads else "load unknown"


def real_sets() -> list[RealSet]:
    sets = []
    for name in WALL_SETS:
        wall = DATA / name
        planted_file = wall / "PLANTED.json"
        if not planted_file.is_file():
            continue
        planted_runs = json.loads(planted_file.read_text())
        factors = next(iter(planted_runs.values()))
        record = json.loads((wall / "runs.json").read_text())
        for mode in ("sequential", "interleaved"):
            tree = wall / mode
            if not tree.is_dir():
                continue
            labels = [f"a{i}" for i in range(1, 7)] + sorted(planted_runs)
            runs = {x: load_criterion(tree, x) for x in labels}
            sets.append(
                RealSet(
                    f"wall clock, {mode} ({_load_range(record, mode)})",
                    runs,
                    tuple(f"a{i}" for i in range(1, 7)),
                    tuple(sorted(planted_runs)),
                    factors,
                )
            )
    cpu = DATA / "criterion"
    if (DATA / "PLANTED.json").is_file() and cpu.is_dir():
        labels = ["main", "aa1", "aa2", "aa3", "pr"]
        runs = {x: load_criterion(cpu, x) for x in labels}
        planted = json.loads((DATA / "PLANTED.json").read_text())["pr"]
        sets.append(RealSet("CPU time", runs, ("main", "aa1", "aa2", "aa3"), ("pr",), planted))
    return sets


def run(
    comparisons: int,
    only_real: bool,
    *,
    modes: tuple[str, ...] = tuple(m.name for m in MODES),
    estimator: Estimator = DEFAULT_ESTIMATOR,
    seed: int = SEED,
    identical: int = 0,
    episodes: float = 0.0,
) -> dict[str, object]:
    settings = Settings(resamples=200, estimator=estimator)
    chosen = [m for m in MODES if m.name in modes]
    started = time.monotonic()
    out: dict[str, object] = {
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "settings": settings.to_dict(),
        "anchors": ["criterion", *anchors.available()],
        "simulation": {
            "comparisons_per_cell": comparisons,
            "suite_size": 20,
            "sigma_shared": SHARED,
            "episode_prob": episodes,
            "seed": seed,
            "cells": [],
        },
        "real": [],
    }
    if not only_real:
        cells: list[dict[str, object]] = []
        for mode in chosen:
            for sigma in SIGMAS:
                spec = NoiseSpec(sigma_run=sigma, sigma_shared=SHARED, episode_prob=episodes)
                cell = simulate_cell(
                    mode, spec, comparisons=comparisons, seed=seed, settings=settings
                )
                cells.append({"mode": mode.name, "sigma_run": sigma, "rules": cell.to_dict()})
                print(f"[calibration] {mode.name} sigma {sigma:.0%} done", file=sys.stderr)
        out["simulation"]["cells"] = cells  # type: ignore[index]
    real: list[dict[str, object]] = []
    sets = real_sets()
    out["tails"] = [
        {"data": data.name, **run_level_tails([data.runs[x] for x in data.identical], estimator)}
        for data in sets
    ]
    for data in sets:
        for mode in chosen:
            if mode.baseline_runs > len(data.identical) // 2 or (
                mode.candidate_runs > len(data.planted_runs)
            ):
                continue
            cell = real_cell(mode, data, settings=settings)
            real.append({"data": data.name, "mode": mode.name, "rules": cell.to_dict()})
            print(f"[calibration] real {data.name} {mode.name} done", file=sys.stderr)
    out["real"] = real
    if identical:
        out["identical"] = identical_cells(identical, settings, modes=modes, episodes=episodes)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def power_ceiling(
    sigma_run: float, runs: int, change: float, *, tests: int = 21, alpha: float = 0.05
) -> dict[str, float]:
    """The power no valid test can beat on the simulated suite: each benchmark's run-to-run
    sd known exactly (a z-test, no degrees of freedom spent on estimating it), no
    within-run sampling error, no suite shift to remove. Benchmarks' sds follow the
    simulator's lognormal law (median `sigma_run`, log-sd `NoiseSpec().sigma_spread`);
    Benjamini-Hochberg over `tests` one-sided tests at `alpha` puts the threshold for the
    most significant at alpha / tests, and at 3 alpha / tests when the other two slower
    planted changes are found first (the best case). Also with every benchmark at exactly
    `sigma_run` (no spread). Gauss-Hermite quadrature over the lognormal."""
    from scipy import special

    spread = NoiseSpec().sigma_spread
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    delta = math.log1p(change)
    out: dict[str, float] = {}
    flat = sigma_run * math.sqrt(2.0 / runs)
    sd = flat * np.exp(spread * nodes)
    for rank in (1, 3):
        z = float(special.ndtri(1.0 - alpha * rank / tests))
        out[f"rank {rank}"] = float(np.sum(weights * special.ndtr(delta / sd - z)))
        out[f"rank {rank}, no spread"] = float(special.ndtr(delta / flat - z))
    return out


def identical_cells(
    comparisons: int, settings: Settings, *, modes: tuple[str, ...], episodes: float = 0.0
) -> list[dict[str, object]]:
    """vmbench alone on many identical-code comparisons per replicated mode and noise level:
    the tally's shares, the failure count and its Wilson 95 % interval (scipy)."""
    from scipy import stats

    cells: list[dict[str, object]] = []
    for mode in MODES:
        if mode.name not in IDENTICAL_MODES or mode.name not in modes:
            continue
        for sigma in SIGMAS:
            spec = NoiseSpec(sigma_run=sigma, sigma_shared=SHARED, episode_prob=episodes)
            tally = simulate_cell(
                mode,
                spec,
                comparisons=comparisons,
                seed=IDENTICAL_SEED,
                settings=settings,
                with_anchors=False,
                identical_only=True,
            ).aa["vmbench"]
            shares = tally.to_dict()
            ci = stats.binomtest(tally.gate_failed, tally.comparisons).proportion_ci(
                confidence_level=0.95, method="wilson"
            )
            cells.append(
                {
                    "mode": mode.name,
                    "sigma_run": sigma,
                    "seed": IDENTICAL_SEED,
                    "comparisons": tally.comparisons,
                    "gate_failed": tally.gate_failed,
                    "gate_fail_share": shares["gate_fail_share"],
                    "gate_fail_interval": [ci.low, ci.high],
                    "false_regressions_per_comparison": shares["false_regressions_per_comparison"],
                    "false_improvements_per_comparison": shares[
                        "false_improvements_per_comparison"
                    ],
                }
            )
            print(f"[calibration] identical {mode.name} sigma {sigma:.0%} done", file=sys.stderr)
    return cells


def _pct(x: object) -> str:
    return "-" if not isinstance(x, int | float) else f"{x:.0%}"


def _num(x: object) -> str:
    return "-" if not isinstance(x, int | float) else f"{x:.2f}"


def summarize(results: dict[str, object]) -> str:
    lines = [
        "| data | mode | rule | A/A gate fails | A/A asks to confirm | false regr./cmp | "
        "false impr./cmp | inconclusive | found +12 % | +15 % (+20 % real) | "
        "+25 % (+30 % real) | -20 % | "
        "never stable ≥ 12 % |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(data: str, mode: str, rule: str, cell: dict[str, dict[str, object]]) -> str:
        aa, pl = cell["aa"], cell["planted"]
        power = pl["power"] if isinstance(pl["power"], dict) else {}
        direction = pl["flagged_or_inconclusive_in_direction"]
        assert isinstance(direction, dict)
        slower = [v for k, v in direction.items() if k.startswith("+")]
        never_stable = min(slower) if slower else None
        return (
            f"| {data} | {mode} | {rule} | {_pct(aa['gate_fail_share'])} | "
            f"{_pct(aa['confirmation_share'])} | {_num(aa['false_regressions_per_comparison'])} | "
            f"{_num(aa['false_improvements_per_comparison'])} | {_pct(aa['inconclusive_share'])} | "
            f"{_pct(power.get('+12%'))} | {_pct(power.get('+15%', power.get('+20%')))} | "
            f"{_pct(power.get('+25%', power.get('+30%')))} | "
            f"{_pct(power.get('-20%'))} | {_pct(never_stable)} |"
        )

    sim = results["simulation"]
    assert isinstance(sim, dict)
    for cell in sim["cells"]:
        for rule, scores in cell["rules"].items():
            lines.append(
                row(f"simulated σ_run {cell['sigma_run']:.0%}", cell["mode"], rule, scores)
            )
    for cell in results["real"]:  # type: ignore[union-attr]
        for rule, scores in cell["rules"].items():
            lines.append(row(cell["data"], cell["mode"], rule, scores))
    head = ""
    if sim.get("episode_prob"):
        head = (
            f"Simulated runs have contention episodes: {sim['episode_prob']:.0%} of "
            "benchmark-runs slowed by 5-60 % over their whole measurement window.\n\n"
        )
    return (
        head
        + "\n".join(lines)
        + "\n"
        + _by_sigma(sim["cells"])
        + _identical(results)
        + _ceiling()
        + _tails(results)
    )


def _tails(results: dict[str, object]) -> str:
    """The run-level tails of the real sets' identical runs (`run_level_tails`)."""
    tails = results.get("tails")
    if not isinstance(tails, list) or not tails:
        return ""
    lines = [
        "",
        "Run-level tails of identical runs: share of benchmark-runs this far from their "
        "benchmark's median run (after the run's effect on the whole suite); normal noise "
        "puts 6 in 100,000 beyond four robust sds.",
        "",
        "| data | runs | typical sd | > +10 % | > +20 % | > +30 % | > +50 % | < -10 % | "
        "< -20 % | beyond 4 robust sd |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in tails:
        up, down = t["slower"], t["faster"]
        lines.append(
            f"| {t['data']} | {t['runs']} | {t['typical_sd']:.1%} | {up['10%']:.1%} | "
            f"{up['20%']:.1%} | {up['30%']:.1%} | {up['50%']:.1%} | {down['10%']:.1%} | "
            f"{down['20%']:.1%} | {t['beyond_4_robust_sd']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def _ceiling() -> str:
    """Analytic (no simulation), so every summary has it."""
    lines = [
        "",
        "The power ceiling for +25 % with three runs a side (`power_ceiling`: each "
        "benchmark's run-to-run sd known exactly, a z-test at Benjamini-Hochberg's threshold "
        "for the first or third of 21 tests; under the simulator's noise law no test that "
        "holds its level does better):",
        "",
        "| σ_run | ceiling, first of 21 | ceiling, third of 21 | no spread, first | "
        "no spread, third |",
        "|---:|---:|---:|---:|---:|",
    ]
    for sigma in SIGMAS:
        c = power_ceiling(sigma, 3, 0.25)
        lines.append(
            f"| {sigma:.0%} | {c['rank 1']:.0%} | {c['rank 3']:.0%} | "
            f"{c['rank 1, no spread']:.0%} | {c['rank 3, no spread']:.0%} |"
        )
    return "\n".join(lines) + "\n"


def _identical(results: dict[str, object]) -> str:
    cells = results.get("identical")
    if not isinstance(cells, list) or not cells:
        return ""
    lines = [
        "",
        f"vmbench on {cells[0]['comparisons']:,} more comparisons of identical code per cell "
        f"(seed {cells[0]['seed']}): the share that fails the gate, with its Wilson 95 % "
        "interval",
        "",
        "| mode | σ_run | gate fails | 95 % interval | false regr./cmp | false impr./cmp |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for c in cells:
        lo, hi = c["gate_fail_interval"]
        lines.append(
            f"| {c['mode']} | {c['sigma_run']:.0%} | {c['gate_fail_share']:.1%} "
            f"({c['gate_failed']}) | {lo:.1%}-{hi:.1%} | "
            f"{c['false_regressions_per_comparison']:.3f} | "
            f"{c['false_improvements_per_comparison']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def _by_sigma(cells: list[dict[str, object]]) -> str:
    """Power for +25 % by the planted benchmark's own run-to-run sd (simulations only)."""
    bands: list[str] = []
    for cell in cells:
        for scores in cell["rules"].values():  # type: ignore[attr-defined]
            for band in scores["planted"].get("power_by_sigma", {}):
                if band not in bands:
                    bands.append(band)
    if not bands:
        return ""
    lines = [
        "",
        "Found +25 % by the changed benchmark's own run-to-run sd (planted benchmarks in "
        "that band; the suite's sigma_run is the median of a lognormal spread):",
        "",
        "| suite σ_run | mode | rule | " + " | ".join(bands) + " |",
        "|---|---|---|" + "---:|" * len(bands),
    ]
    for cell in cells:
        for rule, scores in cell["rules"].items():  # type: ignore[attr-defined]
            by = scores["planted"].get("power_by_sigma", {})
            shown = []
            for band in bands:
                c = by.get(band, {}).get("+25%")
                shown.append("-" if not c else f"{c['power']:.0%} ({c['planted']})")
            lines.append(
                f"| {cell['sigma_run']:.0%} | {cell['mode']} | {rule} | " + " | ".join(shown) + " |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparisons", type=int, default=200, help="per simulated cell")
    parser.add_argument("--real-only", action="store_true", help="skip the simulations")
    parser.add_argument("--out", type=Path, help="results JSON (default: benchmarks/results/)")
    parser.add_argument("--summarize", type=Path, help="print a results file as markdown")
    parser.add_argument(
        "--modes",
        default=",".join(m.name for m in MODES),
        help="comma-separated comparison modes to run (default: all)",
    )
    parser.add_argument(
        "--estimator", choices=ESTIMATORS, default=DEFAULT_ESTIMATOR, help="Settings.estimator"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="simulation seed")
    parser.add_argument(
        "--identical",
        type=int,
        default=0,
        metavar="N",
        help="also N identical-code comparisons per replicated mode and sigma (vmbench only)",
    )
    parser.add_argument(
        "--episodes",
        type=float,
        default=0.0,
        metavar="P",
        help="chance per benchmark and simulated run of a whole-run contention episode",
    )
    args = parser.parse_args()
    if args.summarize:
        print(summarize(json.loads(args.summarize.read_text())), end="")
        return
    modes = tuple(m for m in args.modes.split(",") if m)
    unknown = sorted(set(modes) - {m.name for m in MODES})
    if unknown:
        parser.error(f"unknown mode {unknown[0]!r}; one of {', '.join(m.name for m in MODES)}")
    results = run(
        args.comparisons,
        args.real_only,
        modes=modes,
        estimator=args.estimator,
        seed=args.seed,
        identical=args.identical,
        episodes=args.episodes,
    )
    out = (
        args.out
        or ROOT / "benchmarks" / "results" / f"calibration-{datetime.now(UTC):%Y-%m-%d}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(summarize(results), end="")
    print(f"[calibration] wrote {out} in {results['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
