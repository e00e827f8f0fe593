"""`aggregate = …` end to end on a small inline form: three units' returns written through the
template, read back, aggregated; a summed cell adds up, a recomputed total is worked out again from
the county's parts, a mean cell averages the units that filled it (3.6 and 3.6 days give 3.6 days,
not 7.2) and says how many, a text cell is not added up; the aggregate passes its own re-check, and
real LibreOffice recalculating the workbook shows the same figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.forms.inline import inline_form
from xltool.campaign.aggregate import AggregateResult, aggregate
from xltool.campaign.aggregate_book import SUMMARY, write_aggregate
from xltool.campaign.status import folder_status
from xltool.form.aggregation import aggregate_values, answers_text
from xltool.form.model import Form
from xltool.office import recalculate
from xltool.roster import load_roster
from xltool.workbook.write import UnitInfo, write_template

HOTLINE = """\
[form]
id = "inline-hotline"
version = "1"
name = "热线办理统计表"

[roles]
unit_name = "info.unit"
year = "info.year"

[[sheets]]
key = "main"
name = "统计"
widths = [16, 12, 12, 24]

[types.int]
unit = "件"

[types.decimal]
unit = "天"

[types.year]

[types.text]

[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A1"
fields = [
  { key = "info.unit", label = "单位名称", type = "text", prefill = "unit" },
  { key = "info.year", label = "统计年度", type = "year", prefill = "year" },
  { key = "info.days", label = "平均办结天数", type = "decimal", aggregate = "mean", required = false },
  { key = "info.note", label = "备注", type = "text", required = false },
]

[[blocks]]
kind = "grid"
key = "w"
sheet = "main"
anchor = "A7"
table = "w"
type = "int"
corner = "渠道"
label_depth = 1
header_depth = 1
columns = [{ key = "received", path = ["受理"] }, { key = "done", path = ["办结"] }]
rows = [
  { key = "phone", path = ["电话"] },
  { key = "web", path = ["网站"] },
  { key = "total", path = ["合计"], sum = "phone..web", rule = "S2" },
]

[[rules]]
code = "S2"
kind = "sum"
severity = "error"
title = "合计行等于各行之和"
brief = "合计行不等于各行之和"
message = "“{column}”的合计为 {value}，应为 {expected}。"
fix = "合计由公式自动计算。"

[[rules]]
code = "R1"
kind = "expr"
severity = "error"
title = "办结不超过受理"
brief = "办结多于受理"
message = "“{row}”办结 {lhs}，多于受理 {rhs}。"
fix = "请核对。"
for = { r = "w.rows" }
expr = "w.{r}.done <= w.{r}.received"
at = "w.{r}.done"

[[rules]]
code = "R2"
kind = "range"
severity = "error"
title = "平均办结天数在 0 至 30 天之间"
brief = "平均办结天数超出范围"
message = "平均办结天数 {found}，应在 {min} 至 {max} 之间。"
fix = "请核对。"
at = "info.days"
min = 0
max = 30
"""

# unit -> (电话受理, 电话办结, 网站受理, 网站办结, 平均办结天数 or None, 备注)
UNITS: dict[str, tuple[Any, ...]] = {
    "城关镇人民政府": (10, 8, 5, 5, 3.6, "电话为主"),
    "月河镇人民政府": (4, 4, 6, 3, 3.6, ""),
    "县市场监管局": (0, 0, 2, 1, None, "无"),
}


def values_of(numbers: tuple[Any, ...]) -> dict[str, Any]:
    pr, pd, wr, wd, days, note = numbers
    out = {"w.phone.received": pr, "w.phone.done": pd, "w.web.received": wr, "w.web.done": wd, "info.note": note}
    return out | ({"info.days": days} if days is not None else {})


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Form:
    return inline_form(HOTLINE, tmp_path_factory.mktemp("form"))


@pytest.fixture(scope="module")
def summed(hotline: Form, tmp_path_factory: pytest.TempPathFactory) -> AggregateResult:
    root = tmp_path_factory.mktemp("county")
    for i, (name, numbers) in enumerate(UNITS.items()):
        values = {**values_of(numbers), "info.unit": name}
        write_template(hotline, UnitInfo(name, "", 2025), root / "returns" / f"{i}.xlsx", values=values)
    roster = root / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n" + "".join(f"{u},,\n" for u in UNITS), encoding="utf-8")
    status = folder_status(root / "returns", load_roster(roster, hotline.units), hotline, year=2025)
    assert status.counts()["pass"] == 3
    return aggregate(status, hotline)


def test_each_cell_is_aggregated_as_the_form_says(hotline: Form, summed: AggregateResult) -> None:
    assert [f.aggregate for f in hotline.fields.values()] == [
        "none", "none", "mean", "none", "sum", "sum", "sum", "sum", "recompute", "recompute",
    ]  # fmt: skip
    assert summed.totals == {
        "info.days": 3.6,  # the two units that filled it, not 7.2
        "w.phone.received": 14, "w.phone.done": 12, "w.web.received": 13, "w.web.done": 9,
        "w.total.received": 27, "w.total.done": 21,  # recomputed from the county's parts
    }  # fmt: skip
    assert summed.counted == {"info.days": 2}
    assert "info.note" not in summed.totals and "info.unit" not in summed.totals


def test_the_aggregate_passes_its_own_recheck(hotline: Form, summed: AggregateResult) -> None:
    assert summed.ok and summed.problems == []
    assert summed.checks == len(hotline.checks) and summed.skipped == []
    assert summed.to_dict()["counted"] == {"info.days": 2}


def test_the_one_function_takes_the_units_values(hotline: Form) -> None:
    units = [values_of(n) for n in UNITS.values()]
    county = aggregate_values(hotline, units)
    assert county.values["info.days"] == 3.6 and county.values["w.total.done"] == 21
    three = aggregate_values(hotline, [*units[:2], {**units[2], "info.days": 5.1}])
    assert three.values["info.days"] == 4.1 and three.counted["info.days"] == 3


def test_a_tables_choice_cell_counts_the_answers(hotline: Form) -> None:
    """A choice cell of a table (是/否 items) has no county figure: the county's table says how
    many units gave each answer."""
    item = replace(hotline.fields["info.note"], type="choice", choices=("是", "否"), grid="w")
    form = replace(hotline, fields={**hotline.fields, item.key: item})
    county = aggregate_values(form, [{item.key: "是"}, {item.key: "否"}, {item.key: "是"}, {}])
    assert county.answers == {item.key: {"是": 2, "否": 1}} and item.key not in county.values
    assert answers_text(county.answers[item.key]) == "是 2，否 1"


def test_libreoffice_recalculating_the_workbook_shows_the_same_figures(
    hotline: Form, summed: AggregateResult, soffice: str, tmp_path: Path
) -> None:
    out = write_aggregate(summed, tmp_path / "汇总.xlsx")
    cached = _figures(openpyxl.load_workbook(out, data_only=True), hotline)
    recalculated = _figures(openpyxl.load_workbook(recalculate([out], tmp_path / "lo")[0], data_only=True), hotline)
    assert cached == pytest.approx(summed.totals) and recalculated == pytest.approx(summed.totals)
    formulas = openpyxl.load_workbook(out)
    sheet, ref = next(formulas.defined_names[hotline.fields["info.days"].defined_name].destinations)
    assert "AVERAGE(" in formulas[sheet][ref.replace("$", "")].value


def _figures(wb: openpyxl.Workbook, form: Form) -> dict[str, Any]:
    seen = {}
    for f in form.fields.values():
        if f.numeric and f.defined_name in wb.defined_names:
            sheet, ref = next(wb.defined_names[f.defined_name].destinations)
            assert sheet == SUMMARY
            seen[f.key] = wb[sheet][ref.replace("$", "")].value
    return seen
