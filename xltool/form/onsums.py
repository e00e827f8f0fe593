"""Whether a rule that holds in every unit's return must hold on the county's aggregate too.

The county's figures are checked with the form's own rules; a rule that can fail there only because
the figures were added up (``x <= 100`` holds for every unit, not for their sum) would make the
aggregate call itself wrong. So the loader asks, for every check the aggregate runs, whether it is
of a shape that survives aggregation, and refuses the definition with the reason when it is not.

Shapes that survive (units u₁…uₙ, n ≥ 1; Σ the county's figure):

- CLOSED: true of every unit ⇒ true of the sum. A linear comparison of summed cells with no constant
  (``a + b == c``, ``a <= b``), or with a constant on the safe side (``x >= 0``, ``x > 0``); a
  comparison of one mean cell (or recomputed rate Σa/Σb, a weighted mean) with a constant, which the
  average cannot leave; anything over constants and the year only; an ``and`` of such.
- UP: true of one unit ⇒ true of the sum (numbers not below 0, as the type rules ensure):
  ``x > 0``, ``x >= 5``, ``x != 0`` over such cells; an ``and``/``or`` of such.
- ``A or U₁ or …`` with A CLOSED and the Uᵢ UP: when A fails on the sum it fails in some unit, whose
  Uᵢ then holds, and so holds on the sum (``not (x > 0 and y == 0)`` is ``x <= 0 or y > 0``).

A rate Σa/Σb is a weighted mean of the units' rates where every unit's b is above 0; a unit with
b = 0 has no rate of its own (an empty cell, so no check of it fails) and still adds its a: a bound
on such a rate is accepted all the same, as the rule that a ≤ b is what a form pairs it with.
A ``when`` is read as ``not when or expr``. A check on a unit's own text or choice is not run on
the aggregate (which carries none of them), nor one whose rule says ``aggregate = false``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xltool.form import expr as ex
from xltool.form.aggregation import MEAN, NONE, RECOMPUTE, SUM, is_constant
from xltool.form.calc import is_number
from xltool.form.model import CONTEXT_NAMES, Check, Field, Rule

CLOSED, UP = 1, 2
BOTH = CLOSED | UP
ADDITIVE, AVERAGE, FIXED, ABSENT, OPAQUE = "additive", "average", "fixed", "absent", "opaque"
_FLIP: dict[type, type] = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
                           ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.In: ast.NotIn, ast.NotIn: ast.In}  # fmt: skip


@dataclass(frozen=True)
class Shapes:
    """What aggregation makes of each field, as far as the rules are concerned."""

    fields: Mapping[str, Field]
    kinds: Mapping[str, str]  # key -> ADDITIVE | AVERAGE | FIXED | ABSENT | OPAQUE
    known: Mapping[str, float]  # a constant cell's value
    nonneg: frozenset[str]  # cells never below 0 (a type rule says so of their inputs)

    def kind(self, key: str) -> str:
        """A context name (the report's year) is the same for every unit, as a constant cell is."""
        return self.kinds.get(key, FIXED if key in CONTEXT_NAMES else OPAQUE)

    def label(self, key: str) -> str:
        f = self.fields.get(key)
        return f.label if f else key


def shapes(fields: Mapping[str, Field], rules: Sequence[Rule], year_key: str) -> Shapes:
    covered = {t for r in rules for t in r.types}  # the types the type rules keep from going below 0
    kinds: dict[str, str] = {}
    nonneg: set[str] = set()

    def kind(key: str) -> str:
        if key not in kinds:
            kinds[key] = OPAQUE  # a cycle stays opaque
            kinds[key] = _kind(fields[key], kind, year_key)
            f = fields[key]
            if kinds[key] == ADDITIVE and (f.type in covered if not f.parts else all(p in nonneg for p in f.parts)):
                nonneg.add(key)
        return kinds[key]

    for key in fields:
        kind(key)
    known = {k: float(v) for k, f in fields.items() if is_constant(f) and is_number(v := getattr(f, "value", None))}
    return Shapes(fields, kinds, known, frozenset(nonneg))


def _kind(f: Field, kind: Any, year_key: str) -> str:
    if f.aggregate == SUM:
        return ADDITIVE
    if f.aggregate == MEAN:
        return AVERAGE
    if f.aggregate == NONE:
        return FIXED if is_constant(f) or f.key == year_key else ABSENT
    assert f.aggregate == RECOMPUTE
    if f.parts:
        return ADDITIVE if all(kind(p) == ADDITIVE for p in f.parts) else OPAQUE
    formula = getattr(f, "formula", None)  # a ``formula =`` cell (form/calc.py computes it)
    return _formula_kind(formula.tree, kind) if isinstance(formula, ex.Expr) else OPAQUE


def _formula_kind(tree: ast.expr, kind: Any) -> str:
    """A linear formula of summed cells is summed too; a ratio of two, maybe scaled or rounded,
    is a weighted mean of the units' ratios; anything else is opaque."""
    if isinstance(tree, ast.Call) and getattr(tree.func, "id", "") == "round" and tree.args:
        inner = _formula_kind(tree.args[0], kind)  # rounding keeps a mean within its bounds, not a sum a sum
        return inner if inner == AVERAGE else OPAQUE
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Mult):
        for scaled, factor in ((tree.left, tree.right), (tree.right, tree.left)):
            if _positive(factor):
                return _formula_kind(scaled, kind)
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div) and _positive(tree.right):
        return _formula_kind(tree.left, kind)
    lin = _linear(tree)
    if lin is not None and not lin[1] and all(kind(k) == ADDITIVE for k in lin[0]):
        return ADDITIVE
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
        sides = [_linear(s) for s in (tree.left, tree.right)]
        if all(s is not None and not s[1] and all(kind(k) == ADDITIVE for k in s[0]) for s in sides):
            return AVERAGE
    return OPAQUE


