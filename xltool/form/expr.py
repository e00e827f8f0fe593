"""The rule expression language of the form definition.

Rules are written in a tiny subset of Python syntax over field keys, e.g.
``t3.new.total + t3.carried_in.total == t3.r_total.total + t3.carried_out.total``.
One parsed expression is evaluated on scalars (cached values in the template), on pandas Series
(a stacked frame of many returns, inside pandera checks) and translated into an Excel formula
(live check cells), so the three can never disagree.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xltool.errors import FormDefinitionError

_BINOPS: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    ast.Add: (operator.add, "+"),
    ast.Sub: (operator.sub, "-"),
    ast.Mult: (operator.mul, "*"),
}
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

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Field keys referenced, in order of first appearance."""
        return tuple(dict.fromkeys(k for k in _walk(self.tree) if "." in k))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Context names (bare identifiers such as ``template_year``)."""
        return tuple(dict.fromkeys(k for k in _walk(self.tree) if "." not in k))

    def sides(self) -> tuple[Expr, Expr] | None:
        """Left and right side when the expression is a single comparison (for messages)."""
        t = self.tree
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and type(t.ops[0]) in _CMPOPS:
            return (
                Expr(ast.unparse(t.left), t.left),
                Expr(ast.unparse(t.comparators[0]), t.comparators[0]),
            )
        return None


def parse(text: str) -> Expr:
    """Parse and check an expression; FormDefinitionError names what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
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
    return Expr(text, tree)


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
    ast.Mult, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
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
    if isinstance(node, ast.Attribute | ast.Name):
        key = _dotted(node)
        if key:
            yield key
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child)


def evaluate(expr: Expr, value: Callable[[str], Any], context: Mapping[str, Any]) -> Any:
    """Evaluate on scalars, or on aligned columns — pandas Series or numpy arrays (``value(key)`` returns
    either)."""
    return _eval(expr.tree, value, context)


def _eval(node: ast.expr, value: Callable[[str], Any], ctx: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Attribute):
        return value(_dotted(node) or "")
    if isinstance(node, ast.Name):
        return ctx[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return [_eval(e, value, ctx) for e in node.elts]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)][0](_eval(node.left, value, ctx), _eval(node.right, value, ctx))
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, value, ctx)
        if isinstance(node.op, ast.USub):
            return -inner
        return ~inner.astype(bool) if _is_series(inner) else not inner
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, value, ctx) for v in node.values]
        out = vals[0]
        for v in vals[1:]:
            if _is_series(out) or _is_series(v):  # element-wise on a stacked frame
                out = (out & v) if isinstance(node.op, ast.And) else (out | v)
            else:  # Python (and Excel) truthiness on scalars
                out = (bool(out) and bool(v)) if isinstance(node.op, ast.And) else (bool(out) or bool(v))
        return out
    assert isinstance(node, ast.Compare)
    left, right = _eval(node.left, value, ctx), _eval(node.comparators[0], value, ctx)
    op = node.ops[0]
    if isinstance(op, ast.In | ast.NotIn):
        hit = _isin(left, right) if _is_series(left) else left in right
        return hit if isinstance(op, ast.In) else ((not hit) if isinstance(hit, bool) else ~hit)
    return _CMPOPS[type(op)][0](left, right)


def _isin(left: Any, right: Any) -> Any:
    if hasattr(left, "isin"):
        return left.isin(right)
    import numpy as np

    return np.isin(left, list(right))


def to_excel(expr: Expr, ref: Callable[[str], str], context: Mapping[str, Any]) -> str:
    """Translate into an Excel formula body (without the leading ``=``)."""
    return _xl(expr.tree, ref, context)


def _xl_const(v: Any) -> str:
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return repr(v)


def _prec(node: ast.expr) -> int:
    """Binding strength for parentheses: comparisons < + - < * < atoms."""
    if isinstance(node, ast.BinOp):
        return 2 if isinstance(node.op, ast.Mult) else 1
    return 0 if isinstance(node, ast.Compare | ast.BoolOp) else 3


def _xl(node: ast.expr, ref: Callable[[str], str], ctx: Mapping[str, Any]) -> str:
    if isinstance(node, ast.Attribute):
        return ref(_dotted(node) or "")
    if isinstance(node, ast.Name):
        return _xl_const(ctx[node.id])
    if isinstance(node, ast.Constant):
        return _xl_const(node.value)
    if isinstance(node, ast.BinOp):
        sym = _BINOPS[type(node.op)][1]
        left, right = _xl(node.left, ref, ctx), _xl(node.right, ref, ctx)
        if _prec(node.left) < _prec(node):
            left = f"({left})"
        if _prec(node.right) < _prec(node) or (
            _prec(node.right) == _prec(node) and not isinstance(node.op, ast.Add | ast.Mult)
        ):
            right = f"({right})"
        return f"{left}{sym}{right}"
    if isinstance(node, ast.UnaryOp):
        inner = _xl(node.operand, ref, ctx)
        if isinstance(node.op, ast.USub):
            return f"(-({inner}))" if _prec(node.operand) < 3 else f"(-{inner})"
        return f"NOT({inner})"
    if isinstance(node, ast.BoolOp):
        fn = "AND" if isinstance(node.op, ast.And) else "OR"
        return f"{fn}({','.join(_xl(v, ref, ctx) for v in node.values)})"
    assert isinstance(node, ast.Compare)
    op, lhs, rhs = node.ops[0], node.left, node.comparators[0]
    if isinstance(op, ast.In | ast.NotIn):
        assert isinstance(rhs, ast.Tuple | ast.List)
        lx = _xl(lhs, ref, ctx)
        inner = f"OR({','.join(f'{lx}={_xl(e, ref, ctx)}' for e in rhs.elts)})"
        return inner if isinstance(op, ast.In) else f"NOT({inner})"
    sides = [_xl(x, ref, ctx) for x in (lhs, rhs)]
    sides = [f"({t})" if isinstance(x, ast.Compare) else t for x, t in zip((lhs, rhs), sides, strict=True)]
    return f"{sides[0]}{_CMPOPS[type(op)][1]}{sides[1]}"
