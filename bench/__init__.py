"""Benchmarks and the load test (not tests: they report figures). See README.md,
"Performance", and ``make bench`` / ``make loadtest``."""
