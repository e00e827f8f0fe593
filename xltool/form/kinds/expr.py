"""kind = "expr": an expression over field keys that must hold, reported at ``at``.

``for = { c = ["natural", …] }`` (or ``"t3.columns"``/``"t3.rows"``) makes one check per value, with
``{c}`` replaced in ``expr``, ``at`` and ``when``; ``when`` says when the rule applies. Each check is
run on all returns at once by pandera (checks/schemas.py) and is a live formula in the workbook.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.kinds.base import EXPRESSION_PLACEHOLDERS, ON_RETURNS_AND_DOCUMENTS, RuleKind
from xltool.form.model import CONTEXT_NAMES, PREVIOUS, Check, Field, Grid, Rule


class ExprKind(RuleKind):
    name = "expr"
    required: ClassVar[tuple[str, ...]] = ("expr", "at")
    optional: ClassVar[tuple[str, ...]] = ("when", "for")
    placeholder_names: ClassVar[tuple[str, ...]] = EXPRESSION_PLACEHOLDERS
    field_placeholders = True
    in_workbook = True
    reported_by = ON_RETURNS_AND_DOCUMENTS

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        spec = r.get("for", {"": ""})
        domain = next(iter(spec.values()), None) if isinstance(spec, dict) else None
        if len(spec) != 1 or not (isinstance(domain, str) or isinstance(domain, list) and _texts(domain)):
            raise FormDefinitionError(
                f'表单定义错误：规则 {rid} 的 for 应写成一项，如 for = {{ c = ["total"] }} 或 {{ c = "表格键.columns" }}'
            )

    def compile(self, rule: Rule, fields: Mapping[str, Field], grids: Sequence[Grid]) -> Iterator[Check]:
        for value in _domain(rule, grids):
            at, text, when = (_bind(t, rule.for_var, value) for t in (rule.at, self.expression(rule), rule.when))
            check = Check(rule, at, _parse(rule, text), _parse(rule, when) if when else None)
            self.check_refs(rule, check, fields)
            yield check

    def expression(self, rule: Rule) -> str:
        """The expression that must hold (``{var}`` of ``for`` not yet bound)."""
        return rule.expr

    def check_refs(self, rule: Rule, check: Check, fields: Mapping[str, Field]) -> None:
        exprs = [check.expr] + ([check.when] if check.when else [])
        for key in [check.at, *(k for e in exprs for k in e.fields)]:
            if key.removeprefix(PREVIOUS) not in fields or (key.startswith(PREVIOUS) and not self.cross_year):
                raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 引用了不存在的字段“{key}”")
        for name in (n for e in exprs for n in e.names):
            if name not in CONTEXT_NAMES:
                raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 引用了未知名称“{name}”")


def _domain(rule: Rule, grids: Sequence[Grid]) -> list[str]:
    if not rule.for_var:
        return [""]
    if isinstance(rule.for_domain, list):
        return rule.for_domain
    gkey, _, what = rule.for_domain.partition(".")
    grid = next((g for g in grids if g.key == gkey), None)
    if grid is None or what not in ("columns", "rows"):
        raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 的迭代范围“{rule.for_domain}”未知")
    return [c.key for c in grid.columns] if what == "columns" else [r.key for r in grid.rows]


def _parse(rule: Rule, text: str) -> ex.Expr:
    """The expression, an error in it naming the rule."""
    try:
        return ex.parse(text)
    except FormDefinitionError as err:
        raise FormDefinitionError(str(err).replace("表单定义错误：", f"表单定义错误：规则 {rule.id} 的", 1)) from None


def _texts(items: list[object]) -> bool:
    return bool(items) and all(isinstance(v, str) and v for v in items)


def _bind(text: str, var: str, value: str) -> str:
    return text.replace("{" + var + "}", value) if var else text
