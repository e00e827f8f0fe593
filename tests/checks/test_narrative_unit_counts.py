"""A county's paragraph counts the units it sums ("全县36个单位共收到申请87件"): the number of units
is no count of applications (E1 read it as 36 applications received before)."""

from __future__ import annotations

from tests.returns import default_form, valid_values
from xltool.checks.text import text_problems

COUNTY = "2025年，全县3个单位共收到政府信息公开申请87件。"


def _codes(text: str, received: int) -> set[str]:
    form = default_form()
    numbers = {k: 0 for k, f in form.fields.items() if f.numeric}
    numbers.update({k: v for k, v in valid_values(form).items() if form.fields[k].numeric})
    numbers["t3.new.total"] = received
    texts = {k: None for k, f in form.fields.items() if f.type == "longtext"}
    texts["s1.on_request"] = text
    return {p.code for p in text_problems(form, texts, numbers, 2025) if p.is_error}


def test_a_number_of_units_is_not_a_number_of_applications() -> None:
    assert "E1" not in _codes(COUNTY, 87)


def test_the_applications_after_it_are_still_compared() -> None:
    assert "E1" in _codes(COUNTY, 88)
