"""Benchmarks run against a scratch PostgreSQL database; see bench/README.md."""
