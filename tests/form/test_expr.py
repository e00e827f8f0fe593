"""Rule expressions: parsing, evaluation on scalars and pandas Series, translation to Excel."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex

B1 = "t3.new.total + t3.carried_in.total == t3.r_total.total + t3.carried_out.total"


def scalar(text: str, values: dict[str, Any], context: dict[str, Any] | None = None) -> Any:
    return ex.evaluate(ex.parse(text), values.__getitem__, context or {})


def excel(text: str, context: dict[str, Any] | None = None) -> str:
    """Excel body with each field ``a.x`` shown as cell ``X1`` so the formula reads easily."""
    return ex.to_excel(ex.parse(text), lambda k: k.split(".")[-1].upper() + "1", context or {})


# ------------------------------------------------------------------ parse
def test_parse_collects_fields_and_names() -> None:
    e = ex.parse(B1)
    assert e.text == B1
    assert e.fields == (
        "t3.new.total",
        "t3.carried_in.total",
        "t3.r_total.total",
        "t3.carried_out.total",
    )
    assert e.names == ()
    a4 = ex.parse("info.year == template_year")
    assert a4.fields == ("info.year",)
    assert a4.names == ("template_year",)
    assert ex.parse("a.x + a.x == a.y").fields == ("a.x", "a.y")  # first appearance, once


def test_sides_of_a_single_comparison() -> None:
    sides = ex.parse(B1).sides()
    assert sides is not None
    lhs, rhs = sides
    assert lhs.text == "t3.new.total + t3.carried_in.total"
    assert rhs.text == "t3.r_total.total + t3.carried_out.total"
    assert lhs.fields == ("t3.new.total", "t3.carried_in.total")
    assert ex.parse("a.x == 0 and a.y == 0").sides() is None
    assert ex.parse("a.x in (1, 2)").sides() is None


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('__import__("os")', "只能调用"),
        ("a.x.bit_length()", "只能调用"),
        ("a.x[0] == 1", "下标"),
        ("(lambda: 1)() == 1", "只能调用"),
        ("round(a.x, a.y) == 1", "整数"),
        ("abs(a.x, 2) == 1", "参数个数"),
        ("a.x ** 2 == 1", "不支持该运算"),
        ("a.x % 2 == 1", "不支持该运算"),
        ("a.x if a.y else 0", "条件表达式"),
        ("[v for v in a.x]", "列表推导"),
        ("f'{a.x}' == '1'", "f 字符串"),
        ("(y := a.x) == 1", "赋值表达式"),
        ("{1: 2} == a.x", "字典"),
        ("0 <= a.x <= 5", "连写比较"),
        ("a.x == (", "无法解析"),
        ("a.x = 1", "无法解析"),
        ("", "无法解析"),
    ],
)
def test_rejected_syntax(text: str, what: str) -> None:
    with pytest.raises(FormDefinitionError, match="规则表达式") as err:
        ex.parse(text)
    assert what in str(err.value)
    assert text in str(err.value)
    assert not re.search(
        r"[A-Z][a-z]+[A-Z]|\b(Call|Subscript|Dict|Lambda|invalid syntax|was never)\b", str(err.value).replace(text, "")
    )


def test_none_is_rejected() -> None:
    with pytest.raises(FormDefinitionError):
        ex.parse("a.x == None")


# ------------------------------------------------------------------ scalars
@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("a.x + a.y == a.z", {"a.x": 2, "a.y": 3, "a.z": 5}, True),
        ("a.x + a.y == a.z", {"a.x": 2, "a.y": 3, "a.z": 6}, False),
        ("a.x - a.y * 2", {"a.x": 10, "a.y": 3}, 4),
        ("-a.x + a.y", {"a.x": 2, "a.y": 5}, 3),
        ("a.x != 0", {"a.x": 0}, False),
        ("a.x <= 1000", {"a.x": 1000.5}, False),
        ("a.x >= 0 and a.y < 3", {"a.x": 0, "a.y": 2}, True),
        ("a.x > 0 or a.y > 0", {"a.x": 0, "a.y": 0}, False),
        ("not (a.x > 0 and a.y == 0)", {"a.x": 1, "a.y": 0}, False),
        ("a.t in ('乡镇', '街道')", {"a.t": "街道"}, True),
        ("a.t in ['乡镇', '街道']", {"a.t": "部门"}, False),
        ("a.t not in ('乡镇', '街道')", {"a.t": "部门"}, True),
    ],
)
def test_scalar_evaluation(text: str, values: dict[str, Any], expected: Any) -> None:
    assert scalar(text, values) == expected


def test_scalar_context_names() -> None:
    year = {"template_year": 2025}
    assert scalar("info.year == template_year", {"info.year": 2025}, year) is True
    assert scalar("info.year == template_year", {"info.year": 2024}, year) is False


def test_b1_on_one_column() -> None:
    b1 = "t3.new.legal + t3.carried_in.legal == t3.r_total.legal + t3.carried_out.legal"
    values = {
        "t3.new.legal": 4,
        "t3.carried_in.legal": 1,
        "t3.r_total.legal": 3,
        "t3.carried_out.legal": 2,
    }
    assert ex.evaluate(ex.parse(b1), values.__getitem__, {}) is True
    values["t3.carried_out.legal"] = 3
    assert ex.evaluate(ex.parse(b1), values.__getitem__, {}) is False


def test_scalar_truthiness_of_numbers_matches_excel() -> None:
    assert bool(scalar("a.x and a.y", {"a.x": 2, "a.y": 1})) is True
    assert bool(scalar("not a.x", {"a.x": 2})) is False


# ------------------------------------------------------------------ pandas Series (vectorised)
def series(columns: dict[str, list[Any]]) -> dict[str, pd.Series]:
    return {k: pd.Series(v) for k, v in columns.items()}


def vector(text: str, data: dict[str, pd.Series], context: dict[str, Any] | None = None) -> list:
    out = ex.evaluate(ex.parse(text), data.__getitem__, context or {})
    assert isinstance(out, pd.Series)
    return out.tolist()


def test_series_arithmetic_and_comparison() -> None:
    data = series({"a.x": [1, 2, 3], "a.y": [3, 2, 1], "a.z": [4, 5, 4]})
    assert vector("a.x + a.y == a.z", data) == [True, False, True]
    assert vector("a.z - a.x * 2", data) == [2, 1, -2]
    assert vector("-a.x", data) == [-1, -2, -3]
    assert vector("a.x != a.y", data) == [True, False, True]


def test_series_boolean_operators() -> None:
    data = series({"a.x": [0, 1, 2, 0], "a.y": [0, 0, 1, 1]})
    assert vector("a.x > 0 and a.y > 0", data) == [False, False, True, False]
    assert vector("a.x > 0 or a.y > 0", data) == [False, True, True, True]
    assert vector("not (a.x > 0 and a.y == 0)", data) == [True, False, True, True]
    assert vector("a.x == 0 and a.y == 0 and a.x + a.y == 0", data) == [True, False, False, False]


def test_series_in_uses_isin() -> None:
    data = series({"info.unit_type": ["乡镇", "部门", "街道", "其他"]})
    assert vector("info.unit_type in ('乡镇', '街道')", data) == [True, False, True, False]
    assert vector("info.unit_type not in ['乡镇', '街道']", data) == [False, True, False, True]


def test_series_when_and_expr_like_a_rule() -> None:
    """B6: a town with a state secret refusal is flagged, a department is not."""
    data = series({"info.unit_type": ["乡镇", "部门", "街道"], "t3.r_deny_1.total": [1, 1, 0]})
    when = vector("info.unit_type in ('乡镇', '街道')", data)
    ok = vector("t3.r_deny_1.total == 0", data)
    assert [not w or o for w, o in zip(when, ok, strict=True)] == [False, True, True]


def test_series_with_context() -> None:
    data = series({"info.year": [2025, 2024]})
    assert vector("info.year == template_year", data, {"template_year": 2025}) == [True, False]


# ------------------------------------------------------------------ Excel translation
@pytest.mark.parametrize(
    ("text", "formula"),
    [
        (B1, "TOTAL1+TOTAL1=TOTAL1+TOTAL1"),
        ("a.x + a.y == a.z", "X1+Y1=Z1"),
        ("a.x != 0", "X1<>0"),
        ("a.x <= 1000", "X1<=1000"),
        ("a.x >= 0.5", "X1>=0.5"),
        ("a.x < 1 or a.y > 2", "OR(X1<1,Y1>2)"),
        ("a.x == 0 and a.y == 0 and a.z == 0", "AND(X1=0,Y1=0,Z1=0)"),
        ("not (a.x > 0 and a.y == 0)", "NOT(AND(X1>0,Y1=0))"),
        ("a.x == 0 or a.y + a.z > 0", "OR(X1=0,Y1+Z1>0)"),
        ("a.t in ('乡镇', '街道')", 'OR(T1="乡镇",T1="街道")'),
        ("a.t not in ['乡镇', '街道']", 'NOT(OR(T1="乡镇",T1="街道"))'),
        ("a.t == 'say \"hi\"'", 'T1="say ""hi"""'),
        ("a.x == True", "X1=TRUE"),
        # minimal parentheses
        ("a.x + a.y - a.z", "X1+Y1-Z1"),
        ("a.x - a.y + a.z", "X1-Y1+Z1"),
        ("a.x - (a.y + a.z)", "X1-(Y1+Z1)"),
        ("a.x - (a.y - a.z)", "X1-(Y1-Z1)"),
        ("a.x + (a.y - a.z)", "X1+Y1-Z1"),
        ("(a.x + a.y) - (a.z + a.w)", "X1+Y1-(Z1+W1)"),
        ("(a.x + a.y) * a.z", "(X1+Y1)*Z1"),
        ("a.x * (a.y + a.z)", "X1*(Y1+Z1)"),
        ("a.x * a.y + a.z", "X1*Y1+Z1"),
        ("a.x + a.y * a.z", "X1+Y1*Z1"),
        ("(a.x * a.y) * a.z", "X1*Y1*Z1"),
        ("a.x - -a.y", "X1-(-Y1)"),
    ],
)
def test_to_excel(text: str, formula: str) -> None:
    assert excel(text) == formula


def test_to_excel_context() -> None:
    assert excel("info.year == template_year", {"template_year": 2025}) == "YEAR1=2025"
    assert excel("a.t == unit", {"unit": '某"镇'}) == 'T1="某""镇"'


def test_to_excel_uses_the_reference_function() -> None:
    refs = {"t2.rules.issued": "B5", "t2.rules.repealed": "C5", "t2.rules.in_force": "'表二'!D5"}
    text = "t2.rules.issued == 0 and t2.rules.repealed == 0 and t2.rules.in_force == 0"
    assert ex.to_excel(ex.parse(text), refs.__getitem__, {}) == "AND(B5=0,C5=0,'表二'!D5=0)"


def test_to_excel_negated_sum() -> None:
    assert excel("-(a.x + a.y) == 0") in ("-(X1+Y1)=0", "(-(X1+Y1))=0")


def test_to_excel_nested_comparison() -> None:
    assert excel("(a.x == 1) == (a.y == 2)") == "(X1=1)=(Y1=2)"
