"""Checks of the report's final text, run before rendering (``xltool report``).

The narrative checks of checks/text.py run on the text as it will be printed (generated paragraphs
included), plus the document-level checks the form declares: headings (F1 in the annual report: the
sections, exactly and in order), topics (F2: a section covers its topics) and document_number (F6:
the basis document cited correctly).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from xltool.checks.problems import Problem, make_problem
from xltool.checks.text import text_problems
from xltool.form.model import Form, Rule
from xltool.report.model import Report

Texts = Mapping[str, str]


def lint_report(form: Form, report: Report, texts: Texts, numbers: Mapping[str, Any]) -> list[Problem]:
    problems = text_problems(form, texts, numbers, report.year)
    for rule in form.rules:
        if rule.check in REPORT_CHECKS:
            problems += REPORT_CHECKS[rule.check](form, rule, report, texts)
    return problems


def _headings(form: Form, rule: Rule, report: Report, texts: Texts) -> list[Problem]:
    """The form's section headings, exactly and in order."""
    found = [b.text for b in report.blocks if b.kind == "heading1"]
    expected = [s.heading for s in form.sections]
    return [make_problem(form, rule.id, expected=h) for i, h in enumerate(expected) if i >= len(found) or found[i] != h]


def _topics(form: Form, rule: Rule, report: Report, texts: Texts) -> list[Problem]:
    """Every topic field has text (each topic is its own field in the template)."""
    return [
        make_problem(form, rule.id, key, detail=form.fields[key].label)
        for key in rule.params["fields"]
        if not (texts.get(key) or "").strip()
    ]


def _document_numbers(form: Form, rule: Rule, report: Report, texts: Texts) -> list[Problem]:
    """An outdated or misspelled number of the basis document."""
    params, correct = rule.params, rule.params["correct"]
    out = []
    for key in params["texts"]:
        text = texts.get(key) or ""
        for wrong in params["outdated"]:
            if wrong in text:
                detail = params.get("outdated_note", "这是已被替代的文件")
                out.append(make_problem(form, rule.id, key, wrong, found=wrong, detail=detail, correct=correct))
        for wrong in params["misspelled"]:
            if wrong in text:
                detail = f"文号写法有误，应为“{correct}”"
                out.append(make_problem(form, rule.id, key, wrong, found=wrong, detail=detail, correct=correct))
    return out


REPORT_CHECKS: dict[str, Callable[[Form, Rule, Report, Texts], list[Problem]]] = {
    "headings": _headings,
    "topics": _topics,
    "document_number": _document_numbers,
}
