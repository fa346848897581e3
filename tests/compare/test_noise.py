"""The run-to-run noise model: its estimator, file format, and what it does to verdicts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.runs import lognormal_run
from vmbench.compare.engine import compare
from vmbench.compare.noise import NoiseModel
from vmbench.compare.verdicts import noise_estimate
from vmbench.errors import InputError, SchemaVersionError
from vmbench.settings import Settings

IDS = [f"gc/b{i}" for i in range(8)]


def test_sigma_is_the_sd_of_log_run_means() -> None:
    frame = pd.DataFrame(
        {
            "run": ["a", "b", "c", "a", "b", "x"],
            "id": ["g/1", "g/1", "g/1", "g/2", "g/2", "g/3"],
            "mean_ns": [100.0, 110.0, 90.0, 5.0, 5.0, 7.0],
        }
    )
    model = NoiseModel.from_frame(frame)
    assert model.benchmarks["g/1"].sigma == pytest.approx(
        np.std(np.log([100.0, 110.0, 90.0]), ddof=1)
    )
    assert model.benchmarks["g/1"].runs == 3
    assert model.benchmarks["g/1"].df == 2
    assert model.benchmarks["g/2"].sigma == 0.0
    assert "g/3" not in model.benchmarks  # one run says nothing about run-to-run noise
    assert model.prior_sigma == pytest.approx(np.median([model.benchmarks["g/1"].sigma, 0.0]))
    with pytest.raises(InputError, match="lacks columns"):
        NoiseModel.from_frame(frame.drop(columns=["mean_ns"]))


def test_from_runs_equals_from_frame() -> None:
    runs = [
        lognormal_run(f"aa{i}", dict.fromkeys(IDS, 1.0), seed=i, level=1 + 0.03 * i)
        for i in range(3)
    ]
    model = NoiseModel.from_runs(runs)
    assert model.runs == ("aa0", "aa1", "aa2")
    frame = pd.DataFrame(
        [{"run": r.label, "id": b, "mean_ns": r.benchmarks[b].mean_ns} for r in runs for b in IDS]
    )
    assert model.to_dict()["benchmarks"] == NoiseModel.from_frame(frame).to_dict()["benchmarks"]
    assert "3 runs" in model.describe()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    runs = [lognormal_run(f"aa{i}", dict.fromkeys(IDS, 1.0), seed=i) for i in range(3)]
    model = NoiseModel.from_runs(runs)
    path = tmp_path / "noise.json"
    model.save(path)
    again = NoiseModel.load(path)
    assert again.to_dict() == model.to_dict()
    assert json.loads(path.read_text())["schema_version"] == 1


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (
            '{"kind": "vmbench-noise-model", "schema_version": 99, "benchmarks": {}}',
            SchemaVersionError,
            "schema_version 99",
        ),
        ('{"kind": "something else"}', InputError, "not a vmbench noise model"),
        (
            '{"kind": "vmbench-noise-model", "schema_version": 1, '
            '"benchmarks": {"a": {"sigma": -1, "runs": 3}}}',
            InputError,
            "sigma >= 0",
        ),
        (
            '{"kind": "vmbench-noise-model", "schema_version": 1, '
            '"benchmarks": {"a": {"runs": 3}}}',
            InputError,
            "malformed",
        ),
        ("{not json", InputError, "cannot read"),
    ],
)
def test_bad_noise_files_are_refused_with_one_line(
    tmp_path: Path, content: str, error: type, message: str
) -> None:
    path = tmp_path / "noise.json"
    path.write_text(content)
    with pytest.raises(error, match=message) as info:
        NoiseModel.load(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_band_shrinks_with_more_runs_per_side_and_grows_with_few_noise_runs() -> None:
    s = Settings()
    kwargs = {"within_ss": 0.0, "within_df": 0, "prior_sigma": 0.03, "settings": s}
    one = noise_estimate(model_sigma=0.03, model_df=9, k_baseline=1, k_candidate=1, **kwargs)
    four = noise_estimate(model_sigma=0.03, model_df=9, k_baseline=4, k_candidate=4, **kwargs)
    few = noise_estimate(model_sigma=0.03, model_df=1, k_baseline=1, k_candidate=1, **kwargs)
    assert one is not None
    assert four is not None
    assert few is not None
    assert four.band_log == pytest.approx(one.band_log / 2)
    assert few.band > one.band  # fewer degrees of freedom: wider t quantile
    assert one.band_log == pytest.approx(s_t(0.95, 13) * 0.03 * math.sqrt(2), rel=1e-9)
    assert (
        noise_estimate(model_sigma=None, model_df=0, k_baseline=1, k_candidate=1, **kwargs) is None
    )


def s_t(level: float, df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + level / 2, df))


def _aa(seed: int, level: float) -> object:
    return lognormal_run(f"aa{seed}", dict.fromkeys(IDS, 1.0), seed=seed, level=level, sigma=0.02)


def test_noise_model_removes_an_aa_false_alarm() -> None:
    # Identical code, the candidate run happens to sit 12 % above the baseline run.
    base, cand = _aa(1, 1.00), _aa(2, 1.12)
    without = compare(base, cand)
    assert without.counts["medium"] == len(IDS)
    noise = NoiseModel.from_runs([_aa(3, 1.0), _aa(4, 1.09), _aa(5, 0.95), _aa(6, 1.05)])
    with_model = compare(base, cand, noise=noise)
    assert with_model.counts["medium"] == with_model.counts["high"] == 0
    assert {b.severity for b in with_model.benchmarks} <= {"stable", "noisy"}
    b = with_model.benchmarks[0]
    assert b.noise is not None
    assert b.noise.source == "noise model"
    assert "run-to-run noise" in b.note
    assert with_model.noise_model is not None
    assert not any("run-to-run noise unknown" in w for w in with_model.warnings)


def test_noisy_benchmarks_are_reported_as_noisy_and_big_changes_still_flagged() -> None:
    noise = NoiseModel.from_runs([_aa(3, 1.0), _aa(4, 1.2), _aa(5, 0.85), _aa(6, 1.1)])
    base = _aa(1, 1.0)
    same = compare(base, _aa(2, 1.04), noise=noise)
    assert {b.severity for b in same.benchmarks} == {"noisy"}
    assert "noisy" in same.benchmarks[0].note
    assert not same.failed("medium")
    doubled = compare(base, _aa(2, 2.5), noise=noise)  # far beyond even this wide band
    assert {b.severity for b in doubled.benchmarks} == {"high"}
    assert "clears its noise band" in doubled.benchmarks[0].note


def test_partial_noise_model_is_warned_about() -> None:
    noise = NoiseModel.from_runs(
        [lognormal_run(f"n{i}", {"gc/b0": 1.0}, seed=50 + i) for i in range(3)]
    )
    result = compare(_aa(1, 1.0), _aa(2, 1.0), noise=noise)
    assert any(f"covers 1 of {len(IDS)}" in w for w in result.warnings)


def test_prior_only_widens_and_comes_from_the_group() -> None:
    s = Settings()
    common = {"within_ss": 0.0, "within_df": 0, "k_baseline": 1, "k_candidate": 1, "settings": s}
    noisy = noise_estimate(model_sigma=0.30, model_df=2, prior_sigma=0.01, **common)
    lucky = noise_estimate(model_sigma=0.001, model_df=1, prior_sigma=0.05, **common)
    assert noisy is not None
    assert lucky is not None
    assert noisy.sigma == pytest.approx(0.30)  # never narrowed towards a quiet suite
    assert lucky.sigma == pytest.approx(math.sqrt((0.001**2 + 4 * 0.05**2) / 5))
    frame = pd.DataFrame(
        [
            {"run": r, "id": bid, "mean_ns": m}
            for bid, means in {
                "lock/a": [100, 130, 90],
                "lock/b": [100, 60, 120],
                "lock/c": [100, 101, 100.5],
                "jit/x": [100, 101, 99],
                "jit/y": [100, 100.5, 99.5],
            }.items()
            for r, m in zip(("r1", "r2", "r3"), means, strict=True)
        ]
    )
    model = NoiseModel.from_frame(frame)
    locks = [model.benchmarks[f"lock/{k}"].sigma for k in "abc"]
    assert model.prior_sigma_for("lock/c") == pytest.approx(float(np.median(locks)))
    assert model.prior_sigma_for("jit/x") == pytest.approx(model.prior_sigma)  # group of 2
