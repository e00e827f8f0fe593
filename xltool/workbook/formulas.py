"""Excel formulas of the template, built from the form: sums, live check cells, the summary.

Each builder has a Python twin in calc.py that computes the value Excel will show, so the cached
values written with the formulas are right (Protected View, WPS and Python readers show them).
IF is used rather than OR/AND around arithmetic: OR evaluates every argument, and a "/" typed in a
number cell would turn a whole summary into #VALUE!.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
    check_status,
    is_number,
    status_text,
)
from xltool.form.layout import a1
from xltool.form.model import Check, Field, Form, Rule


def abs_ref(form: Form, f: Field) -> str:
    col_letters = re.sub(r"\d", "", f.cell)
    return f"'{form.sheet(f.sheet).name}'!${col_letters}${f.row + 1}"


def ranges(form: Form, keys: Iterable[str], from_sheet: str) -> list[str]:
    """Compact cells into as few rectangular ranges as possible (per sheet), sheet-qualified."""
    by_sheet: dict[str, set[tuple[int, int]]] = {}
    for k in keys:
        f = form.fields[k]
        by_sheet.setdefault(f.sheet, set()).add((f.row, f.col))
    out = []
    for sheet, cells in by_sheet.items():
        prefix = "" if sheet == from_sheet else f"'{form.sheet(sheet).name}'!"
        out += [prefix + r for r in _rects(cells)]
    return out


def _rects(cells: set[tuple[int, int]]) -> list[str]:
    """Greedy: row runs, then merge identical runs on consecutive rows into rectangles."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for r in sorted({r for r, _ in cells}):
        cols = sorted(c for rr, c in cells if rr == r)
        start = prev = cols[0]
        for c in cols[1:]:
            if c != prev + 1:
                runs.setdefault(r, []).append((start, prev))
                start = c
            prev = c
        runs.setdefault(r, []).append((start, prev))
    rects: list[list[int]] = []  # [r0, r1, c0, c1]
    for r in sorted(runs):
        for c0, c1 in runs[r]:
            for rect in rects:
                if rect[1] == r - 1 and rect[2] == c0 and rect[3] == c1:
                    rect[1] = r
                    break
            else:
                rects.append([r, r, c0, c1])
    return [a1(r0, c0) if (r0, c0) == (r1, c1) else f"{a1(r0, c0)}:{a1(r1, c1)}" for r0, r1, c0, c1 in rects]


def sum_formula(form: Form, f: Field, sheet: str) -> str:
    return f"SUM({','.join(ranges(form, f.parts, sheet))})"


def check_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    body = ex.to_excel(check.expr, lambda k: form.ref(k, sheet), context)
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


def ok_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    """TRUE unless the check fails on complete inputs. IF, not OR: OR evaluates every argument,
    and arithmetic on a "/" typed in a number cell would turn the whole summary into #VALUE!."""
    ref = lambda k: form.ref(k, sheet)  # noqa: E731
    formula = ex.to_excel(check.expr, ref, context)
    n = len(check_leaves(form, check))
    if n:
        formula = f"IF(COUNT({','.join(ranges(form, check_leaves(form, check), sheet))})<{n},TRUE,{formula})"
    if check.when is not None:
        formula = f"IF({ex.to_excel(check.when, ref, context)},{formula},TRUE)"
    return formula


def pending_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    """TRUE while an applicable check still has blank inputs ("" when it has no numeric inputs)."""
    n = len(check_leaves(form, check))
    if not n:
        return ""
    formula = f"COUNT({','.join(ranges(form, check_leaves(form, check), sheet))})<{n}"
    if check.when is not None:
        formula = f"IF({ex.to_excel(check.when, lambda k: form.ref(k, sheet), context)},{formula},FALSE)"
    return formula


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


def rule_summary(
    form: Form,
    rule: Rule,
    sheet: str,
    blank_ref: str,
    values: Mapping[str, Any],
    context: Mapping[str, Any],
    computed: Mapping[str, float],
) -> tuple[str, str]:
    """The 校验结果 row of one rule: its formula and the value Excel will show for ``values``."""
    fail = f"{PREFIX[rule.severity]} {rule.code}：{rule.brief}"
    if rule.kind == "filled":
        blanks = sum(1 for f in form.numeric_inputs if f.required and values.get(f.key) in (None, ""))
        # While staff are still typing, blanks are "not finished", not an error.
        formula = f'IF({blank_ref}=0,"{PASS}","{INCOMPLETE}：还有"&{blank_ref}&"个数字单元格未填写（{rule.code}）")'
        return (
            formula,
            PASS if blanks == 0 else f"{INCOMPLETE}：还有{blanks}个数字单元格未填写（{rule.code}）",
        )
    if rule.kind == "type":
        keys = [f.key for f in form.numeric_inputs if f.type in rule.types]
        rngs = ranges(form, keys, sheet)
        whole = "int" in rule.types
        terms = [f"COUNTA({','.join(rngs)})-COUNT({','.join(rngs)})"]  # text in number cells
        terms += [f'COUNTIF({r},"<0")' for r in rngs]
        if whole:  # fractions in count cells; IFERROR keeps text from turning this into #VALUE!
            terms += [f"SUMPRODUCT(--(IFERROR(MOD({r},1),0)<>0))" for r in rngs]
        bad = "(" + "+".join(terms) + ")"
        n_bad = sum(
            1
            for k in keys
            if (v := values.get(k)) not in (None, "")
            and (not is_number(v) or v < 0 or (whole and not float(v).is_integer()))
        )
        return f'IF({bad}=0,"{PASS}","{fail}")', PASS if n_bad == 0 else fail
    checks = [c for c in form.checks if c.rule.id == rule.id]
    oks = ",".join(ok_formula(form, c, sheet, context) for c in checks)
    pending = [p for c in checks if (p := pending_formula(form, c, sheet, context))]
    done = f'IF(OR({",".join(pending)}),"{INCOMPLETE}","{PASS}")' if pending else f'"{PASS}"'
    formula = f'IF(AND({oks}),{done},"{fail}")'
    statuses = [check_status(form, c, values, context, computed) for c in checks]
    if any(st.startswith(PREFIX[rule.severity]) for st in statuses):
        return formula, fail
    return formula, INCOMPLETE if INCOMPLETE in statuses else PASS
