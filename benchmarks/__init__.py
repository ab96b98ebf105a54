"""Benchmarks (``make bench``): speed and memory, measured, never asserted by tests."""
