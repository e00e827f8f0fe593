"""Every text with placeholders is checked at load against what fills it (xltool/form/texts.py,
form/notice.py, the rule kinds): a {name} nothing fills is a load error saying what that text may use."""

from __future__ import annotations

import pytest

from tests.form.conftest import InlineForm
from tests.forms.inline import FORM_HEAD, GRID, inline_text
from xltool.errors import FormDefinitionError

INFO = """\
[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A12"
fields = [{ key = "info.name", label = "名称", type = "text" }]

[roles]
unit_name = "info.name"
"""
NARRATIVE = """\
[[report.{which}]]
field = "info.name"
values = {{ total = "g.total.total" }}
pieces = [{{ text = "{text}" }}]
"""


def _head(**keys: str) -> str:
    extra = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    return FORM_HEAD.replace('name = "内联测试表"\n', f'name = "内联测试表"\n{extra}')


# (what, the parts of the form, what the error says)
BAD = [
    (
        "title_pattern",
        [_head(title_pattern="{unit}{r}年报"), GRID],
        "[form] title_pattern 中的“{r}”不会被填写，可用的有：{unit}、{year}",
    ),
    (
        "file_pattern",
        [_head(file_pattern="{year}_{unit_name}.xlsx"), GRID],
        "[form] file_pattern 中的“{unit_name}”不会被填写，可用的有：{unit}、{year}、{name}、{id}",
    ),
    (
        "sheet-title",
        [FORM_HEAD.replace('name = "主表"', 'name = "主表"\ntitle = "{quarter}季度"'), GRID],
        "title 中的“{quarter}”不会被填写：本表单按年度报送",
    ),
    (
        "guide",
        [FORM_HEAD, GRID, '[guide]\nlines = ["一、{year}年", "二、{unit_type}"]'],
        "[guide] lines[2] 中的“{unit_type}”不会被填写",
    ),
    (
        "subtitle",
        [FORM_HEAD, GRID, INFO, '[template]\nsubtitle = "填报单位：{unit}"'],
        "[template] subtitle 中的“{unit}”不是 [roles] 中的角色，可用的有：{unit_name}",
    ),
    ("notice", [FORM_HEAD, GRID, '[notice]\nsubject = "{year}年{r}"'], "[notice] subject 中的“{r}”不会被填写"),
    (
        "reply_signature",
        [_head(reply_signature="{county}{unit}"), GRID],
        "[form] reply_signature 应为文字，只能含 {county}",
    ),
    ("rule-message", [FORM_HEAD, GRID.replace("应为 {expected}", "应为 {r}", 1)], "规则 S1 的说明中的“{r}”不会被填写"),
    (
        "preamble",
        [FORM_HEAD, GRID, '[report]\npreamble = "{year}年，{county}"'],
        "[report] preamble 中的“{county}”不会被填写，可用的有：{year}、{unit}",
    ),
    (
        "contact",
        [FORM_HEAD, GRID, '[report]\ncontact = "电话 {phone_number}"'],
        "[report] contact 中的“{phone_number}”不会被填写",
    ),
    (
        "narrative",
        [FORM_HEAD, GRID, INFO, NARRATIVE.format(which="narratives", text="共{total}件，{unit}")],
        "[report] narratives[1] pieces[1] text 中的“{unit}”不会被填写，可用的有：{month}、{period}、{quarter}、{total}、{year}",
    ),
    (
        "county",
        [FORM_HEAD, GRID, INFO, NARRATIVE.format(which="county", text="全县{r}个单位")],
        "[report] county[1] pieces[1] text 中的“{r}”不会被填写，可用的有：{all_units}、{area}、{month}、{period}、{quarter}、{total}、{units}、{year}",
    ),
    (
        "area-outside-county",  # a unit's own paragraph has no area: {area} is the county paragraphs' own
        [FORM_HEAD, GRID, INFO, NARRATIVE.format(which="narratives", text="{area}共{total}件")],
        "[report] narratives[1] pieces[1] text 中的“{area}”不会被填写",
    ),
    ("unbalanced", [_head(title_pattern="{unit}年报}"), GRID], "[form] title_pattern 中有不成对的花括号"),
    ("format-spec", [_head(title_pattern="{unit!r}"), GRID], "[form] title_pattern 中的占位只能写成 {unit}"),
]


@pytest.mark.parametrize(("parts", "error"), [pytest.param(p, e, id=i) for i, p, e in BAD])
def test_a_placeholder_nothing_fills_is_a_load_error(inline_form: InlineForm, parts: list[str], error: str) -> None:
    with pytest.raises(FormDefinitionError) as err:
        inline_form(inline_text(*parts))
    assert error in str(err.value)


def test_the_placeholders_each_text_may_use_load(inline_form: InlineForm) -> None:
    form = inline_form(
        inline_text(
            _head(title_pattern="{unit}{year}年报", file_pattern="{year}{name}{id}_{unit}.xlsx"),
            GRID,
            INFO,
            '[template]\nsubtitle = "填报单位：{unit_name}"',
            '[guide]\nlines = ["{year}年 {unit}：要印出花括号写 {{ 和 }}"]',
            NARRATIVE.format(which="county", text="{year}年{area}{units}/{all_units}个单位共{total}件"),
            '[report]\npreamble = "{unit}{year}年（{regulation}，{basis}），网址 {website}，电话 {phone}"',
        )
    )
    assert form.file_name("某单位", 2025) == "2025内联测试表inline_某单位.xlsx"
    assert form.report.county[0].pieces[0].text.startswith("{year}年{area}")
