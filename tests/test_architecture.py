"""The import-layer contract: imports only point down, there are no cycles, and importing
`vmbench` (or running `vmbench --help`) loads no plotting, notebook or pandas module.

Layers, lowest first (docs/architecture.md explains what each one owns):

0. root modules: `model`, `errors`, `settings`, `units`, `atomic`, `escape`, `format`;
1. `stats` (pure numerics) and `readers` (data on disk), which do not import each other;
2. `compare`: runs to verdicts and a `Comparison`;
3. `history` (the run store and trend analysis) and `calibration` (error rates of the
   decision rules on simulated and real runs), which use `compare` and do not import
   each other;
4. `render`: text, markdown, JSON, CSV, display objects and plots;
5. `notebook` (notebook glue) and `pipeline` (papermill, export, cargo, init), which do not
   import each other;
6. `cli`: argument parsing only.

A module may import its own layer's package and any lower layer. Imports under
`if TYPE_CHECKING:` are for the type checker only and are not counted. The package root
`vmbench/__init__.py` is lazy: at run time it imports no vmbench module at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

from tests.support.paths import REPO

PACKAGE = REPO / "vmbench"
ROOT_MODULES = {"model", "errors", "settings", "units", "atomic", "escape", "format"}
LAYERS: dict[str, int] = {
    "stats": 1,
    "readers": 1,
    "compare": 2,
    "history": 3,
    "calibration": 3,
    "render": 4,
    "notebook": 5,
    "pipeline": 5,
    "cli": 6,
}
HEAVY = ("matplotlib", "papermill", "nbconvert", "nbformat", "nbclient", "pandas", "scipy")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield other
                yield from _runtime_nodes(other)
            continue
        yield node
        yield from _runtime_nodes(node)


def imports_of(module: str) -> set[str]:
    """The vmbench modules `module` imports at run time (module-level or in a function)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from vmbench.x import y` imports the module vmbench.x.y when there is one
            names = [
                f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source
                for a in node.names
            ]
        else:
            continue
        out |= {n for n in names if n == "vmbench" or n.startswith("vmbench.")}
    out.discard(module)
    return out


def layer_of(module: str) -> tuple[int, str]:
    """(layer, group) of a module: group is the package below vmbench or "root"."""
    parts = module.split(".")
    if len(parts) == 1:
        return (-1, "package root")
    if parts[1] in ROOT_MODULES or parts[1] == "__main__":
        return (0, "root") if parts[1] != "__main__" else (6, "cli")
    assert parts[1] in LAYERS, f"{module}: a new package needs a layer in {__file__}"
    return (LAYERS[parts[1]], parts[1])


def test_every_module_is_in_a_known_layer() -> None:
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_point_down(module: str) -> None:
    layer, group = layer_of(module)
    for target in sorted(imports_of(module)):
        target_layer, target_group = layer_of(target)
        if module == "vmbench":
            pytest.fail(f"the package root imports {target} at run time; it must stay lazy")
        assert target_group == group or target_layer < layer, (
            f"{module} ({group}, layer {layer}) imports {target} "
            f"({target_group}, layer {target_layer}): imports must point down"
        )


def test_no_import_cycles() -> None:
    graph = {m: imports_of(m) & set(MODULES) for m in MODULES}
    done: set[str] = set()
    on_path: list[str] = []

    def visit(node: str) -> None:
        if node in on_path:
            cycle = [*on_path[on_path.index(node) :], node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        on_path.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        on_path.pop()
        done.add(node)

    for module in sorted(graph):
        visit(module)


def test_contract_sees_imports() -> None:
    """The checker is not blind: it finds the imports of modules known to have them."""
    assert "vmbench.compare.result" in imports_of("vmbench.compare.engine")
    assert "vmbench.render.plots" in imports_of("vmbench.notebook.regression")
    assert imports_of("vmbench") == set()
    assert layer_of("vmbench.stats.summary") < layer_of("vmbench.cli.compare")


MAX_LINES = 400


@pytest.mark.parametrize("module", sorted(MODULES))
def test_long_modules_say_why_at_the_top(module: str) -> None:
    """A module past ~400 lines usually holds two ideas; if not, its docstring says why."""
    source = MODULES[module].read_text(encoding="utf-8")
    if source.count("\n") <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert "Over 400 lines" in docstring, f"{module}: split it, or say why at the top"


def test_every_package_ships_in_the_wheel() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    packages = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert packages <= listed, f"add to pyproject.toml packages: {sorted(packages - listed)}"


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name.split(".")[0] for name in out} | {n for n in out if n.startswith("vmbench")}


def test_import_vmbench_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import vmbench")
    assert not loaded & set(HEAVY), f"`import vmbench` loads {sorted(loaded & set(HEAVY))}"
    assert {m for m in loaded if m.startswith("vmbench.")} == set()


def test_public_names_resolve_on_use() -> None:
    loaded = _loaded_after("import vmbench\nvmbench.load_criterion\nvmbench.Settings")
    assert "vmbench.readers.criterion" in loaded
    assert not loaded & {"matplotlib", "papermill", "nbconvert"}


@pytest.mark.parametrize("command", ["", "compare", "detect", "show", "trend", "report"])
def test_help_loads_no_plotting_or_notebook_module(command: str) -> None:
    argv = [command, "--help"] if command else ["--help"]
    code = f"from vmbench.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    loaded = _loaded_after(code)
    heavy = loaded & {"matplotlib", "papermill", "nbconvert", "nbformat", "nbclient"}
    assert not heavy, f"`vmbench {command} --help` loads {sorted(heavy)}"


def test_detect_loads_only_what_it_uses(tmp_path: Path) -> None:
    # `vmbench detect` is the CI gate: its start-up (benchmarks/run.py measures it) pays for
    # every module it imports. It needs numpy and scipy.special; not pandas or pyarrow (the
    # history and notebook frames), not scipy.stats (exact small-sample tests only), not the
    # confirmation module (only with --suspects), the renderers of other formats or the
    # readers of file REFs.
    data = REPO / "examples" / "data" / "criterion"
    if not data.is_dir():
        pytest.skip(f"{data} not there (bundled example data)")
    argv = ["detect", str(data), "--baseline", "main", "--candidate", "pr"]
    argv += ["--output", str(tmp_path / "detect.txt")]  # stdout: only the module list
    code = f"from vmbench.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    code += "\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.split())
    assert (tmp_path / "detect.txt").stat().st_size > 0  # it ran
    assert {"vmbench.cli.compare", "vmbench.render.table", "scipy.special"} <= loaded
    unused = {"pandas", "pyarrow", "matplotlib", "scipy.stats", "vmbench.compare.confirm"}
    unused |= {"vmbench.render.json", "vmbench.render.csv", "vmbench.history"}
    unused |= {"vmbench.readers.baseline_file", "vmbench.readers.cargo_criterion"}
    assert not loaded & unused, f"`vmbench detect` loads {sorted(loaded & unused)}"
