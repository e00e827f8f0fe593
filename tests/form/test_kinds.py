"""The registry of rule kinds: every kind a form or the catalogue uses is registered, each kind
checks its keys when the form loads (naming the rule and the key, in Chinese), and a loaded rule
carries its kind object."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from xltool.errors import FormDefinitionError
from xltool.form.catalogue import CATALOGUE, rule_from
from xltool.form.kinds import KINDS, kind_of
from xltool.form.loader import load_form
from xltool.form.model import workbook_rules

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = [
    CATALOGUE,
    *sorted(ROOT.glob("workbook_templates/*/form.toml")),
    *sorted(ROOT.glob("tests/forms/*/form.toml")),
]
FORMS = [p for p in DEFINITIONS if p != CATALOGUE]
COMMON = {"code": "X1", "severity": "error", "title": "标题", "brief": "简述", "message": "说明", "fix": "修改"}
# The least each kind takes: a rule of that kind with these keys loads.
MINIMAL: dict[str, dict[str, Any]] = {
    "filled": {},
    "type": {"types": ["int"]},
    "sum": {},
    "expr": {"expr": "a.b == 0", "at": "a.b"},
    "cross_year": {"expr": "a.b == prev.a.b", "at": "a.b"},
    "range": {"at": "a.b", "max": 1},
    "part_of": {},
    "text": {"check": "enumeration", "params": {"texts": []}},
    "file": {},
    "read": {},
    "import": {"code_from": "filled"},
    "peer": {"fields": ["a.b"]},
    "history": {"fields": ["a.b"]},
}


def rule(kind: str, **keys: Any) -> dict[str, Any]:
    return {**COMMON, "kind": kind, **MINIMAL[kind], **keys}


def kinds_written(path: Path) -> set[str]:
    return {r["kind"] for r in tomllib.loads(path.read_text(encoding="utf-8")).get("rules", ()) if "kind" in r}


def test_every_kind_has_a_minimal_rule_here() -> None:
    assert set(MINIMAL) == set(KINDS)


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.parent.name)
def test_every_kind_a_definition_uses_is_registered(path: Path) -> None:
    assert kinds_written(path) <= set(KINDS)


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_a_minimal_rule_of_each_kind_is_accepted(kind: str) -> None:
    r = rule_from(rule(kind))
    assert (r.kind, r.spec) == (kind, KINDS[kind])


@pytest.mark.parametrize(
    ("kind", "key"),
    [(k, key) for k, spec in KINDS.items() for key in spec.required] + [("expr", "message"), ("file", "fix")],
)
def test_a_missing_key_names_the_rule_and_the_key(kind: str, key: str) -> None:
    r = rule(kind)
    del r[key]
    with pytest.raises(FormDefinitionError, match=f"表单定义错误：规则 X1 缺少 {key}$"):
        rule_from(r)


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_an_unknown_key_names_the_rule_the_kind_and_the_key(kind: str) -> None:
    with pytest.raises(FormDefinitionError, match=f'表单定义错误：规则 X1（kind = "{kind}"）不认识 colour'):
        rule_from(rule(kind, colour="红"))


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [("expr", "types", ["int"]), ("filled", "expr", "a.b == 0"), ("text", "at", "a.b"), ("sum", "for", {"c": ["x"]})],
)
def test_a_key_of_another_kind_is_refused(kind: str, key: str, value: Any) -> None:
    with pytest.raises(FormDefinitionError, match=f'规则 X1（kind = "{kind}"）不认识 {key}'):
        rule_from(rule(kind, **{key: value}))


@pytest.mark.parametrize(
    ("r", "error"),
    [
        (rule("type", types=["text"]), "规则 X1 的 types 应为数字类型的列表"),
        (rule("cross_year", expr="a.b == prev.a.b", at=None), "规则 X1 缺少 at"),
        ({**rule("cross_year"), "expr": None, "at": None}, "规则 X1 缺少 expr 或 check"),
        (rule("import", code_from="text"), "规则 X1 的 code_from“text”未知"),
        (rule("expr", **{"for": {"c": ["x"], "d": ["y"]}}), "规则 X1 的 for 应写成一项"),
        (rule("peer", fields="a.b"), "规则 X1 的 fields 应为字段键的列表"),
        (rule("peer", z=-1), "规则 X1 的 z 应为不小于 0 的数字"),
        (rule("peer", groups="town"), '规则 X1 的 groups 只能是 "unit_type" 或 ""'),
        (rule("history", factor=True), "规则 X1 的 factor 应为不小于 0 的数字"),
    ],
)
def test_a_kind_checks_the_values_of_its_keys(r: dict[str, Any], error: str) -> None:
    r = {k: v for k, v in r.items() if v is not None}
    with pytest.raises(FormDefinitionError, match=error):
        rule_from(r)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.parent.name)
def test_every_loaded_rule_carries_its_kind(path: Path) -> None:
    form = load_form(path)
    assert all(r.spec is kind_of(r) is KINDS[r.kind] for r in form.rules)
    assert [r.id for r in workbook_rules(form)] == [r.id for r in form.rules if KINDS[r.kind].in_workbook]


def test_import_rules_take_codes_only_from_kinds_that_give_them() -> None:
    givers = {name for name, k in KINDS.items() if k.gives_import_code}
    assert givers == {"filled", "type", "sum"}
    catalogue = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert {r["code_from"] for r in catalogue["rules"] if "code_from" in r} <= givers


def test_a_load_error_through_the_whole_loader(inline_form: Any) -> None:
    form = """\
        [form]
        id = "k"
        version = "1"
        name = "小表"

        [[sheets]]
        key = "main"
        name = "表"

        [types.int]

        [[blocks]]
        kind = "fields"
        sheet = "main"
        anchor = "A1"
        fields = [{ key = "a.b", label = "件数", type = "int" }]

        [[rules]]
        code = "K9"
        kind = "expr"
        severity = "error"
        title = "件数为 0"
        brief = "件数不为 0"
        message = "件数为 {lhs}。"
        fix = "请核对。"
        expr = "a.b == 0"
        at = "a.b"
        check = "years"
        """
    with pytest.raises(
        FormDefinitionError,
        match=re.escape(
            '[[rules]] #1（K9）：kind = "expr" 的规则不认识键“check”，此类规则另可写的有：expr、at、when、for'
        ),
    ):
        inline_form(form)
    assert inline_form(form.replace('check = "years"\n', "")).rule("K9").spec is KINDS["expr"]
