"""Problems found in a return: one catalogue (the rules of the form definition), stable codes.

A Problem names the place first (sheet, cell, the row and column labels a person sees), then what is
wrong, then how to fix it. Messages are templates in the form definition; ``make_problem`` fills
them, so tests compare codes and cells, never copied prose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xltool.form.model import SEVERITY_ZH, Form, Rule

__all__ = ["SEVERITY_ZH", "Problem", "escalate", "generic", "make_problem"]


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error" | "warning"
    message: str
    fix: str = ""
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    value: Any = None
    row_label: str = ""
    col_label: str = ""
    rule: str = ""
    explanation: str = ""
    refs: tuple[str, ...] = ()  # cells of the table a narrative finding was compared with

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule or None,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "field": self.field,
            "value": _jsonable(self.value),
            "message": self.message,
            "fix": self.fix,
            "explanation": self.explanation or None,
        }

    def place(self) -> str:
        """工作表“表三 依申请公开” 单元格 D12（行：…；列：…）"""
        if not self.sheet:
            return ""
        where = f"工作表“{self.sheet}”"
        if self.cell:
            where += f" 单元格 {self.cell}"
        if self.row_label and not self.col_label:  # a label/value item, not a table cell
            return where + f"（栏目：{self.row_label}）"
        labels = "；".join(
            x
            for x in (
                f"行：{self.row_label}" if self.row_label else "",
                f"列：{self.col_label}" if self.col_label else "",
            )
            if x
        )
        return where + (f"（{labels}）" if labels else "")

    def line(self) -> str:
        """【B1】工作表“…” 单元格 D30（行：…；列：…）：what is wrong（填写值：…）。how to fix"""
        place = self.place()
        text = f"【{self.code}】" + (f"{place}：" if place else "") + self.message.rstrip("。")
        if self.value is not None and self.value != "":
            text += f"（填写值：{_show(self.value)}）"
        text += "。" + self.fix
        if self.explanation:
            text += f"【单位说明：{self.explanation}】"
        return text


def make_problem(form: Form, rule_id: str, field: str | None = None, value: Any = None, **params: Any) -> Problem:
    """Fill the rule's message and fix with ``params`` and place it at ``field``'s cell."""
    rule = form.rule(rule_id)
    f = form.fields.get(field) if field else None
    ctx: dict[str, Any] = dict(params)
    percent = f is not None and f.type == "percent"  # its numbers (value, expected, min…) are ratios
    ctx.update(
        value=_show(value, percent) if value is not None else "",
        column=f.col_label if f else "",
        row=f.row_label if f else "",
    )
    for k, v in params.items():
        own = form.fields.get(k.removeprefix("prev."))  # a field key's value: that field's own type
        ctx[k] = _show(v, own.type == "percent" if own is not None else percent)
    return Problem(
        code=rule.code,
        severity=rule.severity,
        message=_fill(rule.message, ctx),
        fix=_fill(rule.fix, ctx),
        sheet=form.sheet(f.sheet).name if f else params.get("sheet"),
        cell=f.cell if f else params.get("cell"),
        field=field,
        value=value,
        row_label=f.row_label if f and f.grid else (f.label if f else ""),
        col_label=f.col_label if f and f.grid else "",
        rule=rule.id,
    )


# What a placeholder stands for when no problem fills it (``xltool rules``); a rule's own ``blanks``
# and its text parameters (F6's correct document number) come first.
GENERIC = {
    "template_year": "模板的年度",
    "year": "报告年度",
    "value": "填写值",
    "found": "实际内容",
    "expected": "应有的内容",
    "label": "这一项",
    "choices": "下拉列表中的选项",
    "number": "相应数字",
    "detail": "具体情况",
    "correct": "正确的内容",
    "median": "同类单位的中位数",  # peer checks (G1)
    "low": "同类单位的最小值",
    "high": "同类单位的最大值",
    "peers": "同类单位数",
}
GENERIC_OTHER = "相应内容"


def generic(template: str, rule: Rule) -> str:
    """A rule's message or fix without a problem to fill it: every placeholder in readable words
    ("请改用本次收集的年度下发的模板"), never a bare "{expected}" or "…"."""
    words = {k: v for k, v in rule.params.items() if isinstance(v, str)}

    def word(m: re.Match[str]) -> str:
        name = m.group(1)
        return str(rule.blanks.get(name) or words.get(name) or GENERIC.get(name, GENERIC_OTHER))

    filled = _PLACEHOLDER.sub(lambda m: "\0" + word(m) + "\0", template)
    return filled.replace("\0 ", "").replace(" \0", "").replace("\0", "")  # "改用 {year} 年度": no gap left


def escalate(problem: Problem) -> Problem:
    """A warning the county treats as an error (--strict)."""
    return replace(problem, severity="error")


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def _fill(template: str, ctx: Mapping[str, Any]) -> str:
    """Replace {name} and dotted {t2.rules.issued} placeholders; unknown ones become empty."""
    return _PLACEHOLDER.sub(lambda m: str(ctx.get(m.group(1), "")), template)


SHOWN = 500  # characters of one value in a message: a 100 KB unit name must not make a 100 KB line


def _show(v: Any, percent: bool = False) -> str:
    if v is None:
        return "（无法计算）"  # a number behind it is blank or not a number: never "None"
    if percent and isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return shown_percent(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.15g}"  # what an office suite shows: never 85.99999999999999
    text = str(v)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}…（共 {len(text):,} 个字符）"


def shown_percent(ratio: float) -> str:
    """A ratio as people write it: 0.985 -> "98.5%" (never "0.985" or "0.985%")."""
    d = (Decimal(repr(float(ratio))) * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    return f"{d:f}%"


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)
