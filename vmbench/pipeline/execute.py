"""The report pipeline: execute a notebook with papermill, then export HTML and markdown.

A report named NAME (`regression`, `trend`, `category-<category>`) is four files in the
output directory, each written atomically:

- `NAME.ipynb`: the executed notebook, the provenance record (papermill keeps the
  parameters in its metadata and in the injected-parameters cell);
- `NAME.html`: self-contained page, code hidden, nothing fetched from the network;
- `NAME.md`: text and tables for a GitHub comment;
- `NAME.json`: the data the report shows, written by the notebook to `output_json`.

Every run starts a fresh kernel that listens on IPC sockets in a private temporary
directory, so nothing else on the network can reach it. Parameters reach the kernel as
data through papermill's parameter injection; nothing here assembles code from strings.
When a notebook fails, the partially executed notebook is kept as `NAME.ipynb` for
debugging, the stale HTML, markdown and JSON of that name are removed, and
`NotebookError` names the notebook and the cell.

Over 400 lines on purpose: locating, parameterising, executing and exporting a report
are one pipeline read top to bottom (as papermill's execute.py), with the failure
handling that names the notebook and the cell.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmbench.atomic import atomic_copy, atomic_write_text
from vmbench.errors import InputError, MissingExtra, UsageError, VmbenchError
from vmbench.pipeline.parameters import check_values
from vmbench.readers.jsonfiles import read_yaml

NOTEBOOKS = ("regression", "category", "trend")
# Parameters that name files or directories: relative values given by a user are taken
# relative to the user's working directory (the notebook itself runs in notebooks/).
PATH_PARAMETERS = frozenset({"criterion_dir", "history_dir", "categories_file", "output_json"})
# The bundled params files (params/NAME.yaml) describe vmbench's example data, which is
# where each notebook's data parameter points by default. The runs they name (`main`,
# `pr`, the identical-code runs `aa1`..`aa3`) exist only there: when a user points a
# report at other data, these parameters of a bundled file do not apply.
DATA_PARAMETER = {
    "regression": "criterion_dir",
    "category": "criterion_dir",
    "trend": "history_dir",
}
EXAMPLE_RUN_PARAMETERS = frozenset({"baseline", "candidate", "noise_runs"})
CELL_TIMEOUT_S = 600
# What executing and exporting the notebooks imports: the `report` extra of pyproject.toml.
REPORT_EXTRA = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "matplotlib")


class NotebookError(VmbenchError):
    """A notebook raised while executing; names the notebook, the cell and what it said."""

    def __init__(
        self,
        name: str,
        problem: str,
        *,
        cell: int | None = None,
        source: str = "",
        partial: Path | None = None,
    ) -> None:
        self.name = name
        self.cell = cell  # index in the stored notebook (papermill's added cells not counted)
        self.partial = partial
        where = f"notebook {name}" + ("" if cell is None else f", cell {cell}")
        where += f" ({source})" if source else ""
        kept = "" if partial is None else f" (partial notebook kept at {partial})"
        super().__init__(" ".join(f"{where}: {problem}{kept}".split()))


@dataclass(frozen=True)
class ReportSpec:
    """One report to build: which notebook, under which name, with which parameters."""

    notebook: str
    name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportResult:
    """The files one report run wrote and how long it took."""

    name: str
    notebook: Path
    html: Path
    markdown: Path
    json: Path
    seconds: float

    @property
    def files(self) -> tuple[Path, Path, Path, Path]:
        return (self.notebook, self.html, self.markdown, self.json)


PACKAGE_DIR = Path(__file__).resolve().parents[1]  # vmbench/


def repo_root() -> Path:
    return PACKAGE_DIR.parent


def notebooks_dir() -> Path:
    """The report notebooks: a source checkout's `notebooks/`, else the wheel's copies."""
    return _shipped("notebooks", "_notebooks", "regression.ipynb")


def params_dir() -> Path:
    """The standard params files: a source checkout's `params/`, else the wheel's copies."""
    return _shipped("params", "_params", "regression.yaml")


def _shipped(checkout_name: str, package_name: str, probe: str) -> Path:
    # An editable install or a checkout has the top-level folder; a wheel carries it as
    # a data package (see [tool.setuptools.package-dir] in pyproject.toml).
    for path in (repo_root() / checkout_name, PACKAGE_DIR / package_name):
        if (path / probe).is_file():
            return path
    raise InputError(repo_root() / checkout_name, f"vmbench's {checkout_name} are missing")


def notebook_path(notebook: str | Path) -> Path:
    """A standard notebook by name (`regression`), or any notebook file by path."""
    if isinstance(notebook, Path) or notebook.endswith(".ipynb"):
        path = Path(notebook)
        if not path.is_file():
            raise InputError(path, "notebook not found")
        return path
    if notebook not in NOTEBOOKS:
        raise UsageError(f"unknown notebook {notebook!r}; choose one of {', '.join(NOTEBOOKS)}")
    path = notebooks_dir() / f"{notebook}.ipynb"
    if not path.is_file():
        raise InputError(path, "notebook not found")
    return path


def require_report_extra() -> None:
    """Raise `MissingExtra` unless the packages of the `report` extra are installed."""
    for module in REPORT_EXTRA:
        if importlib.util.find_spec(module) is None:
            raise MissingExtra("vmbench report", "report", module)


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares (name -> papermill's inferred type, default, help)."""
    require_report_extra()
    import papermill

    params: dict[str, dict[str, Any]] = papermill.inspect_notebook(str(notebook_path(notebook)))
    return params


