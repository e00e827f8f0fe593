"""Checks of the report's final text, run before rendering (``xltool report``).

Every narrative check of ``verify`` runs again on the text as it will be printed (generated
paragraphs included), plus the one check only a document has: headings (F1 in the annual report:
the sections, exactly and in order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from xltool.checks.text import TextContext, text_problems
from xltool.form.model import Form, Rule
from xltool.form.problems import Problem, make_problem
from xltool.report.model import Report

Texts = Mapping[str, str]


def lint_report(form: Form, report: Report, texts: Texts, numbers: Mapping[str, Any]) -> list[Problem]:
    problems = text_problems(form, texts, numbers, report.year, TextContext(unit=report.unit))
    for rule in form.rules:
        if rule.check in REPORT_CHECKS:
            problems += REPORT_CHECKS[rule.check](form, rule, report, texts)
    return problems


def _headings(form: Form, rule: Rule, report: Report, texts: Texts) -> list[Problem]:
    """The form's section headings, exactly and in order."""
    found = [b.text for b in report.blocks if b.kind == "heading1"]
    expected = [s.heading for s in form.sections]
    return [make_problem(form, rule.id, expected=h) for i, h in enumerate(expected) if i >= len(found) or found[i] != h]


REPORT_CHECKS: dict[str, Callable[[Form, Rule, Report, Texts], list[Problem]]] = {
    "headings": _headings,
}
