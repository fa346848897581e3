"""`vmbench compare` and `vmbench detect`: parse arguments, call the library, print.

Exit codes: 0 pass (compare always, unless --fail-on is given), 1 a regression at or above
--fail-on, 2 bad input, 3 a suspected regression at or above --fail-on that the runs cannot
decide (inconclusive): rerun the suspects with `vmbench bench --confirm` (--suspects FILE
lists them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vmbench.atomic import atomic_write_text
from vmbench.cli.options import categories_option
from vmbench.cli.output import say, warn
from vmbench.compare.refs import compare_refs
from vmbench.errors import UsageError
from vmbench.render import FORMATS, render
from vmbench.settings import DEFAULTS as _DEFAULTS
from vmbench.settings import ESTIMATORS, Settings


def _options(fail_on_default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        decorators = [
            click.argument(
                "path",
                type=click.Path(path_type=Path),
                default=Path("target/criterion"),
                required=False,
            ),
            click.option(
                "--baseline",
                multiple=True,
                default=("base",),
                show_default=True,
                help="REF of the baseline run; repeat for several runs of the baseline code.",
            ),
            click.option(
                "--candidate",
                multiple=True,
                default=("new",),
                show_default=True,
                help="REF of the candidate run; repeat for several runs.",
            ),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(FORMATS),
                default="table",
                show_default=True,
            ),
            click.option("--output", type=click.Path(path_type=Path), help="Write to FILE."),
            click.option(
                "--filter", "include", help="Only benchmarks whose id matches REGEX (RE2 syntax)."
            ),
            click.option("--exclude", help="Leave out benchmarks whose id matches REGEX."),
            click.option(
                "--fail-on",
                type=click.Choice(["high", "medium", "never"]),
                default=fail_on_default,
                show_default=True,
                help="Exit 1 when a benchmark is at or above this severity.",
            ),
            click.option(
                "--alpha",
                type=float,
                default=_DEFAULTS.alpha,
                show_default=True,
                help="Error rate of the regression flags: false discovery rate over benchmarks "
                "(Benjamini-Hochberg), and the chance of a flag on identical code.",
            ),
            click.option(
                "--estimator",
                type=click.Choice(ESTIMATORS),
                default=_DEFAULTS.estimator,
                show_default=True,
                help="Per-run location the verdicts compare.",
            ),
            click.option(
                "--suspects",
                "suspects_file",
                type=click.Path(path_type=Path),
                help="Write the suspected regressions that need confirmation runs to FILE (JSON).",
            ),
            click.option(
                "--regression",
                type=float,
                default=_DEFAULTS.regression,
                show_default=True,
                help="Slowdown (fraction) above which a significant change is a regression.",
            ),
            click.option(
                "--high",
                type=float,
                default=_DEFAULTS.high,
                show_default=True,
                help="Slowdown (fraction) above which a regression is high severity.",
            ),
            click.option(
                "--improvement",
                type=float,
                default=_DEFAULTS.improvement,
                show_default=True,
                help="Speed-up (fraction) beyond which a significant change is an improvement.",
            ),
            click.option(
                "--noise",
                "noise_refs",
                multiple=True,
                help="REF of a run of identical code to learn run-to-run noise from (repeat).",
            ),
            click.option(
                "--noise-model",
                "noise_model_file",
                type=click.Path(path_type=Path),
                help="Noise model JSON file (see --save-noise-model).",
            ),
            click.option(
                "--save-noise-model",
                type=click.Path(path_type=Path),
                help="Write the noise model learned from --noise runs to FILE.",
            ),
            categories_option,
        ]
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return wrap


def _run(only_not_stable: bool, **kw: Any) -> None:
    settings = Settings(
        alpha=kw["alpha"],
        regression=kw["regression"],
        high=kw["high"],
        improvement=kw["improvement"],
        estimator=kw["estimator"],
    )
    result = compare_refs(
        criterion_dir=kw["path"],
        baseline=kw["baseline"],
        candidate=kw["candidate"],
        settings=settings,
        noise_refs=kw["noise_refs"],
        noise_model_file=kw["noise_model_file"],
        categories_file=kw["categories_file"],
        include=kw["include"],
        exclude=kw["exclude"],
    )
    for skipped in result.skipped:
        warn(f"skipped {skipped}")
    for name in result.noise_excluded:
        warn(f"--noise {name} is compared too; not used as noise")
    if kw["save_noise_model"] is not None:
        if result.noise is None:
            raise UsageError("--save-noise-model needs --noise runs to learn from")
        result.noise.save(kw["save_noise_model"])
    comparison = result.comparison
    text = render(comparison, kw["fmt"], only_not_stable=only_not_stable)
    if kw["output"] is not None:
        atomic_write_text(kw["output"], text)
        say(f"{comparison.summary} -> {kw['output']}", err=True)
    else:
        say(text, nl=False)
    if kw["suspects_file"] is not None:
        from vmbench.compare.confirm import suspects_document  # only with --suspects

        document = suspects_document(comparison, kw["fail_on"])
        atomic_write_text(kw["suspects_file"], json.dumps(document, indent=2) + "\n")
    code = comparison.gate(kw["fail_on"])
    if code:
        sys.exit(code)


@click.command()
@_options(fail_on_default="never")
def compare(**kw: Any) -> None:
    """Compare candidate run(s) against baseline run(s) of the Criterion data in PATH.

    A REF is a baseline name in PATH (main, base, new, any --save-baseline name),
    OTHER_DIR[:NAME] for another Criterion directory, a baseline file
    (benches/baselines/main.json) or a cargo-criterion JSON-lines file.
    """
    _run(False, **kw)


@click.command()
@_options(fail_on_default="medium")
def detect(**kw: Any) -> None:
    """Regression gate: print what is not stable; exit 1 at or above --fail-on.

    Exit 3 when a regression at or above --fail-on is suspected but not decided
    (inconclusive): confirmation runs (`vmbench bench --confirm`) settle it.
    """
    _run(True, **kw)
