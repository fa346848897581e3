#!/usr/bin/env bash
# The design document's benchmark runner: runs the whole Criterion suite of a Rust
# workspace through `vmbench bench` (progress, history, reports: see `vmbench bench -h`).
#   scripts/run_benchmarks.sh [WORKSPACE] [vmbench bench options] [-- CRITERION_ARGS]
# Example: scripts/run_benchmarks.sh examples/vmdemo --offline --save-baseline main
set -euo pipefail
exec vmbench bench "$@"
