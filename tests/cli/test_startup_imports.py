"""What the fast commands import: `vmbench --help` loads no numerical library and
`vmbench detect` neither pandas, pyarrow, scipy.stats, PyYAML (its built-in categories
are data, not YAML to parse) nor anything of the report extra.

These imports are what start-up time is made of (benchmarks/run.py measures the time
itself; tests do not time anything).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES

HEAVY = ("numpy", "scipy", "scipy.stats", "pandas", "pyarrow", "yaml", "matplotlib", "papermill")


def _imported(args: list[str], cwd: Path) -> tuple[int, set[str]]:
    code = (
        "import json, sys\n"
        "from vmbench.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code or 0\n"
        "else:\n"
        "    code = 0\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps([code, heavy]), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    code_and_heavy = json.loads(proc.stderr.strip().splitlines()[-1])
    return int(code_and_heavy[0]), set(code_and_heavy[1])


def test_help_imports_no_numerical_library(tmp_path: Path) -> None:
    code, heavy = _imported(["--help"], tmp_path)
    assert code == 0
    assert heavy == set()


def test_detect_imports_only_numpy_and_scipy_special(tmp_path: Path) -> None:
    data = EXAMPLES / "criterion"
    if not data.is_dir():
        pytest.skip(f"{data} not there (bundled example data)")
    args = ["detect", str(data), "--baseline", "main", "--candidate", "pr"]
    code, heavy = _imported(args, tmp_path)
    assert code in (1, 3)  # a gate decision on the planted regressions: fail, or confirm
    assert heavy == {"numpy", "scipy"}


def test_detect_with_a_categories_file_reads_it(tmp_path: Path) -> None:
    """The other side of the lazy import: a user's categories file is parsed (with PyYAML)."""
    data = EXAMPLES / "criterion"
    if not data.is_dir():
        pytest.skip(f"{data} not there (bundled example data)")
    mine = tmp_path / "categories.yaml"
    mine.write_text("version: 1\ncategories:\n  everything: ['*']\n", encoding="utf-8")
    args = [
        "detect",
        str(data),
        "--baseline",
        "main",
        "--candidate",
        "pr",
        "--categories",
        str(mine),
    ]
    code, heavy = _imported(args, tmp_path)
    assert code in (1, 3)
    assert heavy == {"numpy", "scipy", "yaml"}


def test_detect_defers_the_numpy_modules_scipy_only_lists(tmp_path: Path) -> None:
    """numpy.f2py and numpy.testing exist as lazy modules after `detect` (scipy's namespace
    clone lists them) but never executed; used afterwards, they are the real ones."""
    data = EXAMPLES / "criterion"
    if not data.is_dir():
        pytest.skip(f"{data} not there (bundled example data)")
    args = ["detect", str(data), "--baseline", "main", "--candidate", "pr"]
    code = (
        "import json, sys\n"
        "from vmbench.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "executed = [m for m in ('numpy.f2py.crackfortran', 'numpy.testing._private.utils')\n"
        "            if m in sys.modules]\n"
        "import numpy\n"
        "from numpy.testing import assert_allclose\n"
        "assert_allclose(numpy.f2py.get_include() != '', True)\n"
        "used = all(m in sys.modules for m in ('numpy.testing._private.utils',\n"
        "                                     'numpy.f2py.f2py2e'))\n"
        "print(json.dumps([executed, used, 'numpy.f2py' in sys.modules]), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    executed, used, listed = json.loads(proc.stderr.strip().splitlines()[-1])
    assert executed == []
    assert used
    assert listed  # scipy did ask for it: the deferral is what saved the time
