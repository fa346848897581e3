"""Run history: the store of recorded runs, machine fingerprints and trend analysis."""
