"""A report's table shows a percent cell as a percentage and an empty rate as blank (never 0)."""

from __future__ import annotations

from xltool.report.build import format_number


def test_percent_cells_print_as_percentages() -> None:
    assert format_number(0.985, percent=True) == "98.5%"
    assert format_number(1, percent=True) == "100%"
    assert format_number(None, percent=True) == ""  # a rate over nothing received
    assert format_number(0.985) == "0.985"
