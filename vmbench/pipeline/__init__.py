"""Running things: executing notebooks, exporting reports, running cargo bench, `init`.

- `execute`: run the report notebooks with papermill (`run_report`, `run_all`);
- `export`: nbconvert HTML and markdown export of an executed notebook;
- `runner`: `cargo bench` on a workspace, then record and report (`run_benchmarks`);
- `init`: set up vmbench in a Rust repository (`init_repository`).

May import: `vmbench.history`, `vmbench.readers` and the other lower layers. Not
`notebook` (notebooks are run by path, in a kernel) or `cli`.
"""
