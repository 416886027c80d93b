"""The benchmark suite of DESIGN §7 (P1–P6 against baselines of the same run).

Run: `.venv/bin/motcua bench` (or `.venv/bin/python -m ops.bench`), see docs/performance.md.
Never part of the test suite: only the pieces that compute are unit-tested.
"""
