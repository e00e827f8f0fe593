"""The special cells of form/cells.py in the template: a constant is printed and locked, the 其中
checks are live below the table and in 校验结果, a conditional requirement counts in the blank
count only while its condition holds — recalculated by real LibreOffice and compared with verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.forms.cells import CELLS, GOOD, UNIT
from tests.forms.inline import inline_form
from xltool.checks.verify import verify
from xltool.form.layout import a1
from xltool.form.model import Form, workbook_rules
from xltool.office import recalculate
from xltool.workbook.write import write_template

BROKEN = {**GOOD, "g.x_new.b": 4, "media.has_new_media": "是"}  # 其中 above 乙; no name, no count


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Form:
    return inline_form(CELLS, tmp_path_factory.mktemp("form"))


@pytest.fixture(scope="module")
def books(soffice: str, form: Form, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Values typed with openpyxl into a blank template (no cached results at all), then recalculated
    by LibreOffice: every result read back is LibreOffice's."""
    src = tmp_path_factory.mktemp("typed")
    blank = write_template(form, UNIT, src / "blank.xlsx").path
    for name, values in (("good", GOOD), ("broken", BROKEN)):
        wb = openpyxl.load_workbook(blank)
        for key, v in values.items():
            f = form.fields[key]
            wb[form.sheet(f.sheet).name][f.cell] = v
        wb.save(src / f"{name}.xlsx")
    outs = recalculate([src / "good.xlsx", src / "broken.xlsx"], tmp_path_factory.mktemp("recalculated"))
    return {"blank": blank, "good": outs[0], "broken": outs[1]}


def shown(path: Path, sheet: str, cell: str) -> Any:
    return openpyxl.load_workbook(path, data_only=True)[sheet][cell].value


def below(form: Form, rule_id: str, column_of: str) -> str:
    """The cell of the table's check row of ``rule_id`` under the column of field ``column_of``."""
    g = form.grids[0]
    return a1(g.data_top + len(g.rows) + g.checks_below.index(rule_id), form.fields[column_of].col)


def summary(form: Form, rule_id: str) -> str:
    block = form.checks_block
    assert block is not None
    return a1(block.row0 + 1 + [r.id for r in workbook_rules(form)].index(rule_id), block.col0 + 3)


def counts(form: Form, path: Path) -> tuple[Any, Any]:
    """The 校验结果 counts of blank numbers and blank required texts."""
    block = form.checks_block
    assert block is not None
    row = block.row0 + len(workbook_rules(form)) + 1
    return shown(path, "校验结果", a1(row, block.col0 + 3)), shown(path, "校验结果", a1(row + 1, block.col0 + 3))


def test_a_constant_is_printed_and_locked(form: Form, books: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(books["blank"])["主表"]
    for key, value in (("g.y.full", 8), ("media.full", 10)):
        cell = ws[form.fields[key].cell]
        assert (cell.value, cell.protection.locked) == (value, True)
    assert ws[form.fields["g.y.b"].cell].protection.locked is False  # an input beside it is open
    validated = {str(c) for dv in ws.data_validations.dataValidation for c in dv.sqref.ranges}
    assert not any(form.fields["media.full"].cell in r for r in validated)
    assert ws[a1(form.fields["media.full"].row, 0)].value == "满分"  # not "满分（选填）": nothing to fill


def test_libreoffice_shows_the_constants_and_their_total(form: Form, books: dict[str, Path]) -> None:
    assert shown(books["good"], "主表", form.fields["g.x.full"].cell) == 8
    assert shown(books["good"], "主表", form.fields["g.total.full"].cell) == 16
    assert shown(books["good"], "主表", form.fields["g.total.a"].cell) == 9  # 5 + 4: the 其中 row not in it


def test_the_of_which_check_is_live_and_agrees_with_verify(form: Form, books: dict[str, Path]) -> None:
    good, broken = books["good"], books["broken"]
    assert shown(good, "主表", below(form, "A5", "g.x.b")) == "通过"
    assert shown(broken, "主表", below(form, "A5", "g.x.b")) == "错误 A5：其中项大于总数"
    assert shown(broken, "主表", below(form, "A5", "g.x.a_web")) == "通过"  # three checks meet in it
    assert shown(broken, "校验结果", summary(form, "A5")) == "错误 A5：其中项大于总数"
    assert shown(good, "校验结果", summary(form, "A5")) == "通过"
    found = [(p.code, p.cell) for p in verify([broken], form).files[0].problems if p.code == "A5"]
    assert found == [("A5", form.fields["g.x_new.b"].cell)]


def test_required_if_counts_only_while_its_condition_holds(form: Form, books: dict[str, Path]) -> None:
    assert counts(form, books["good"]) == (0, 0)  # 否: the name and the count may stay blank
    assert shown(books["good"], "校验结果", summary(form, "A1")) == "通过"
    assert counts(form, books["broken"]) == (1, 1)  # 是: both are missing
    assert shown(books["broken"], "校验结果", summary(form, "A1")) == "未填完：还有1个数字单元格未填写（A1）"
    found = {(p.rule, p.cell) for p in verify([books["broken"]], form).files[0].problems if p.code == "A1"}
    assert found == {("A1-text", form.fields["media.name"].cell), ("A1", form.fields["media.accounts"].cell)}
    assert [p.code for p in verify([books["good"]], form).files[0].problems] == []


def test_the_blank_template_is_not_filled_rather_than_failing(form: Form, books: dict[str, Path]) -> None:
    assert shown(books["blank"], "校验结果", summary(form, "A5")) == "未填写"
