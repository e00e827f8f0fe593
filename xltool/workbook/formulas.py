"""Excel formulas of the template, built from the form: sums, live check cells, the summary.

Cell ranges and the verdict of one check are in form/excel.py (a rule kind builds its 校验结果 row
from them); a rule's row is its kind's (xltool/form/kinds).

Each builder has a Python twin in calc.py that computes the value Excel will show, so the cached
values written with the formulas are right (Protected View, WPS and Python readers show them).
IF is used rather than OR/AND around arithmetic: OR evaluates every argument, and a "/" typed in a
number cell would turn a whole summary into #VALUE!.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from xltool.form import expr as ex
from xltool.form.calc import (
    INCOMPLETE,
    NOT_FILLED,
    PASS,
    PREFIX,
    VERDICT_ERRORS,
    VERDICT_INCOMPLETE,
    VERDICT_NOT_FILLED,
    VERDICT_PASS,
    VERDICT_WARNINGS,
    check_leaves,
    status_text,
)
from xltool.form.excel import computed_formula, guarded, ranges
from xltool.form.kinds import kind_of
from xltool.form.kinds.base import LiveCell
from xltool.form.model import Check, Field, Form, Rule

__all__ = [
    "abs_ref", "check_formula", "overall_formula", "ranges", "rule_summary", "sum_formula", "untouched",
    "untouched_value",
]  # fmt: skip


def abs_ref(form: Form, f: Field) -> str:
    col_letters = re.sub(r"\d", "", f.cell)
    return f"'{form.sheet(f.sheet).name}'!${col_letters}${f.row + 1}"


def sum_formula(form: Form, f: Field, sheet: str) -> str:
    """A computed cell's formula body: the SUM of its parts, or its own formula."""
    if f.formula is not None:
        return computed_formula(form, f, sheet)
    return f"SUM({','.join(ranges(form, f.parts, sheet))})"


def check_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    body = guarded(form, check.expr, sheet, context, "TRUE")  # empty (a division by zero): passes
    rngs = ranges(form, check_leaves(form, check), sheet)
    n = len(check_leaves(form, check))
    inner = (
        f'IF(COUNT({",".join(rngs)})<{n},"{INCOMPLETE}",IF({body},"{PASS}","{status_text(check)}"))'
        if n
        else f'IF({body},"{PASS}","{status_text(check)}")'
    )
    if check.when is None:
        return inner
    return f'IF(NOT({ex.to_excel(check.when, lambda k: form.ref(k, sheet), context)}),"{PASS}",{inner})'


def untouched(formula: str, blank_ref: str, required: int) -> str:
    """A 校验结果 row that says 未填写 while every required number is blank (``blank_ref`` counts the
    blanks): a blank template must not read as half passed. Twin: ``untouched_value``."""
    return f'IF({blank_ref}={required},"{NOT_FILLED}",{formula})' if required else formula


def untouched_value(value: str, blanks: int, required: int) -> str:
    return NOT_FILLED if required and blanks == required else value


def overall_formula(results: str) -> str:
    """The 总体结论 formula; calc.overall_value is its Python twin (same texts, same order)."""
    err, warn = PREFIX["error"], PREFIX["warning"]
    return (
        f'IF(COUNTIF({results},"{NOT_FILLED}")=ROWS({results}),"{VERDICT_NOT_FILLED}",'
        f'IF(SUMPRODUCT(--(LEFT({results},{len(err)})="{err}"))>0,"{VERDICT_ERRORS}",'
        f'IF(SUMPRODUCT(--(LEFT({results},{len(INCOMPLETE)})="{INCOMPLETE}"))>0,"{VERDICT_INCOMPLETE}",'
        f'IF(SUMPRODUCT(--(LEFT({results},{len(warn)})="{warn}"))>0,"{VERDICT_WARNINGS}","{VERDICT_PASS}"))))'
    )


def rule_summary(rule: Rule, at: LiveCell) -> tuple[str, str]:
    """The 校验结果 row of one rule: its formula and the value Excel will show (its kind builds both)."""
    return kind_of(rule).summary(rule, at)
