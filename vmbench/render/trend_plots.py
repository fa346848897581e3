"""Figures for the trend report (matplotlib `Figure`s, no pyplot state, Agg rendering).

Each function draws tidy frames built by `vmbench.history.trend`; nothing here computes
statistics. Labels from data go through `vmbench.render.plots.plot_label`.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from vmbench import format as fmt
from vmbench.render.plots import plot_label

_STEP_COLOUR = "#d62728"
_IMPROVE_COLOUR = "#2ca02c"


def category_index_plot(index: pd.DataFrame) -> Figure:
    """One line per category: geometric-mean index over runs (1.0 = the window's start)."""
    fig = Figure(figsize=(9, 4.2))
    ax = fig.add_subplot()
    for category, rows in index.groupby("category", sort=True, observed=True):
        ax.plot(rows["date"], rows["index"], marker="o", markersize=3, label=plot_label(category))
    ax.axhline(1.0, color="#7f7f7f", linewidth=0.8, linestyle="--")
    ax.set_ylabel("geometric mean / start (lower is faster)")
    ax.set_title("Category index over time")
    ax.legend(fontsize=8, ncol=2, loc="best")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def trend_lines(
    history: pd.DataFrame, steps: pd.DataFrame, ids: list[str], *, columns: int = 2
) -> Figure:
    """Mean per run with its 95% CI band for each id; change points marked with their commit."""
    rows_n = max(1, math.ceil(len(ids) / columns))
    fig = Figure(figsize=(5.2 * columns, 2.8 * rows_n))
    axes = fig.subplots(rows_n, columns, squeeze=False).ravel()
    for ax, bid in zip(axes, ids, strict=False):
        series = history[history["id"] == bid].sort_values(["date", "run_id"], kind="stable")
        top = float(series["ci_high"].max()) if len(series) else 1.0
        scale, unit = next(
            ((s, u) for s, u in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")) if top >= s), (1.0, "ns")
        )
        dates = series["date"].to_numpy()
        ax.fill_between(
            dates,
            series["ci_low"].to_numpy() / scale,
            series["ci_high"].to_numpy() / scale,
            alpha=0.25,
            color="#1f77b4",
            linewidth=0,
        )
        ax.plot(dates, series["mean_ns"].to_numpy() / scale, marker="o", markersize=3)
        for _, step in steps[steps["id"] == bid].iterrows():
            colour = _STEP_COLOUR if step["change"] > 0 else _IMPROVE_COLOUR
            ax.axvline(step["date"], color=colour, linestyle="--", linewidth=1)
            ax.annotate(
                plot_label(f"{str(step['commit'])[:8]} {fmt.percent(step['change'])}", width=24),
                xy=(step["date"], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -10),
                textcoords="offset points",
                fontsize=7,
                color=colour,
            )
        ax.set_title(plot_label(bid), fontsize=9)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelsize=7, rotation=30)
    for ax in axes[len(ids) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
