"""The texts of a form that carry placeholders, checked at load against what fills each one.

A ``{name}`` that nothing fills shows as a gap (or a literal ``{name}``) in every unit's template,
report or mail, or stops the command that fills it with an internal error; so each text is checked
when the form is loaded, and the error says which placeholders that text may use. The report's
paragraphs written from the data (``[report] narratives`` and ``county``) are built here too: their
placeholders are the names of their own values.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.kinds import kind_of
from xltool.form.model import PREVIOUS, Field, Form, Narrative, Piece, ReportSpec, Rule

# What each text is filled with (workbook/write.py, report/build.py, Form.file_name).
PERIOD_NAMES = ("period", "quarter", "month")  # a form not collected yearly (form/period.py: which it can fill)
TITLE_NAMES = ("unit", "year", *PERIOD_NAMES)  # [form] title_pattern, [[sheets]] title, [guide] lines
FILE_NAMES = ("unit", "year", "name", "id", *PERIOD_NAMES)  # [form] file_pattern
# [report] preamble, published, contact
REPORT_NAMES = ("year", "unit", "regulation", "basis", "website", "phone", *PERIOD_NAMES)
COUNTY_NAMES = frozenset({"units", "all_units", "area"})  # what a county paragraph may use besides the totals
_RULE_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")  # as form/problems.py fills them
_ROLE_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def format_names(text: str, allowed: Iterable[str], where: str) -> None:
    """``text`` is filled by str.format with ``allowed``: every {name} must be one of them."""
    allowed = tuple(allowed)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise FormDefinitionError(f"表单定义错误：{where} 中有不成对的花括号；要印出花括号请写 {{{{ 或 }}}}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed:
            raise FormDefinitionError(
                f"表单定义错误：{where} 中的“{{{name}}}”不会被填写，可用的有：" + "、".join(f"{{{n}}}" for n in allowed)
            )
        if spec or conversion:
            raise FormDefinitionError(f"表单定义错误：{where} 中的占位只能写成 {{{name}}}")


def check_form_texts(form: Form) -> None:
    """The titles, file name, guide, subtitle and report texts of a loaded form."""
    format_names(form.title_pattern, TITLE_NAMES, "[form] title_pattern")
    format_names(form.file_pattern, FILE_NAMES, "[form] file_pattern")
    for n, sheet in enumerate(form.sheets, 1):
        format_names(sheet.title, TITLE_NAMES, f"[[sheets]] #{n} title")
    for n, line in enumerate(form.guide, 1):
        format_names(line, TITLE_NAMES, f"[guide] lines[{n}]")
    roles = tuple(r for r in form.roles if form.role(r))
    for name in _ROLE_PLACEHOLDER.findall(form.template.subtitle):
        if name not in roles and name not in PERIOD_NAMES:  # the period is filled in as text
            allowed = "、".join(f"{{{r}}}" for r in roles) or "无（表单没有 [roles]）"
            raise FormDefinitionError(
                f"表单定义错误：[template] subtitle 中的“{{{name}}}”不是 [roles] 中的角色，可用的有：{allowed}"
            )
    for key in ("preamble", "published", "contact"):
        format_names(getattr(form.report, key), REPORT_NAMES, f"[report] {key}")


def check_rule_placeholders(rules: tuple[Rule, ...], fields: Mapping[str, Field]) -> None:
    """A {name} in a rule's message or fix that nothing fills would show as a gap to every unit."""
    for rule in rules:
        kind = kind_of(rule)
        allowed = kind.placeholders(rule)
        for text in (rule.message, rule.fix):
            for name in _RULE_PLACEHOLDER.findall(text):
                key = name.removeprefix(PREVIOUS)
                if name not in allowed and not (kind.field_placeholders and key in fields):
                    raise FormDefinitionError(
                        f"表单定义错误：规则 {rule.id} 的说明中的“{{{name}}}”不会被填写，"
                        f"可用的有：{'、'.join(sorted(allowed))}" + ("及字段键" if kind.field_placeholders else "")
                    )


# ------------------------------------------------------------------ [report]
def load_report(spec: Mapping[str, Any], fields: Mapping[str, Field]) -> ReportSpec:
    keys = ("preamble", "published", "contact", "renumber")
    return ReportSpec(
        **{k: spec.get(k, "") for k in keys},
        narratives=_narratives(spec.get("narratives", ()), fields, frozenset(), "[report] narratives"),
        county=_narratives(spec.get("county", ()), fields, COUNTY_NAMES, "[report] county"),
    )


def _narratives(specs: Any, fields: Mapping[str, Field], names: frozenset[str], where: str) -> tuple[Narrative, ...]:
    narratives = []
    for i, n in enumerate(specs, 1):
        at = f"{where}[{i}]"
        if n["field"] not in fields:
            raise FormDefinitionError(f"表单定义错误：{at}：自动成文的段落引用了不存在的字段“{n['field']}”")
        values = {name: _parse(text, f"{at} values.{name}") for name, text in n["values"].items()}
        for name, e in values.items():
            unknown = [k for k in e.fields if k not in fields]
            if unknown:
                raise FormDefinitionError(f"表单定义错误：{at}：自动成文的数值 {name} 引用了不存在的字段“{unknown[0]}”")
            strange = [k for k in e.names if k not in names]
            if strange:
                raise FormDefinitionError(f"表单定义错误：{at}：自动成文的数值 {name} 引用了未知的名称“{strange[0]}”")
        known = {"year", *PERIOD_NAMES, *values, *names}
        pieces = tuple(_piece(p, known, f"{at} pieces[{j}]") for j, p in enumerate(n["pieces"], 1))
        narratives.append(Narrative(n["field"], values, pieces))
    return tuple(narratives)


def _piece(p: Mapping[str, Any], names: set[str], at: str) -> Piece:
    when = _parse(p["when"], f"{at} when") if p.get("when") else None
    if when is not None and (
        bad := [n for n in when.names if n not in names - {"year", *PERIOD_NAMES}] + list(when.fields)
    ):
        raise FormDefinitionError(f"表单定义错误：{at}：自动成文的条件引用了未定义的数值“{bad[0]}”")
    format_names(p.get("text", ""), sorted(names), f"{at} text")
    items = tuple(_piece(item, names, f"{at} list[{k}]") for k, item in enumerate(p.get("list", ()), 1))
    return Piece(when, p.get("text", ""), items, p.get("join", ""))


def _parse(text: str, at: str) -> ex.Expr:
    try:
        return ex.parse(text)
    except FormDefinitionError as err:
        raise FormDefinitionError(str(err).replace("表单定义错误：", f"表单定义错误：{at}：", 1)) from None
