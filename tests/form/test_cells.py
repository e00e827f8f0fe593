"""Of-which (其中) rows and columns, constants and conditional requirements, as the loader reads them
(form/cells.py): what each cell becomes, the automatic 其中 ≤ 总数 checks, and the load errors."""

from __future__ import annotations

import pytest

from tests.form.conftest import InlineForm
from tests.forms.cells import CELLS, OWN_RULE
from tests.forms.inline import FORM_HEAD, GRID, inline_text
from xltool.errors import FormDefinitionError


def test_an_of_which_row_between_a_totals_parts_loads_and_is_not_summed(inline_form: InlineForm) -> None:
    form = inline_form(CELLS)
    assert form.fields["g.total.a"].parts == ("g.x.a", "g.y.a")  # sum = "x..y" passes over x_new
    assert form.fields["g.x.total"].parts == ("g.x.a", "g.x.b")  # and sum = ["a", "b"] over a_web
    assert form.fields["g.total.a_web"].parts == ("g.x.a_web", "g.y.a_web")
    of_which = form.fields["g.x_new.a"]
    assert (of_which.kind, of_which.part_of, of_which.part_of_rule) == ("input", "g.x.a", "A5")
    assert form.fields["g.y.a_web"].part_of == "g.y.a"  # a 其中 column's cell: its row's 甲
    assert form.fields["g.x_new.total"].part_of == "g.x.total"  # a total of a 其中 row is one too


def test_a_group_sum_leaves_out_the_of_which_rows(inline_form: InlineForm) -> None:
    text = CELLS.replace('sum = "x..y", rule = "S2"', 'sum = "group", rule = "S2"').replace(
        '{ key = "x", path = ["一"] }', '{ key = "x", path = ["合计", "一"] }'
    )
    text = text.replace('path = ["其中：新增"]', 'path = ["合计", "其中：新增"]')
    text = text.replace('{ key = "y", path = ["二"] }', '{ key = "y", path = ["合计", "二"] }')
    text = text.replace(
        '{ key = "total", path = ["合计"], sum = "group"', '{ key = "total", path = ["合计", "小计"], sum = "group"'
    )
    form = inline_form(text.replace("label_depth = 1", "label_depth = 2"))
    assert form.fields["g.total.a"].parts == ("g.x.a", "g.y.a")


def test_each_of_which_cell_gets_its_check(inline_form: InlineForm) -> None:
    form = inline_form(CELLS)
    checks = {c.at: c.expr.text for c in form.checks if c.rule.id == "A5"}
    assert checks["g.x_new.b"] == "g.x_new.b <= g.x.b"
    assert checks["g.x.a_web"] == "g.x.a_web <= g.x.a"
    assert checks["g.x_new.a_web"] == "g.x_new.a_web <= g.x.a_web"  # the row's parent comes first
    assert "g.x_new.full" not in checks  # a constant is printed, never above anything
    assert checks["media.posts_original"] == "media.posts_original <= media.posts"  # a field's part_of
    assert len(checks) == 8
    rule = form.rule("A5")
    assert (rule.code, rule.brief, rule.fix) == ("A5", "其中项大于总数", "其中项不能大于它所属的总数，请核对。")


def test_a_form_without_of_which_cells_has_no_a5(inline_form: InlineForm) -> None:
    assert "A5" not in {r.id for r in inline_form(inline_text(FORM_HEAD, GRID)).rules}


def test_the_forms_own_rule_replaces_a5(inline_form: InlineForm) -> None:
    form = inline_form(CELLS.replace('checks_below = ["A5"]', 'checks_below = ["W3"]') + OWN_RULE)
    assert "A5" not in {r.id for r in form.rules}
    assert {c.rule.id for c in form.checks if c.at == "g.x_new.b"} == {"W3"}


def test_part_of_rule_chooses_among_several(inline_form: InlineForm) -> None:
    second = OWN_RULE.replace('code = "W3"', 'code = "W4"')
    text = CELLS.replace('checks_below = ["A5"]', "").replace('part_of = "a" }', 'part_of = "a", part_of_rule = "W4" }')
    with pytest.raises(FormDefinitionError, match="表单有多条其中项规则（W3、W4），请用 part_of_rule 指明"):
        inline_form(CELLS.replace('checks_below = ["A5"]', "") + OWN_RULE + second)
    text = text.replace('part_of = "x" }', 'part_of = "x", part_of_rule = "W3" }')
    text = text.replace('part_of = "media.posts" }', 'part_of = "media.posts", part_of_rule = "W3" }')
    form = inline_form(text + OWN_RULE + second)
    assert {c.rule.id for c in form.checks if c.at == "g.x.a_web"} == {"W4"}
    assert {c.rule.id for c in form.checks if c.at == "g.x_new.b"} == {"W3"}


