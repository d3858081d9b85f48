"""Regie's benchmarks: `python -m bench` (see bench/README.md). Figures, never pass/fail."""
