"""What every rule kind knows, and what a kind that says nothing more does.

A rule kind (one module each beside this one, listed in __init__.py) is the one place that knows a
kind of rule: the keys its definition takes (checked at load, naming the rule and the key), how its
rule becomes checks of a return (expression checks run by pandera, or a check of each typed cell),
its live check cell in the workbook's 校验结果, the code an imported document's finding takes from
it, and the placeholders its message may use. workbook/, checks/ and importer/ ask the kind and turn
its answers into their own cells and Problems; nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.calc import INCOMPLETE, PASS, PREFIX, check_status
from xltool.form.excel import ok_formula, pending_formula
from xltool.form.model import Check, Field, Form, Grid, Rule
from xltool.form.onsums import Shapes, on_sums

COMMON_REQUIRED = ("code", "kind", "severity", "title", "brief", "message", "fix")
COMMON_OPTIONAL = ("id", "blanks", "no_action", "aggregate")
GENERIC_PLACEHOLDERS = ("value", "row", "column")  # filled for every problem (form/problems.py)
# What the checks of expressions fill: both sides of a comparison, and the report's year.
EXPRESSION_PLACEHOLDERS = ("lhs", "rhs", "found", "expected", "template_year")
# The commands that report a check of a return's values: verify, report (which verifies before it
# renders) and audit (on the return read from a published document).
ON_RETURNS_AND_DOCUMENTS: tuple[str, ...] = ("verify", "report", "audit")
CellCheck = Callable[[str, Any], bool]  # (field type, typed value) -> holds


@dataclass(frozen=True)
class LiveCell:
    """Where a rule's 校验结果 row is written and what the template holds when written: the sheet of
    the summary, the cell counting blank inputs, the values (prefilled or imported), the names an
    expression may use (the year…) and the computed totals."""

    form: Form
    sheet: str
    blank_ref: str
    values: Mapping[str, Any]
    context: Mapping[str, Any]
    computed: Mapping[str, float | None]


class RuleKind:
    """A kind of rule: the defaults are a kind with no extra keys, no checks and no live cell."""

    name: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()  # keys beyond COMMON_REQUIRED its rules must give
    optional: ClassVar[tuple[str, ...]] = ()
    placeholder_names: ClassVar[tuple[str, ...]] = ()  # beyond GENERIC_PLACEHOLDERS
    field_placeholders: ClassVar[bool] = False  # its message may name field keys ({t2.rules.issued})
    in_workbook: ClassVar[bool] = False  # a row of the workbook's 校验结果 with a live formula
    cross_year: ClassVar[bool] = False  # compares with last year's return
    marks_blanks: ClassVar[bool] = False  # the rule a blank number cell breaks
    checks_cells: ClassVar[bool] = False  # checks each typed number cell (cell_check)
    names_totals: ClassVar[bool] = False  # grid rows and columns name it (rule = …) for their totals
    gives_import_code: ClassVar[bool] = False  # an import rule's code_from may name this kind
    # The commands that report its findings (docs/rules and ``xltool rules`` say so). A return's own
    # checks run in verify and again in report (which verifies before it renders); the file and
    # reading checks are about an Excel return, which audit never reads.
    reported_by: ClassVar[tuple[str, ...]] = ("verify", "report")  # () : by its text check's stage
    on_documents: ClassVar[bool] = False  # a finding on a published document, not a check of a return

    # ---------------------------------------------------------------- the definition
    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        """Its keys as written in the form (the common ones are checked already)."""
        for key in self.required:
            if key not in r:
                raise FormDefinitionError(f"表单定义错误：规则 {rid} 缺少 {key}")
        known = (*COMMON_REQUIRED, *COMMON_OPTIONAL, *self.required, *self.optional)
        unknown = [k for k in r if k not in known]
        if unknown:
            allowed = "、".join((*self.required, *self.optional)) or "无"
            raise FormDefinitionError(
                f'表单定义错误：规则 {rid}（kind = "{self.name}"）不认识 {unknown[0]}，此类规则另可写的有：{allowed}'
            )

    def params_of(self, r: Mapping[str, Any]) -> Mapping[str, Any]:
        """The rule's parameters (a text check's ``params``; a kind may take its own keys here)."""
        params: Mapping[str, Any] = r.get("params", {})
        return params

    def placeholders(self, rule: Rule) -> frozenset[str]:
        """The {names} its message and fix may use (a field key too when ``field_placeholders``)."""
        return frozenset((*GENERIC_PLACEHOLDERS, *self.placeholder_names))

    def merge(self, builtin: dict[str, Rule], own: Sequence[Rule]) -> dict[str, Rule]:
        """The built-in rules left once the form's own rules are known (a form's own may replace one)."""
        return builtin

    def useful(self, rule: Rule, fields: Mapping[str, Field]) -> bool:
        """Whether the rule checks anything in a form with these fields."""
        return True

    def about_text(self, rule: Rule) -> bool:
        """Checked by xltool on the report's text, never by the workbook (its check sheet says so)."""
        return False

    def holds_on_sums(self, rule: Rule, checks: Sequence[Check], shapes: Shapes) -> str | None:
        """None when the rule, true of every unit's return, is true of the county's aggregate too;
        else why it may not be (the loader refuses the form with it). ``checks``: the rule's own."""
        return next((reason for c in checks if (reason := on_sums(c, shapes))), None)

    # ---------------------------------------------------------------- checking a return
    def compile(self, rule: Rule, fields: Mapping[str, Field], grids: Sequence[Grid]) -> Iterator[Check]:
        """The expression checks of the rule (verify runs them with pandera, the workbook live)."""
        return iter(())

    def cell_check(self, rule: Rule) -> CellCheck | None:
        """A check of each typed number cell, when the kind has one."""
        return None

    def problem_values(self, check: Check, value_of: Callable[[ex.Expr], Any]) -> dict[str, Any]:
        """Placeholders of a failing check; ``value_of`` evaluates a part of it for the return."""
        sides = check.expr.sides()
        if not sides:
            return {}
        lhs, rhs = (value_of(s) for s in sides)
        return {"lhs": lhs, "rhs": rhs, "found": lhs, "expected": rhs}

    # ---------------------------------------------------------------- the workbook
    def summary(self, rule: Rule, at: LiveCell) -> tuple[str, str]:
        """The rule's 校验结果 row: its formula over all its checks and the value Excel shows."""
        fail = f"{PREFIX[rule.severity]} {rule.code}：{rule.brief}"
        checks = [c for c in at.form.checks if c.rule.id == rule.id]
        oks = ",".join(ok_formula(at.form, c, at.sheet, at.context) for c in checks)
        pending = [p for c in checks if (p := pending_formula(at.form, c, at.sheet, at.context))]
        done = f'IF(OR({",".join(pending)}),"{INCOMPLETE}","{PASS}")' if pending else f'"{PASS}"'
        formula = f'IF(AND({oks}),{done},"{fail}")'
        statuses = [check_status(at.form, c, at.values, at.context, at.computed) for c in checks]
        if any(st.startswith(PREFIX[rule.severity]) for st in statuses):
            return formula, fail
        return formula, INCOMPLETE if INCOMPLETE in statuses else PASS

    # ---------------------------------------------------------------- imported documents
    def import_code(self, form: Form, cell: Field | None) -> str | None:
        """The code of a finding about ``cell`` whose import rule says code_from = this kind."""
        return None

    def import_codes(self, form: Form, rule: Rule) -> list[str]:
        """Every code such an import ``rule`` may be reported under instead of its own."""
        return []
