"""Start-up of the `vmbench` command: numpy submodules that nothing on its path uses are
loaded only when first used.

`scipy.special` (the t and normal distributions the verdicts rest on) clones numpy's
namespace for its array-API layer, and cloning touches every lazily imported numpy
submodule, among them `numpy.f2py` (the Fortran wrapper generator) and `numpy.testing`:
about 0.2 s of `vmbench detect`'s start-up that no command uses (`numpy.ma`, which scipy
does use, is not deferred). `defer_unused_numpy_modules` puts a finder in front of the
import system that hands those two out through the standard library's
`importlib.util.LazyLoader`: the module object exists at once and executes on its first
attribute access, so anything that really uses them gets the real module. Only the
command installs it (`vmbench.cli`), never the library a notebook imports.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

UNUSED_NUMPY_MODULES = ("numpy.f2py", "numpy.testing")


class _DeferredModules(importlib.abc.MetaPathFinder):
    """Finds `names` as the path finder does, with their loader made lazy."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # not a plain source package: import it as usual
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer_unused_numpy_modules() -> None:
    """Install the finder once (see the module docstring); modules already imported stay."""
    if not any(isinstance(f, _DeferredModules) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferredModules(UNUSED_NUMPY_MODULES))
