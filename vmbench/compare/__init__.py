"""Comparing runs: from loaded runs to verdicts and a `Comparison` result.

- `engine`: `compare(baseline, candidate)`, the comparison of two (sets of) runs;
- `sampled`: per-benchmark statistics on the raw samples of both sides;
- `noise`: the run-to-run noise model learned from identical-code runs (and its file);
- `verdicts`: severities, q-values and categories of each benchmark's change;
- `result`: the result model (`Comparison`, `BenchmarkComparison`, ...);
- `refs`: compare named run references (`compare_refs`), the path notebooks and CLI use;
- `category`: category deep dives (geometric-mean change, scaling fits);
- `insights`: plain sentences derived from a `Comparison`.

May import: `vmbench.stats`, `vmbench.readers` and the root modules. Not `history`,
`render`, `notebook`, `pipeline` or `cli`.
"""
