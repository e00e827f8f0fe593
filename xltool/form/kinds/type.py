"""kind = "type": the number cells of the listed ``types`` hold numbers not below 0 (whole for "int").

The built-in A2 (int) and A3 (decimal, money_yuan) apply unless the form's own type rules name those
types. Verify checks each typed cell (checks/schemas.py runs ``cell_check`` with pandera); the
workbook counts text, negative and fractional entries live; an imported document's text in a
number cell takes the code of the form's own type rule for the cell's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.aggregation import MEAN
from xltool.form.calc import PASS, PREFIX, is_number
from xltool.form.excel import ranges
from xltool.form.kinds.base import ON_RETURNS_AND_DOCUMENTS, CellCheck, LiveCell, RuleKind
from xltool.form.model import NUMERIC_TYPES, Check, Field, Form, Rule
from xltool.form.onsums import Shapes


class TypeKind(RuleKind):
    name = "type"
    required = ("types",)
    in_workbook = True
    reported_by = ON_RETURNS_AND_DOCUMENTS
    checks_cells = True
    gives_import_code = True

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        types = r["types"]
        if not isinstance(types, list) or not types or any(t not in NUMERIC_TYPES for t in types):
            raise FormDefinitionError(
                f"表单定义错误：规则 {rid} 的 types 应为数字类型的列表（{'、'.join(NUMERIC_TYPES)}）"
            )

    def merge(self, builtin: dict[str, Rule], own: Sequence[Rule]) -> dict[str, Rule]:
        """The form's own type rules replace the built-in ones for the types they name."""
        typed = {t for o in own if o.spec is self for t in o.types}
        out = dict(builtin)
        for k, b in builtin.items():
            if b.spec is self:
                left = tuple(t for t in b.types if t not in typed)
                if left:
                    out[k] = replace(b, types=left)
                else:
                    del out[k]
        return out

    def useful(self, rule: Rule, fields: Mapping[str, Field]) -> bool:
        # a built-in type rule over types no cell of this form has would check nothing (and would be
        # a 校验结果 row over no cells: COUNTA() without arguments is not a formula Excel accepts)
        return not rule.builtin or any(f.type in rule.types for f in fields.values())

    def holds_on_sums(self, rule: Rule, checks: Sequence[Check], shapes: Shapes) -> str | None:
        """A sum of whole numbers not below 0 is one; an average of whole numbers need not be whole."""
        if "int" not in rule.types:
            return None
        averaged = [f for f in shapes.fields.values() if f.type == "int" and f.aggregate == MEAN]
        if averaged:
            return f"“{averaged[0].label}”汇总时取平均值，平均值不一定是整数：请把它的类型改为小数（decimal）"
        return None

    def cell_check(self, rule: Rule) -> CellCheck:
        types = frozenset(rule.types)

        def ok(ftype: str, v: Any) -> bool:
            if ftype not in types or v is None:
                return True
            return is_number(v) and v >= 0 and (ftype != "int" or float(v).is_integer())

        return ok

    def summary(self, rule: Rule, at: LiveCell) -> tuple[str, str]:
        fail = f"{PREFIX[rule.severity]} {rule.code}：{rule.brief}"
        keys = [f.key for f in at.form.numeric_inputs if f.type in rule.types]
        rngs = ranges(at.form, keys, at.sheet)
        whole = "int" in rule.types
        terms = [f"COUNTA({','.join(rngs)})-COUNT({','.join(rngs)})"]  # text in number cells
        terms += [f'COUNTIF({r},"<0")' for r in rngs]
        if whole:  # fractions in count cells; IFERROR keeps text from turning this into #VALUE!
            terms += [f"SUMPRODUCT(--(IFERROR(MOD({r},1),0)<>0))" for r in rngs]
        bad = "(" + "+".join(terms) + ")"
        n_bad = sum(
            1
            for k in keys
            if (v := at.values.get(k)) not in (None, "")
            and (not is_number(v) or v < 0 or (whole and not float(v).is_integer()))
        )
        return f'IF({bad}=0,"{PASS}","{fail}")', PASS if n_bad == 0 else fail

    def import_code(self, form: Form, cell: Field | None) -> str | None:
        if cell is None:
            return None
        own = [r for r in form.rules if r.spec is self and not r.builtin and cell.type in r.types]
        return own[0].code if own else None

    def import_codes(self, form: Form, rule: Rule) -> list[str]:
        return [r.code for r in form.rules if r.spec is self and not r.builtin]
