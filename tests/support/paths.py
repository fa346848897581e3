"""Where things are, independent of which test folder asks."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # the repository root (where pyproject.toml is)
TEST_DATA = REPO / "tests" / "data"
EXAMPLES = REPO / "examples" / "data"
REALDATA = REPO.parent / "shared" / "realdata"  # read in place; tests skip when absent
