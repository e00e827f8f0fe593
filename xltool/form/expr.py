"""The rule expression language of the form definition.

Rules are written in a tiny subset of Python syntax over field keys, e.g.
``t3.new.total + t3.carried_in.total == t3.r_total.total + t3.carried_out.total``.
One parsed expression is evaluated on scalars (cached values in the template), on pandas Series
(a stacked frame of many returns, inside pandera checks) and translated into an Excel formula
(live check cells), so the three can never disagree.

Arithmetic has ``+ - * /``, parentheses and the functions ``round(x, n)`` (half away from zero, as
Excel's ROUND), ``min``, ``max``, ``abs`` and ``if(cond, a, b)``. A division by zero — or anything
computed from one — is *empty*: None on scalars, NaN on columns, "" in Excel (the caller wraps the
formula in IFERROR); a check whose value is empty cannot be judged and passes. An expression may carry
``places``: its comparisons then round both sides to that many decimal places (half away from zero)
in all three evaluations, so float noise (85.99999999999999) never fails a decimal rule.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from xltool.errors import FormDefinitionError

_BINOPS: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    ast.Add: (operator.add, "+"),
    ast.Sub: (operator.sub, "-"),
    ast.Mult: (operator.mul, "*"),
    ast.Div: (operator.truediv, "/"),
}
IF_NAME = "__if__"  # "if" is a Python keyword: "if(" is parsed as this name and shown back as "if"
FUNCTIONS = {"round": "ROUND", "min": "MIN", "max": "MAX", "abs": "ABS", IF_NAME: "IF"}
_ARITY = {"round": (2, 2), "abs": (1, 1), IF_NAME: (3, 3), "min": (1, 255), "max": (1, 255)}
_IF_CALL = re.compile(r"(?<![\w.])if\s*\(")
_CMPOPS: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    ast.Eq: (operator.eq, "="),
    ast.NotEq: (operator.ne, "<>"),
    ast.Lt: (operator.lt, "<"),
    ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"),
    ast.GtE: (operator.ge, ">="),
}


@dataclass(frozen=True)
class Expr:
    """A parsed, checked rule expression."""

    text: str
    tree: ast.expr
    places: int | None = None  # comparisons round both sides to this many decimal places

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Field keys referenced, in order of first appearance."""
        return tuple(dict.fromkeys(k for k in _walk(self.tree) if "." in k))

    @cached_property
    def divides(self) -> bool:
        """Whether a division may make the value empty."""
        return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) for n in ast.walk(self.tree))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Context names (bare identifiers such as ``template_year``)."""
        return tuple(dict.fromkeys(k for k in _walk(self.tree) if "." not in k))

    def sides(self) -> tuple[Expr, Expr] | None:
        """Left and right side when the expression is a single comparison (for messages)."""
        t = self.tree
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and type(t.ops[0]) in _CMPOPS:
            return (
                Expr(shown(t.left), t.left, self.places),
                Expr(shown(t.comparators[0]), t.comparators[0], self.places),
            )
        return None


def with_places(expr: Expr, places: int | None) -> Expr:
    """The same expression, its comparisons rounded to ``places`` decimal places (None: exact)."""
    return expr if places == expr.places else replace(expr, places=places)


def shown(node: ast.expr) -> str:
    """A subtree as the form writes it ("if(" rather than the private name)."""
    return ast.unparse(node).replace(IF_NAME + "(", "if(")


def parse(text: str) -> Expr:
    """Parse and check an expression; FormDefinitionError names what is not allowed."""
    try:
        tree = ast.parse(_IF_CALL.sub(IF_NAME + "(", text.strip()), mode="eval").body
    except SyntaxError as err:
        near = f"（第 {err.offset} 个字符附近）" if err.offset else ""
        raise FormDefinitionError(f"表单定义错误：规则表达式无法解析：{text}{near}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = NODE_ZH.get(type(node).__name__, "这种写法")
            raise FormDefinitionError(f"表单定义错误：规则表达式中不允许{what}：{text}")
        if isinstance(node, ast.Compare) and len(node.ops) != 1:
            raise FormDefinitionError(f"表单定义错误：规则表达式不支持连写比较：{text}")
        if isinstance(node, ast.Constant) and (node.value is None or not isinstance(node.value, int | float | str)):
            raise FormDefinitionError(f"表单定义错误：规则表达式只允许数字和文字常量：{text}")
        if isinstance(node, ast.BinOp) and type(node.op) not in _BINOPS:
            raise FormDefinitionError(f"表单定义错误：规则表达式不支持该运算：{text}")
        if isinstance(node, ast.Call):
            _check_call(node, text)
    return Expr(text, tree)


def _check_call(node: ast.Call, text: str) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    if name not in FUNCTIONS or node.keywords:
        raise FormDefinitionError(f"表单定义错误：规则表达式只能调用 round、min、max、abs、if 这几个函数：{text}")
    low, high = _ARITY[name]
    if not low <= len(node.args) <= high:
        raise FormDefinitionError(f"表单定义错误：规则表达式中 {name.replace(IF_NAME, 'if')}() 的参数个数不对：{text}")
    if name == "round" and not (isinstance(node.args[1], ast.Constant) and type(node.args[1].value) is int):
        raise FormDefinitionError(f"表单定义错误：规则表达式中 round() 的小数位数应为整数：{text}")


# What a form author wrote, in the words of the messages (never a Python class name).
NODE_ZH = {
    "Call": "函数调用", "IfExp": "条件表达式（a if b else c）", "Lambda": "lambda 函数", "Subscript": "下标（[]）",
    "Slice": "切片", "Starred": "星号展开", "Dict": "字典（{}）", "Set": "集合（{}）", "ListComp": "列表推导",
    "SetComp": "集合推导", "DictComp": "字典推导", "GeneratorExp": "生成器表达式", "Await": "await",
    "Yield": "yield", "YieldFrom": "yield", "NamedExpr": "赋值表达式（:=）", "JoinedStr": "f 字符串",
    "FormattedValue": "f 字符串", "Is": "is 比较", "IsNot": "is not 比较", "Invert": "按位取反（~）",
    "UAdd": "正号", "Pow": "乘方（**）", "Div": "除法", "FloorDiv": "整除（//）", "Mod": "取余（%）",
    "MatMult": "矩阵乘（@）", "BitAnd": "按位与（&）", "BitOr": "按位或（|）", "BitXor": "按位异或（^）",
    "LShift": "移位（<<）", "RShift": "移位（>>）",
}  # fmt: skip

_ALLOWED = (
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.BinOp, ast.Add, ast.Sub,
    ast.Mult, ast.Div, ast.Call, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Attribute, ast.Load, ast.Constant, ast.Tuple, ast.List,
)  # fmt: skip


def _is_series(v: Any) -> bool:
    """A column of a stacked frame (pandas Series or numpy array), not one value."""
    return getattr(v, "ndim", 0) > 0


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _walk(node: ast.AST) -> Iterator[str]:
    """Dotted field keys and bare names, outermost attribute chains only."""
    if isinstance(node, ast.Call):  # the function's name is not a field
        for arg in node.args:
            yield from _walk(arg)
        return
    if isinstance(node, ast.Attribute | ast.Name):
        key = _dotted(node)
        if key:
            yield key
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child)


def evaluate(expr: Expr, value: Callable[[str], Any], context: Mapping[str, Any]) -> Any:
    """Evaluate on scalars, or on aligned columns — pandas Series or numpy arrays (``value(key)`` returns
    either). An empty result (a division by zero) is None on scalars and NaN on columns."""
    return _Eval(value, context, expr.places).run(expr.tree)


def round_half_up(v: Any, places: int) -> Any:
    """Excel's ROUND: half away from zero, on the decimal the number is written as (2.675 -> 2.68)."""
    if v is None or isinstance(v, bool) or not isinstance(v, int | float):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return v
    try:
        d = Decimal(repr(v)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # beyond Decimal's precision: nothing left to round
        return v
    return int(d) if places <= 0 or d == d.to_integral_value() else float(d)


def _round_each(v: Any, places: int) -> Any:
    import numpy as np

    return np.array([round_half_up(float(x), places) for x in np.asarray(v, dtype=float)], dtype=float)


class _Eval:
    """One evaluation: scalars propagate None (empty), columns NaN."""

    def __init__(self, value: Callable[[str], Any], ctx: Mapping[str, Any], places: int | None) -> None:
        self.value, self.ctx, self.places = value, ctx, places

    def run(self, node: ast.expr) -> Any:  # noqa: PLR0911 - one branch per kind of node
        if isinstance(node, ast.Attribute):
            return self.value(_dotted(node) or "")
        if isinstance(node, ast.Name):
            return self.ctx[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple | ast.List):
            return [self.run(e) for e in node.elts]
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            inner = self.run(node.operand)
            if inner is None:
                return None
            if isinstance(node.op, ast.USub):
                return -inner
            return ~inner.astype(bool) if _is_series(inner) else not inner
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        assert isinstance(node, ast.Compare)
        return self.compare(node)

    def binop(self, node: ast.BinOp) -> Any:
        left, right = self.run(node.left), self.run(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            return _divide(left, right)
        return _BINOPS[type(node.op)][0](left, right)

    def boolop(self, node: ast.BoolOp) -> Any:
        vals = [self.run(v) for v in node.values]
        if any(v is None for v in vals):
            return None
        out = vals[0]
        for v in vals[1:]:
            if _is_series(out) or _is_series(v):  # element-wise on a stacked frame
                out = (out & v) if isinstance(node.op, ast.And) else (out | v)
            else:  # Python (and Excel) truthiness on scalars
                out = (bool(out) and bool(v)) if isinstance(node.op, ast.And) else (bool(out) or bool(v))
        return out

    def compare(self, node: ast.Compare) -> Any:
        left, right = self.run(node.left), self.run(node.comparators[0])
        op = node.ops[0]
        if isinstance(op, ast.In | ast.NotIn):
            hit = _isin(left, right) if _is_series(left) else left in right
            return hit if isinstance(op, ast.In) else ((not hit) if isinstance(hit, bool) else ~hit)
        if left is None or right is None:
            return None
        if self.places is not None:
            left, right = (self.rounded(x, self.places) for x in (left, right))
        return _CMPOPS[type(op)][0](left, right)

    def call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        if name == IF_NAME:
            cond = self.run(node.args[0])
            if cond is None:
                return None
            if _is_series(cond):
                import numpy as np

                a, b = self.run(node.args[1]), self.run(node.args[2])
                return np.where(np.asarray(cond, dtype=bool), a, b)
            return self.run(node.args[1]) if cond else self.run(node.args[2])  # lazy, as Excel's IF
        args = [self.run(a) for a in node.args]
        if any(a is None for a in args):
            return None
        if name == "abs":
            return abs(args[0])
        if name == "round":
            return self.rounded(args[0], int(args[1]))
        if any(_is_series(a) for a in args):
            import numpy as np

            fold = np.minimum if name == "min" else np.maximum  # NaN (empty) propagates, as on scalars
            out = np.asarray(args[0], dtype=float)
            for a in args[1:]:
                out = fold(out, a)
            return out
        return min(args) if name == "min" else max(args)

    @staticmethod
    def rounded(v: Any, places: int) -> Any:
        return _round_each(v, places) if _is_series(v) else round_half_up(v, places)


def _divide(left: Any, right: Any) -> Any:
    """left / right; empty where right is 0 (Excel's #DIV/0!, which the template shows as "")."""
    if _is_series(left) or _is_series(right):
        import numpy as np

        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(left, dtype=float) / np.asarray(right, dtype=float)
        return np.where(np.asarray(right, dtype=float) == 0, np.nan, out)
    if right == 0:
        return None
    return left / right


def undefined(expr: Expr, value: Callable[[str], Any], context: Mapping[str, Any], empty: frozenset[str]) -> Any:
    """On columns: rows where a side of a comparison is empty (NaN) because of a division or a
    computed cell (a key in ``empty``) — the check cannot be judged there, as in the scalar and the
    Excel evaluation. False when nothing in the expression can be empty."""
    import numpy as np

    out: Any = False
    ev = _Eval(value, context, None)
    for node in ast.walk(expr.tree):
        if not isinstance(node, ast.Compare) or isinstance(node.ops[0], ast.In | ast.NotIn):
            continue
        for side in (node.left, node.comparators[0]):
            sub = Expr(expr.text, side)
            if sub.divides or any(k in empty for k in sub.fields):
                v = np.asarray(ev.run(side), dtype=float)
                out = out | np.isnan(v)
    return out


def _isin(left: Any, right: Any) -> Any:
    if hasattr(left, "isin"):
        return left.isin(right)
    import numpy as np

    return np.isin(left, list(right))


def to_excel(expr: Expr, ref: Callable[[str], str], context: Mapping[str, Any]) -> str:
    """Translate into an Excel formula body (without the leading ``=``). A division by zero is an
    Excel error here: the caller wraps the formula in IFERROR (a computed cell shows "", a check
    passes), as the scalar evaluation gives None."""
    return _Xl(ref, context, expr.places).run(expr.tree)


def _xl_const(v: Any) -> str:
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return repr(v)


def _prec(node: ast.expr) -> int:
    """Binding strength for parentheses: comparisons < + - < * / < atoms."""
    if isinstance(node, ast.BinOp):
        return 2 if isinstance(node.op, ast.Mult | ast.Div) else 1
    return 0 if isinstance(node, ast.Compare | ast.BoolOp) else 3


class _Xl:
    def __init__(self, ref: Callable[[str], str], ctx: Mapping[str, Any], places: int | None) -> None:
        self.ref, self.ctx, self.places = ref, ctx, places

    def run(self, node: ast.expr) -> str:  # noqa: PLR0911 - one branch per kind of node
        if isinstance(node, ast.Attribute):
            return self.ref(_dotted(node) or "")
        if isinstance(node, ast.Name):
            return _xl_const(self.ctx[node.id])
        if isinstance(node, ast.Constant):
            return _xl_const(node.value)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return f"{FUNCTIONS[node.func.id]}({','.join(self.run(a) for a in node.args)})"
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            inner = self.run(node.operand)
            if isinstance(node.op, ast.USub):
                return f"(-({inner}))" if _prec(node.operand) < 3 else f"(-{inner})"
            return f"NOT({inner})"
        if isinstance(node, ast.BoolOp):
            fn = "AND" if isinstance(node.op, ast.And) else "OR"
            return f"{fn}({','.join(self.run(v) for v in node.values)})"
        assert isinstance(node, ast.Compare)
        return self.compare(node)

    def binop(self, node: ast.BinOp) -> str:
        sym = _BINOPS[type(node.op)][1]
        left, right = self.run(node.left), self.run(node.right)
        if _prec(node.left) < _prec(node):
            left = f"({left})"
        if _prec(node.right) < _prec(node) or (
            _prec(node.right) == _prec(node) and not isinstance(node.op, ast.Add | ast.Mult)
        ):
            right = f"({right})"
        return f"{left}{sym}{right}"

    def compare(self, node: ast.Compare) -> str:
        op, lhs, rhs = node.ops[0], node.left, node.comparators[0]
        if isinstance(op, ast.In | ast.NotIn):
            assert isinstance(rhs, ast.Tuple | ast.List)
            lx = self.run(lhs)
            inner = f"OR({','.join(f'{lx}={self.run(e)}' for e in rhs.elts)})"
            return inner if isinstance(op, ast.In) else f"NOT({inner})"
        sides = [self.run(x) for x in (lhs, rhs)]
        sides = [f"({t})" if isinstance(x, ast.Compare) else t for x, t in zip((lhs, rhs), sides, strict=True)]
        if self.places is not None:
            sides = [t if isinstance(x, ast.Constant) and type(x.value) is int else f"ROUND({t},{self.places})"
                     for x, t in zip((lhs, rhs), sides, strict=True)]  # fmt: skip
        return f"{sides[0]}{_CMPOPS[type(op)][1]}{sides[1]}"
