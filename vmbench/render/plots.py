"""Figures for the regression and category reports (matplotlib, no pyplot).

Every function takes tidy frames built by the library and returns a `Figure`; nothing
here computes statistics beyond what a plot needs to place points. Figures are made
with `matplotlib.figure.Figure` directly (no pyplot state, Agg rendering), so a report
kernel stays fast and no figure is shown twice. Labels that come from data pass through
`plot_label`: `$` would start mathtext, control and bidi characters would garble the
axis, very long ids would squeeze the plot. Counts are capped (`limit`) so a report on
thousands of benchmarks draws what matters, not thousands of panels.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from vmbench.escape import plot_label as _escape_label

SEVERITY_COLOURS: Mapping[str, str] = {
    "high": "#d62728",
    "medium": "#e6a700",
    "improvement": "#2ca02c",
    "stable": "#7f7f7f",
    "inconclusive": "#9467bd",
    "insufficient": "#8c564b",
}
SIDE_COLOURS = ("#1f77b4", "#ff7f0e")


def plot_label(text: object, width: int = 48) -> str:
    """A data string made safe (no mathtext, no control characters) and short.

    A character the plot font cannot draw (CJK in DejaVu Sans) is shown as `\\uXXXX`:
    matplotlib would draw an empty box and warn on stderr once per glyph and figure.
    """
    drawable = _drawable()
    shown = "".join(
        ch if not ch.isprintable() or ord(ch) in drawable else _code(ch) for ch in str(text)
    )
    return _escape_label(shown, width=width)


def _code(ch: str) -> str:
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


@functools.cache
def _drawable() -> frozenset[int]:
    # The code points of the font matplotlib picks for text (DejaVu Sans unless configured).
    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(ft2font.FT2Font(path).get_charmap())


def _unit(values: np.ndarray) -> tuple[float, str]:
    """Scale ns values to the unit that reads best for the whole set."""
    top = float(np.nanmax(values)) if values.size else 1.0
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if top >= scale:
            return scale, unit
    return 1.0, "ns"


def forest_plot(
    changes: pd.DataFrame,
    *,
    regression: float,
    high: float,
    improvement: float,
    limit: int = 40,
) -> Figure:
    """Changes with their intervals, one row per benchmark, threshold lines drawn.

    `changes` has `id`, `change`, `change_ci_low`, `change_ci_high`, `severity` (relative
    changes, 0.1 = +10 %), already ordered by importance; the first `limit` rows are drawn.
    """
    rows = changes.head(limit).iloc[::-1]
    fig = Figure(figsize=(9, 1.2 + 0.28 * max(len(rows), 1)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    colours = [SEVERITY_COLOURS.get(s, "#7f7f7f") for s in rows["severity"]]
    centre = rows["change"].to_numpy(dtype=float) * 100
    low = rows["change_ci_low"].to_numpy(dtype=float) * 100
    high_ = rows["change_ci_high"].to_numpy(dtype=float) * 100
    ok = np.isfinite(low) & np.isfinite(high_)
    ax.hlines(y[ok], low[ok], high_[ok], colors=np.array(colours, dtype=object)[ok], lw=2)
    ax.scatter(centre, y, c=colours, zorder=3, s=18)
    ax.axvline(0, color="black", lw=0.8)
    for x, style in ((regression, "--"), (high, ":"), (-improvement, "--")):
        ax.axvline(x * 100, color="#555555", lw=0.8, ls=style)
    ax.set_yticks(y, [plot_label(i) for i in rows["id"]], fontsize=8)
    ax.set_xlabel("change, % (with its interval); lines: thresholds")
    hidden = len(changes) - len(rows)
    title = "Change by benchmark" + (f" (top {len(rows)} of {len(changes)})" if hidden else "")
    ax.set_title(title, fontsize=10)
    return fig


def _box_strip(ax: Axes, groups: Sequence[np.ndarray], colours: Sequence[str]) -> None:
    """Box (quartiles, median, Tukey whiskers) plus jittered points per group.

    Drawn as one line collection and one scatter per panel instead of `Axes.boxplot`,
    which makes six artists per box and reads every rcParam for each: a panel costs a
    fraction of the time and looks the same (black box and median, caps half as wide).
    """
    segments: list[list[tuple[float, float]]] = []
    xs, ys, point_colours = [], [], []
    jitter = np.random.default_rng(0)  # fixed: the same report draws the same points
    for pos, values, colour in zip(itertools.count(1), groups, colours, strict=False):
        if values.size == 0:
            continue
        # Tukey's mild fences (1.5 IQR), as Criterion classifies outliers and as
        # matplotlib's boxplot draws them: whiskers end at the last point inside.
        q1, med, q3 = np.percentile(values, [25, 50, 75])
        iqr = q3 - q1
        low = float(values[values >= q1 - 1.5 * iqr].min())
        high = float(values[values <= q3 + 1.5 * iqr].max())
        left, right = pos - 0.25, pos + 0.25
        segments += [
            [(left, q1), (right, q1), (right, q3), (left, q3), (left, q1)],
            [(left, med), (right, med)],
            [(pos, q1), (pos, low)],
            [(pos, q3), (pos, high)],
            [(pos - 0.125, low), (pos + 0.125, low)],
            [(pos - 0.125, high), (pos + 0.125, high)],
        ]
        xs.append(pos + jitter.uniform(-0.15, 0.15, size=values.size))
        ys.append(values)
        point_colours += [colour] * values.size
    if segments:
        ax.add_collection(LineCollection(segments, colors="black", linewidths=1.0, zorder=2))
        ax.scatter(
            np.concatenate(xs), np.concatenate(ys), s=6, alpha=0.6, c=point_colours, zorder=3
        )
    ax.set_xlim(0.5, len(groups) + 0.5)
    ax.autoscale_view(scalex=False)


# A fixed grid in inches: constrained layout would measure every tick label of every
# panel on each draw, the largest part of this figure's cost. Panel labels are short
# (tick labels of values scaled to 1-1000 of a unit, titles cut at 40 characters), so
# margins that fit the longest of them fit all.
_PANEL_MARGINS = {"left": 0.8, "right": 0.15, "bottom": 0.35, "top": 0.3}
_PANEL_GAPS = (0.85, 0.65)  # between columns, between rows (inches)


def sample_distributions(
    samples: pd.DataFrame,
    ids: Sequence[str],
    *,
    baseline: str,
    candidate: str,
    limit: int = 12,
    columns: int = 3,
) -> Figure:
    """Raw per-iteration samples, baseline against candidate, one panel per benchmark.

    `samples` is a samples frame (`run`, `id`, `per_iter_ns`); runs whose label is
    `baseline` or `candidate` are drawn side by side as box plus strip.
    """
    shown = list(ids)[:limit]
    rows = max(1, math.ceil(len(shown) / columns))
    width, height = 3.3 * columns, 2.6 * rows
    fig = Figure(figsize=(width, height))
    m, (gap_x, gap_y) = _PANEL_MARGINS, _PANEL_GAPS
    panel_w = (width - m["left"] - m["right"] - gap_x * (columns - 1)) / columns
    panel_h = (height - m["top"] - m["bottom"] - gap_y * (rows - 1)) / rows
    grid = fig.add_gridspec(
        rows,
        columns,
        left=m["left"] / width,
        right=1 - m["right"] / width,
        bottom=m["bottom"] / height,
        top=1 - m["top"] / height,
        wspace=gap_x / panel_w,
        hspace=gap_y / panel_h,
    )
    by_id = {key: frame for key, frame in samples.groupby("id", sort=False)}
    for k, bench in enumerate(shown):
        ax = fig.add_subplot(grid[k // columns, k % columns])
        frame = by_id.get(bench, samples.iloc[0:0])
        groups = [
            frame.loc[frame["run"] == side, "per_iter_ns"].to_numpy(dtype=float)
            for side in (baseline, candidate)
        ]
        scale, unit = _unit(np.concatenate(groups))
        _box_strip(ax, [g / scale for g in groups], SIDE_COLOURS)
        ax.set_xticks([1, 2], [plot_label(baseline, 14), plot_label(candidate, 14)], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_ylabel(f"time per iteration ({unit})", fontsize=8)
        ax.set_title(plot_label(bench, 40), fontsize=8)
    return fig


def category_distributions(samples: pd.DataFrame, *, limit: int = 30) -> Figure:
    """Violin plus strip of each benchmark's per-iteration times, relative to its median.

    Benchmarks of very different speeds share one axis by showing each sample as a
    percentage of its own benchmark's median; one row per (benchmark, run).
    """
    keys: list[tuple[str, str]] = []
    data = []
    for (bench, run), frame in samples.groupby(["id", "run"], sort=True):
        if len(keys) == limit:
            break
        values = frame["per_iter_ns"].to_numpy(dtype=float)
        keys.append((str(bench), str(run)))
        data.append((values / np.median(values) - 1.0) * 100)
    fig = Figure(figsize=(9, 1.2 + 0.32 * max(len(keys), 1)), layout="constrained")
    ax = fig.add_subplot()
    positions = np.arange(1, len(data) + 1)
    if data:
        spread = [d for d in data if np.ptp(d) > 0]
        if spread:
            ax.violinplot(
                spread,
                positions=[p for p, d in zip(positions, data, strict=True) if np.ptp(d) > 0],
                orientation="horizontal",
                showextrema=False,
            )
        jitter = np.random.default_rng(0)
        for pos, values in zip(positions, data, strict=True):
            ax.scatter(values, pos + jitter.uniform(-0.12, 0.12, values.size), s=4, alpha=0.5)
    ax.set_yticks(positions, [plot_label(f"{i} [{r}]") for i, r in keys], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("time per iteration, % from the benchmark's median")
    ax.invert_yaxis()
    return fig


def iteration_time(
    samples: pd.DataFrame, fits: pd.DataFrame, ids: Sequence[str], *, limit: int = 6
) -> Figure:
    """Criterion's plot: total sample time against iteration count, with the fitted slope.

    `fits` has `run`, `id`, `slope_ns` (time per iteration from the fit through the origin).
    """
    shown = list(ids)[:limit]
    columns = min(3, max(len(shown), 1))
    rows = max(1, math.ceil(len(shown) / columns))
    fig = Figure(figsize=(3.3 * columns, 2.7 * rows), layout="constrained")
    for k, bench in enumerate(shown):
        ax = fig.add_subplot(rows, columns, k + 1)
        part = samples[samples["id"] == bench]
        for colour, (run, frame) in zip(
            itertools.cycle(SIDE_COLOURS), part.groupby("run", sort=True), strict=False
        ):
            x = frame["iterations"].to_numpy(dtype=float)
            y = frame["time_ns"].to_numpy(dtype=float)
            scale, unit = _unit(y)
            ax.scatter(x, y / scale, s=6, color=colour, alpha=0.6, label=plot_label(run, 12))
            fit = fits[(fits["id"] == bench) & (fits["run"] == run)]
            if not fit.empty:
                slope = float(fit["slope_ns"].iloc[0])
                grid = np.array([0.0, x.max()])
                ax.plot(grid, grid * slope / scale, color=colour, lw=1)
            ax.set_ylabel(f"sample time ({unit})", fontsize=8)
        ax.set_xlabel("iterations", fontsize=8)
        ax.set_title(plot_label(bench, 40), fontsize=8)
        ax.legend(fontsize=7)
    return fig


def scaling_plot(points: pd.DataFrame, fits: pd.DataFrame, *, limit: int = 6) -> Figure:
    """Log-log mean time against the benchmark parameter, with the fitted exponent.

    `points`: `run`, `series`, `parameter`, `mean_ns`; `fits`: `run`, `series`,
    `exponent`. One panel per series (e.g. `memory/alloc`), one line per run.
    """
    series = list(dict.fromkeys(points["series"]))[:limit]
    columns = min(3, max(len(series), 1))
    rows = max(1, math.ceil(len(series) / columns))
    fig = Figure(figsize=(3.3 * columns, 2.8 * rows), layout="constrained")
    for k, name in enumerate(series):
        ax = fig.add_subplot(rows, columns, k + 1)
        part = points[points["series"] == name]
        for colour, (run, frame) in zip(
            itertools.cycle(SIDE_COLOURS), part.groupby("run", sort=True), strict=False
        ):
            frame = frame.sort_values("parameter")
            fit = fits[(fits["series"] == name) & (fits["run"] == run)]
            exponent = float(fit["exponent"].iloc[0]) if not fit.empty else float("nan")
            label = f"{plot_label(run, 12)}: exponent {exponent:.2f}"
            ax.loglog(frame["parameter"], frame["mean_ns"], "o-", color=colour, ms=3, label=label)
        ax.set_xlabel("parameter", fontsize=8)
        ax.set_ylabel("mean time (ns)", fontsize=8)
        ax.set_title(plot_label(name, 40), fontsize=8)
        ax.legend(fontsize=7)
    return fig
