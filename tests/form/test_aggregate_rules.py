"""`aggregate` in the definition: each cell's setting resolved (column, else row, else the cell's
default), and no rule that could fail on the county's aggregate only because figures were added up:
such a definition is refused at load with the reason, a rule of a shape that survives loads, and a
rule marked ``aggregate = false`` loads and is passed over by the aggregate's re-check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.forms.inline import FORM_HEAD, GRID, inline_form, inline_text
from xltool.campaign.aggregate import aggregate_checks
from xltool.errors import FormDefinitionError
from xltool.form.loader import load_form
from xltool.form.model import Form

DECIMAL = """\
[types.decimal]
unit = "天"

[types.choice]
"""

FIELDS = """\
[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A9"
fields = [
  { key = "info.days", label = "平均办结天数", type = "decimal", aggregate = "mean" },
  { key = "info.score", label = "得分", type = "decimal" },
  { key = "info.media", label = "有无新媒体", type = "choice", choices = ["是", "否"] },
]
"""


def rule(code: str, body: str, severity: str = "error") -> str:
    return f"""\
[[rules]]
code = "{code}"
severity = "{severity}"
title = "测试规则"
brief = "不符合"
message = "不符合。"
fix = "请核对。"
{body}
"""


def load(tmp_path: Path, *parts: str) -> Form:
    return inline_form(inline_text(FORM_HEAD, DECIMAL, GRID, FIELDS, *parts), tmp_path)


def refused(tmp_path: Path, *parts: str) -> str:
    with pytest.raises(FormDefinitionError) as err:
        load(tmp_path, *parts)
    return str(err.value)


def test_each_cell_gets_its_setting(tmp_path: Path) -> None:
    form = load(tmp_path)
    modes = {k: f.aggregate for k, f in form.fields.items()}
    assert modes["g.x.a"] == "sum" and modes["g.x.total"] == modes["g.total.a"] == "recompute"
    assert modes["info.days"] == "mean" and modes["info.score"] == "sum" and modes["info.media"] == "none"


def test_a_row_or_column_sets_its_cells_and_a_total_stays_recomputed(tmp_path: Path) -> None:
    grid = GRID.replace('{ key = "x", path = ["一"] }', '{ key = "x", path = ["一"], aggregate = "none" }')
    grid = grid.replace('{ key = "y", path = ["二"] }', '{ key = "y", path = ["二"], aggregate = "sum" }')
    grid = grid.replace('{ key = "b", path = ["乙"] }', '{ key = "b", path = ["乙"], aggregate = "none" }')
    form = inline_form(inline_text(FORM_HEAD, grid), tmp_path)
    modes = {k: f.aggregate for k, f in form.fields.items()}
    assert modes["g.y.a"] == "sum" and modes["g.y.b"] == "none"  # the column's, else the row's
    assert modes["g.x.a"] == modes["g.x.total"] == "none"  # a row left out, its total with it
    assert modes["g.y.total"] == "recompute"  # a formula cell is never summed, whatever its row says


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('kind = "expr"\nexpr = "g.x.a <= 100"\nat = "g.x.a"', ["g.x.a <= 100", "“一/甲”汇总时相加", "常数 100"]),
        ('kind = "range"\nat = "info.score"\nmin = 0\nmax = 10', ["info.score <= 10", "“得分”汇总时相加"]),
        ('kind = "expr"\nexpr = "g.x.a == 5"\nat = "g.x.a"', ["g.x.a == 5", "常数 5"]),
        ('kind = "expr"\nexpr = "info.days <= g.x.a"\nat = "info.days"', ["平均值或比率“平均办结天数”"]),
        ('kind = "expr"\nexpr = "g.x.a != g.x.b"\nat = "g.x.a"', ["不等于的比较"]),
        ('kind = "expr"\nwhen = "g.x.a > 0"\nexpr = "g.x.b <= g.x.a"\nat = "g.x.b"', ["用“或”连接的条件"]),
        ('kind = "expr"\nwhen = "info.media != \'是\'"\nexpr = "g.x.a == 0"\nat = "g.x.a"', ["只有符合条件的单位"]),
    ],
)
def test_a_rule_that_could_fail_on_the_aggregate_is_refused_with_its_reason(
    tmp_path: Path, body: str, words: list[str]
) -> None:
    message = refused(tmp_path, rule("R9", body))
    assert message.startswith("表单定义错误：规则 R9（R9）在全县汇总数上可能不成立：")
    assert all(w in message for w in words), message
    assert 'aggregate = "mean"' in message and "aggregate = false" in message


@pytest.mark.parametrize(
    "body",
    [
        'kind = "expr"\nexpr = "g.x.a + g.x.b == g.x.total"\nat = "g.x.a"',  # linear, homogeneous
        'kind = "expr"\nexpr = "g.x.a <= g.y.a and g.x.b >= 0"\nat = "g.x.a"',
        'kind = "expr"\nexpr = "g.x.a > 0"\nat = "g.x.a"',
        'kind = "range"\nat = "info.days"\nmin = 0\nmax = 30',  # a mean stays within the units' bounds
        'kind = "expr"\nexpr = "not (g.x.a > 0 and g.x.b == 0)"\nat = "g.x.b"',  # a > 0 ⇒ b > 0
        'kind = "expr"\nexpr = "g.x.a + g.x.b == 0 or g.y.a > 0"\nat = "g.x.a"',
        'kind = "expr"\nwhen = "info.media == \'是\'"\nexpr = "g.x.a <= 3"\nat = "g.x.a"',  # never on the aggregate
        'kind = "expr"\nexpr = "g.x.a <= 100"\nat = "g.x.a"\naggregate = false',  # the form's own exemption
    ],
)
def test_a_rule_that_holds_on_sums_loads(tmp_path: Path, body: str) -> None:
    assert load(tmp_path, rule("R9", body)).rule("R9")


def test_an_exempt_rule_and_a_rule_on_answers_are_passed_over_by_the_aggregate(tmp_path: Path) -> None:
    form = load(
        tmp_path,
        rule("R8", 'kind = "expr"\nexpr = "g.x.a <= 100"\nat = "g.x.a"\naggregate = false'),
        rule("R9", 'kind = "expr"\nexpr = "info.media in (\'是\', \'否\')"\nat = "info.media"'),
    )
    run, passed_over = aggregate_checks(form)
    assert {c.rule.code for c in run} == {"S1", "S2"}
    assert dict(passed_over) == {
        "R8": "表单规定汇总数不检查此规则（aggregate = false）",
        "R9": "规则涉及各单位自己填写的“有无新媒体”，全县汇总中没有此项",
    }


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ('aggregate = "average"', "fields.2.：aggregate“average”未知，应为 sum、recompute、mean、none 之一"),
        ('aggregate = "recompute"', "它是填写的数字，没有公式可以重算"),
    ],
)
def test_a_wrong_setting_is_refused(tmp_path: Path, item: str, words: str) -> None:
    fields = FIELDS.replace('type = "decimal" }', f'type = "decimal", {item} }}', 1).replace(
        ', aggregate = "mean", ', ", ", 1
    )
    with pytest.raises(FormDefinitionError, match=words):
        inline_form(inline_text(FORM_HEAD, DECIMAL, fields), tmp_path)


def test_an_average_of_whole_numbers_is_refused(tmp_path: Path) -> None:
    grid = GRID.replace('{ key = "x", path = ["一"] }', '{ key = "x", path = ["一"], aggregate = "mean" }')
    with pytest.raises(FormDefinitionError, match="平均值不一定是整数"):
        inline_form(inline_text(FORM_HEAD, grid), tmp_path)


def test_the_built_in_form_loads_with_every_rule_and_its_aggregate_runs_them_all() -> None:
    form = load_form()
    run, passed_over = aggregate_checks(form)
    assert passed_over == [] and len(run) == len(form.checks)
    kinds = {f.aggregate for f in form.fields.values() if f.numeric and f.parts}
    assert kinds == {"recompute"}
    assert {f.aggregate for f in form.fields.values() if not f.numeric} == {"none"}
