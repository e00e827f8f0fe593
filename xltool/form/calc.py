"""Compute what the workbook's formulas compute, from input values, the way Excel does.

Used to write correct cached values into the template (Protected View, WPS and every Python reader
show cached values) and, later, to recompute totals from a return's inputs instead of trusting the
cached values it carries. Excel semantics: a blank counts as 0 in a sum; a check that still has
blank inputs says "未填完" rather than pretending to pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from xltool.form import expr as ex
from xltool.form.model import SEVERITY_ZH, Check, Form

PASS = "通过"
INCOMPLETE = "未填完"
NOT_FILLED = "未填写"  # every row of 校验结果 while no number at all is typed: a blank template passes nothing
PREFIX = SEVERITY_ZH  # a failing check cell starts with its severity: "错误 B1：…", "警告 D4：…"
# The verdict of the whole workbook (校验结果 总体结论), in the order they are decided.
VERDICT_ERRORS = "未通过：请按上面标“错误”的项目修改"
VERDICT_INCOMPLETE = "尚未填完"
VERDICT_NOT_FILLED = "尚未填写：这是空白模板"
VERDICT_WARNINGS = "有警告：请逐项确认，属实的在下方情况说明中写明"
# The sheet checks the tables only: it never says "可以报送" about the text it did not check.
VERDICT_PASS = "表格全部通过；报告文字在报送后由县里检查"


def overall_value(statuses: Sequence[str]) -> str:
    """The verdict Excel's overall formula (workbook/formulas.py) shows for these check cells."""
    if statuses and all(s == NOT_FILLED for s in statuses):
        return VERDICT_NOT_FILLED
    if any(s.startswith(PREFIX["error"]) for s in statuses):
        return VERDICT_ERRORS
    if any(s.startswith(INCOMPLETE) for s in statuses):
        return VERDICT_INCOMPLETE
    if any(s.startswith(PREFIX["warning"]) for s in statuses):
        return VERDICT_WARNINGS
    return VERDICT_PASS


def is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def status_text(check: Check) -> str:
    """What a failing check cell shows, e.g. "错误 B1：不平衡"."""
    return f"{PREFIX[check.rule.severity]} {check.rule.code}：{check.rule.brief}"


def leaves(form: Form, key: str) -> tuple[str, ...]:
    """The input fields a field depends on (itself when it is an input)."""
    memo = form.memo.setdefault("leaves", {})
    if key not in memo:
        f = form.fields[key]
        out: dict[str, None] = {}
        for part in f.parts:
            out.update(dict.fromkeys(leaves(form, part)))
        memo[key] = tuple(out) if f.parts else (key,)
    return memo[key]  # type: ignore[no-any-return,unused-ignore]


def check_leaves(form: Form, check: Check) -> tuple[str, ...]:
    """Numeric inputs of this year behind a check: it says "未填完" until they all hold numbers."""
    memo = form.memo.setdefault("check_leaves", {})
    if id(check) not in memo:
        out: dict[str, None] = {}
        for key in check.expr.fields:
            if key in form.fields and form.fields[key].numeric:  # "prev." keys are last year's
                out.update(dict.fromkeys(leaves(form, key)))
        memo[id(check)] = tuple(out)
    return memo[id(check)]  # type: ignore[no-any-return,unused-ignore]


def totals(form: Form, values: Mapping[str, Any]) -> dict[str, float]:
    """Every formula field recomputed from inputs (blank or text counts as 0, as in Excel's SUM)."""
    out: dict[str, float] = {}
    for f in form.fields.values():
        if f.parts:
            total: float = 0
            for k in leaves(form, f.key):
                v = values.get(k)
                if is_number(v):
                    total += v
            out[f.key] = total
    return out


def complete_totals(form: Form, values: Mapping[str, Any]) -> dict[str, float | None]:
    """Totals for reading and reporting: None where an input behind the total is not a number,
    so a blank never shows up as 0 in a message, a check or a report."""
    sums: dict[str, float | None] = dict(totals(form, values))
    for key in sums:
        if not all(is_number(values.get(k)) for k in leaves(form, key)):
            sums[key] = None
    return sums


def scalar_lookup(form: Form, values: Mapping[str, Any], computed: Mapping[str, float]) -> Any:
    def value(key: str) -> Any:
        if key in computed:
            return computed[key]
        v = values.get(key)
        if v is None:
            return 0 if form.fields[key].numeric else ""
        return v

    return value


def check_status(
    form: Form,
    check: Check,
    values: Mapping[str, Any],
    context: Mapping[str, Any],
    computed: Mapping[str, float] | None = None,
) -> str:
    """The text a live check cell shows for these inputs."""
    computed = totals(form, values) if computed is None else computed
    value = scalar_lookup(form, values, computed)
    if check.when is not None and not ex.evaluate(check.when, value, context):
        return PASS
    if not all(is_number(values.get(k)) for k in check_leaves(form, check)):
        return INCOMPLETE
    return PASS if ex.evaluate(check.expr, value, context) else status_text(check)
