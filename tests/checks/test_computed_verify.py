"""Verify on computed cells and percents: formula cells recomputed from the inputs (H5 when one is
typed over, H8 when its saved result is stale), a rule over a division by zero not judged, decimal
equality without float noise, percents read from 0.985 or "98.5%" and shown as 98.5% in messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.forms.computed import GOOD, RATES, UNIT
from tests.forms.inline import inline_form
from tests.returns import edit_xml
from xltool.checks.verify import verify
from xltool.form.model import Form
from xltool.form.problems import Problem
from xltool.workbook.read import read_return
from xltool.workbook.write import write_template


@pytest.fixture
def form(tmp_path: Path) -> Form:
    return inline_form(RATES, tmp_path)


def problems(form: Form, path: Path) -> list[Problem]:
    return verify([path], form).files[0].problems


def filled(form: Form, tmp_path: Path, **changes: Any) -> Path:
    values = {**GOOD, **{k.replace("__", "."): v for k, v in changes.items()}}
    return write_template(form, UNIT, tmp_path / "r.xlsx", values=values).path


def typed(form: Form, tmp_path: Path, key: str, value: Any) -> Path:
    """GOOD with ``value`` typed into ``key``'s cell (openpyxl: no cached results, so H8 too)."""
    wb = openpyxl.load_workbook(filled(form, tmp_path))
    f = form.fields[key]
    wb[form.sheet(f.sheet).name][f.cell] = value
    wb.save(tmp_path / "typed.xlsx")
    return tmp_path / "typed.xlsx"


def test_a_complete_return_passes(form: Form, tmp_path: Path) -> None:
    assert 82.6 + 3.6 - 0.2 != 86  # 85.99999999999999: E1 compares at the decimal type's 4 places
    assert problems(form, filled(form, tmp_path)) == []


def test_a_broken_decimal_balance_is_reported_at_its_cell(form: Form, tmp_path: Path) -> None:
    [p] = problems(form, filled(form, tmp_path, score__final=85.9))
    assert (p.code, p.cell) == ("E1", form.fields["score.final"].cell)
    assert p.message == "最终得分 85.9，应为 82.6 + 3.6 - 0.2。"


def test_a_rule_dividing_by_zero_is_not_judged_until_there_is_a_divisor(form: Form, tmp_path: Path) -> None:
    assert problems(form, filled(form, tmp_path, h__received__q2=0, h__done__q2=3)) == []  # 3/0: empty
    [p] = problems(form, filled(form, tmp_path, h__received__q2=2, h__done__q2=3))
    assert (p.code, p.cell, p.message) == ("E3", form.fields["h.done.q2"].cell, "二季度办结 3 件，受理 2 件。")


def test_a_rule_over_an_empty_rate_is_not_judged(form: Form, tmp_path: Path) -> None:
    zero = {"h__received__q1": 0, "h__done__q1": 0}
    path = filled(form, tmp_path, **zero)
    assert read_return(path, form).totals()["rate.all"] is None
    assert problems(form, path) == []


def test_messages_show_percents(form: Form, tmp_path: Path) -> None:
    [p] = problems(form, filled(form, tmp_path, rate__target=0.5))
    assert (p.code, p.cell) == ("E2", form.fields["rate.all"].cell)
    assert p.message == "全年办结率为 98.5%，目标为 50%。"
    [p] = problems(form, filled(form, tmp_path, rate__target=1.2))
    assert p.message == "目标办结率为 120%，应在 0% 至 100% 之间。"


@pytest.mark.parametrize("value", [0.985, "98.5%", "９８.５％"])
def test_a_percent_is_read_as_a_ratio(form: Form, tmp_path: Path, value: Any) -> None:
    ret = read_return(typed(form, tmp_path, "rate.target", value), form)
    assert ret.values["rate.target"].value == 0.985
    found = [p.message for p in ret.problems if p.code == "A2"]  # "98.5%" is how a percent is written
    assert len(found) == (value == "９８.５％")
    assert all("98.5%" in m and "0.985" not in m for m in found)


def test_a_formula_cell_typed_over_is_caught_at_its_cell(form: Form, tmp_path: Path) -> None:
    cell = form.fields["h.rate.q1"].cell
    path = edit_xml(filled(form, tmp_path), tmp_path / "over.xlsx", cells={("统计", cell): 0.99})
    found = {(p.code, p.cell) for p in problems(form, path)}
    assert ("H5", cell) in found


def test_a_stale_formula_result_is_h8_with_the_recomputed_value(form: Form, tmp_path: Path) -> None:
    cell = form.fields["x.c"].cell
    path = edit_xml(filled(form, tmp_path), tmp_path / "stale.xlsx", cells={("统计", cell): 2.35})
    [p] = problems(form, path)
    assert (p.code, p.cell) == ("H8", form.fields["fn.round"].cell)
    assert "2.3" in p.message and "应为 2.4" in p.message  # round half up, not 2.35's binary 2.3499…