def _positive(tree: ast.expr) -> bool:
    return isinstance(tree, ast.Constant) and is_number(tree.value) and tree.value > 0


# ------------------------------------------------------------------ a check on the aggregate
def skipped(check: Check, sh: Shapes) -> str:
    """Why the aggregate does not run this check ("" when it does)."""
    if not check.rule.aggregate:
        return "表单规定汇总数不检查此规则（aggregate = false）"
    absent = [k for k in check.expr.fields if sh.kinds.get(k) == ABSENT]
    if absent:
        return f"规则涉及各单位自己填写的“{sh.label(absent[0])}”，全县汇总中没有此项"
    return ""


def on_sums(check: Check, sh: Shapes) -> str | None:
    """None when the check, true of every unit, is true of the aggregate; else why it may not be."""
    if skipped(check, sh) or check.rule.cross_year:
        return None
    tree = check.expr.tree
    if check.when is not None:
        kinds = {sh.kinds.get(k) for k in check.when.fields}
        if ABSENT in kinds:
            return _when_on_answers(check, sh)
        tree = ast.BoolOp(ast.Or(), [ast.UnaryOp(ast.Not(), check.when.tree), tree])
    flags, reason = _shape(_nnf(tree, False), sh)
    return None if flags & CLOSED else reason


def _when_on_answers(check: Check, sh: Shapes) -> str | None:
    """A condition on a unit's answers (its type…): the aggregate has none, so the condition is
    worked out on blanks; the check never applies there when it is false."""
    assert check.when is not None
    if any(sh.kinds.get(k) not in (ABSENT, FIXED) for k in check.when.fields) or check.when.names:
        return f"条件“{check.when.text}”同时涉及各单位的选项和数字，无法保证在汇总数上成立"

    def blank(key: str) -> Any:
        return sh.known.get(key, 0 if sh.fields[key].numeric else "")

    try:
        applies = ex.evaluate(check.when, blank, {})
    except (TypeError, KeyError, ValueError):
        applies = True
    if not applies:
        return None
    return f"条件“{check.when.text}”在汇总数上成立，但只有符合条件的单位才须满足“{check.expr.text}”"


Node = tuple[Any, ...]  # ("and"|"or", [nodes]) or ("cmp", ast.Compare) or ("other", ast.expr)


def _nnf(tree: ast.expr, negate: bool) -> Node:
    """The expression with every ``not`` pushed into the comparisons."""
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
        return _nnf(tree.operand, not negate)
    if isinstance(tree, ast.BoolOp):
        conj = isinstance(tree.op, ast.And) != negate
        return ("and" if conj else "or", [_nnf(v, negate) for v in tree.values])
    if isinstance(tree, ast.Compare) and len(tree.ops) == 1:
        op = _FLIP[type(tree.ops[0])]() if negate else tree.ops[0]
        return ("cmp", ast.Compare(tree.left, [op], tree.comparators))
    return ("other", tree)


def _shape(node: Node, sh: Shapes) -> tuple[int, str]:
    """(CLOSED/UP flags, the reason when not CLOSED)."""
    if node[0] == "cmp":
        return _compare(node[1], sh)
    if node[0] == "other":
        return 0, f"“{ast.unparse(node[1])}”不是比较，无法判断汇总后是否成立"
    parts = [_shape(n, sh) for n in node[1]]
    up = UP if all(f & UP for f, _ in parts) else 0
    if node[0] == "and":
        closed = CLOSED if all(f & CLOSED for f, _ in parts) else 0
        return closed | up, next((r for f, r in parts if not f & CLOSED), "")
    others = [(f, r) for f, r in parts if not f & UP]
    if not others or (len(others) == 1 and others[0][0] & CLOSED):
        return CLOSED | up, ""
    text = "；".join(r for f, r in others if r) or "这些条件"
    return up, f"用“或”连接的条件在合计上不一定成立（{text}）"