def notebook_for_params(path: Path) -> str | None:
    """The notebook a params file is for, by its name: `regression*.yaml` is for the
    regression notebook, `category-*.yaml` for category, `trend*.yaml` for trend. Other
    YAML files in params/ (`categories.yaml`) are not notebook parameters."""
    stem = path.stem
    for notebook in NOTEBOOKS:
        if stem == notebook or stem.startswith(f"{notebook}-"):
            return notebook
    return None


def load_params_file(path: Path) -> dict[str, Any]:
    """A params YAML file: a mapping of parameter names to values."""
    data = read_yaml(path, what="a parameters YAML file")
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(path, "a parameters file must map parameter names to values")
    return data


def resolve_paths(parameters: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Make relative path parameters absolute against `base` (the user's cwd)."""
    out = dict(parameters)
    for key in PATH_PARAMETERS & out.keys():
        value = out[key]
        if isinstance(value, str) and value and not Path(value).is_absolute():
            out[key] = str((base / value).resolve())
    return out


def points_at_other_data(notebook: str, parameters: Mapping[str, Any]) -> bool:
    """Whether `parameters` (paths already absolute) name data other than the notebook's
    default, the bundled example data."""
    key = DATA_PARAMETER.get(notebook)
    if key is None or key not in parameters:
        return False
    default = notebook_parameters(notebook).get(key, {}).get("default")
    try:
        example = ast.literal_eval(default) if isinstance(default, str) else None
    except (ValueError, SyntaxError):
        example = None
    if not isinstance(example, str):
        return True
    bundled = (notebooks_dir() / example).resolve()
    return Path(str(parameters[key])).resolve() != bundled


def bundled_parameters(
    notebook: str, bundled: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """A bundled params file's values merged under the user's `given` ones.

    When `given` points the notebook at other data than the bundled example data, the
    bundled file's run names (baseline, candidate, noise_runs) are left out: they name
    runs that only the example data has. What the user names is always kept, so a noise
    run the user asks for and the data lacks is still an error.
    """
    kept = dict(bundled)
    if points_at_other_data(notebook, given):
        kept = {k: v for k, v in kept.items() if k not in EXAMPLE_RUN_PARAMETERS}
    return {**kept, **given}


def report_specs(
    kind: str, given: Mapping[str, Any], *, params_file: Path | None, base: Path
) -> list[ReportSpec]:
    """The reports `vmbench report KIND` builds from the user's parameters.

    `given` holds the user's parameters (relative paths taken from `base`, the user's
    working directory), `params_file` the user's params file if any. Without a params
    file, a single report starts from vmbench's bundled params/KIND.yaml; `all` runs
    every bundled params file (see `standard_reports`).
    """
    require_report_extra()
    user: dict[str, Any] = {}
    if params_file is not None:
        user.update(load_params_file(params_file))
    user.update(given)
    user = resolve_paths(user, base)
    if kind == "all":
        return standard_reports(user, base=base)
    if kind not in NOTEBOOKS:
        raise UsageError(f"unknown report {kind!r}; choose one of {', '.join(NOTEBOOKS)}, all")
    params = user
    defaults = params_dir() / f"{kind}.yaml"
    if params_file is None and defaults.is_file():
        params = bundled_parameters(kind, resolve_paths(load_params_file(defaults), base), user)
    return [ReportSpec(kind, report_name(kind, params), params)]


def report_name(notebook: str | Path, parameters: Mapping[str, Any]) -> str:
    """`regression`, `trend`, or `category-<category>` made safe as a file name."""
    if isinstance(notebook, Path) or notebook.endswith(".ipynb"):
        return Path(notebook).stem
    if notebook != "category":
        return notebook
    category = str(parameters.get("category", ""))
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", category).strip("-")[:64] or "unnamed"
    return f"category-{slug}"


def check_parameters(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    """Refuse names the notebook does not declare (papermill would only warn), and values
    whose type does not fit the parameter's annotation in the notebook's parameters cell
    (as papermill's inspection reads it), before any kernel starts."""
    known = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise UsageError(
            f"notebook {notebook} has no parameter {', '.join(unknown)}; "
            f"its parameters are {', '.join(sorted(known))}"
        )
    check_values(Path(str(notebook)).stem, known, parameters)


def run_report(
    notebook: str | Path,
    *,
    parameters: Mapping[str, Any],
    output_dir: Path,
    name: str | None = None,
) -> ReportResult:
    """Execute `notebook` with `parameters` in a fresh kernel and write the four files."""
    require_report_extra()
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from vmbench.pipeline.export import export_html, export_markdown

    source = notebook_path(notebook)
    name = name or report_name(notebook, parameters)
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
        raise UsageError(f"report name {name!r} is not a plain file name")
    output_dir = Path(output_dir).resolve()
    final = {ext: output_dir / f"{name}.{ext}" for ext in ("ipynb", "html", "md", "json")}
    params = dict(parameters)
    if "output_json" in notebook_parameters(notebook):
        params.setdefault("output_json", str(final["json"]))
    check_parameters(notebook, params)
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path = Path(params.get("output_json", final["json"]))

    started = time.perf_counter()
    # papermill saves the notebook after every cell; a temporary name keeps NAME.ipynb whole.
    running = output_dir / f".{name}.running.ipynb"
    try:
        with _local_kernel_config() as config:
            executed = papermill.execute_notebook(
                str(source),
                str(running),
                parameters=params,
                kernel_name="python3",
                cwd=str(source.parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=CELL_TIMEOUT_S,
                config=config,
                # The kernel logs "KeyboardInterrupt caught" to our stderr when it is shut
                # down after a failure; the failure itself is reported in one line.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
    except PapermillExecutionError as exc:
        partial = _keep_partial(running, final)
        cell = _source_cell_index(partial) if partial else None
        lines = str(exc.source).strip().splitlines()
        raise NotebookError(
            name,
            f"{exc.ename}: {exc.evalue}",
            cell=cell,
            source=lines[0][:80] if lines else "",
            partial=partial,
        ) from None
    except Exception as exc:  # kernel died or failed to start: still one line, still kept
        partial = _keep_partial(running, final)
        raise NotebookError(name, f"{type(exc).__name__}: {exc}", partial=partial) from None
    os.replace(running, final["ipynb"])

    if not json_path.is_file():
        raise NotebookError(name, f"did not write its JSON summary to {json_path}")
    if json_path != final["json"]:
        atomic_write_text(final["json"], json_path.read_text(encoding="utf-8"))
    nb = nbformat.from_dict(executed)  # type: ignore[no-untyped-call]
    atomic_write_text(final["html"], export_html(nb, title=f"vmbench {name} report"))
    atomic_write_text(final["md"], export_markdown(nb))
    return ReportResult(
        name=name,
        notebook=final["ipynb"],
        html=final["html"],
        markdown=final["md"],
        json=final["json"],
        seconds=time.perf_counter() - started,
    )


def standard_reports(
    overrides: Mapping[str, Any], *, base: Path, directory: Path | None = None
) -> list[ReportSpec]:
    """The full set: regression, trend, and one category report per `category-*.yaml`.

    `overrides` (from the command line) apply to every notebook that declares them;
    a name no notebook declares is an error rather than silently ignored. Relative
    paths in the params files are taken from `base`, like those on the command line.
    """
    directory = directory or params_dir()
    plans: list[tuple[str, dict[str, Any]]] = []
    for notebook, pattern in (
        ("regression", "regression.yaml"),
        ("trend", "trend.yaml"),
        ("category", "category-*.yaml"),
    ):
        files = sorted(directory.glob(pattern))
        if not files and notebook != "category":
            plans.append((notebook, {}))
        plans += [(notebook, resolve_paths(load_params_file(f), base)) for f in files]
    declared = {nb: set(notebook_parameters(nb)) for nb in NOTEBOOKS}
    unused = set(overrides) - set().union(*declared.values())
    if unused:
        raise UsageError(f"no notebook has a parameter {', '.join(sorted(unused))}")
    specs = []
    for notebook, params in plans:
        given = {k: v for k, v in overrides.items() if k in declared[notebook]}
        merged = bundled_parameters(notebook, params, given)
        specs.append(ReportSpec(notebook, report_name(notebook, merged), merged))
    return specs


@dataclass(frozen=True)
class RunAll:
    """What a run of several reports produced, and which notebooks failed."""

    reports: tuple[ReportResult, ...]
    failures: tuple[NotebookError, ...]


def run_all(
    specs: Sequence[ReportSpec],
    *,
    output_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> RunAll:
    """Run every report in turn. A failing notebook does not stop the others: the
    reports that can be built are built, and every failure is returned."""
    for spec in specs:  # refuse bad parameters before spending time on any notebook
        check_parameters(spec.notebook, spec.parameters)
    results = []
    failures = []
    for i, spec in enumerate(specs, 1):
        if progress:
            progress(f"[{i}/{len(specs)}] {spec.name} ...")
        started = time.perf_counter()
        try:
            result = run_report(
                spec.notebook, parameters=spec.parameters, output_dir=output_dir, name=spec.name
            )
        except NotebookError as exc:
            failures.append(exc)
            if progress:
                elapsed = time.perf_counter() - started
                progress(f"[{i}/{len(specs)}] {spec.name} FAILED after {elapsed:.1f} s")
            continue
        if progress:
            progress(f"[{i}/{len(specs)}] {spec.name} done in {result.seconds:.1f} s")
        results.append(result)
    return RunAll(tuple(results), tuple(failures))


def copy_markdown(result: ReportResult, target: Path) -> None:
    """Copy a report's markdown to `target` (the design document's benchmark-report.md)."""
    atomic_copy(result.markdown, target)


@contextlib.contextmanager
def _local_kernel_config() -> Iterator[Any]:
    """Kernel manager config: IPC sockets in a private (0700) temporary directory."""
    from traitlets.config import Config

    sockets = Path(tempfile.mkdtemp(prefix="vmbench-kernel-"))
    try:
        yield Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def _source_cell_index(partial: Path) -> int | None:
    """Index of the failed cell in the stored notebook (without papermill's added cells)."""
    import nbformat

    nb = nbformat.read(partial, as_version=4)  # type: ignore[no-untyped-call]
    added = ("injected-parameters", "papermill-error-cell-tag")
    cells = [c for c in nb.cells if not set(c.metadata.get("tags", [])) & set(added)]
    for index, cell in enumerate(cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    return None


def _keep_partial(running: Path, final: Mapping[str, Path]) -> Path | None:
    # A failed run must not leave last run's HTML/markdown/JSON looking like this run's.
    for ext in ("html", "md", "json"):
        with contextlib.suppress(FileNotFoundError):
            final[ext].unlink()
    if not running.exists():
        return None
    os.replace(running, final["ipynb"])
    return final["ipynb"]
