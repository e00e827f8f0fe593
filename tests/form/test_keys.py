"""The key table of form.toml (xltool/form/keys.py): unknown keys, missing keys and values of the
wrong type are load errors naming their place, with the nearest key; every key has its description."""

from __future__ import annotations

import re

import pytest

from tests.form.conftest import InlineForm
from tests.forms.inline import FORM_HEAD, GRID, inline_text
from xltool.errors import FormDefinitionError
from xltool.form.keys import RULE_KEYS, TABLES, TYPE_ZH, rule_keys
from xltool.form.kinds import KINDS
from xltool.form.kinds.base import COMMON_OPTIONAL, COMMON_REQUIRED
from xltool.form.loader import ROLE_TYPES

FIELDS = """\
[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A12"
fields = [
  { key = "info.name", label = "名称", type = "text" },
  { key = "info.note", label = "备注", type = "text", required = false },
]
"""


def _error(inline_form: InlineForm, *parts: str) -> str:
    with pytest.raises(FormDefinitionError) as err:
        inline_form(inline_text(*parts))
    return str(err.value)


def test_a_misspelt_key_names_its_place_and_the_key_meant(inline_form: InlineForm) -> None:
    text = _error(inline_form, FORM_HEAD, GRID, FIELDS.replace("required = false", "requried = false"))
    assert text == "表单定义错误：[[blocks]] #2 fields[2]：未知的键“requried”，是否为“required”？"
    grid = GRID.replace('{ key = "b", path = ["乙"] }', '{ key = "b", path = ["乙"], spam = 2 }')
    assert (
        _error(inline_form, FORM_HEAD, grid) == "表单定义错误：[[blocks]] #1 columns[2]：未知的键“spam”，是否为“span”？"
    )
    head = FORM_HEAD.replace('name = "内联测试表"', 'name = "内联测试表"\ntitle_patern = "{unit}"')
    assert "[form]：未知的键“title_patern”，是否为“title_pattern”？" in _error(inline_form, head, GRID)
    assert (
        _error(inline_form, FORM_HEAD, GRID, "[[rulez]]\nx = 1")
        == "表单定义错误：表单定义：未知的键“rulez”，是否为“rules”？"
    )


def test_a_key_far_from_every_known_one_lists_them(inline_form: InlineForm) -> None:
    text = _error(inline_form, FORM_HEAD.replace("[types.int]", '[types.int]\nformat = "0.0"'), GRID)
    assert text.startswith("表单定义错误：[types.int]：未知的键“format”，可用的有：unit、prompt、error")


def test_a_missing_key_and_a_wrong_type_name_the_block(inline_form: InlineForm) -> None:
    assert (
        _error(inline_form, FORM_HEAD, GRID.replace('anchor = "A3"\n', ""))
        == "表单定义错误：[[blocks]] #1：缺少键“anchor”"
    )
    text = _error(inline_form, FORM_HEAD, GRID.replace("label_depth = 1", 'label_depth = "1"'))
    assert text == '表单定义错误：[[blocks]] #1：label_depth 应为整数，现为 "1"'
    text = _error(inline_form, FORM_HEAD, GRID.replace("header_depth = 1", "header_depth = 0"))
    assert text == "表单定义错误：[[blocks]] #1：header_depth 应不小于 1，现为 0"
    assert "anchor 应为单元格位置，如 A3" in _error(inline_form, FORM_HEAD, GRID.replace('"A3"', '"3A"'))
    text = _error(
        inline_form, FORM_HEAD, GRID, FIELDS.replace('type = "text", required', 'type = "text", required = "no", x')
    )
    assert "[[blocks]] #2 fields[2]" in text


def test_a_rule_is_named_by_its_id_and_its_kind_gives_its_keys(inline_form: InlineForm) -> None:
    text = _error(
        inline_form, FORM_HEAD, GRID.replace('kind = "sum"\nseverity', 'kind = "sum"\nwen = "1"\nseverity', 1)
    )
    assert text.startswith("表单定义错误：[[rules]] #1（S1）：未知的键“wen”")
    text = _error(inline_form, FORM_HEAD, GRID.replace('kind = "sum"', 'kind = "summ"', 1))
    assert text == "表单定义错误：[[rules]] #1（S1）：kind“summ”未知，是否为“sum”？"


def test_the_keys_of_every_part_of_the_language_are_known(inline_form: InlineForm) -> None:
    """Typed, computed, of-which, constant and conditional cells and aggregation: a row using several
    loads, and a wrong value of one is refused at its place."""
    grid = GRID.replace('{ key = "x", path = ["一"] }', '{ key = "x", path = ["一"], type = "int", unit = "个" }')
    grid = grid.replace('{ key = "y", path = ["二"] }', '{ key = "y", path = ["二"], part_of = "x" }')
    head = FORM_HEAD.replace('name = "内联测试表"', 'name = "内联测试表"\nperiod = "quarter"')
    form = inline_form(inline_text(head, grid, FIELDS))
    assert form.unit_of("g.x.a") == "个" and form.fields["g.y.a"].part_of == "g.x.a"
    for table in ("row", "column", "field"):
        names = {k.name for k in TABLES[table]}
        assert {"type", "choices", "unit", "formula", "part_of", "value", "required_if", "aggregate"} <= names
    assert "period" in {k.name for k in TABLES["form"]}
    assert "aggregate“add”未知" in _error(
        inline_form, FORM_HEAD, GRID.replace('path = ["一"]', 'path = ["一"], aggregate = "add"')
    )


def test_every_key_has_its_type_and_description() -> None:
    for name, keys in TABLES.items():
        assert len({k.name for k in keys}) == len(keys), name
        for k in keys:
            assert k.zh and (k.type in TYPE_ZH or k.type.startswith("map:")), (name, k.name)
            assert (
                k.type not in ("table", "tables", "map:table")
                or k.table in TABLES
                or k.table in ("block", "field", "rule")
            )
    declared = {
        *COMMON_REQUIRED,
        *COMMON_OPTIONAL,
        *(n for kind in KINDS.values() for n in (*kind.required, *kind.optional)),
    }
    assert declared == set(RULE_KEYS), (
        "a rule kind declares a key xltool/form/keys.py does not describe (or the reverse)"
    )
    assert {k.name for k in rule_keys("expr") if k.required} == {*COMMON_REQUIRED, "expr", "at"}
    assert {k.name for k in TABLES["roles"]} == set(ROLE_TYPES)
    assert not any(re.search(r"[A-Za-z]{4,}Error", k.zh) for keys in TABLES.values() for k in keys)
