"""Benchmarks (`python3 dev.py bench` = `python -m benchmarks`): timing targets live here, never in
the unit tests. Each section registers itself in `benchmarks.registry.BENCHMARKS`."""
