"""Deterministic synthetic data at national scale (``gisplan demo load --national``), for benchmarks."""