def _compare(node: ast.Compare, sh: Shapes) -> tuple[int, str]:
    text, op = ast.unparse(node), type(node.ops[0])
    keys = ex.Expr(text, node).fields
    kinds = {k: sh.kind(k) for k in keys}
    opaque = [k for k, kd in kinds.items() if kd == OPAQUE]
    if opaque:
        return 0, f"“{text}”中的“{sh.label(opaque[0])}”按公式重新计算，无法保证汇总后仍成立"
    if all(kd == FIXED for kd in kinds.values()):
        return BOTH, ""  # the same in every unit and in the aggregate
    lin = [_linear(s, sh.known) for s in (node.left, node.comparators[0])]
    if op in (ast.In, ast.NotIn) or lin[0] is None or lin[1] is None:
        return 0, f"“{text}”不是数字的线性比较，无法保证汇总后仍成立"
    coefs = dict(lin[0][0])
    for k, c in lin[1][0].items():
        coefs[k] = coefs.get(k, 0) - c
    coefs = {k: c for k, c in coefs.items() if c}
    bound = lin[1][1] - lin[0][1]  # Σ coef·x  op  bound
    return _linear_shape(text, op, coefs, bound, sh)


def _linear_shape(text: str, op: type, coefs: Mapping[str, float], bound: float, sh: Shapes) -> tuple[int, str]:
    by_kind = {kd: [k for k in coefs if sh.kind(k) == kd] for kd in (ADDITIVE, AVERAGE, FIXED)}
    if by_kind[FIXED] and by_kind[ADDITIVE]:
        return 0, f"“{text}”把汇总时相加的数与“{sh.label(by_kind[FIXED][0])}”比较，合计可能超出"
    if by_kind[AVERAGE]:
        if len(by_kind[AVERAGE]) == 1 and not by_kind[ADDITIVE] and op is not ast.NotEq:
            return CLOSED, ""  # an average lies between the units' smallest and largest value
        return 0, f"“{text}”中的平均值或比率“{sh.label(by_kind[AVERAGE][0])}”与其他数字一起比较，汇总后不一定成立"
    if not by_kind[ADDITIVE]:
        return BOTH, ""  # the same in every unit and in the aggregate
    # n units: Σ ≤ n·bound, which is ≤ bound only when bound ≤ 0 (and the mirror for ≥)
    closed: dict[type, bool] = {
        ast.Eq: bound == 0,
        ast.LtE: bound <= 0,
        ast.Lt: bound <= 0,
        ast.GtE: bound >= 0,
        ast.Gt: bound >= 0,
    }
    flags = CLOSED if closed.get(op, False) else 0
    nonneg = all(k in sh.nonneg for k in coefs)
    positive, negative = nonneg and all(c > 0 for c in coefs.values()), nonneg and all(c < 0 for c in coefs.values())
    if (positive and op in (ast.GtE, ast.Gt)) or (negative and op in (ast.LtE, ast.Lt)):
        flags |= UP
    if (positive or negative) and op is ast.NotEq and bound == 0:
        flags |= UP
    if flags & CLOSED:
        return flags, ""
    if op is ast.NotEq:
        return flags, f"“{text}”：不等于的比较在合计上不一定成立"
    labels = "、".join(f"“{sh.label(k)}”" for k in coefs)
    return flags, f"“{text}”：{labels}汇总时相加，各单位都满足时合计也可能不满足（与常数 {bound:g} 比较）"


def _linear(tree: ast.expr, known: Mapping[str, float] | None = None) -> tuple[dict[str, float], float] | None:
    """(coefficient of each field, constant) of a linear expression; None when it is not linear.
    A context name (the report's year) is kept as a term of its own."""
    known = known or {}
    if isinstance(tree, ast.Constant) and is_number(tree.value):
        return {}, float(tree.value)
    if isinstance(tree, ast.Attribute | ast.Name):
        found = ex.Expr(ast.unparse(tree), tree)
        name = (found.fields or found.names or ("",))[0]
        if name in known:
            return {}, known[name]
        return ({name: 1.0}, 0.0) if name else None
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
        inner = _linear(tree.operand, known)
        return None if inner is None else ({k: -c for k, c in inner[0].items()}, -inner[1])
    if isinstance(tree, ast.BinOp):
        left, right = _linear(tree.left, known), _linear(tree.right, known)
        if left is None or right is None:
            return None
        if isinstance(tree.op, ast.Add | ast.Sub):
            sign = 1 if isinstance(tree.op, ast.Add) else -1
            coefs = dict(left[0])
            for k, c in right[0].items():
                coefs[k] = coefs.get(k, 0) + sign * c
            return coefs, left[1] + sign * right[1]
        if isinstance(tree.op, ast.Mult) and (not left[0] or not right[0]):
            scale, (lin, const) = (left[1], right) if not left[0] else (right[1], left)
            return {k: c * scale for k, c in lin.items()}, const * scale
        if isinstance(tree.op, ast.Div) and not right[0] and right[1]:
            return {k: c / right[1] for k, c in left[0].items()}, left[1] / right[1]
    return None
