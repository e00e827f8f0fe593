"""A grid without ``corner`` and a sheet without ``title``: their locked cells hold no text.

Such a cell was once written as an empty string and recorded in the template's fingerprint, while a
reader (and LibreOffice, when it saves) sees no content there: every return failed H4 on the corner
cell ("表" A3) and on A1. The labels around it stay locked: a changed label is still H4. Returns of
templates made that way (by xltool 0.1.0, tests/data/corner_less_*) verify too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.forms.inline import FORM_HEAD, GRID, inline_form, inline_text
from tests.returns import edit_xml, saved_by_libreoffice
from xltool.checks.verify import verify
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.workbook.write import UnitInfo, write_template

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_FORM, OLD_RETURN = DATA / "corner_less_form.toml", DATA / "corner_less_return_made_by_0.1.0.xlsx"
UNIT = UnitInfo("桐柏县市场监督管理局", "部门", 2025)
FILLED = {"g.x.a": 1, "g.x.b": 2, "g.y.a": 3, "g.y.b": 4}


def corner_less(tmp_path: Path) -> Form:
    """The inline 2×2 grid on a sheet without a title, its corner left out."""
    grid = GRID.replace('corner = "事项"\n', "")
    assert "corner" not in grid
    form = inline_form(inline_text(FORM_HEAD, grid), tmp_path)
    assert form.grids[0].corner == "" and form.sheet("main").title == ""
    return form


def problems(path: Path, form: Form) -> list[tuple[str, str]]:
    return [(p.rule, p.message) for f in verify([path], form).files for p in f.problems]


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Form, Path]:
    form = corner_less(tmp_path)
    out = tmp_path / "r.xlsx"
    write_template(form, UNIT, out, values=FILLED)
    return form, out


def test_a_corner_less_return_verifies(filled: tuple[Form, Path]) -> None:
    form, out = filled
    assert problems(out, form) == []


def test_a_corner_less_return_saved_by_libreoffice_verifies(
    filled: tuple[Form, Path], tmp_path: Path, soffice: str
) -> None:
    form, out = filled
    assert problems(saved_by_libreoffice(out, tmp_path / "lo"), form) == []


@pytest.mark.parametrize(
    ("cell", "text"),
    [("B3", "丙"), ("A3", "事项"), ("A1", "标题")],  # a column label changed; text typed in the empty corner, title
)
def test_a_changed_label_is_still_h4(
    filled: tuple[Form, Path], tmp_path: Path, soffice: str, cell: str, text: str
) -> None:
    form, out = filled
    saved = saved_by_libreoffice(out, tmp_path / "lo")
    edited = edit_xml(saved, tmp_path / "edited.xlsx", cells={("主表", cell): text})
    found = problems(edited, form)
    assert [code for code, _ in found] == ["H4"]
    assert f"“主表” {cell}" in found[0][1]


def test_a_return_of_a_template_that_recorded_empty_labels_verifies(tmp_path: Path, soffice: str) -> None:
    form = load_form(OLD_FORM)
    assert problems(OLD_RETURN, form) == []
    saved = saved_by_libreoffice(OLD_RETURN, tmp_path / "lo")
    assert problems(saved, form) == []
    typed = problems(edit_xml(saved, tmp_path / "edited.xlsx", cells={("主表", "A3"): "事项"}), form)
    assert [code for code, _ in typed] == ["H4"] and "“主表” A3" in typed[0][1]
