"""Report figures: capped counts, escaped labels, threshold lines, fitted lines."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from tests.support.paths import TEST_DATA
from vmbench.compare import category as cat
from vmbench.readers.categories import Categories
from vmbench.readers.criterion import load_criterion
from vmbench.readers.frames import samples_frame
from vmbench.render import plots

HOSTILE_DIR = TEST_DATA / "report" / "hostile-criterion"
NASTY = ["$x^{2}$ cost", "<script>alert(1)</script>", "a\u202eb\nnewline", "x" * 300]


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def _changes(n: int) -> pd.DataFrame:
    change = np.linspace(-0.3, 0.4, n)
    return pd.DataFrame(
        {
            "id": [f"bench/{i}" for i in range(n)],
            "change": change,
            "change_ci_low": change - 0.02,
            "change_ci_high": change + 0.02,
            "severity": ["high" if c > 0.2 else "stable" for c in change],
        }
    )


@pytest.fixture(scope="module")
def samples() -> pd.DataFrame:
    runs = [load_criterion(HOSTILE_DIR, name) for name in ("main", "pr")]
    return samples_frame(runs, Categories.load(None))


def test_plot_labels_are_safe_and_short() -> None:
    assert plots.plot_label("$x^{2}$") == r"\$x^{2}\$"
    assert "\n" not in plots.plot_label("a\nb")
    assert "\u202e" not in plots.plot_label("a\u202eb")
    long = plots.plot_label("x" * 300, width=48)
    assert len(long) == 48
    assert "…" in long


def test_forest_plot_draws_at_most_limit_rows_and_the_thresholds() -> None:
    fig = plots.forest_plot(_changes(100), regression=0.1, high=0.2, improvement=0.05, limit=40)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 40
    assert "top 40 of 100" in ax.get_title()
    vertical = sorted(
        round(line.get_xdata()[0], 6) for line in ax.get_lines() if len(set(line.get_xdata())) == 1
    )
    assert vertical == [-5.0, 0.0, 10.0, 20.0]  # percent: improvement, zero, medium, high
    assert _png(fig)


def test_forest_plot_survives_hostile_names() -> None:
    frame = _changes(len(NASTY)).assign(id=NASTY)
    fig = plots.forest_plot(frame, regression=0.1, high=0.2, improvement=0.05)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert r"\$x^{2}\$ cost" in labels
    assert all(len(label) <= 48 for label in labels)
    assert _png(fig)  # mathtext never sees an unescaped $


def test_sample_distributions_one_panel_per_benchmark_capped(samples: pd.DataFrame) -> None:
    ids = sorted(samples["id"].unique())
    fig = plots.sample_distributions(samples, ids, baseline="main", candidate="pr", limit=3)
    assert len(fig.axes) == 3
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["main", "pr"]
    assert _png(fig)


def test_category_distributions_caps_rows(samples: pd.DataFrame) -> None:
    fig = plots.category_distributions(samples, limit=4)
    assert len(fig.axes[0].get_yticklabels()) == 4
    assert _png(fig)


def test_iteration_time_draws_the_fitted_slope(samples: pd.DataFrame) -> None:
    fits = cat.slope_fits(samples)
    bench = "memory/alloc/1024"
    fig = plots.iteration_time(samples, fits, [bench])
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2  # one fitted line per run
    slope = fits[(fits["id"] == bench) & (fits["run"] == "main")]["slope_ns"].iloc[0]
    x, y = lines[0].get_xdata(), lines[0].get_ydata()
    # y is drawn in the unit that suits the sample times (ns, µs, ms or s).
    drawn = (y[1] - y[0]) / (x[1] - x[0]) * _scale(samples, bench)
    assert drawn == pytest.approx(slope, rel=1e-9)
    assert _png(fig)


def _scale(samples: pd.DataFrame, bench: str) -> float:
    times = samples[(samples["id"] == bench) & (samples["run"] == "main")]["time_ns"]
    top = float(times.max())
    return next((s for s in (1e9, 1e6, 1e3) if top >= s), 1.0)


def test_scaling_plot_labels_each_run_with_its_exponent(samples: pd.DataFrame) -> None:
    scaling = cat.scaling(samples)
    fig = plots.scaling_plot(scaling.points, scaling.fits)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    exponent = scaling.fits[scaling.fits["run"] == "main"]["exponent"].iloc[0]
    assert legend[0] == f"main: exponent {exponent:.2f}"
    assert fig.axes[0].get_xscale() == "log"
    assert _png(fig)


def test_characters_the_font_lacks_are_shown_as_code_points() -> None:
    # DejaVu Sans (matplotlib's default) has no CJK glyphs; accents, µ and ∑ it has.
    assert plots.plot_label("基准/é µ ∑") == r"\u57fa\u51c6/é µ ∑"
    assert plots.plot_label("\U0001f642") == r"\U0001f642"
    fig = Figure()
    fig.add_subplot().set_title(plots.plot_label("基准 测试"))
    _png(fig)  # a missing-glyph UserWarning would fail here (warnings are errors)
