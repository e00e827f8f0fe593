"""Computed cells in the definition: ``formula`` on a grid row (over row keys, per column), a grid
column (over column keys, per row) and a field (over field keys); load errors name the place; the
expression language's / round min max abs if, the same on scalars, on columns and in Excel."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from tests.form.conftest import InlineForm
from tests.forms.computed import GOOD, RATES
from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.calc import complete_totals, compute, leaves, totals


def test_row_column_and_field_formulas_become_locked_computed_cells(inline_form: InlineForm) -> None:
    form = inline_form(RATES)
    rate = form.fields["h.rate.q1"]
    assert (rate.kind, rate.parts, rate.editable, rate.formula and rate.formula.text) == (
        "formula", (), False, "h.done.q1 / h.received.q1",
    )  # fmt: skip
    assert form.fields["h.rate.total"].formula.text == "h.done.total / h.received.total"  # type: ignore[union-attr]
    assert form.fields["k.b.pct"].formula.text == "k.b.got / k.b.full"  # type: ignore[union-attr]
    assert form.fields["fn.cond"].formula.text == "if(x.a > x.b, x.a - x.b, 0)"  # type: ignore[union-attr]
    assert leaves(form, "rate.all") == ("h.done.q1", "h.done.q2", "h.received.q1", "h.received.q2")
    assert "h.rate.q1" not in {f.key for f in form.inputs}


def test_formulas_are_computed_in_dependency_order(inline_form: InlineForm) -> None:
    form = inline_form(RATES)
    computed = totals(form, GOOD)
    assert (computed["h.done.total"], computed["rate.all"], computed["h.rate.q2"]) == (197, 0.985, None)
    blank = complete_totals(form, {**GOOD, "h.done.q2": None})
    assert blank["rate.all"] is None and blank["h.rate.q1"] == 0.985


def test_a_sum_of_formula_cells_and_a_formula_of_sums() -> None:
    parts = {"g.t": ("g.x", "g.y"), "g.u": ("g.x", "g.q")}
    formulas = {"g.y": ex.parse("g.x * 2"), "g.r": ex.parse("g.t / g.x"), "g.q": ex.parse("g.x / g.z")}
    done = compute(parts, formulas, {"g.x": 3, "g.z": 0})
    assert done["g.t"] == (9, True) and done["g.r"] == (3, True)
    assert done["g.u"] == (3, True)  # SUM skips an empty cell, as Excel's SUM skips ""
    assert compute(parts, formulas, {"g.x": None, "g.z": 1})["g.r"] == (None, False)  # 0 / 0, a blank behind


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            'formula = "done / received"',
            'formula = "done / recieved"',
            "表格 h 行“rate”的公式“done / recieved”引用了不存在的键“recieved”",
        ),
        (
            'formula = "got / full"',
            'formula = "got / h.done.q1"',
            "表格 k 列“pct”的公式“got / h.done.q1”引用了不存在的键",
        ),
        ('formula = "round(x.c, 1)"', 'formula = "round(x.d, 1)"', "公式单元格 fn.round 引用了不存在的字段“x.d”"),
        ('formula = "round(x.c, 1)"', 'formula = "round(fn.round, 1)"', "公式单元格循环引用：fn.round → fn.round"),
        ('formula = "round(x.c, 1)"', 'formula = "fn.min + 1"', "公式单元格循环引用"),
        ('formula = "round(x.c, 1)"', 'formula = "round(x.c, x.a)"', "round() 的小数位数应为整数"),
        ('formula = "round(x.c, 1)"', 'formula = "sqrt(x.c)"', "只能调用 round、min、max、abs、if"),
        ('formula = "round(x.c, 1)"', 'formula = "x.c ** 2"', "不支持该运算"),
    ],
)
def test_formula_mistakes_are_load_errors_with_the_place(
    inline_form: InlineForm, old: str, new: str, error: str
) -> None:
    assert old in RATES
    text = RATES.replace(old, new, 1)
    if new.startswith('formula = "fn.min'):  # a cycle through two cells: fn.round -> fn.min -> fn.round
        text = text.replace('formula = "min(x.a, x.b, 3)"', 'formula = "min(fn.round, 3)"')
    with pytest.raises(FormDefinitionError, match="表单定义错误：.*" + re.escape(error)):
        inline_form(text)


def test_a_row_formula_crossing_a_column_formula_is_refused(inline_form: InlineForm) -> None:
    text = RATES.replace('{ key = "b", path = ["乙"] }', '{ key = "b", path = ["乙"], formula = "a" }')
    with pytest.raises(FormDefinitionError, match="表格 k 的行“b”与列“pct”都有公式"):
        inline_form(text)


def test_a_formula_on_a_text_field_is_refused(inline_form: InlineForm) -> None:
    text = RATES.replace("[types.percent]", "[types.percent]\n\n[types.text]").replace(
        '{ key = "fn.max", label = "最大", type = "decimal"', '{ key = "fn.max", label = "最大", type = "text"'
    )
    with pytest.raises(FormDefinitionError, match="公式单元格 fn.max 的类型“text”不是数字类型"):
        inline_form(text)


# ------------------------------------------------------------------ the expression language
VALUES = {"a.x": 2.5, "a.y": 4, "a.z": 0, "a.h": 2.675, "a.n": -2.5}
CASES = [
    ("a.x / a.y", 0.625, "A.X/A.Y"),
    ("a.x / a.z", None, "A.X/A.Z"),
    ("(a.x + 1) / (a.y - 4)", None, "(A.X+1)/(A.Y-4)"),
    ("a.y / (a.x * 2)", 0.8, "A.Y/(A.X*2)"),
    ("round(a.h, 2)", 2.68, "ROUND(A.H,2)"),  # Python's round gives 2.67
    ("round(a.x, 0)", 3, "ROUND(A.X,0)"),  # banker's rounding gives 2
    ("round(a.n, 0)", -3, "ROUND(A.N,0)"),
    ("min(a.x, a.y, 3)", 2.5, "MIN(A.X,A.Y,3)"),
    ("max(a.x, a.y)", 4, "MAX(A.X,A.Y)"),
    ("abs(a.x - a.y)", 1.5, "ABS(A.X-A.Y)"),
    ("if(a.x > a.y, a.x, a.y / a.z)", None, "IF(A.X>A.Y,A.X,A.Y/A.Z)"),
    ("if(a.x < a.y, a.x, a.y / a.z)", 2.5, "IF(A.X<A.Y,A.X,A.Y/A.Z)"),
    ("max(a.x, a.y / a.z)", None, "MAX(A.X,A.Y/A.Z)"),
]


@pytest.mark.parametrize(("text", "scalar", "excel"), CASES)
def test_one_expression_three_evaluations(text: str, scalar: Any, excel: str) -> None:
    e = ex.parse(text)
    assert ex.evaluate(e, VALUES.get, {}) == scalar
    column = ex.evaluate(e, lambda k: np.array([VALUES[k], VALUES[k]], dtype=float), {})
    expected = np.full(2, np.nan if scalar is None else scalar, dtype=float)
    np.testing.assert_array_equal(np.asarray(column, dtype=float), expected)
    assert ex.to_excel(e, str.upper, {}) == excel


def test_comparisons_at_a_precision_ignore_float_noise() -> None:
    values = {"s.final": 86, "s.total": 82.6, "s.bonus": 3.6, "s.penalty": 0.2}
    exact = ex.parse("s.final == s.total + s.bonus - s.penalty")
    assert ex.evaluate(exact, values.get, {}) is False  # 85.99999999999999
    rounded = ex.with_places(exact, 4)
    assert ex.evaluate(rounded, values.get, {}) is True
    column = ex.evaluate(rounded, lambda k: np.array([values[k]], dtype=float), {})
    assert column.tolist() == [True]
    assert ex.to_excel(rounded, str.upper, {}) == "ROUND(S.FINAL,4)=ROUND(S.TOTAL+S.BONUS-S.PENALTY,4)"


def test_if_is_shown_as_written() -> None:
    e = ex.parse("if(a.x > 1, 1, 0) == 1")
    sides = e.sides()
    assert sides is not None and sides[0].text == "if(a.x > 1, 1, 0)"
    assert e.fields == ("a.x",) and e.names == ()
