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
from collections.abc import Mapping, Sequence
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
from xltool.form.excel import computed_formula, guarded, ok_formula, pending_formula, ranges
from xltool.form.kinds import kind_of
from xltool.form.kinds.base import LiveCell
from xltool.form.model import Check, Field, Form, Rule

__all__ = [
    "abs_ref", "blank_count", "check_formula", "checks_formula", "worst_status", "overall_formula", "ranges", "rule_summary", "sum_formula", "untouched",
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


def checks_formula(form: Form, checks: Sequence[Check], sheet: str, context: Mapping[str, Any]) -> str:
    """One check cell for several checks of a rule that land on it (a 其中 row's checks and a 其中
    column's meet in a table's check row): it fails when one fails, waits while one waits. Twin:
    ``worst_status``."""
    if len(checks) == 1:
        return check_formula(form, checks[0], sheet, context)
    oks = ",".join(ok_formula(form, c, sheet, context) for c in checks)
    pending = [p for c in checks if (p := pending_formula(form, c, sheet, context))]
    done = f'IF(OR({",".join(pending)}),"{INCOMPLETE}","{PASS}")' if pending else f'"{PASS}"'
    return f'IF(AND({oks}),{done},"{status_text(checks[0])}")'


def worst_status(statuses: Sequence[str]) -> str:
    """What ``checks_formula`` shows for checks showing ``statuses`` one by one."""
    failed = [s for s in statuses if s not in (PASS, INCOMPLETE)]
    return failed[0] if failed else INCOMPLETE if INCOMPLETE in statuses else PASS


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


def blank_count(form: Form, fields: Sequence[Field], sheet: str, context: Mapping[str, Any]) -> str:
    """The blank cells of ``fields`` that must be filled: COUNTBLANK over the always-required ones, and
    each one with a ``required_if`` counted while its condition holds (twin: cells.required_here).
    0 when there are none (a form without such cells: "=" alone is no formula)."""
    always = [f.key for f in fields if f.required_if is None]
    out = [f"COUNTBLANK({r})" for r in ranges(form, always, sheet)]
    for f in fields:
        if f.required_if is not None:
            cond = ex.to_excel(f.required_if, lambda k: form.ref(k, sheet), context)
            out.append(f"IF({cond},COUNTBLANK({form.ref(f.key, sheet)}),0)")
    return "+".join(out) or "0"
