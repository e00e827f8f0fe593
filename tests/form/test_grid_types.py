"""Mixed types in one grid: a cell's type is its column's, else its row's, else the grid's; text and
choice cells are text inputs (validation, drop-down, never summed, never A2 for words); a row's or
column's unit replaces the type's in the cell's prompt. Each on a small inline form, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.form.conftest import InlineForm
from xltool.checks.verify import verify
from xltool.errors import FormDefinitionError
from xltool.form.model import Form
from xltool.report.build import build_report
from xltool.report.html import html_page
from xltool.workbook.read import read_return
from xltool.workbook.validation import with_unit
from xltool.workbook.write import UnitInfo, write_template

HEAD = """\
[form]
id = "inline-mixed"
version = "1"
name = "网站情况表"

[[sheets]]
key = "main"
name = "网站"
widths = [16, 24, 12, 12, 20]

[[sheets]]
key = "chk"
name = "校验结果"
widths = [8, 34, 8, 50]

[types.int]
unit = "件"
prompt = "请填写整数（单位：件）。"
error = "这里只能填写大于或等于 0 的整数（件）。"

[types.decimal]
unit = "天"
prompt = "请填写数字，可带小数。"
error = "这里只能填写大于或等于 0 的数。"

[types.text]
prompt = "请填写。"

[types.choice]
prompt = "请从下拉列表中选择。"
error = "请从下拉列表中选择。"

[[blocks]]
kind = "checks"
sheet = "chk"
anchor = "A3"
"""

# rows of mixed types; a text column (备注) crossing the numbers; a total column adding the two counts
MIXED = (
    HEAD
    + """
[[blocks]]
kind = "grid"
key = "w"
sheet = "main"
anchor = "A3"
table = "w"
type = "int"
corner = "项目"
label_depth = 1
header_depth = 1
columns = [
  { key = "a", path = ["本级"] },
  { key = "b", path = ["下级"] },
  { key = "total", path = ["合计"], sum = ["a", "b"], rule = "S1" },
  { key = "note", path = ["备注"], type = "text" },
]
rows = [
  { key = "name", path = ["网站名称"], type = "text" },
  { key = "uniform", path = ["是否使用统一平台"], type = "choice", choices = ["是", "否"] },
  { key = "msgs", path = ["收到留言"], unit = "条" },
  { key = "done", path = ["办结留言"], unit = "条" },
  { key = "days", path = ["平均办理时间"], type = "decimal" },
]

[[rules]]
code = "S1"
kind = "sum"
severity = "error"
title = "合计等于本级与下级之和"
brief = "合计不等于各项之和"
message = "“{row}”的合计为 {value}，应为 {expected}。"
fix = "合计由公式自动计算，请不要手工改写。"

