"""The barest form (tests/forms/bare): one sheet, no guide, no roles, no unit types, no check summary,
no report sections, no text rules. A form author who declares only a table and two rules gets a
locked template, a return filled by hand and recalculated by real LibreOffice that verifies under
the form's own codes, and a clear answer where the form has nothing to offer (the report).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.returns import saved_by_libreoffice
from xltool.cli import main
from xltool.form.loader import load_form

BARE = Path(__file__).resolve().parent / "forms" / "bare" / "form.toml"
FORM = load_form(BARE)
UNIT, YEAR = "桐柏县市场监督管理局", 2025


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_form_declares_nothing_optional() -> None:
    assert len(FORM.sheets) == 1 and not FORM.guide
    assert not FORM.roles and not FORM.units.names and not FORM.sections and FORM.checks_block is None
    assert {r.code for r in FORM.rules if not r.builtin} == {"P1", "P2"}


def filled_by_hand(tmp_path: Path, values: dict[str, Any]) -> Path:
    """The CLI's template, typed into as a clerk does (only unlocked cells), saved by LibreOffice."""
    template = tmp_path / "模板.xlsx"
    result = run("template", "--form", BARE, "--unit", UNIT, "--year", YEAR, "-o", template)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(template)
    for key, value in values.items():
        f = FORM.fields[key]
        cell = wb[FORM.sheet(f.sheet).name][f.cell]
        assert cell.protection.locked is False, key  # an input, open to the clerk
        cell.value = value
    typed = tmp_path / "填好.xlsx"
    wb.save(typed)
    return saved_by_libreoffice(typed, tmp_path / "lo")


def verify_json(path: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("verify", "--form", BARE, "--json", path)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["files"][0]["problems"]


VALID = {"p.firm.granted": 12, "p.firm.refused": 2, "p.build.granted": 5, "p.build.refused": 0}


def test_a_return_filled_by_hand_and_recalculated_verifies(tmp_path: Path, soffice: str) -> None:
    saved = filled_by_hand(tmp_path, VALID)
    assert verify_json(saved) == (0, [])
    total = FORM.fields["p.firm.total"]
    computed = openpyxl.load_workbook(saved, data_only=True)[FORM.sheet(total.sheet).name]
    assert computed[total.cell].value == 14  # the total is a formula LibreOffice computed


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"p.firm.refused": 20}, [("P2", "warning", "p.firm.refused")]),  # the form's own expression rule
        ({"p.build.refused": "/"}, [("A2", "error", "p.build.refused")]),  # text in a number cell
        ({"p.build.granted": None}, [("A1", "error", "p.build.granted")]),  # a blank is no 0
    ],
)
def test_each_rule_at_its_cell(tmp_path: Path, soffice: str, changes: dict[str, Any], expected: list[Any]) -> None:
    code, problems = verify_json(filled_by_hand(tmp_path, {**VALID, **changes}))
    assert [(p["code"], p["severity"], p["field"]) for p in problems] == expected
    assert {p["cell"] for p in problems} == {FORM.fields[k].cell for _, _, k in expected}
    assert code == (1 if any(s == "error" for _, s, _ in expected) else 0)


def test_rules_and_report(tmp_path: Path) -> None:
    listed = run("rules", "--form", BARE)
    assert listed.exit_code == 0 and "【P1】" in listed.output and "【P2】" in listed.output
    made = tmp_path / "r.xlsx"
    assert run("template", "--form", BARE, "--unit", UNIT, "--year", YEAR, "-o", made).exit_code == 0
    result = run("report", "--form", BARE, made, "-o", tmp_path / "r.docx")
    assert result.exit_code == 1 and "没有定义报告的内容" in result.output
