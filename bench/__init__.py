"""Benchmarks and the detector evaluation: run them with `make bench` (python -m bench.NAME)."""
