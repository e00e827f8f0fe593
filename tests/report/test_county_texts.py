"""The county paragraphs of the built-in form ([[report.county]]) say the area word they are given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.returns import default_form, make_return
from xltool.report.build import county_texts, report_values
from xltool.workbook.read import read_return


@pytest.mark.parametrize("area", ["全县", "全区", "全市"])
def test_the_county_paragraphs_say_the_area(tmp_path: Path, area: str) -> None:
    form = default_form()
    totals = report_values(form, read_return(make_return(tmp_path), form))
    texts = county_texts(form, totals, 2025, 3, 4, area=area)
    assert texts["s1.on_request"].startswith(f"2025年，{area}3个单位（共4个报送单位"), texts["s1.on_request"]
    assert texts["s1.oversight"].startswith(area)
    others = {"全县", "全区", "全市"} - {area}
    assert not any(word in text for word in others for text in texts.values())
