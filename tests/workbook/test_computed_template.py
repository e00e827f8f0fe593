"""The template of a form with computed cells: each a locked live formula ("" on a division by zero),
a percent shown as 0.0%, check cells over a division passing while it is empty, and the formulas in
the return's own field map (so a return is recomputed by the formulas it was made with)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.forms.computed import GOOD, RATES, UNIT
from tests.forms.inline import inline_form
from xltool.form.model import Form
from xltool.workbook.meta import form_map
from xltool.workbook.read import read_return
from xltool.workbook.write import write_template


@pytest.fixture
def form(tmp_path: Path) -> Form:
    return inline_form(RATES, tmp_path)


def test_computed_cells_are_locked_live_formulas(form: Form, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(write_template(form, UNIT, tmp_path / "t.xlsx", values=GOOD).path)["统计"]
    rate, total, share = (form.fields[k] for k in ("h.rate.q1", "h.rate.total", "rate.all"))
    assert ws[rate.cell].value == f'=IFERROR({form.fields["h.done.q1"].cell}/{form.fields["h.received.q1"].cell},"")'
    assert ws[total.cell].value == '=IFERROR(D5/D4,"")'  # a rate of the totals, not a sum of rates
    assert ws[form.fields["fn.round"].cell].value == "=ROUND(B16,1)"
    assert ws[share.cell].number_format == "0.0%"
    assert ws[form.fields["rate.target"].cell].number_format == "0.0%"
    assert ws[rate.cell].protection.locked and not ws[form.fields["x.a"].cell].protection.locked


def test_a_check_over_a_division_passes_while_it_is_empty(form: Form, tmp_path: Path) -> None:
    path = write_template(form, UNIT, tmp_path / "t.xlsx", values=GOOD).path
    rows = list(openpyxl.load_workbook(path)["校验结果"].iter_rows(values_only=True))
    [e3] = [r[3] for r in rows if r[0] == "E3"]
    assert "IFERROR(" in e3 and ",TRUE)" in e3
    cached = list(openpyxl.load_workbook(path, data_only=True)["校验结果"].iter_rows(values_only=True))
    assert [r[3] for r in cached if r[0] == "E3"] == ["通过"]


def test_the_field_map_carries_each_formula(form: Form, tmp_path: Path) -> None:
    rows = {f.key: f.row() for f in form_map(form)}
    assert rows["h.rate.q1"][3:] == ("formula", "decimal", "办结率/一季度", "=h.done.q1 / h.received.q1")
    assert rows["h.received.total"][6] == "h.received.q1 h.received.q2"
    ret = read_return(write_template(form, UNIT, tmp_path / "t.xlsx", values=GOOD).path, form)
    assert ret.fields["rate.all"].formula == "h.done.total / h.received.total"
    assert ret.totals()["rate.all"] == 0.985 and ret.problems == []
