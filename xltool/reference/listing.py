"""A form's rules as ``xltool rules`` lists them and docs/rules describes them.

Each entry says where the rule comes from (xltool's catalogue, rewritten by the form or not, or the
form itself), its fix in generic words (no problem fills its placeholders here), the codes an import
finding is reported under instead of its own, and which commands report it. The commands follow from
the rule's kind and, for a narrative rule, from the stage the catalogue gives its check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xltool.form.catalogue import text_checks
from xltool.form.kinds import kind_of
from xltool.form.model import Form, Rule
from xltool.form.problems import generic
from xltool.importer.findings import codes_taken, form_words

VERIFY = "xltool verify"
VERIFY_PREVIOUS = "xltool verify --previous"
REPORT = "xltool report"
IMPORT = "xltool import"
AUDIT = "xltool audit"
AUDIT_PREVIOUS = "xltool audit --previous"
LIVE = "模板的实时检查"  # the check summary a template shows while it is filled in

# A narrative rule by the stage of its check (catalogue [text_checks]): "verify" runs in verify and
# again on the report's final text; "report" only on the report's text; "previous" with last year's.
BY_STAGE: dict[str, tuple[str, ...]] = {
    "verify": (VERIFY, REPORT, AUDIT),
    "report": (REPORT,),
    "previous": (VERIFY_PREVIOUS, AUDIT_PREVIOUS),
}


@dataclass(frozen=True)
class RuleEntry:
    """One rule of a form as the reference lists it."""

    rule: Rule
    fix: str  # the fix in generic words ("请改用本次收集的年度下发的模板")
    also: tuple[str, ...]  # the form's codes an import finding is reported under instead of its own
    commands: tuple[str, ...]  # what reports it (VERIFY, REPORT, …, LIVE)

    @property
    def on_documents(self) -> bool:
        """A finding on a published document (import, audit), not a check of a return."""
        return kind_of(self.rule).on_documents

    @property
    def source(self) -> str:
        return "builtin" if self.rule.builtin else "form"

    @property
    def source_zh(self) -> str:
        if self.rule.builtin:
            return "内置（表单改写）" if self.rule.overridden else "内置"
        return "表单"

    def to_dict(self) -> dict[str, Any]:
        """The row of ``xltool rules --json``."""
        r = self.rule
        return {
            "code": r.code,
            "id": r.id,
            "severity": r.severity,
            "source": self.source,
            "overridden": r.overridden,  # a built-in rule the form gave its own code, severity or wording
            "kind": r.kind,
            "title": r.title,
            "fix": self.fix,
            "also": list(self.also),
        }


def rule_entries(form: Form) -> tuple[RuleEntry, ...]:
    """Every rule of ``form`` in the form's order (``natural_key`` sorts them by code)."""
    words = form_words(form)
    return tuple(
        RuleEntry(rule=r, fix=generic_fix(r, words), also=codes_taken(form, r), commands=checked_by(form, r))
        for r in form.rules
    )


def generic_fix(rule: Rule, words: Mapping[str, str]) -> str:
    """The rule's fix in generic words, ``words`` standing for {form} and {title} (the form's name and
    an example title, as import says them)."""
    text = rule.fix
    for name, word in words.items():
        text = text.replace("{" + name + "}", word)
    return generic(text, rule)


def natural_key(entry: RuleEntry) -> tuple[Any, ...]:
    """B2 before B10, then by id; codes of any form ("K1", "MINI-2") sort without error."""
    code = tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", entry.rule.code))
    return (code, entry.rule.id)


def checked_by(form: Form | None, rule: Rule) -> tuple[str, ...]:
    """The commands that report ``rule``; with ``form``, the template's live check when the form's
    template has a check summary (without, as the catalogue alone says: whenever it has one)."""
    kind = kind_of(rule)
    narrative = not kind.reported_by or bool(rule.check)
    commands = BY_STAGE[stage_of(form, rule)] if narrative else tuple(f"xltool {c}" for c in kind.reported_by)
    live = kind.in_workbook and (form is None or form.checks_block is not None)
    return (*commands, LIVE) if live else commands


def stage_of(form: Form | None, rule: Rule) -> str:
    """The stage of a narrative rule's check; a rule without one (E1-unclear, F4-plan) is reported by
    the check of the rule whose parameters name it."""
    if rule.check:
        return str(text_checks()[rule.check]["stage"])
    for other in form.rules if form else ():
        if other.check and rule.id in other.params.values():
            return str(text_checks()[other.check]["stage"])
    return "verify"