def test_constants(inline_form: InlineForm) -> None:
    form = inline_form(CELLS)
    full, field = form.fields["g.y.full"], form.fields["media.full"]
    assert (full.kind, full.value, full.required, full.editable) == ("constant", 8, False, False)
    assert (field.kind, field.value, field.required, field.editable) == ("constant", 10, False, False)
    assert form.fields["g.total.full"].parts == ("g.x.full", "g.y.full")  # a total still sums them
    assert full not in form.inputs and field not in form.numeric_inputs


def test_required_if(inline_form: InlineForm) -> None:
    form = inline_form(CELLS)
    cond = form.fields["media.name"].required_if
    assert cond is not None and cond.fields == ("media.has_new_media",)
    assert form.fields["media.has_new_media"].required_if is None


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('part_of = "x"', 'part_of = "z"', "表格 g 的行“x_new”的 part_of“z”不是本表格中的另一行"),
        ('part_of = "a"', 'part_of = "a_web"', "表格 g 的列“a_web”的 part_of“a_web”不是本表格中的另一列"),
        ('sum = ["a", "b"]', 'sum = ["a", "a_web", "b"]', "列“total”的求和含有其中项“a_web”"),
        ('part_of = "x"', 'part_of = "x", part_of_rule = "S1"', "part_of_rule“S1”不是表单中 kind = \"part_of\" 的规则"),
        ('{ key = "y", path = ["二"] }', '{ key = "y", path = ["二"], part_of_rule = "A5" }', "写了 part_of_rule，却没有写 part_of"),
        ('part_of = "media.posts"', 'part_of = "media.postss"', "字段 media.posts_original 的 part_of 引用了不存在的字段“media.postss”"),
        ('part_of = "media.posts"', 'part_of = "media.name"', "字段 media.posts_original 是其中项（part_of），它和“media.name”都应为数字字段"),
        ('part_of = "x"', 'part_of = ["x"]', "rows[2]：part_of 应为文字"),
        ('{ key = "x", path = ["一"] }', '{ key = "x", path = ["一"], part_of = "x_new" }', "表格 g 的行“x”的 part_of 绕回了自身"),
        ('label = "发布信息条数", type = "int" }', 'label = "发布信息条数", type = "int", part_of = "media.posts_original" }', "字段 media.posts 的 part_of 绕回了自身"),
        ("value = 8", "value = 8.5", "字段 g.x.full 是整数字段，它的 value 应为整数"),
        ('path = ["乙"] }', 'path = ["乙"], required_if = "media.posts > 0" }', "表格 g 的列“b” 不能写 required_if"),
        ("value = 8", "value = true", "columns[5]：value 应为数字或文字"),
        ("value = 10", 'value = "十"', "字段 media.full 是数字字段，它的 value 应为数字"),
        ("media.has_new_media == '是'\" }", "media.has_new_medias == '是'\" }", "字段 media.name 的 required_if 引用了不存在的字段“media.has_new_medias”"),
        ("media.has_new_media == '是'\" }", "year > 1\" }", "字段 media.name 的 required_if 引用了未知名称“year”"),
        ("media.has_new_media == '是'\" }", "media.has_new_media(1)\" }", "规则表达式只能调用"),
    ],
)  # fmt: skip
def test_load_errors_name_the_place(inline_form: InlineForm, old: str, new: str, error: str) -> None:
    assert old in CELLS
    with pytest.raises(FormDefinitionError, match=_escaped(error)):
        inline_form(CELLS.replace(old, new, 1))


def test_an_unmarked_column_between_the_parts_is_still_an_error_that_mentions_part_of(inline_form: InlineForm) -> None:
    with pytest.raises(
        FormDefinitionError, match='列“a_web”位于总计“total”的各项之间.*若它是其中项，请写 part_of = "它所属列的键"'
    ):
        inline_form(CELLS.replace(', part_of = "a"', ""))


def _escaped(text: str) -> str:
    return "".join("\\" + c if c in "{}()[].*+?|^$\\" else c for c in text)
