"""kind = "range": the number at ``at`` lies within ``min``..``max`` (a score not above its 满分, a
ratio between 0 and 1).

Each bound is a number or a field key; either may be left out. ``for`` and ``when`` work as for
"expr" ({c} is bound in ``at``, ``min`` and ``max`` too). The rule is an expression check
(at >= min and at <= max), so verify runs it with pandera, the workbook shows it live in 校验结果
(and beside a table that places it), and audit reports it at its place in an imported document.
Its message may use {found} (the value at ``at``), {min} and {max} (the bounds' values).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.kinds.expr import ExprKind
from xltool.form.model import Check, Field, Rule

BOUNDS = ("min", "max")


class RangeKind(ExprKind):
    name = "range"
    required: ClassVar[tuple[str, ...]] = ("at",)
    optional: ClassVar[tuple[str, ...]] = (*BOUNDS, "when", "for")
    placeholder_names: ClassVar[tuple[str, ...]] = ("found", *BOUNDS, "template_year")

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        if not any(b in r for b in BOUNDS):
            raise FormDefinitionError(f"表单定义错误：规则 {rid} 缺少 min 或 max")
        for b in (b for b in BOUNDS if b in r):
            if isinstance(r[b], bool) or not isinstance(r[b], int | float | str):
                raise FormDefinitionError(f"表单定义错误：规则 {rid} 的 {b} 应为数字或字段键")

    def params_of(self, r: Mapping[str, Any]) -> Mapping[str, Any]:
        return {b: r[b] for b in BOUNDS if b in r}

    def expression(self, rule: Rule) -> str:
        ops = {"min": ">=", "max": "<="}
        return " and ".join(f"{rule.at} {ops[b]} {rule.params[b]}" for b in BOUNDS if b in rule.params)

    def check_refs(self, rule: Rule, check: Check, fields: Mapping[str, Field]) -> None:
        super().check_refs(rule, check, fields)
        if not fields[check.at].numeric:
            raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 的 at 应为数字字段，“{check.at}”不是")

    def problem_values(self, check: Check, value_of: Callable[[ex.Expr], Any]) -> dict[str, Any]:
        tree = check.expr.tree
        out = {"found": value_of(ex.parse(check.at))}
        for comparison in tree.values if isinstance(tree, ast.BoolOp) else [tree]:
            assert isinstance(comparison, ast.Compare)
            bound = comparison.comparators[0]
            out["min" if isinstance(comparison.ops[0], ast.GtE) else "max"] = value_of(
                ex.Expr(ast.unparse(bound), bound)
            )
        return out
