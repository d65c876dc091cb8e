"""Benchmarks: ``make bench`` prints their figures (docs/performance.md)."""
