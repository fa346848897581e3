"""vmbench.readers.jsonfiles: the one opener of untrusted files (issue 13, class 1 and 7)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.support.paths import TEST_DATA
from vmbench.errors import InputError
from vmbench.readers.jsonfiles import read_bytes, read_json, read_text, read_yaml


def test_alias_bomb_is_refused_fast() -> None:
    bomb = TEST_DATA / "bad" / "yaml_alias_bomb_params" / "regression.yaml"
    assert bomb.stat().st_size < 400
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"aliases \(\*name\) are not allowed") as err:
        read_yaml(bomb)
    assert time.perf_counter() - start < 2.0
    assert "\n" not in str(err.value)


def test_yaml_without_aliases_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("alpha: 0.05\nnoise_runs: [aa1, aa2]\nanchored: &x 3\n")
    assert read_yaml(path) == {"alpha": 0.05, "noise_runs": ["aa1", "aa2"], "anchored": 3}


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_only_regular_files_are_opened(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    for read in (read_bytes, read_json, read_text, read_yaml):
        with pytest.raises(InputError, match=r"x\.json: is a (FIFO|device|directory)"):
            read(path)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(300 * 2**20)  # sparse
    with pytest.raises(InputError, match="300 MiB, over the 4 MiB limit; not read"):
        read_yaml(path)


def test_an_integer_of_5000_digits_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "sample.json"
    path.write_text('{"iters": [1' + "0" * 5000 + "]}")
    with pytest.raises(InputError, match=r"sample\.json: invalid JSON: .*4300"):
        read_json(path)
