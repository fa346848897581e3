"""What the category notebook calls: load one category's runs, compute, format.

The computations are in `vmbench.compare.category` (tested there); this module loads runs from
notebook parameters and turns the results into display objects and the JSON summary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vmbench.compare import category as cat
from vmbench.compare.refs import require_usable
from vmbench.compare.result import clean_dict
from vmbench.notebook.common import FOLD_ROWS, TABLE_LIMIT, as_list, load_categories, load_runs, pct
from vmbench.readers.frames import samples_frame, skipped_frame
from vmbench.render import plots
from vmbench.render.display import Headline, Nothing, Plot, Stack, Table
from vmbench.units import format_duration


@dataclass(frozen=True)
class CategoryData:
    """One category's samples (baseline and candidate runs) and what is computed from them."""

    category: str
    baseline: tuple[str, ...]
    candidate: tuple[str, ...]
    samples: pd.DataFrame
    distributions: pd.DataFrame
    outliers: pd.DataFrame
    fits: pd.DataFrame
    throughputs: pd.DataFrame
    scaling: cat.Scaling
    geomean: cat.GeomeanChange | None
    skipped: pd.DataFrame  # vmbench.readers.frames.skipped_frame of the loaded runs


def category_data(
    *,
    criterion_dir: str | Path,
    baseline: str | Sequence[str],
    candidate: str | Sequence[str] | None,
    category: str,
    categories_file: str | Path | None = None,
) -> CategoryData:
    """Load the runs and compute the category's deep dive. `candidate` may be empty.

    A run with no usable benchmark is an InputError naming the first skipped file.
    """
    categories = load_categories(categories_file)
    base_refs = as_list(baseline)
    cand_refs = as_list(candidate) if candidate else []
    runs = load_runs([*base_refs, *cand_refs], criterion_dir=criterion_dir)
    require_usable("baseline", runs[: len(base_refs)])
    require_usable("candidate", runs[len(base_refs) :])
    samples = cat.select(samples_frame(runs, categories), category)
    base_labels = tuple(r.label for r in runs[: len(base_refs)])
    cand_labels = tuple(r.label for r in runs[len(base_refs) :])
    return CategoryData(
        category=category,
        baseline=base_labels,
        candidate=cand_labels,
        samples=samples,
        distributions=cat.distributions(samples),
        outliers=cat.outlier_samples(samples),
        fits=cat.slope_fits(samples),
        throughputs=cat.throughputs(samples),
        scaling=cat.scaling(samples),
        geomean=cat.geomean_change(samples, baseline=base_labels, candidate=cand_labels)
        if cand_labels
        else None,
        skipped=skipped_frame(runs),
    )


def category_headline(data: CategoryData) -> Headline:
    ids = data.samples["id"].nunique()
    runs = ", ".join([*data.baseline, *data.candidate])
    lines = [f"{ids} benchmarks in category {data.category}; runs: {runs}."]
    g = data.geomean
    if g is not None:
        lines.append(
            f"Geometric-mean change {', '.join(data.candidate)} against "
            f"{', '.join(data.baseline)}: {pct(g.change)} "
            f"({g.confidence:.0%} interval {pct(g.low)} to {pct(g.high)}, bootstrap over "
            f"runs then samples, {g.benchmarks} benchmarks)."
        )
    else:
        lines.append("No candidate run given: no change to report.")
    return Headline(f"Category {data.category}", lines)


def distribution_table(data: CategoryData) -> Table:
    d = data.distributions.sort_values(["id", "run"], kind="stable")
    frame = pd.DataFrame(
        {
            "benchmark": d["id"],
            "run": d["run"],
            "n": d["n"].astype(str),
            "mean": d["mean_ns"].map(format_duration),
            "median": d["median_ns"].map(format_duration),
            "IQR": [
                f"{format_duration(a)} to {format_duration(b)}"
                for a, b in zip(d["q1_ns"], d["q3_ns"], strict=True)
            ],
            "CV": d["cv"].map(lambda x: pct(x, signed=False)),
            "outliers (low severe/mild, high mild/severe)": [
                f"{a}/{b}, {c}/{e}"
                for a, b, c, e in zip(
                    d["low_severe"], d["low_mild"], d["high_mild"], d["high_severe"], strict=True
                )
            ],
        }
    )
    return Table(
        frame,
        title="Samples per benchmark and run (Tukey outliers)",
        fold=len(frame) > FOLD_ROWS,
        limit=TABLE_LIMIT,
    )


