"""Test support shared by every test folder (and by benchmarks/run.py).

- `paths`: the repository root and the test data folder;
- `runs`: small in-memory `Run`s and benchmarks with chosen samples;
- `criterion_trees`: seeded synthetic Criterion trees written in the real on-disk format;
- `history`: seeded synthetic run histories with planted steps.
"""
