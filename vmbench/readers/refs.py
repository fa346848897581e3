"""Resolve a run reference (REF) given on the command line or in notebook params.

A REF is, in this order of precedence:
1. a baseline name inside the default Criterion directory (`main`, `base`, `new`,
   any `--save-baseline` name), when such a baseline exists there;
2. `OTHER_DIR:NAME`, baseline NAME of another Criterion directory;
3. an existing directory: another Criterion directory, baseline `new`;
4. an existing file: a cargo-criterion JSON-lines file (`.jsonl`, or detected by its
   first line) or else a baseline file in the design document's shape.
Anything else is an InputError that lists the baselines of the default directory.

Labels: the baseline name for a name in the default directory, otherwise the REF as
typed (shortened to its last path parts when long), so two refs never share a label.
"""

from __future__ import annotations

from pathlib import Path

from vmbench.errors import InputError, UsageError
from vmbench.model import Run
from vmbench.readers.criterion import list_baselines, load_criterion

_MAX_LABEL = 40


def ref_label(ref: str) -> str:
    """A short label for a REF that is a path: as typed, or its last parts when long."""
    if len(ref) <= _MAX_LABEL:
        return ref
    head, sep, name = ref.rpartition(":")
    parts = Path(head if sep else ref).parts
    short = "…/" + "/".join(parts[-2:])
    return f"{short}:{name}" if sep else short


def _baselines(criterion_dir: Path) -> list[str]:
    try:
        return list_baselines(criterion_dir) if criterion_dir.is_dir() else []
    except InputError:
        return []


def _is_plain_name(ref: str) -> bool:
    return bool(ref) and "/" not in ref and ":" not in ref and not ref.endswith((".json", ".jsonl"))


def load_ref(ref: str, *, criterion_dir: Path) -> Run:
    """The Run a REF names (see the module docstring for what a REF can be)."""
    criterion_dir = Path(criterion_dir)
    if not ref.strip():  # Path("") is ".": an empty REF must not load the current directory
        raise UsageError("empty REF: give a baseline name, DIR, DIR:NAME or a file")
    available: list[str] | None = None
    if _is_plain_name(ref):
        available = _baselines(criterion_dir)
        if ref in available:
            return load_criterion(criterion_dir, ref, label=ref)
    head, sep, name = ref.rpartition(":")
    if sep and head and name and Path(head).is_dir():
        return load_criterion(Path(head), name, label=ref_label(ref))
    path = Path(ref)
    if path.is_dir():
        return load_criterion(path, "new", label=ref_label(ref))
    if path.exists():
        # The file readers are imported only for a file REF: most REFs are baselines.
        from vmbench.readers.baseline_file import load_baseline_file
        from vmbench.readers.cargo_criterion import (
            load_cargo_criterion,
            looks_like_cargo_criterion,
        )

        if path.suffix == ".jsonl" or looks_like_cargo_criterion(path):
            return load_cargo_criterion(path, label=ref_label(ref))
        return load_baseline_file(path, label=ref_label(ref))
    if not criterion_dir.is_dir():
        state = "is not a directory" if criterion_dir.exists() else "does not exist"
        raise InputError(
            criterion_dir, f"{state}, and {ref!r} is not an existing file or directory"
        )
    if available is None:
        available = _baselines(criterion_dir)
    where = ", ".join(available) if available else "none"
    raise InputError(
        criterion_dir,
        f"{ref!r} is neither a baseline here nor an existing file or directory "
        f"(baselines here: {where})",
    )
