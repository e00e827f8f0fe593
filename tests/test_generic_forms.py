"""What must hold for every form, run over the shipped annual report and the two test forms.

Cells are taken from each form's fields, never written as literals: the same test proves the
template locks exactly the inputs, writes every total as a formula with its right cached value,
reads values back by key, and reports a blank template's blanks under the form's own code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.returns import NOW, load_copy
from xltool.checks.verify import verify
from xltool.form.calc import totals
from xltool.form.layout import parse_a1
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.registry import default_form_path
from xltool.workbook.read import read_return
from xltool.workbook.write import UnitInfo, template_filename, write_template

FORMS = {
    "annual_report": default_form_path(),
    "mini": Path(__file__).parent / "forms" / "mini" / "form.toml",
    "bare": Path(__file__).parent / "forms" / "bare" / "form.toml",  # one sheet, nothing optional declared
}


@pytest.fixture(params=list(FORMS), scope="module")
def form(request: pytest.FixtureRequest) -> Form:
    return load_form(FORMS[request.param])


def unit(form: Form) -> UnitInfo:
    return UnitInfo("桐柏县测试镇人民政府", form.units.guess_type("桐柏县测试镇人民政府"), 2025)


def some_values(form: Form) -> dict[str, Any]:
    """A distinct number in every numeric input, a text or choice in every other one."""
    values: dict[str, Any] = {}
    for i, f in enumerate(form.inputs):
        if f.numeric:
            values[f.key] = i % 7 + (0.5 if f.type != "int" else 0)
        elif f.choices:
            values[f.key] = f.choices[0]
        elif f.type == "date":
            values[f.key] = dt.date(2026, 1, 15)
        elif f.type == "year":
            values[f.key] = 2025
        else:
            values[f.key] = f"{f.label}的内容"
    return values


def test_only_inputs_are_unlocked_and_every_total_is_a_formula(form: Form, tmp_path: Path) -> None:
    values = some_values(form)
    path = write_template(form, unit(form), tmp_path / "t.xlsx", values=values, now=NOW).path
    wb = load_copy(path)
    inputs = {(form.sheet(f.sheet).name, f.cell) for f in form.inputs}
    unlocked = {
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if not c.protection.locked and ws.sheet_state == "visible"
    }
    assert inputs <= unlocked
    # any other unlocked cell is the rest of a merged input: on an input's row, right of its cell
    starts = {(form.sheet(f.sheet).name, f.row): f.col for f in form.inputs}
    for sheet, cell in unlocked - inputs:
        row, col = parse_a1(cell)
        assert (sheet, row) in starts and col > starts[(sheet, row)], (sheet, cell)
    expected = totals(form, values)
    cached = load_copy(path)  # openpyxl reads formulas; the cached values come from the reader
    ret = read_return(path, form)
    for f in form.fields.values():
        if f.parts:
            assert str(cached[form.sheet(f.sheet).name][f.cell].value).startswith("=SUM("), f.key
            assert ret.values[f.key].raw == expected[f.key], f.key


def test_values_are_read_back_by_key(form: Form, tmp_path: Path) -> None:
    values = some_values(form)
    path = write_template(form, unit(form), tmp_path / "t.xlsx", values=values, now=NOW).path
    ret = read_return(path, form)
    assert ret.readable and ret.layout_current and ret.intact
    for key, v in values.items():
        assert ret.values[key].value == v, key
    assert [p.code for p in ret.problems] == []


def test_a_blank_template_reports_its_blanks_under_the_forms_own_code(form: Form, tmp_path: Path) -> None:
    path = write_template(form, unit(form), tmp_path / template_filename(form, unit(form).name, 2025), now=NOW).path
    (result,) = verify([path], form).files
    blank = {
        (p.sheet, p.cell) for p in result.problems if p.code == form.filled_rule.code and p.rule == form.filled_rule.id
    }
    assert blank == {(form.sheet(f.sheet).name, f.cell) for f in form.numeric_inputs if f.required}
    assert not [p for p in result.problems if p.code.startswith("H")]


def test_a_return_of_the_other_form_is_h2(form: Form, tmp_path: Path) -> None:
    other = load_form(next(p for p in FORMS.values() if p != form.source))
    path = write_template(other, unit(other), tmp_path / "other.xlsx", now=NOW).path
    (result,) = verify([path], form).files
    assert [(p.code, p.rule) for p in result.problems] == [("H2", "H2-form")]
    assert other.id in result.problems[0].message and form.name in result.problems[0].message
    assert "--form" in result.problems[0].fix
