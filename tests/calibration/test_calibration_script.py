"""The comparison calibration script's own arithmetic: the analytic power ceiling and the
identical-code precision cells (benchmarks/calibration.py)."""

from __future__ import annotations

import importlib.util
import math
import sys
from types import ModuleType

import numpy as np
import pytest
from scipy import stats

from tests.support.paths import REPO
from vmbench.settings import Settings


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    path = REPO / "benchmarks" / "calibration.py"
    spec = importlib.util.spec_from_file_location("vmbench_calibration_script", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_power_ceiling_matches_a_simulated_known_sigma_z_test(calibration: ModuleType) -> None:
    rng = np.random.default_rng(20_261_202)
    spread = calibration.NoiseSpec().sigma_spread
    delta, runs, trials = math.log(1.25), 3, 200_000
    for sigma_run in (0.05, 0.10):
        sd = sigma_run * np.exp(rng.normal(0.0, spread, trials))
        base = rng.normal(0.0, sd[:, None], (trials, runs)).mean(axis=1)
        cand = rng.normal(delta, sd[:, None], (trials, runs)).mean(axis=1)
        z = (cand - base) / (sd * math.sqrt(2.0 / runs))
        for rank in (1, 3):
            simulated = float(np.mean(z > stats.norm.isf(0.05 * rank / 21)))
            analytic = calibration.power_ceiling(sigma_run, runs, 0.25)[f"rank {rank}"]
            assert analytic == pytest.approx(simulated, abs=0.01), (sigma_run, rank)
    ceilings = [calibration.power_ceiling(s, 3, 0.25)["rank 1"] for s in calibration.SIGMAS]
    assert ceilings == sorted(ceilings, reverse=True)


def test_identical_cells_count_every_comparison(calibration: ModuleType) -> None:
    cells = calibration.identical_cells(12, Settings(resamples=200), modes=("2v1",))
    assert [c["sigma_run"] for c in cells] == list(calibration.SIGMAS)
    for c in cells:
        assert c["mode"] == "2v1"
        assert c["comparisons"] == 12
        assert c["gate_fail_share"] == round(c["gate_failed"] / 12, 4)
        lo, hi = c["gate_fail_interval"]
        assert lo <= c["gate_fail_share"] <= hi
        assert hi - lo > 0.2  # 12 comparisons say little
