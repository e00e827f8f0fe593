"""The narrative checks stay linear on hostile text: 100 KB in every text field, in the patterns that
made them quadratic (runs of "X", of "共1件，其中1件、", of years, enumerations, denials).

The limit is generous (machine speed is not the point): a quadratic check takes minutes on these
inputs, a linear one well under a second. `make bench` prints the figures (benchmarks/text_bench.py).
"""

from __future__ import annotations

import time

import pytest

from benchmarks.text_bench import PATTERNS, run_checks
from tests.returns import default_form

LIMIT_SECONDS = 15.0  # per pattern, all checks, all fields of one return: quadratic would be > 100 s


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_text_check_is_linear_on_100_kb(name: str) -> None:
    started = time.perf_counter()
    timings = run_checks(default_form(), PATTERNS[name](100_000))
    took = time.perf_counter() - started
    assert took < LIMIT_SECONDS, f"{name}: {took:.1f} s ({timings})"