[[rules]]
code = "W8"
kind = "expr"
severity = "error"
for = { c = ["a", "b"] }
expr = "w.done.{c} <= w.msgs.{c}"
at = "w.done.{c}"
title = "办结不超过收到"
brief = "办结留言超过收到留言"
message = "办结留言 {lhs} 条，超过了收到留言 {rhs} 条。"
fix = "请核对留言数字。"
"""
)
GOOD: dict[str, Any] = {
    "w.name.a": "桐柏县人民政府",
    "w.name.b": "无",
    "w.name.total": "无",  # a word row crossing the total column: an input of its own type
    "w.uniform.total": "是",
    "w.uniform.a": "是",
    "w.uniform.b": "否",
    "w.msgs.a": 10,
    "w.msgs.b": 4,
    "w.done.a": 9,
    "w.done.b": 4,
    "w.days.a": 3.5,
    "w.days.b": 2,
    **{f"w.{r}.note": "无" for r in ("name", "uniform", "msgs", "done", "days")},
}
UNIT = UnitInfo("桐柏县某局", "", 2025)


def write(form: Form, path: Path, values: dict[str, Any]) -> Path:
    write_template(form, UNIT, path, values=values)
    return path


def test_a_cells_type_is_its_columns_else_its_rows_else_the_grids(inline_form: InlineForm) -> None:
    form = inline_form(MIXED)
    types = {k: (f.type, f.kind) for k, f in form.fields.items()}
    assert types["w.name.a"] == ("text", "text")  # the row's
    assert types["w.uniform.b"] == ("choice", "input") and form.fields["w.uniform.b"].choices == ("是", "否")
    assert types["w.msgs.a"] == ("int", "input")  # the grid's
    assert types["w.days.a"] == ("decimal", "input")
    assert types["w.msgs.note"] == types["w.days.note"] == ("text", "text")  # the column's wins over the row's
    assert types["w.msgs.total"] == ("int", "formula")
    # words are never summed: a text or choice row crossing the total column is a plain input
    assert types["w.name.total"] == ("text", "text") and not form.fields["w.name.total"].parts
    assert form.fields["w.msgs.total"].parts == ("w.msgs.a", "w.msgs.b")


def test_a_cells_unit_is_its_own_else_its_rows_else_its_types(inline_form: InlineForm) -> None:
    form = inline_form(MIXED)
    assert [form.unit_of(k) for k in ("w.msgs.a", "w.done.b", "w.days.a", "w.name.a")] == ["条", "条", "天", ""]
    assert form.fields["w.msgs.a"].unit == "条" and form.fields["w.days.a"].unit == ""


def test_the_template_types_each_cell(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(MIXED)
    path = write(form, tmp_path / "t.xlsx", {**GOOD, "w.name.b": "=1+1"})
    ws = openpyxl.load_workbook(path)["网站"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    cell = {k: form.fields[k].cell for k in GOOD}
    assert rules[cell["w.uniform.a"]].type == "list" and rules[cell["w.uniform.a"]].formula1 == '"是,否"'
    counts = rules[f"{cell['w.msgs.a']}:{cell['w.done.b']}"]  # the 条 rows: one validation, their unit
    assert counts.type == "whole" and counts.prompt == "请填写整数（单位：条）。"
    assert counts.error == "这里只能填写大于或等于 0 的整数（条）。"
    assert rules[f"{cell['w.days.a']}:{form.fields['w.days.b'].cell}"].type == "decimal"
    assert rules[cell["w.name.a"]].type is None and rules[cell["w.name.a"]].prompt == "请填写。"
    typed = ws[cell["w.name.b"]]
    assert typed.value == "=1+1" and typed.data_type == "s"  # text written as text: never a live formula
    assert not typed.protection.locked and not ws[cell["w.name.a"]].protection.locked
    assert ws[form.fields["w.msgs.total"].cell].value.startswith("=")  # the total stays a formula
    crossing = ws[form.fields["w.name.total"].cell]
    assert crossing.value == "无" and not crossing.protection.locked


def test_a_valid_mixed_return_passes_and_reads_back(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(MIXED)
    path = write(form, tmp_path / "good.xlsx", GOOD)
    assert verify([path], form).files[0].problems == []
    ret = read_return(path, form)
    assert ret.values["w.name.a"].value == "桐柏县人民政府" and ret.values["w.uniform.b"].value == "否"
    assert ret.values["w.days.a"].value == 3.5 and ret.totals()["w.msgs.total"] == 14


def test_words_in_text_cells_are_no_a2_but_a_choice_outside_its_list_is(
    inline_form: InlineForm, tmp_path: Path
) -> None:
    form = inline_form(MIXED)
    path = write(form, tmp_path / "bad.xlsx", {**GOOD, "w.uniform.b": "也许", "w.done.a": 11, "w.msgs.b": "四"})
    problems = {(p.code, p.cell) for p in verify([path], form).files[0].problems}
    f = form.fields
    assert ("A2", f["w.uniform.b"].cell) in problems  # a choice outside 是/否, at its cell
    assert ("W8", f["w.done.a"].cell) in problems  # the form's own rule, at its cell
    assert ("A2", f["w.msgs.b"].cell) in problems  # words in a number cell
    assert not any(cell in (f["w.name.a"].cell, f["w.name.b"].cell) for _, cell in problems)


def test_a_blank_text_cell_is_a1_and_a_blank_number_the_blank_rule(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(MIXED)
    path = write(form, tmp_path / "blank.xlsx", {**GOOD, "w.name.a": None, "w.days.b": None})
    problems = {(p.rule, p.cell) for p in verify([path], form).files[0].problems}
    assert ("A1-text", form.fields["w.name.a"].cell) in problems
    assert (form.filled_rule.id, form.fields["w.days.b"].cell) in problems


def test_the_report_prints_text_cells_as_text(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(MIXED + '\n[[sections]]\nheading = "一、网站情况"\ntable = "w"\n')
    path = write(form, tmp_path / "good.xlsx", GOOD)
    report = build_report(form, read_return(path, form))
    [table] = [b.table for b in report.blocks if b.table is not None]
    cells = {c.text: c for c in table.cells if not c.header}
    assert not cells["桐柏县人民政府"].numeric and not cells["是"].numeric and cells["3.5"].numeric
    html = html_page(report)
    assert "<td>桐柏县人民政府</td>" in html and '<td class="num">3.5</td>' in html


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            '{ key = "total", path = ["合计"], sum = ["a", "b"], rule = "S1" },',
            '{ key = "total", path = ["合计"], sum = ["a", "note"], rule = "S1" },',
            "表格 w 的列“total”求和引用了非数字的列“note”",
        ),
        (
            '{ key = "days", path = ["平均办理时间"], type = "decimal" },',
            '{ key = "days", path = ["平均办理时间"], type = "decimal" },\n'
            '  { key = "all", path = ["合计"], sum = "name..days", rule = "S1" },',
            "表格 w 的行“all”求和引用了非数字的行“name”",
        ),
        (
            '{ key = "note", path = ["备注"], type = "text" },',
            '{ key = "note", path = ["备注"], type = "text", sum = ["a"] },',
            "表格 w 的列“note”有 sum，但它的类型“text”不是数字",
        ),
        (
            'type = "choice", choices = ["是", "否"]',
            'type = "text", choices = ["是", "否"]',
            "表格 w 的行“uniform”有 choices，却不是",
        ),
        (
            'type = "choice", choices = ["是", "否"]',
            'type = "choice"',
            "表格 w 的行“uniform”是下拉选择，却没有 choices",
        ),
        (
            'type = "choice", choices = ["是", "否"]',
            'type = "choice", choices = "是否"',
            "表格 w 的行“uniform”的 choices 应为文字列表",
        ),
        (
            'path = ["网站名称"], type = "text"',
            'path = ["网站名称"], type = "txt"',
            "表格 w 的行“name”的类型“txt”不能用于填写",
        ),
    ],
)
def test_load_errors_name_the_grid_and_the_row_or_column(
    inline_form: InlineForm, old: str, new: str, error: str
) -> None:
    assert old in MIXED
    with pytest.raises(FormDefinitionError, match="表单定义错误：" + error):
        inline_form(MIXED.replace(old, new, 1))


def test_a_total_typed_as_a_number_over_a_text_row_is_refused_at_its_cell(inline_form: InlineForm) -> None:
    """A total column typed int makes the text row's total a number cell: its parts are words."""
    text = MIXED.replace('sum = ["a", "b"], rule = "S1" }', 'sum = ["a", "b"], rule = "S1", type = "int" }')
    with pytest.raises(FormDefinitionError, match=r"表格 w 的合计“网站名称/合计”（D4）要加上“网站名称/本级”（B4）"):
        inline_form(text)


