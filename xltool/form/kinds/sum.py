"""kind = "sum": a total equals the sum of its parts.

The totals are the grid's formula cells whose row or column names the rule (``rule = "B2"`` beside
``sum = …``); each becomes the check ``total == part + part …`` at the total's cell. A total typed
over by hand keeps its typed value, so the check catches it there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.kinds.base import EXPRESSION_PLACEHOLDERS, ON_RETURNS_AND_DOCUMENTS, RuleKind
from xltool.form.model import Check, Field, Form, Grid, Rule
from xltool.form.onsums import Shapes


class SumKind(RuleKind):
    name = "sum"
    placeholder_names = EXPRESSION_PLACEHOLDERS
    field_placeholders = True
    in_workbook = True
    reported_by = ON_RETURNS_AND_DOCUMENTS
    names_totals = True
    gives_import_code = True  # a total printed in a document that is not the sum of its parts

    def compile(self, rule: Rule, fields: Mapping[str, Field], grids: Sequence[Grid]) -> Iterator[Check]:
        targets = [f for f in fields.values() if f.rule == rule.id]
        if not targets:
            raise FormDefinitionError(f"表单定义错误：求和规则 {rule.id} 没有任何公式单元格引用")
        for f in targets:
            yield Check(rule, f.key, ex.parse(f"{f.key} == {' + '.join(f.parts)}"))

    def holds_on_sums(self, rule: Rule, checks: Sequence[Check], shapes: Shapes) -> str | None:
        return None  # the aggregate recomputes its totals from its parts: they balance by construction

    def import_code(self, form: Form, cell: Field | None) -> str | None:
        return form.rule(cell.rule).code if cell is not None and cell.rule else None

    def import_codes(self, form: Form, rule: Rule) -> list[str]:
        return [r.code for r in form.rules if r.spec is self and r.code != rule.code]
