"""kind = "cross_year": a rule against last year's return (verify --previous, audit).

Either an expression like an "expr" rule, where ``prev.<key>`` is last year's value, or a narrative
check (``check``, ``params``: the catalogue's [text_checks], such as "copied"). It is not in the
workbook: last year's figures are not in it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from xltool.errors import FormDefinitionError
from xltool.form.kinds.expr import ExprKind
from xltool.form.kinds.text import TEXT_PLACEHOLDERS
from xltool.form.model import Check, Field, Grid, Rule
from xltool.form.onsums import Shapes


class CrossYearKind(ExprKind):
    name = "cross_year"
    required = ()
    optional = ("expr", "at", "when", "for", "check", "params")
    placeholder_names = (*ExprKind.placeholder_names, *TEXT_PLACEHOLDERS)
    in_workbook = False
    reported_by: ClassVar[tuple[str, ...]] = ("verify --previous", "audit --previous")  # only with last year's returns
    cross_year = True

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        if "expr" in r and "at" not in r:
            raise FormDefinitionError(f"表单定义错误：规则 {rid} 缺少 at")
        if "expr" not in r and "check" not in r:
            raise FormDefinitionError(f"表单定义错误：规则 {rid} 缺少 expr 或 check")

    def compile(self, rule: Rule, fields: Mapping[str, Field], grids: Sequence[Grid]) -> Iterator[Check]:
        return super().compile(rule, fields, grids) if rule.expr else iter(())

    def holds_on_sums(self, rule: Rule, checks: Sequence[Check], shapes: Shapes) -> str | None:
        return None  # never run on the aggregate: there is no county return of last year

    def placeholders(self, rule: Rule) -> frozenset[str]:
        words = {k for k, v in rule.params.items() if isinstance(v, str)}  # a check's text parameters
        return super().placeholders(rule) | words

    def about_text(self, rule: Rule) -> bool:
        return bool(rule.check)