FIELD_UNIT = (
    HEAD
    + """
[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A3"
fields = [
  { key = "score.total", label = "总得分", type = "decimal", unit = "分" },
  { key = "score.days", label = "平均办理时间", type = "decimal" },
]
"""
)


def test_a_fields_own_unit_replaces_its_types_in_its_prompt(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(FIELD_UNIT)
    assert (form.unit_of("score.total"), form.unit_of("score.days")) == ("分", "天")
    path = write(form, tmp_path / "f.xlsx", {"score.total": 85.5, "score.days": 3})
    ws = openpyxl.load_workbook(path)["网站"]
    prompts = {str(dv.sqref): dv.prompt for dv in ws.data_validations.dataValidation}
    assert prompts[form.fields["score.total"].cell] == "请填写数字，可带小数。（单位：分）"
    assert prompts[form.fields["score.days"].cell] == "请填写数字，可带小数。"
    assert verify([path], form).files[0].problems == []


@pytest.mark.parametrize(
    ("text", "unit", "type_unit", "shown"),
    [
        ("请填写整数（单位：{unit}）。", "个", "件", "请填写整数（单位：个）。"),  # the placeholder, filled
        ("请填写整数（单位：件）。", "个", "件", "请填写整数（单位：个）。"),  # the type's unit, replaced
        ("请填写整数（单位：件）。", "件", "件", "请填写整数（单位：件）。"),
        ("请填写。", "分", "", "请填写。（单位：分）"),  # a type without a unit: the cell's is said after
        ("", "分", "", ""),  # no error text: none is made up
    ],
)
def test_with_unit(text: str, unit: str, type_unit: str, shown: str) -> None:
    assert with_unit(text, unit, type_unit) == shown