def outlier_table(data: CategoryData) -> Table:
    o = data.outliers
    frame = pd.DataFrame(
        {
            "benchmark": o["id"],
            "run": o["run"],
            "sample": o["sample"].astype(str),
            "time per iteration": o["per_iter_ns"].map(format_duration),
            "class": o["class"],
        }
    )
    return Table(frame, title="Outlying samples (Tukey fences)", fold=True, limit=TABLE_LIMIT)


def slope_table(data: CategoryData) -> Table:
    f = data.fits
    frame = pd.DataFrame(
        {
            "benchmark": f["id"],
            "run": f["run"],
            "slope (time per iteration)": f["slope_ns"].map(format_duration),
            "R²": f["r_squared"].map(lambda x: "" if not math.isfinite(x) else f"{x:.4f}"),
            "iteration counts": f["distinct_iteration_counts"].astype(str),
        }
    )
    return Table(
        frame,
        title="Linear fit of sample time on iterations (Criterion's slope)",
        fold=len(frame) > FOLD_ROWS,
        limit=TABLE_LIMIT,
    )


def iteration_plot(data: CategoryData, *, limit: int = 6) -> Plot | Nothing:
    ids = list(dict.fromkeys(data.samples["id"]))
    if not ids:
        return Nothing("No samples in this category.")
    shown = ids[:limit]
    more = f" (first {len(shown)} of {len(ids)})" if len(ids) > len(shown) else ""
    return Plot(
        plots.iteration_time(data.samples, data.fits, shown, limit=limit),
        alt=f"Sample time against iteration count with the fitted slope{more}",
    )


def distribution_plot(data: CategoryData, *, limit: int = 30) -> Plot | Nothing:
    if data.samples.empty:
        return Nothing("No samples in this category.")
    return Plot(
        plots.category_distributions(data.samples, limit=limit),
        alt=f"Distribution of each benchmark's samples in {data.category}",
    )


def _rate(per_second: float, unit: str) -> str:
    """1.43e11 B/s -> "143 GB/s" (decimal prefixes, three significant digits)."""
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per_second >= scale:
            return f"{per_second / scale:.3g} {prefix}{unit}"
    return f"{per_second:.3g} {unit}"


def throughput_table(data: CategoryData) -> Table | Nothing:
    t = data.throughputs
    if t.empty:
        return Nothing("Criterion recorded no throughput for this category's benchmarks.")
    frame = pd.DataFrame(
        {
            "benchmark": t["id"],
            "run": t["run"],
            "per iteration": t["per_iteration"].map(lambda x: f"{x:g}"),
            "kind": t["kind"],
            "rate": [_rate(r, u) for r, u in zip(t["per_second"], t["unit"], strict=True)],
        }
    )
    return Table(frame, title="Throughput (higher is better)", fold=len(frame) > FOLD_ROWS)


def scaling_view(data: CategoryData, *, limit: int = 6) -> Stack | Nothing:
    sc = data.scaling
    if sc.fits.empty:
        return Nothing("No parameterized series with 3 or more numeric sizes in this category.")
    f = sc.fits
    frame = pd.DataFrame(
        {
            "series": f["series"],
            "run": f["run"],
            "sizes": f["points"].astype(str),
            "exponent [95% CI]": [
                f"{e:.2f} [{lo:.2f}, {hi:.2f}]"
                for e, lo, hi in zip(
                    f["exponent"], f["exponent_low"], f["exponent_high"], strict=True
                )
            ],
        }
    )
    plot = Plot(
        plots.scaling_plot(sc.points, sc.fits, limit=limit),
        alt="Mean time against the benchmark parameter (log-log) with the fitted exponent",
    )
    return Stack([plot, Table(frame, title="Scaling exponents (1 = linear in the parameter)")])


def category_summary(data: CategoryData) -> dict[str, Any]:
    """The category report's JSON: per-benchmark distributions, fits, scaling, geomean."""

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [clean_dict({str(k): v for k, v in r.items()}) for r in frame.to_dict("records")]

    return {
        "report": "category",
        "category": data.category,
        "baseline_runs": list(data.baseline),
        "candidate_runs": list(data.candidate),
        "benchmarks": sorted(data.samples["id"].unique().tolist()),
        "distributions": records(data.distributions),
        "outliers": records(data.outliers),
        "slope_fits": records(data.fits),
        "throughputs": records(data.throughputs),
        "scaling": records(data.scaling.fits),
        "geomean_change": data.geomean.to_dict() if data.geomean else None,
        "skipped": records(data.skipped),
    }
