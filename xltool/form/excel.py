"""Excel formula pieces built from form data alone: cell ranges and the verdict of one check.

They live below workbook/ because a rule kind (xltool/form/kinds) builds its live check cell from
them; workbook/formulas.py assembles the template's formulas on top. IF is used rather than
OR/AND around arithmetic: OR evaluates every argument, and a "/" typed in a number cell would turn
a whole summary into #VALUE!.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from xltool.form import expr as ex
from xltool.form.calc import check_leaves
from xltool.form.layout import a1
from xltool.form.model import Check, Field, Form


def value_ref(form: Form, sheet: str) -> Callable[[str], str]:
    """Cell references for an expression: a computed cell that shows "" (a division by zero) becomes
    #N/A, so whatever is computed from it is an error the caller's IFERROR turns into empty — as the
    scalar evaluation propagates None (a bare "" would compare as text instead)."""

    def ref(key: str) -> str:
        r = form.ref(key, sheet)
        f = form.fields.get(key)
        return f"IF(ISNUMBER({r}),{r},NA())" if f is not None and f.formula is not None else r

    return ref


def may_be_empty(form: Form, expr: ex.Expr) -> bool:
    """Whether an expression can be empty: it divides, or reads a computed cell that can."""
    return expr.divides or any(k in form.fields and form.fields[k].formula is not None for k in expr.fields)


def guarded(form: Form, expr: ex.Expr, sheet: str, context: Mapping[str, Any], empty: str) -> str:
    """The expression in Excel, showing ``empty`` where it is empty (IFERROR only where it can be)."""
    body = ex.to_excel(expr, value_ref(form, sheet), context)
    return f"IFERROR({body},{empty})" if may_be_empty(form, expr) else body


def computed_formula(form: Form, f: Field, sheet: str) -> str:
    """A computed cell's formula body: "" where its value is empty (calc.compute gives None)."""
    assert f.formula is not None
    return guarded(form, f.formula, sheet, {}, '""')


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


def ok_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    """TRUE unless the check fails on complete inputs. IF, not OR: OR evaluates every argument,
    and arithmetic on a "/" typed in a number cell would turn the whole summary into #VALUE!."""
    ref = lambda k: form.ref(k, sheet)  # noqa: E731
    formula = guarded(form, check.expr, sheet, context, "TRUE")
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
