"""The "range" rule kind end to end on a small inline form: load, template with its live check
cells, a return filled through the template path, verify under the rule's code at its cell."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.form.conftest import InlineForm
from xltool.checks.verify import verify
from xltool.errors import FormDefinitionError
from xltool.form.layout import a1
from xltool.form.model import Form, workbook_rules
from xltool.workbook.write import UnitInfo, write_template

SCORES = """\
[form]
id = "inline-scores"
version = "1"
name = "考核得分表"

[[sheets]]
key = "main"
name = "得分"
widths = [16, 12, 12, 24]

[[sheets]]
key = "chk"
name = "校验结果"
widths = [8, 34, 8, 50]

[types.decimal]
unit = "分"

[[blocks]]
kind = "grid"
key = "s"
sheet = "main"
anchor = "A3"
table = "s"
type = "decimal"
corner = "项目"
label_depth = 1
header_depth = 1
checks_right = ["R1"]
columns = [{ key = "got", path = ["得分"] }, { key = "full", path = ["满分"] }]
rows = [{ key = "open", path = ["主动公开"] }, { key = "reply", path = ["依申请公开"] }]

[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A8"
fields = [{ key = "rate.online", label = "网上办理比例", type = "decimal", aggregate = "mean" }]

[[blocks]]
kind = "checks"
sheet = "chk"
anchor = "A3"

[[rules]]
code = "R1"
kind = "range"
severity = "error"
title = "得分不超过满分"
brief = "得分超出 0 至满分"
message = "“{row}”得分 {found}，应在 {min} 至 {max} 之间。"
fix = "请核对得分。"
for = { r = "s.rows" }
at = "s.{r}.got"
min = 0
max = "s.{r}.full"

[[rules]]
code = "R2"
kind = "range"
severity = "warning"
title = "比例在 0 与 1 之间"
brief = "比例超出 0 至 1"
message = "比例为 {found}，应在 {min} 至 {max} 之间。"
fix = "比例请填小数，如 0.35。"
at = "rate.online"
min = 0
max = 1
"""
GOOD = {"s.open.got": 18, "s.open.full": 20, "s.reply.got": 30, "s.reply.full": 30, "rate.online": 0.4}
UNIT = UnitInfo("桐柏县某局", "", 2025)


def write(form: Form, path: Path, values: dict[str, Any]) -> Path:
    write_template(form, UNIT, path, values=values)
    return path


def cached(path: Path, sheet: str, cell: str) -> Any:
    return openpyxl.load_workbook(path, data_only=True)[sheet][cell].value


def summary(form: Form, path: Path, rule_id: str) -> Any:
    """What the rule's row of 校验结果 shows."""
    block = form.checks_block
    assert block is not None
    row = block.row0 + 1 + [r.id for r in workbook_rules(form)].index(rule_id)
    return cached(path, "校验结果", a1(row, block.col0 + 3))


def test_range_rules_compile_to_one_check_per_row(inline_form: InlineForm) -> None:
    form = inline_form(SCORES)
    r1 = [c for c in form.checks if c.rule.id == "R1"]
    assert [c.at for c in r1] == ["s.open.got", "s.reply.got"]
    assert r1[1].expr.text == "s.reply.got >= 0 and s.reply.got <= s.reply.full"
    assert [c.expr.text for c in form.checks if c.rule.id == "R2"] == ["rate.online >= 0 and rate.online <= 1"]


def test_a_valid_return_passes_live_and_in_verify(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(SCORES)
    path = write(form, tmp_path / "good.xlsx", GOOD)
    assert [summary(form, path, r) for r in ("R1", "R2")] == ["通过", "通过"]
    assert verify([path], form).files[0].problems == []


def test_a_score_over_its_full_marks(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(SCORES)
    path = write(form, tmp_path / "over.xlsx", {**GOOD, "s.reply.got": 31})
    reply = form.fields["s.reply.got"]
    beside = openpyxl.load_workbook(path)["得分"].cell(reply.row + 1, reply.col + 3)  # the table's check column
    assert beside.value.startswith("=IF(COUNT(")
    assert cached(path, "得分", beside.coordinate) == "错误 R1：得分超出 0 至满分"
    assert summary(form, path, "R1") == "错误 R1：得分超出 0 至满分"
    [problem] = verify([path], form).files[0].problems
    assert (problem.code, problem.rule, problem.cell, problem.value) == ("R1", "R1", reply.cell, 31)
    assert problem.message == "“依申请公开”得分 31，应在 0 至 30 之间。"


def test_a_ratio_above_one_is_a_warning(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(SCORES)
    path = write(form, tmp_path / "ratio.xlsx", {**GOOD, "rate.online": 40})
    assert summary(form, path, "R2") == "警告 R2：比例超出 0 至 1"
    [problem] = verify([path], form).files[0].problems
    assert (problem.code, problem.severity, problem.cell) == ("R2", "warning", form.fields["rate.online"].cell)
    assert problem.message == "比例为 40，应在 0 至 1 之间。"


def test_blank_bound_waits_for_the_figures(inline_form: InlineForm, tmp_path: Path) -> None:
    form = inline_form(SCORES)
    path = write(form, tmp_path / "blank.xlsx", {**GOOD, "s.reply.full": None})
    assert summary(form, path, "R1") == "未填完"
    assert {p.rule for p in verify([path], form).files[0].problems} == {form.filled_rule.id}


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("max = 1\n", "maximum = 1\n", "[[rules]] #2（R2）：未知的键“maximum”，是否为“max”？"),
        ("min = 0\nmax = 1\n", "", "规则 R2 缺少 min 或 max"),
        ('at = "rate.online"\n', "", "[[rules]] #2（R2）：缺少键“at”"),
        ("max = 1\n", "max = true\n", "[[rules]] #2（R2）：max 应为数字或文字，现为 true"),
        ('max = "s.{r}.full"', 'max = "s.{r}.fulll"', "规则 R1 引用了不存在的字段“s.open.fulll”"),
        ("{found}，应在", "{score}，应在", "规则 R1 的说明中的“{score}”不会被填写"),
    ],
)
def test_load_errors_name_the_rule_and_the_key(inline_form: InlineForm, old: str, new: str, error: str) -> None:
    assert old in SCORES
    with pytest.raises(FormDefinitionError, match=re.escape("表单定义错误：" + error)):
        inline_form(SCORES.replace(old, new, 1) if "R2" not in error else _in_r2(old, new))


def _in_r2(old: str, new: str) -> str:
    head, _, r2 = SCORES.rpartition("[[rules]]")
    return head + "[[rules]]" + r2.replace(old, new, 1)
