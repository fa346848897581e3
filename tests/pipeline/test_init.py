"""`vmbench init`: what it writes into a Rust repository, and what it leaves alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vmbench.cli import main
from vmbench.errors import InputError, UsageError
from vmbench.pipeline.init import BENCH_TABLE, init_repository, merge_bench_profile
from vmbench.readers.categories import DEFAULT_CATEGORIES_YAML, Categories

tomllib = pytest.importorskip("tomllib")

EXPECTED = {
    ".github/workflows/benchmark.yml",
    ".github/workflows/benchmark-comment.yml",
    "params/regression.yaml",
    "params/trend.yaml",
    "params/categories.yaml",
    ".cargo/config.toml",
}
PROFILE = {"opt-level": 3, "debug": True, "lto": True, "codegen-units": 1}
SHA = "0123456789abcdef0123456789abcdef01234567"
SHA2 = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "rust-vm"
    root.mkdir()
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["vm"]\n', encoding="utf-8")
    return root


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.is_file() and p.name != "Cargo.toml"
    }


def test_fresh_repository(repo: Path) -> None:
    actions = init_repository(repo, ref=SHA)
    assert {str(a.path) for a in actions} == EXPECTED
    assert {a.outcome for a in actions} == {"written"}
    assert set(_files(repo)) == EXPECTED

    # the baseline file lives on the history branch, kept current by the workflow
    assert not (repo / "benches/baselines/main.json").exists()
    config = tomllib.loads((repo / ".cargo/config.toml").read_text())
    assert config["profile"]["bench"] == PROFILE
    workflow = (repo / ".github/workflows/benchmark.yml").read_text()
    loaded = yaml.safe_load(workflow)
    job = loaded["jobs"]["vmbench"]
    assert job["uses"] == f"vmbench/vmbench/.github/workflows/vmbench.yml@{SHA}"
    assert job["with"]["vmbench-ref"] == SHA  # the actions come from the same commit
    assert job["with"]["workspace"] == "."
    assert loaded[True]["schedule"] == [{"cron": "0 2 * * *"}]
    assert "workflow_dispatch" in loaded[True]
    assert "pip install" not in workflow  # nothing is installed by name from an index
    assert "examples/vmdemo" not in workflow
    assert "{{" not in workflow.replace("${{", "")
    assert (repo / "params/categories.yaml").read_text() == DEFAULT_CATEGORIES_YAML
    assert Categories.load(repo / "params/categories.yaml").names  # loads as categories


def test_params_point_at_a_rust_workspace_and_are_notebook_parameters(repo: Path) -> None:
    from vmbench.pipeline.execute import notebook_parameters

    init_repository(repo, ref=SHA)
    regression = yaml.safe_load((repo / "params/regression.yaml").read_text())
    assert regression["criterion_dir"] == "target/criterion"
    assert (regression["baseline"], regression["candidate"]) == ("base", "new")
    assert regression["noise_runs"] == []  # the example data's aa1..aa3 do not exist there
    trend = yaml.safe_load((repo / "params/trend.yaml").read_text())
    assert trend["history_dir"] == "benches/history"
    for notebook, values in (("regression", regression), ("trend", trend)):
        try:
            declared = notebook_parameters(notebook)
        except InputError as exc:
            pytest.skip(f"{notebook} notebook not available yet: {exc}")
        assert set(values) <= set(declared), (notebook, set(values) - set(declared))


def test_second_run_leaves_everything_alone(repo: Path) -> None:
    init_repository(repo, ref=SHA)
    (repo / "params/trend.yaml").write_text("window_days: 7\n")
    before = _files(repo)
    actions = init_repository(repo, ref=SHA2)
    assert {a.outcome for a in actions} == {"skipped"}
    assert _files(repo) == before


def test_force_overwrites(repo: Path) -> None:
    init_repository(repo, ref=SHA)
    (repo / "params/trend.yaml").write_text("window_days: 7\n")
    actions = init_repository(repo, ref=SHA2, force=True)
    assert {a.outcome for a in actions} == {"overwritten"}
    assert "window_days: 30" in (repo / "params/trend.yaml").read_text()
    assert f"vmbench-ref: {SHA2}" in (repo / ".github/workflows/benchmark.yml").read_text()
    config = (repo / ".cargo/config.toml").read_text()
    assert config.count("[profile.bench]") == 1
    assert config.count("Added by `vmbench init`") == 1


def test_existing_cargo_config_is_merged_not_replaced(repo: Path) -> None:
    mine = '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "v"\n'
    (repo / ".cargo").mkdir()
    (repo / ".cargo/config.toml").write_text(mine)
    action = next(a for a in init_repository(repo, ref=SHA) if a.path.name == "config.toml")
    assert action.outcome == "merged"
    text = (repo / ".cargo/config.toml").read_text()
    assert text.startswith(mine)
    config = tomllib.loads(text)
    assert config["source"]["crates-io"]["replace-with"] == "vendored"
    assert config["profile"]["bench"] == PROFILE


def test_existing_bench_profile_is_kept_unless_forced(repo: Path) -> None:
    mine = "[profile.bench]\nopt-level = 2 # mine\n\n[build]\njobs = 2\n"
    (repo / ".cargo").mkdir()
    (repo / ".cargo/config.toml").write_text(mine)
    kept = next(a for a in init_repository(repo, ref=SHA) if a.path.name == "config.toml")
    assert kept.outcome == "skipped"
    assert (repo / ".cargo/config.toml").read_text() == mine
    forced = next(
        a for a in init_repository(repo, ref=SHA, force=True) if a.path.name == "config.toml"
    )
    assert forced.outcome == "overwritten"
    config = tomllib.loads((repo / ".cargo/config.toml").read_text())
    assert config["profile"]["bench"] == PROFILE
    assert config["build"] == {"jobs": 2}


def test_merge_rules() -> None:
    merged, note = merge_bench_profile("", force=False)
    assert merged is not None
    assert merged.endswith(BENCH_TABLE)
    assert note == "appended [profile.bench]"
    assert merge_bench_profile("profile.bench.lto = false\n", force=False)[0] is None
    # Forced, dotted keys are edited in place (issue 13: parse and edit, never append).
    forced, _ = merge_bench_profile("profile.bench.lto = false\n", force=True)
    assert forced is not None
    assert tomllib.loads(forced) == {"profile": {"bench": PROFILE}}


# Every way TOML can spell the bench profile (issue 13: `init` appended a second
# [profile.bench] to the first three and left a file cargo cannot read).
SPELLINGS = {
    "quoted_header": '[profile."bench"]\nlto = false # mine\n\n[build]\njobs = 2\n',
    "inline_table": "profile = { bench = { lto = false } }\n\n[build]\njobs = 2\n",
    "dotted_keys": "profile.bench.lto = false\n\n[build]\njobs = 2\n",
    "profile_table_inline_bench": "[profile]\nbench = { lto = false }\n",
    "sub_table_only": "[profile.bench.package.foo]\nopt-level = 1\n",
}


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_of_the_profile_is_seen(text: str) -> None:
    before = tomllib.loads(text)
    assert merge_bench_profile(text, force=False) == (
        None,
        "already has a bench profile; --force replaces it",
    )
    forced, _ = merge_bench_profile(text, force=True)
    assert forced is not None
    after = tomllib.loads(forced)  # valid TOML
    bench = before["profile"]["bench"]
    sub_tables = {k: v for k, v in bench.items() if isinstance(v, dict)}
    assert after["profile"]["bench"] == {**sub_tables, **PROFILE}
    assert {k: v for k, v in after.items() if k != "profile"} == {
        k: v for k, v in before.items() if k != "profile"
    }


INLINE_PROFILE = {
    "inline_profile": "profile = { release = { lto = false } }\n",
    "dotted_release": "profile.release.lto = false\n",
    "release_table": "[profile.release]\nlto = false\n",
}


@pytest.mark.parametrize("text", INLINE_PROFILE.values(), ids=INLINE_PROFILE.keys())
def test_profile_added_beside_other_profiles_in_any_form(text: str) -> None:
    merged, _ = merge_bench_profile(text, force=False)
    assert merged is not None
    after = tomllib.loads(merged)
    assert after["profile"]["release"] == {"lto": False}
    assert after["profile"]["bench"] == PROFILE


@pytest.mark.parametrize(
    "text",
    ["[profile.bench\nlto = 1\n", "profile = 3\n", "[profile]\nbench = 'fast'\n"],
    ids=["not_toml", "profile_not_a_table", "bench_not_a_table"],
)
def test_a_file_it_cannot_edit_is_left_alone_with_one_line(text: str) -> None:
    with pytest.raises(InputError, match=r"config\.toml: .*(not valid TOML|not a table)") as err:
        merge_bench_profile(text, force=True)
    assert "\n" not in str(err.value)


def test_errors(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no Cargo\.toml"):
        init_repository(tmp_path, ref=SHA)
    with pytest.raises(UsageError, match=r"^ref: "):
        init_repository(repo, ref='main"\n  evil: 1')
    with pytest.raises(UsageError, match=r"^ref: "):
        init_repository(repo, ref="v1.0")  # a tag can move; the pin is a commit
    with pytest.raises(UsageError, match=r"^repository: "):
        init_repository(repo, ref=SHA, repository="a/b\nevil: 1")
    (repo / "params").mkdir()
    (repo / "params/trend.yaml").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        init_repository(repo, ref=SHA)


def test_cli(repo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["init", str(repo), "--ref", SHA])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert "written     .github/workflows/benchmark.yml" in lines
    assert lines[-1] == f"6 written, 0 left alone in {repo}"
    again = runner.invoke(main, ["init", str(repo), "--ref", SHA])
    assert again.output.splitlines()[-1] == f"0 written, 6 left alone in {repo}"
    assert "skipped     params/regression.yaml (exists; --force overwrites)" in again.output
    bad = runner.invoke(main, ["init", str(tmp_path / "missing"), "--ref", SHA])
    assert bad.exit_code == 2
    assert bad.output.startswith("vmbench: error: ")
    assert len(bad.output.strip().splitlines()) == 1


def test_eject_writes_the_full_workflow_next_to_a_caller_that_uses_it(repo: Path) -> None:
    actions = init_repository(repo, ref=SHA, eject=True)
    assert ".github/workflows/vmbench.yml" in {str(a.path) for a in actions}
    caller = yaml.safe_load((repo / ".github/workflows/benchmark.yml").read_text())
    assert caller["jobs"]["vmbench"]["uses"] == "./.github/workflows/vmbench.yml"
    assert caller["jobs"]["vmbench"]["with"]["vmbench-ref"] == SHA
    full = (repo / ".github/workflows/vmbench.yml").read_text()
    root = Path(__file__).resolve().parents[2]
    assert full == (root / ".github/workflows/vmbench.yml").read_text()


def test_ref_defaults_to_the_commit_vmbench_comes_from(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from vmbench.pipeline import init as scaffold

    assert scaffold.resolve_ref(SHA) == SHA

    class Installed:
        def __init__(self, direct_url: str | None) -> None:
            self.direct_url = direct_url

        def read_text(self, name: str) -> str | None:
            return self.direct_url if name == "direct_url.json" else None

    # pip install git+https://github.com/...@SHA records the commit (PEP 610)
    vcs = {"url": "https://github.com/vmbench/vmbench", "vcs_info": {"commit_id": SHA2}}
    monkeypatch.setattr(metadata, "distribution", lambda name: Installed(json.dumps(vcs)))
    assert scaffold.resolve_ref(None) == SHA2
    # a wheel from an index records nothing, and a checkout that is not git has no HEAD
    monkeypatch.setattr(metadata, "distribution", lambda name: Installed(None))
    monkeypatch.setattr(scaffold, "__file__", "/nonexistent/vmbench/pipeline/init.py")
    with pytest.raises(UsageError, match="name the 40-character commit"):
        scaffold.resolve_ref(None)


def test_bench_enabled_targets_get_advice_or_the_fix(repo: Path) -> None:
    manifest = repo / "vm" / "Cargo.toml"
    manifest.parent.mkdir()
    manifest.write_text('[package]\nname = "vm"\n\n[lib]\npath = "src/lib.rs"\n')
    packages = [
        {
            "name": "vm",
            "manifest_path": str(manifest),
            "targets": [
                {"kind": ["lib"], "name": "vm"},
                {"kind": ["bin"], "name": "vmrun"},
                {"kind": ["bench"], "name": "b"},
            ],
        }
    ]
    advice = [a for a in init_repository(repo, ref=SHA, packages=packages) if a.outcome == "advice"]
    assert [str(a.path) for a in advice] == ["vm/Cargo.toml", "vm/Cargo.toml"]
    assert "--fix-bench-targets" in advice[0].note
    fixed = init_repository(repo, ref=SHA, packages=packages, fix_bench_targets=True)
    assert [a.outcome for a in fixed if str(a.path) == "vm/Cargo.toml"] == ["merged", "merged"]
    toml = tomllib.loads(manifest.read_text())
    assert toml["lib"] == {"path": "src/lib.rs", "bench": False}
    assert toml["bin"] == [{"name": "vmrun", "bench": False}]
    again = init_repository(repo, ref=SHA, packages=packages)
    assert not [a for a in again if a.outcome == "advice"]
