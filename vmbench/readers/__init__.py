"""Readers of benchmark data on disk: Criterion trees, cargo-criterion messages, the
baseline file, run references, category files, and tidy frames of what was read.

- `criterion`: a Criterion.rs output tree (`load_criterion`, `list_baselines`);
- `cargo_criterion`: cargo-criterion's JSON message stream;
- `baseline_file`: the committed baseline file (read and write);
- `refs`: one run reference (`main`, `DIR:NAME`, a file) to a `Run` (`load_ref`);
- `categories`: the category YAML file;
- `jsonfiles`: the one safe opener of every file vmbench reads (regular files only, size
  limits), strict JSON and alias-free YAML;
- `patterns`: user regexes matched by RE2 in linear time;
- `cbor`: the minimal CBOR decoder cargo-criterion's history files need;
- `frames`: tidy pandas frames of loaded runs (samples, benchmarks, metrics, skipped);
- `inventory`: what one Criterion directory holds (`vmbench show`).

May import: the root modules (`vmbench.model`, `vmbench.errors`, `vmbench.units`,
`vmbench.atomic`, `vmbench.escape`, `vmbench.settings`). Not `stats` or anything above.
"""
