"""Verify on the special cells of form/cells.py: a 其中 cell above its total is reported at the 其中
cell under A5 (or the form's own rule), a constant is the form's value whatever the file holds, and
a conditionally required cell is reported blank only when its condition holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.forms.cells import CELLS, GOOD, OWN_RULE, UNIT
from tests.forms.inline import inline_form
from xltool.checks.verify import verify
from xltool.form.model import Form
from xltool.workbook.read import read_return
from xltool.workbook.write import write_template


def problems(form: Form, path: Path, values: dict[str, Any]) -> list[tuple[str, str, str | None, str]]:
    write_template(form, UNIT, path, values=values)
    return [(p.code, p.rule, p.cell, p.message) for p in verify([path], form).files[0].problems]


def test_a_complete_return_passes(tmp_path: Path) -> None:
    assert problems(inline_form(CELLS, tmp_path), tmp_path / "good.xlsx", GOOD) == []


def test_an_of_which_cell_above_its_total_is_reported_at_the_of_which_cell(tmp_path: Path) -> None:
    form = inline_form(CELLS, tmp_path)
    found = problems(form, tmp_path / "row.xlsx", {**GOOD, "g.x_new.b": 4})
    assert found == [("A5", "A5", form.fields["g.x_new.b"].cell, "其中项为 4，大于它所属的总数 3。")]
    found = problems(form, tmp_path / "col.xlsx", {**GOOD, "g.y.a_web": 5})
    assert found == [("A5", "A5", form.fields["g.y.a_web"].cell, "其中项为 5，大于它所属的总数 4。")]
    equal = problems(form, tmp_path / "equal.xlsx", {**GOOD, "g.x_new.b": 3})  # 其中 may be all of it
    assert equal == []
    found = problems(form, tmp_path / "field.xlsx", {**GOOD, "media.posts_original": 31})
    assert found == [("A5", "A5", form.fields["media.posts_original"].cell, "其中项为 31，大于它所属的总数 30。")]


def test_the_forms_own_code_and_wording(tmp_path: Path) -> None:
    form = inline_form(CELLS.replace('checks_below = ["A5"]', 'checks_below = ["W3"]') + OWN_RULE, tmp_path)
    path = write_template(form, UNIT, tmp_path / "w3.xlsx", values={**GOOD, "g.x_new.b": 4}).path
    [p] = verify([path], form).files[0].problems
    assert (p.code, p.severity, p.cell) == ("W3", "warning", form.fields["g.x_new.b"].cell)
    assert p.message == "“其中：新增”“乙”为 4，超过总数 3。"
    assert p.fix == "请核对其中项。"


def test_a_constant_is_the_forms_value_and_used_in_rules(tmp_path: Path) -> None:
    form = inline_form(CELLS, tmp_path)
    found = problems(form, tmp_path / "over.xlsx", {**GOOD, "media.has_new_media": "是", "media.name": "某局微信",
                                                    "media.accounts": 11})  # fmt: skip
    assert found == [("K1", "K1", form.fields["media.accounts"].cell, "账号数 11，超过满分 10。")]
    # A constant typed over (the sheet's protection removed) is still the form's value.
    path = tmp_path / "edited.xlsx"
    write_template(form, UNIT, path, values={**GOOD, "media.has_new_media": "是", "media.name": "某局微信",
                                             "media.accounts": 9})  # fmt: skip
    wb = openpyxl.load_workbook(path)
    wb["主表"][form.fields["media.full"].cell] = 5
    wb.save(path)
    assert read_return(path, form).values["media.full"].value == 10
    codes = {p.code for p in verify([path], form).files[0].problems}
    assert "H4" in codes and "K1" not in codes  # the edit is reported; the rule still sees 10 (H8: openpyxl)


def test_a_blank_constant_is_never_a_blank(tmp_path: Path) -> None:
    form = inline_form(CELLS, tmp_path)
    assert all(f.key not in {"g.x.full", "media.full"} for f in form.numeric_inputs)
    assert problems(form, tmp_path / "good.xlsx", GOOD) == []


def test_required_if_fires_only_when_its_condition_holds(tmp_path: Path) -> None:
    form = inline_form(CELLS, tmp_path)
    name, accounts = form.fields["media.name"].cell, form.fields["media.accounts"].cell
    assert problems(form, tmp_path / "no.xlsx", {**GOOD, "media.has_new_media": "否"}) == []
    found = problems(form, tmp_path / "yes.xlsx", {**GOOD, "media.has_new_media": "是"})
    assert found == [
        ("A1", "A1-text", name, "必填项“新媒体名称”未填写。"),
        ("A1", "A1", accounts, "此单元格未填写。空白不等于 0。"),
    ]
    filled = {**GOOD, "media.has_new_media": "是", "media.name": "某局微信", "media.accounts": 2}
    assert problems(form, tmp_path / "filled.xlsx", filled) == []


def test_required_if_on_a_grid_row(tmp_path: Path) -> None:
    text = CELLS.replace(
        '{ key = "y", path = ["二"] }', """{ key = "y", path = ["二"], required_if = "media.has_new_media == '是'" }"""
    )
    form = inline_form(text, tmp_path)
    assert form.fields["g.y.b"].required_if is not None and form.fields["g.y.total"].required_if is None
    without_y = {k: v for k, v in GOOD.items() if not k.startswith("g.y.")}
    assert problems(form, tmp_path / "no.xlsx", without_y) == []
    found = problems(form, tmp_path / "yes.xlsx", {**without_y, "media.has_new_media": "是", "media.name": "某局微信",
                                                   "media.accounts": 2})  # fmt: skip
    blanks = [(code, rule, cell) for code, rule, cell, _ in found if code == "A1"]
    assert blanks == [("A1", "A1", form.fields[f"g.y.{c}"].cell) for c in ("a", "a_web", "b")]


def test_a5_rewritten_by_the_form(tmp_path: Path) -> None:
    rewrite = '\n[[rules]]\nid = "A5"\ncode = "Q7"\nmessage = "其中数 {found} 超过了总数 {expected}。"\n'
    form = inline_form(CELLS + rewrite, tmp_path)
    found = problems(form, tmp_path / "q7.xlsx", {**GOOD, "g.x_new.b": 4})
    assert found == [("Q7", "A5", form.fields["g.x_new.b"].cell, "其中数 4 超过了总数 3。")]
