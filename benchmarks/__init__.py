"""Benchmarks of rtopkg: a generator of synthetic graphs of the project's shape and the runner (see README.md)."""
