"""kind = "part_of": each of-which (其中) cell is not above the cell it is part of.

A row, column or field with ``part_of`` (form/cells.py) gets this check for each of its cells
without a rule written for it: ``其中 <= 总数``, reported at the 其中 cell. The built-in rule A5
says it in general words; a form's own rule of this kind (no keys beyond the common ones) replaces
A5, and a row, column or field may name one with ``part_of_rule`` when the form has several. The
checks are expression checks, so verify runs them with pandera, the workbook shows them live in
校验结果 (and beside or below a table that places the rule), and audit reports them in a document.
Its message may use {found} (the 其中 cell) and {expected} (the total), besides {row} and {column}.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import ClassVar

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.kinds.expr import ExprKind
from xltool.form.model import Check, Field, Grid, Rule


class PartOfKind(ExprKind):
    name = "part_of"
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    def merge(self, builtin: dict[str, Rule], own: Sequence[Rule]) -> dict[str, Rule]:
        if any(o.spec is self for o in own):  # the form's own 其中 rule replaces A5
            return {k: b for k, b in builtin.items() if b.spec is not self}
        return builtin

    def useful(self, rule: Rule, fields: Mapping[str, Field]) -> bool:
        return any(f.part_of_rule == rule.id for f in fields.values())

    def compile(self, rule: Rule, fields: Mapping[str, Field], grids: Sequence[Grid]) -> Iterator[Check]:
        for f in fields.values():
            if f.part_of and f.part_of_rule == rule.id:
                yield Check(rule, f.key, ex.parse(f"{f.key} <= {f.part_of}"))


def resolve_part_of(fields: Mapping[str, Field], rules: Sequence[Rule]) -> dict[str, Field]:
    """Every 其中 cell with the id of the rule checking it: the one its ``part_of_rule`` names, else the
    form's only rule of this kind (the built-in A5 when the form has none of its own)."""
    ours = [r.id for r in rules if isinstance(r.spec, PartOfKind)]
    out = dict(fields)
    for f in fields.values():
        if not f.part_of:
            continue
        if f.part_of_rule and f.part_of_rule not in ours:
            raise FormDefinitionError(
                f'表单定义错误：字段 {f.key} 的 part_of_rule“{f.part_of_rule}”不是表单中 kind = "part_of" 的规则'
                + (f"，可用的有：{'、'.join(ours)}" if ours else "")
            )
        if not f.part_of_rule and len(ours) > 1:
            raise FormDefinitionError(
                f"表单定义错误：字段 {f.key} 是其中项，表单有多条其中项规则（{'、'.join(ours)}），"
                "请用 part_of_rule 指明用哪一条"
            )
        if not f.part_of_rule:
            out[f.key] = replace(f, part_of_rule=ours[0])
    return out
