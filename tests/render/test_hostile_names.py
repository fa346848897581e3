"""Hostile benchmark names are shown as text everywhere and never become paths.

A Criterion tree is built at test time whose `full_id`s hold markup, table pipes,
backticks, mentions, path traversal, newlines, terminal escapes, right-to-left overrides,
mathtext, spreadsheet formulas and names longer than Criterion's 64-byte directory limit
(directory names sanitised and de-duplicated the way Criterion 0.3.6 does). Every output
format is checked: terminal table, markdown, JSON, CSV, `vmbench show`, plot labels, the
HTML and markdown of the report pipeline, report file names and history files.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.support import criterion_trees
from vmbench import escape
from vmbench.cli import main
from vmbench.readers.criterion import load_criterion

LONG = "long_name_" + "x" * 300
HOSTILE_FUNCTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "| col | broken |",
    "`rm -rf /` and ``double``",
    "@user please look",
    "../../x",
    "line1\nline2",
    "tab\there\rcr",
    "\u202eevil\u202c reversed",
    "$x^2$ math",
    '=HYPERLINK("http://example.com")',
    "**bold** _it_ [link](http://example.com) # head",
    "\x1b[31mred\x1b[0m",
    LONG + "_end1",  # same first 64 bytes: Criterion writes ..._2 for the second
    LONG + "_end2",
    "ünïcödé 基准 🚀",
]
HOSTILE_GROUPS = ["../../etc", "<b>grp</b>"]
SLOWER = {"<script>alert(1)</script>", "| col | broken |", "@user please look", "../../x"}
SLOWER |= {"line1\nline2", "\u202eevil\u202c reversed", "$x^2$ math", LONG + "_end1"}
RAW_MARKUP = ("<script>", "<img src", "<b>grp</b>")
NEVER_RAW = ("\x1b", "\u202e", "\u202c", "line1\nline2", "\r")


def build_tree(root: Path) -> list[str]:
    """Write `main` and `pr` for every hostile name; return their full ids."""
    syn = criterion_trees
    rng = np.random.default_rng(7)
    specs = [syn.BenchSpec("hostile", f, None, 5000.0) for f in HOSTILE_FUNCTIONS]
    specs += [syn.BenchSpec(g, "f", None, 5000.0) for g in HOSTILE_GROUPS]
    used: set[str] = set()
    for spec in specs:
        directory, counter = spec.directory, 2
        while directory in used:  # Criterion's ensure_directory_name_unique
            directory, counter = f"{spec.directory}_{counter}", counter + 1
        used.add(directory)
        for baseline in ("main", "pr"):
            factor = 1.3 if baseline == "pr" and spec.function in SLOWER else 1.0
            iters, times = syn.samples(spec, factor, rng, 30)
            folder = root / directory / baseline
            folder.mkdir(parents=True)
            syn.write_benchmark(root, spec, baseline, iters, times)  # writes spec.directory
            if directory != spec.directory:  # move the files to the de-duplicated folder
                source = root / spec.directory / baseline
                for name in ("benchmark.json", "sample.json", "estimates.json", "tukey.json"):
                    (folder / name).write_bytes((source / name).read_bytes())
                meta = json.loads((folder / "benchmark.json").read_text())
                meta["directory_name"] = directory
                (folder / "benchmark.json").write_text(json.dumps(meta))
    # The first LONG benchmark's files were overwritten by the second's: rewrite them.
    first = next(s for s in specs if s.function == LONG + "_end1")
    for baseline in ("main", "pr"):
        factor = 1.3 if baseline == "pr" else 1.0
        iters, times = syn.samples(first, factor, rng, 30)
        syn.write_benchmark(root, first, baseline, iters, times)
    return [s.full_id for s in specs]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("hostile") / "criterion"
    ids = build_tree(root)
    return root, ids


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"vmbench {args} raised") from result.exception
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def compare_out(root: Path, fmt: str) -> str:
    return cli("compare", str(root), "--baseline", "main", "--candidate", "pr", "--format", fmt)


def assert_inert(text: str, where: str) -> None:
    for raw in NEVER_RAW:
        assert raw not in text, f"{where}: raw {raw!r} in output"
    for raw in RAW_MARKUP:
        assert raw not in text, f"{where}: raw markup {raw!r} in output"


def test_loader_keeps_every_full_id(tree: tuple[Path, list[str]]) -> None:
    root, ids = tree
    run = load_criterion(root, "pr")
    assert sorted(run.benchmarks) == sorted(ids)
    assert not run.skipped


def test_json_keeps_the_names_exactly(tree: tuple[Path, list[str]]) -> None:
    root, ids = tree
    data = json.loads(compare_out(root, "json"))
    assert sorted(b["id"] for b in data["benchmarks"]) == sorted(ids)
    # one run a side: the slowed benchmark is a suspect (exit 3), the right one of the
    # two long names, kept exactly
    assert f"hostile/{LONG}_end1" in data["suspects"]
    assert f"hostile/{LONG}_end2" not in data["suspects"]


def test_terminal_table_is_inert(tree: tuple[Path, list[str]]) -> None:
    root, _ = tree
    out = compare_out(root, "table")
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert not any(line.lstrip().startswith(("line2", "cr")) for line in out.splitlines())
    assert "line1 line2" in out


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_cannot_break_the_table_or_mention(tree: tuple[Path, list[str]]) -> None:
    root, _ = tree
    out = compare_out(root, "markdown")
    assert_inert(out, "markdown")
    assert "@user" not in out  # GitHub would notify @user
    assert "@\u200buser" in out
    table_lines = [line for line in out.splitlines() if line.startswith("|")]
    assert table_lines
    header = _unescaped_pipes(table_lines[0])
    for line in table_lines:
        assert _unescaped_pipes(line) == header, line
        assert not re.search(r"(?<!\\)`", line), f"unescaped backtick: {line}"
        assert "](http" not in line.replace("\\]", "")  # no live link from a name


def test_csv_has_no_formula_cells(tree: tuple[Path, list[str]]) -> None:
    root, _ = tree
    frame = pd.read_csv(io.StringIO(compare_out(root, "csv")), dtype=str, keep_default_na=False)
    for column in frame.columns:
        for cell in frame[column]:
            assert not cell.startswith(("=", "+", "@")), cell
            assert "\x1b" not in cell


def test_show_is_inert(tree: tuple[Path, list[str]]) -> None:
    root, _ = tree
    out = cli("show", str(root), "--baseline", "pr")
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert not any(line.lstrip().startswith("line2") for line in out.splitlines())


def test_plot_labels_are_plain_text(tree: tuple[Path, list[str]]) -> None:
    from vmbench.readers.frames import samples_frame
    from vmbench.render.plots import forest_plot, sample_distributions

    root, ids = tree
    changes = pd.DataFrame(
        {
            "id": ids,
            "change": 0.1,
            "change_ci_low": 0.05,
            "change_ci_high": 0.15,
            "severity": "medium",
        }
    )
    fig = forest_plot(changes, regression=0.1, high=0.2, improvement=0.05, limit=len(ids))
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    runs = [load_criterion(root, "main"), load_criterion(root, "pr")]
    fig2 = sample_distributions(
        samples_frame(runs), ids, baseline="main", candidate="pr", limit=len(ids)
    )
    labels += [ax.get_title() for ax in fig2.axes]
    assert len(labels) == 2 * len(ids)
    for label in labels:
        assert "\n" not in label
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in label), repr(label)
        assert re.search(r"(?<!\\)\$", label) is None, f"mathtext would parse {label!r}"
    for figure in (fig, fig2):
        figure.savefig(io.BytesIO(), format="png")  # mathtext or layout errors surface here


@given(st.text(max_size=200))
def test_filename_is_one_safe_component(text: str) -> None:
    name = escape.filename(text)
    assert name
    assert name not in (".", "..")
    assert not name.startswith(".")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert len(name) <= 80


@pytest.mark.parametrize("category", [*HOSTILE_GROUPS, *HOSTILE_FUNCTIONS, "", ".", ".."])
def test_category_report_names_stay_in_the_output_directory(category: str, tmp_path: Path) -> None:
    from vmbench.pipeline.execute import report_name

    name = report_name("category", {"category": category})
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name)
    for ext in ("ipynb", "html", "md", "json"):
        assert (tmp_path / f"{name}.{ext}").resolve().parent == tmp_path.resolve()


def test_history_files_stay_in_the_store(tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    from vmbench.history.store import add_run, load_history

    root, ids = tree
    store = tmp_path / "store"
    date = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    run = load_criterion(root, "pr")
    path = add_run(store, run, commit="../../x\n`y`", branch="../../b", date=date, machine=None)
    assert path.resolve().parent == store.resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["store"]
    assert sorted(load_history(store)["id"]) == sorted(ids)


@pytest.mark.slow
def test_report_pipeline_escapes_every_name(tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    """papermill + HTML + markdown on the hostile tree: text, never markup or control."""
    from vmbench.pipeline.execute import run_report

    root, _ = tree
    out = tmp_path / "out"
    params = {"criterion_dir": str(root), "baseline": "main", "candidate": "pr"}
    result = run_report("regression", parameters={**params, "noise_runs": []}, output_dir=out)
    html = result.html.read_text(encoding="utf-8")
    md = result.markdown.read_text(encoding="utf-8")
    assert_inert(html, "HTML")
    assert_inert(md, "markdown report")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "@user" not in md
    nb = json.loads(result.notebook.read_text(encoding="utf-8"))
    streams = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert streams == [], streams  # no warning (missing glyph, mathtext...) from any cell
    cat = run_report("category", parameters={**params, "category": "../../etc"}, output_dir=out)
    assert cat.html.parent == out.resolve()
    assert sorted(p.parent for p in out.rglob("*")) == [out.resolve()] * len(list(out.rglob("*")))
    assert_inert(cat.html.read_text(encoding="utf-8"), "category HTML")


def test_trend_and_history_list_are_inert(tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    """Names (and a hostile commit and branch) through the history commands' outputs."""
    from vmbench.history.store import add_run

    root, _ = tree
    store = tmp_path / "store"
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for day, baseline in ((0, "main"), (20, "main"), (40, "pr"), (60, "pr")):
        run = load_criterion(root, baseline)
        commit = f"<script>{day}</script>`@user`"
        date = start + dt.timedelta(days=day)
        add_run(store, run, commit=commit, branch="main|x\u202e", date=date, machine=None)
    outputs = {
        "history list": cli("history", "list", "--history", str(store)),
        "trend table": cli("trend", "--history", str(store), "--format", "table"),
        "trend markdown": cli("trend", "--history", str(store), "--format", "markdown"),
    }
    assert "line1 line2" in outputs["trend table"]  # the drift table names the benchmarks
    for where, out in outputs.items():
        assert "\x1b" not in out, where
        assert "\u202e" not in out, where
        assert not any(line.lstrip().startswith("line2") for line in out.splitlines()), where
    md = outputs["trend markdown"]
    assert_inert(md, "trend markdown")
    assert "@user" not in md
    table_lines = [line for line in md.splitlines() if line.startswith("|")]
    for line in table_lines:
        assert not re.search(r"(?<!\\)`", line), line
    data = json.loads(cli("trend", "--history", str(store), "--format", "json"))
    assert data["runs"] == 4
