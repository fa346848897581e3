"""Calibration: how often a decision rule fails the gate on identical code, and how often
it finds a change of a given size, measured on seeded simulations and on real runs.

- `simulate`: Criterion-like runs of a suite on a shared CI runner (run offsets, shared
  run effects, one-sided contention bursts, linear sampling);
- `scoring`: tallies of false alarms and power against planted changes;
- `anchors`: the field's own rules (Criterion, asv, pyperf) scored on the same runs;
- `modes`: one comparison of each mode (1 v 1, with a noise model, 2 v 1, 3 v 3, with
  confirmation runs) on simulated or real runs.

`benchmarks/calibration.py` runs it and writes the figures the README publishes.

May import: `vmbench.compare`, `vmbench.readers`, `vmbench.stats` and the root modules.
"""
