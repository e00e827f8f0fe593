"""The county report's --unit: the county government as a clerk names it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from xltool.app.reports import county_row
from xltool.errors import XltoolError

NAMES = ["泌阳县人民政府办公室", "泌阳县教育局", "泌阳县财政局", "马谷田镇人民政府"]
ROWS: Any = [SimpleNamespace(name=n) for n in NAMES]


@pytest.mark.parametrize("given", ["泌阳县人民政府办公室", "泌阳县人民政府", "泌阳县", " 泌阳县 人民政府 "])
def test_the_county_government_by_its_name_the_start_of_it_or_the_county(given: str) -> None:
    assert county_row(ROWS, given, "泌阳县").name == "泌阳县人民政府办公室"


def test_a_name_that_fits_none_or_many_says_which_there_are() -> None:
    with pytest.raises(XltoolError, match="名单中没有单位“桐柏县人民政府”。$"):
        county_row(ROWS, "桐柏县人民政府", "泌阳县")
    with pytest.raises(XltoolError, match="以“泌阳县”开头的有：泌阳县人民政府办公室、泌阳县教育局、泌阳县财政局"):
        county_row(ROWS, "泌阳县", "桐柏县")  # not the campaign's county: only the start of a name
    assert county_row(ROWS, "泌阳县教育", "泌阳县").name == "泌阳县教育局"
