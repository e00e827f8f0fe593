"""Checks of the report's final text, run before rendering (``xltool report``).

The narrative checks of textchecks.py run on the text as it will be printed (generated paragraphs
included), plus the document-level checks F1 (six headings), F2 (section 一 covers its topics) and
F6 (the format's document number cited correctly).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xltool.checks.problems import Problem, make_problem
from xltool.checks.text import text_problems
from xltool.form.model import Form
from xltool.report.model import Report


def lint_report(form: Form, report: Report, texts: Mapping[str, str], numbers: Mapping[str, Any]) -> list[Problem]:
    problems = text_problems(form, texts, numbers, report.year)
    problems += _headings(form, report) + _topics(form, texts) + _document_numbers(form, texts)
    return problems


def _headings(form: Form, report: Report) -> list[Problem]:
    """F1: the six headings, exactly and in order."""
    found = [b.text for b in report.blocks if b.kind == "heading1"]
    expected = [s.heading for s in form.sections]
    return [make_problem(form, "F1", expected=h) for i, h in enumerate(expected) if i >= len(found) or found[i] != h]


def _topics(form: Form, texts: Mapping[str, str]) -> list[Problem]:
    """F2: every topic of section 一 has text (each topic is its own field in the template)."""
    keys = form.rule("F2").params.get("fields", ())
    return [
        make_problem(form, "F2", key, detail=form.fields[key].label)
        for key in keys
        if not (texts.get(key) or "").strip()
    ]


def _document_numbers(form: Form, texts: Mapping[str, str]) -> list[Problem]:
    """F6: the outdated 2019 notice or a misspelled number of the 2021 format."""
    params = form.rule("F6").params
    out = []
    for key in params.get("texts", ()):
        text = texts.get(key) or ""
        for wrong in params.get("outdated", ()):
            if wrong in text:
                out.append(
                    make_problem(
                        form,
                        "F6",
                        key,
                        wrong,
                        found=wrong,
                        detail="这是已被替代的 2019 年试行格式的通知",
                        correct=form.basis,
                    )
                )
        for wrong in params.get("misspelled", ()):
            if wrong in text:
                out.append(
                    make_problem(
                        form,
                        "F6",
                        key,
                        wrong,
                        found=wrong,
                        detail=f"文号写法有误，应为“{form.basis}”",
                        correct=form.basis,
                    )
                )
    return out
