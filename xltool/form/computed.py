"""Computed cells (``formula = "<expr>"``) of a form definition: their expressions, checked at load.

Spelling. On a field of a fields block the expression names field keys as rules do
(``formula = "s.done.total / s.received.total"``). On a grid's row it names the grid's other ROW keys
and is applied in every column (row ``rate`` with ``formula = "done / received"`` is, in column
``q1``, ``g.done.q1 / g.received.q1``); on a grid's column it names the grid's other COLUMN keys and
is applied on every row. Where a formula row crosses a sum column (or a sum row a formula column) the
formula wins: a rate of the totals, never a sum of rates. A row formula crossing a column formula is
a load error. Precision: a check compares at the decimal places of the most precise type it names
(model.PLACES), so each check's expression carries those places.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.model import NUMERIC_TYPES, PLACES, PREVIOUS, Check, Field


def relative(text: str, keys: Sequence[str], key_of: Mapping[str, str], where: str) -> ex.Expr:
    """A row's (column's) formula over sibling keys -> the expression over the cells' field keys."""
    parsed = ex.parse(text)
    unknown = [n for n in (*parsed.names, *parsed.fields) if n not in keys]
    if unknown:
        raise FormDefinitionError(
            f"表单定义错误：{where}的公式“{text}”引用了不存在的键“{unknown[0]}”，可用的有：{'、'.join(keys)}"
        )

    class Absolute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:  # noqa: N802 - ast's visitor naming
            if node.id in FUNCTION_NAMES:
                return node
            return ast.parse(key_of[node.id], mode="eval").body

    tree = Absolute().visit(ast.parse(ast.unparse(parsed.tree), mode="eval")).body
    return ex.parse(ex.shown(tree))


FUNCTION_NAMES = frozenset(ex.FUNCTIONS)


def field_formula(text: str, key: str) -> ex.Expr:
    """A field's own formula, over field keys."""
    parsed = ex.parse(text)
    if parsed.names:
        raise FormDefinitionError(f"表单定义错误：字段 {key} 的公式“{text}”引用了不存在的字段“{parsed.names[0]}”")
    return parsed


def check_formulas(fields: Mapping[str, Field]) -> None:
    """Every computed cell names numeric fields that exist, and nothing depends on itself."""
    for f in fields.values():
        if f.formula is None:
            continue
        if f.type not in NUMERIC_TYPES:
            raise FormDefinitionError(f"表单定义错误：公式单元格 {f.key} 的类型“{f.type}”不是数字类型")
        for k in f.formula.fields:
            if k not in fields:
                raise FormDefinitionError(f"表单定义错误：公式单元格 {f.key} 引用了不存在的字段“{k}”")
            if not fields[k].numeric:
                raise FormDefinitionError(f"表单定义错误：公式单元格 {f.key} 引用了非数字字段“{k}”")
    state: dict[str, int] = {}

    def visit(key: str, path: list[str]) -> None:
        state[key] = 1
        for dep in depends_on(fields[key]):
            if state.get(dep) == 1:
                loop = [*path[path.index(dep) :], dep] if dep in path else [key, dep]
                raise FormDefinitionError(f"表单定义错误：公式单元格循环引用：{' → '.join(loop)}")
            if dep not in state and dep in fields:
                visit(dep, [*path, dep])
        state[key] = 2

    for key in fields:
        if key not in state:
            visit(key, [key])


def depends_on(f: Field) -> tuple[str, ...]:
    """The fields a cell's value is computed from (a sum's parts, a formula's keys)."""
    return f.parts if f.formula is None else f.formula.fields


def places_of(keys: Iterable[str], fields: Mapping[str, Field]) -> int | None:
    """The decimal places a comparison over these keys is made at (None: exact, all whole numbers)."""
    found = [PLACES[fields[k].type] for k in (k.removeprefix(PREVIOUS) for k in keys)
             if k in fields and fields[k].type in PLACES]  # fmt: skip
    return max(found) if found else None


def with_places(checks: Iterable[Check], fields: Mapping[str, Field]) -> tuple[Check, ...]:
    """Each check's expression carrying the precision of the types it compares, where float noise can
    arise: arithmetic, or a computed cell. A typed value compared with a typed value or a constant is
    exact already (and its check cell stays as it was)."""
    return tuple(
        replace(c, expr=ex.with_places(c.expr, places))
        if _computes(c.expr, fields) and (places := places_of(c.expr.fields, fields)) is not None
        else c
        for c in checks
    )


def _computes(expr: ex.Expr, fields: Mapping[str, Field]) -> bool:
    arithmetic = any(isinstance(n, ast.BinOp | ast.Call) for n in ast.walk(expr.tree))
    return arithmetic or any(k.removeprefix(PREVIOUS) in fields and not fields[k.removeprefix(PREVIOUS)].editable
                             for k in expr.fields)  # fmt: skip
