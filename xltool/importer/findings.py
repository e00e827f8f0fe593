"""What import and audit report about a document: Problems with a place in the document.

A published document has no sheets or cells; its places are a part (section), a table's row and
column, or a quoted sentence. ``DocProblem`` is a Problem that says that place, so verify's
printing, JSON and problem lists work unchanged. What only a document can have (an unreadable file,
a table or row not found, an older format, label drift) are the built-in rules "import:<kind>" of
xltool/form/catalogue.toml, which every form has and may override (code, severity, wording) like any
built-in rule; the form's own rules keep their own wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from xltool.form.kinds import KINDS
from xltool.form.model import Field, Form, Rule
from xltool.form.problems import Problem


@dataclass(frozen=True)
class DocProblem(Problem):
    where: str = ""  # the place in the document: "三、收到和处理… 表格（行：…；列：…）"

    def place(self) -> str:
        return self.where

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["where"] = self.where or None
        return out


def finding(
    form: Form, kind: str, where: str = "", value: Any = None, *, cell: Field | None = None, **params: Any
) -> DocProblem:
    """The form's rule "import:<kind>", its placeholders filled from ``params`` ({form} and {title}
    from the form), under the code its ``code_from`` names for ``cell`` (the field it is about)."""
    rule = form.rule("import:" + kind)
    fill = {**form_words(form), **{k: _show(v) for k, v in params.items()}}
    return DocProblem(
        code=code_for(form, rule, cell),
        severity=rule.severity,
        message=_fill(rule.message, fill),
        fix=_fill(rule.fix, fill),
        value=value,
        rule=rule.id,
        where=where,
        row_label=str(params.get("row", "")),
        col_label=str(params.get("column", "")),
    )  # fmt: skip


def form_words(form: Form) -> dict[str, str]:
    """What {form} and {title} stand for in the import rules' wording."""
    return {"form": form.name, "title": form.example_title}


def code_for(form: Form, rule: Rule, cell: Field | None) -> str:
    """The code a finding is reported under, by its rule's ``code_from``: a blank cell or row the
    form's blank rule's (K1 in a form with its own); text in a number cell the form's own type rule's
    for the cell's type (verify's code for it); a printed total its sum rule's; else the rule's own."""
    source = KINDS.get(rule.code_from)
    return (source.import_code(form, cell) if source else None) or rule.code


def codes_taken(form: Form, rule: Rule) -> tuple[str, ...]:
    """The form's codes an import rule with ``code_from`` is reported under instead of its own (for
    ``xltool rules``): the blank rule's, the form's own type rules', the sum rules'."""
    source = KINDS.get(rule.code_from)
    taken = source.import_codes(form, rule) if source else []
    return tuple(dict.fromkeys(taken))


def located(p: Problem, where: str) -> DocProblem:
    """A form rule's problem (found in the imported return) at its place in the document."""
    return DocProblem(
        code=p.code, severity=p.severity, message=p.message, fix=p.fix, field=p.field, value=p.value,
        row_label=p.row_label, col_label=p.col_label, rule=p.rule, explanation=p.explanation, where=where,
    )  # fmt: skip


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(template: str, fill: dict[str, str]) -> str:
    """{name} placeholders filled (unknown ones empty); any other brace in a form's wording stays."""
    return _PLACEHOLDER.sub(lambda m: fill.get(m.group(1), ""), template)


def _show(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
