"""kind = "filled": every required number cell is filled (a blank is not 0).

A form has one: its own, else the built-in A1. Verify reports each blank number cell under it; the
workbook counts the blanks live ("未填完" while staff are still typing, never an error); an
imported document's blank cell or missing row takes its code.
"""

from __future__ import annotations

from collections.abc import Sequence

from xltool.form.calc import INCOMPLETE, PASS
from xltool.form.cells import required_here
from xltool.form.kinds.base import LiveCell, RuleKind
from xltool.form.model import Field, Form, Rule


class FilledKind(RuleKind):
    name = "filled"
    in_workbook = True
    marks_blanks = True
    gives_import_code = True

    def merge(self, builtin: dict[str, Rule], own: Sequence[Rule]) -> dict[str, Rule]:
        if any(o.spec is self for o in own):  # the form's own blank rule replaces A1
            return {k: b for k, b in builtin.items() if b.spec is not self}
        return builtin

    def summary(self, rule: Rule, at: LiveCell) -> tuple[str, str]:
        blanks = sum(
            1
            for f in at.form.numeric_inputs
            if at.values.get(f.key) in (None, "") and required_here(at.form, f, at.values, at.computed, at.context)
        )
        # While staff are still typing, blanks are "not finished", not an error.
        formula = (
            f'IF({at.blank_ref}=0,"{PASS}","{INCOMPLETE}：还有"&{at.blank_ref}&"个数字单元格未填写（{rule.code}）")'
        )
        return formula, PASS if blanks == 0 else f"{INCOMPLETE}：还有{blanks}个数字单元格未填写（{rule.code}）"

    def import_code(self, form: Form, cell: Field | None) -> str | None:
        return form.filled_rule.code

    def import_codes(self, form: Form, rule: Rule) -> list[str]:
        return [form.filled_rule.code] if form.filled_rule.code != rule.code else []
