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
from xltool.form.computed import depends_on
from xltool.form.model import PLACES, SEVERITY_ZH, Check, Form

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
        deps = depends_on(f)
        out: dict[str, None] = {}
        for part in deps:
            out.update(dict.fromkeys(leaves(form, part)))
        memo[key] = tuple(out) if f.parts or f.formula is not None else (key,)
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


def totals(form: Form, values: Mapping[str, Any]) -> dict[str, float | None]:
    """Every computed field (sums and formulas) from the inputs, as the office suite computes it: a
    blank or text counts as 0 in a sum; a formula is empty (None) on a division by zero or text."""
    return {k: v for k, (v, _) in compute(*form_computed(form), values).items()}


def complete_totals(form: Form, values: Mapping[str, Any]) -> dict[str, float | None]:
    """Totals for reading and reporting: None where an input behind the total is not a number,
    so a blank never shows up as 0 in a message, a check or a report."""
    return {k: v if ok else None for k, (v, ok) in compute(*form_computed(form), values).items()}


def form_computed(form: Form) -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, ex.Expr]]:
    """(sum -> its parts, formula cell -> its expression) of the form, worked out once."""
    memo = form.memo
    if "computed" not in memo:
        memo["computed"] = (
            {f.key: f.parts for f in form.fields.values() if f.parts},
            {f.key: f.formula for f in form.fields.values() if f.formula is not None},
        )
    return memo["computed"]  # type: ignore[no-any-return,unused-ignore]


def compute(
    parts: Mapping[str, tuple[str, ...]], formulas: Mapping[str, ex.Expr], values: Mapping[str, Any]
) -> dict[str, tuple[float | None, bool]]:
    """computed key -> (its value, whether every input behind it is a number), each worked out once in
    dependency order (a sum of formula cells and a formula of sums both work). Excel's semantics: SUM
    skips blanks, text and "" (an empty formula); arithmetic takes a blank as 0, text or "" as an error,
    which the template's IFERROR shows as "" — here None."""
    done: dict[str, tuple[float | None, bool]] = {}

    def get(key: str) -> tuple[float | None, bool]:
        if key in done:
            return done[key]
        if key in formulas:
            done[key] = _formula(formulas[key], get, values, parts.keys() | formulas.keys())
        else:
            acc: float = 0
            complete = True
            for part in parts[key]:
                if part in parts or part in formulas:
                    v, ok = get(part)
                    acc, complete = acc + (v or 0), complete and ok
                elif is_number(value := values.get(part)):
                    acc += value
                else:
                    complete = False
            done[key] = (acc, complete)
        return done[key]

    for key in (*parts, *formulas):
        get(key)
    return done


def _formula(expr: ex.Expr, get: Any, values: Mapping[str, Any], computed: Any) -> tuple[float | None, bool]:
    complete = True

    def value(key: str) -> Any:
        nonlocal complete
        if key in computed:
            v, ok = get(key)
            complete = complete and ok
            return v
        v = values.get(key)
        if is_number(v):
            return v
        complete = False
        return 0 if v is None or v == "" else None  # a blank is 0 in arithmetic, text an error

    try:
        result = ex.evaluate(expr, value, {})
    except (TypeError, ValueError, ArithmeticError):  # text in arithmetic: #VALUE! in Excel
        result = None
    return (result if is_number(result) else None), complete


def same_number(a: Any, b: Any, ftype: str) -> bool:
    """Whether two values of a cell of this type are the same number: compared at the type's decimal
    places (model.PLACES), else at the 15 significant digits an office suite keeps."""
    if not (is_number(a) and is_number(b)):
        return a == b or (a in (None, "") and b in (None, ""))
    places = PLACES.get(ftype)
    if places is None:
        return a == b or float(f"{a:.15G}") == float(f"{b:.15G}")
    return bool(ex.round_half_up(a, places) == ex.round_half_up(b, places))


def scalar_lookup(form: Form, values: Mapping[str, Any], computed: Mapping[str, float | None]) -> Any:
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
    computed: Mapping[str, float | None] | None = None,
) -> str:
    """The text a live check cell shows for these inputs."""
    computed = totals(form, values) if computed is None else computed
    value = scalar_lookup(form, values, computed)
    if check.when is not None and not ex.evaluate(check.when, value, context):
        return PASS
    if not all(is_number(values.get(k)) for k in check_leaves(form, check)):
        return INCOMPLETE
    holds = ex.evaluate(check.expr, value, context)
    return PASS if holds or holds is None else status_text(check)  # None: empty, cannot be judged
