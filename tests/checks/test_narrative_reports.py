"""The narrative checks on real reports: whole published narratives with their tables give no
error (tests/data/narrative_reports.toml), and every check code fires on sentences that contradict
their tables or break its rule (tests/data/narrative_firing.toml: at least three a code)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.returns import default_form
from xltool.checks.text import TextContext, text_problems
from xltool.form.model import Form
from xltool.form.problems import Problem

DATA = Path(__file__).parents[1] / "data"
REPORTS: list[dict[str, Any]] = tomllib.loads((DATA / "narrative_reports.toml").read_text(encoding="utf-8"))["report"]
FIRING: list[dict[str, Any]] = tomllib.loads((DATA / "narrative_firing.toml").read_text(encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def form() -> Form:
    return default_form()


def tables(form: Form, case: dict[str, Any], zero: bool) -> dict[str, int | float | None]:
    """The case's cells; the others 0 (``zero``) or blank (not transcribed: nothing to compare)."""
    out: dict[str, int | float | None] = {k: 0 if zero else None for k, f in form.fields.items() if f.numeric}
    out.update(case.get("tables", {}))
    return out


def problems(form: Form, case: dict[str, Any], zero: bool) -> list[Problem]:
    context = TextContext(unit=case.get("unit", ""), peers=tuple(case.get("peers", ())))
    return text_problems(form, case["texts"], tables(form, case, zero), case.get("year", 2024), context)


# ------------------------------------------------------------------ correct real reports: no error
def test_enough_whole_reports() -> None:
    assert len(REPORTS) >= 10
    transcribed = [r for r in REPORTS if (r.get("tables") or r.get("all_zero")) and not r.get("tables_from_text")]
    assert len(transcribed) >= 10


@pytest.mark.parametrize("report", REPORTS, ids=[r["unit"] for r in REPORTS])
def test_real_report_gives_no_error(form: Form, report: dict[str, Any]) -> None:
    found = problems(form, report, zero=bool(report.get("all_zero")))
    assert [(p.code, p.field, p.message) for p in found if p.is_error] == []


def test_the_example_report_gives_only_its_known_warnings(form: Form) -> None:
    (anpeng,) = [r for r in REPORTS if r.get("all_zero")]
    found = problems(form, anpeng, zero=True)
    assert sorted({p.code for p in found}) == ["F3", "F8", "F9"]  # no fee sentence, "我处", 一是…三是


# ------------------------------------------------------------------ every code fires
def test_three_cases_per_code(form: Form) -> None:
    codes = Counter(form.rule(c["rule"]).code for c in FIRING)
    assert all(codes[c] >= 3 for c in ("E1", "E2", "E3", "E4", "F2", "F3", "F4", "F6", "F7", "F8", "F9")), codes


@pytest.mark.parametrize("case", FIRING, ids=[f"{c['rule']}-{i}" for i, c in enumerate(FIRING)])
def test_code_fires(form: Form, case: dict[str, Any]) -> None:
    found = problems(form, case, zero=True)
    hits = [p for p in found if p.rule == case["rule"]]
    assert hits, [(p.rule, p.message) for p in found]
    rule = form.rule(case["rule"])
    assert all(p.severity == rule.severity for p in hits)


@pytest.mark.parametrize("case", [c for c in FIRING if c["rule"] in ("E1", "E2", "E3")], ids=lambda c: c["rule"])
def test_table_findings_name_the_sentence_the_numbers_and_the_cells(form: Form, case: dict[str, Any]) -> None:
    for p in (p for p in problems(form, case, zero=True) if p.rule == case["rule"]):
        assert p.field in case["texts"] and p.cell == form.fields[p.field].cell
        assert p.refs and all(any(f.cell == ref and f.numeric for f in form.fields.values()) for ref in p.refs)
        assert p.value and str(p.value).strip("…") in case["texts"][p.field].replace(" ", "")
