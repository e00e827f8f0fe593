"""Reporting periods (xltool/form/period.py): reading "2025Q1", the Chinese label, the period a
command works on for a form of each kind, filling patterns, and the load errors of a form whose
patterns name what its period cannot fill."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.forms.inline import FORM_HEAD, GRID, inline_form
from xltool.errors import FormDefinitionError
from xltool.form.period import Period, PeriodError, fill, parse_period, period_for


@pytest.mark.parametrize(
    ("typed", "period", "label", "months"),
    [
        ("2025", Period(2025), "2025年", (1, 12)),
        ("2025年度", Period(2025), "2025年", (1, 12)),
        ("2025H1", Period(2025, "half", 1), "2025年上半年", (1, 6)),
        ("2025h2", Period(2025, "half", 2), "2025年下半年", (7, 12)),
        ("2025Q1", Period(2025, "quarter", 1), "2025年第一季度", (1, 3)),
        (" 2025-q4 ", Period(2025, "quarter", 4), "2025年第四季度", (10, 12)),
        ("2025-03", Period(2025, "month", 3), "2025年3月", (3, 3)),
        ("2025年12月", Period(2025, "month", 12), "2025年12月", (12, 12)),
    ],
)
def test_a_period_is_read_and_named(typed: str, period: Period, label: str, months: tuple[int, int]) -> None:
    found = parse_period(typed)
    assert found == period
    assert found.label_zh == label
    assert (found.first_month, found.last_month) == months
    assert parse_period(found.code) == found  # what _meta records reads back


@pytest.mark.parametrize("typed", ["2025Q5", "2025-13", "2025-00", "25Q1", "1999Q1", "第一季度", ""])
def test_a_malformed_period_is_a_chinese_error(typed: str) -> None:
    with pytest.raises(PeriodError, match="报告期"):
        parse_period(typed)


def test_the_placeholders_each_period_fills() -> None:
    assert Period(2025).names() == {"year": 2025, "period": "2025年"}
    assert Period(2025, "quarter", 2).names() == {"year": 2025, "period": "2025年第二季度", "quarter": "二"}
    assert Period(2025, "month", 8).names() == {"year": 2025, "period": "2025年8月", "quarter": "三", "month": 8}
    assert Period(2025, "quarter", 1).heading_zh == "2025年第一季度" and Period(2025).heading_zh == "2025年度"


def test_fill_fills_what_it_knows_and_keeps_the_rest() -> None:
    names = {**Period(2025, "quarter", 3).names(), "unit": "某局"}
    assert fill("{unit}{year}年第{quarter}季度", names) == "某局2025年第三季度"
    assert fill("{period}{{注}}{other}", names) == "2025年第三季度{注}{other}"  # never a KeyError


def test_the_period_a_command_works_on() -> None:
    assert period_for("year", None, 2025) == Period(2025)
    assert period_for("year", "2025", None) == Period(2025)  # --period 2025 stands for --year 2025
    assert period_for("quarter", "2025Q1", None) == Period(2025, "quarter", 1)
    assert period_for("quarter", "2025Q1", 2025) == Period(2025, "quarter", 1)
    assert period_for("month", "2025-03", None) == Period(2025, "month", 3)


@pytest.mark.parametrize(
    ("kind", "period", "year", "says"),
    [
        ("quarter", None, 2025, "本表单按季度报送，请用 --period 指定报告期，如 2025Q1"),
        ("quarter", "2025H1", None, "报告期“2025H1”是半年，应写成 2025Q1 的形式"),
        ("year", "2025Q1", None, "本表单按年度报送，报告期“2025Q1”是季度"),
        ("half", "2025-03", None, "应写成 2025H1 的形式"),
        ("quarter", "2025Q1", 2024, "--year 2024 与 --period 2025Q1 的年份不一致"),
        ("year", None, None, "请用 --year 指定报告年度"),
    ],
)
def test_a_period_of_the_wrong_kind_says_what_to_type(
    kind: str, period: str | None, year: int | None, says: str
) -> None:
    with pytest.raises(PeriodError) as err:
        period_for(kind, period, year)
    assert says in str(err.value)


def test_a_form_names_its_period(tmp_path: Path) -> None:
    head = FORM_HEAD.replace('name = "内联测试表"', 'name = "内联测试表"\nperiod = "quarter"\n'
                             'title_pattern = "{unit}{year}年第{quarter}季度统计"')  # fmt: skip
    form = inline_form(head + GRID, tmp_path)
    assert form.period == "quarter"
    assert inline_form(FORM_HEAD + GRID, tmp_path).period == "year"  # the default


@pytest.mark.parametrize(
    ("period", "pattern", "says"),
    [
        (
            "year",
            'title_pattern = "{unit}{year}年第{quarter}季度统计"',
            "[form] title_pattern 中的“{quarter}”不会被填写",
        ),
        ("half", 'file_pattern = "{year}年{month}月_{unit}.xlsx"', "[form] file_pattern 中的“{month}”不会被填写"),
        ("quarter", 'title_pattern = "{unit}{period}{month}月"', "本表单按季度报送"),
    ],
)
def test_a_placeholder_the_period_cannot_fill_is_a_load_error(
    tmp_path: Path, period: str, pattern: str, says: str
) -> None:
    head = FORM_HEAD.replace('name = "内联测试表"', f'name = "内联测试表"\nperiod = "{period}"\n{pattern}')
    with pytest.raises(FormDefinitionError) as err:
        inline_form(head + GRID, tmp_path)
    assert says in str(err.value)


def test_an_unknown_period_is_a_load_error(tmp_path: Path) -> None:
    head = FORM_HEAD.replace('name = "内联测试表"', 'name = "内联测试表"\nperiod = "week"')
    with pytest.raises(FormDefinitionError, match="period“week”未知，应为 year、half、quarter、month 之一"):
        inline_form(head + GRID, tmp_path)
