"""Shared pytest fixtures: the repository root, real Criterion data, tree builders."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the vmbench repository (where pyproject.toml is)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def realdata() -> Path:
    """../shared/realdata (real Criterion trees from public projects), read in place."""
    path = REPO_ROOT.parent / "shared" / "realdata"
    if not path.is_dir():
        pytest.skip(f"real Criterion data not found at {path} (see COMMON.md)")
    return path


WriteBench = Callable[..., Path]


@pytest.fixture
def write_bench(tmp_path: Path) -> WriteBench:
    """Write one Criterion benchmark into tmp_path/"criterion" and return its baseline dir.

    `write_bench("g/f", iters=[...], times=[...])` writes benchmark.json, sample.json
    and estimates.json (mean = the samples' per-iteration mean) for baseline "new";
    keyword arguments override any part, and `None` for a file leaves it out.
    """

    def write(
        full_id: str,
        *,
        iters: Sequence[Any] = (1.0, 2.0, 3.0),
        times: Sequence[Any] = (10.0, 20.0, 30.0),
        baseline: str = "new",
        directory: str | None = None,
        throughput: Any = None,
        sample: Any = "default",
        meta: Any = "default",
        estimates: Any = "default",
        root: Path | None = None,
    ) -> Path:
        base = root if root is not None else tmp_path / "criterion"
        directory = directory if directory is not None else full_id
        where = base / directory / baseline
        where.mkdir(parents=True, exist_ok=True)
        parts = full_id.split("/")
        if meta == "default":
            meta = {
                "group_id": parts[0],
                "function_id": parts[1] if len(parts) > 1 else None,
                "value_str": "/".join(parts[2:]) or None,
                "throughput": throughput,
                "full_id": full_id,
                "directory_name": directory,
                "title": full_id,
            }
        if sample == "default":
            sample = {"sampling_mode": "Linear", "iters": list(iters), "times": list(times)}
        if estimates == "default":
            try:
                mean = sum(t / i for i, t in zip(iters, times, strict=True)) / len(iters)
            except (TypeError, ZeroDivisionError, ValueError):
                mean = 1.0
            mean = mean if math.isfinite(mean) else 1.0
            est = {
                "confidence_interval": {
                    "confidence_level": 0.95,
                    "lower_bound": mean,
                    "upper_bound": mean,
                },
                "point_estimate": mean,
                "standard_error": 0.0,
            }
            estimates = {"mean": est, "median": est, "std_dev": est, "slope": None}
        for name, content in (
            ("benchmark.json", meta),
            ("sample.json", sample),
            ("estimates.json", estimates),
        ):
            if content is None:
                continue
            text = content if isinstance(content, str) else json.dumps(content)
            (where / name).write_text(text, encoding="utf-8")
        return where

    return write
