"""Annotated copies carry a cached value in every formula (openpyxl writes none): xltool's own
values, the ones verify computed, and the ones LibreOffice computes when it recalculates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xltool.checks.problem_files import annotate_copies
from xltool.checks.verify import FileResult, VerifyResult, verify
from xltool.form.calc import is_number
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.problems import Problem
from xltool.office import XLSX_FILTER, convert_many, recalculate
from xltool.workbook.read import read_return

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FLAWED = SAMPLES / "flawed" / "B1_勾稽不平.xlsx"
CORRECT = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="module")
def copies(form: Form, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """The flawed sample's copy as verify makes it, and the correct return's copy as a reply makes
    one (a warning placed on a cell)."""
    flawed = verify([FLAWED], form)
    assert flawed.files[0].problems
    ret = read_return(CORRECT, form)
    cell = next(f for f in ret.fields.values() if not f.parts)
    warned = FileResult(
        CORRECT, ret.unit, ret.year, [Problem("D1", "warning", "请核实", sheet=cell.sheet, cell=cell.cell)]
    )
    out = tmp_path_factory.mktemp("annotated")
    written = annotate_copies(VerifyResult([*flawed.files, warned]), out, form=form)
    return dict(zip((FLAWED, CORRECT), written, strict=True))


def _formula_values(path: Path) -> dict[tuple[str, str], Any]:
    """(sheet, cell) -> cached value of every formula cell."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, c.coordinate): values[ws.title][c.coordinate].value
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }


@pytest.mark.parametrize("source", [FLAWED, CORRECT], ids=["flawed", "correct"])
def test_every_formula_has_its_value(copies: dict[Path, Path], source: Path) -> None:
    cached = _formula_values(copies[source])
    assert len(cached) > 50
    assert [k for k, v in cached.items() if v is None or v == ""] == []


@pytest.mark.parametrize("source", [FLAWED, CORRECT], ids=["flawed", "correct"])
def test_totals_are_verifys(form: Form, copies: dict[Path, Path], source: Path) -> None:
    ret = read_return(source, form)
    cached = _formula_values(copies[source])
    totals = ret.totals()
    fields = [f for f in ret.fields.values() if f.parts]
    assert fields
    for f in fields:
        assert cached[(f.sheet, f.cell)] == pytest.approx(totals[f.key]), f.key


def test_the_summary_says_what_the_check_cells_say(copies: dict[Path, Path]) -> None:
    texts = [v for v in _formula_values(copies[FLAWED]).values() if isinstance(v, str)]
    assert any(t.startswith("错误 B1") for t in texts)  # the planted imbalance, by xltool's check
    assert any(t.startswith("未通过") for t in texts)  # and the overall verdict


@pytest.fixture(scope="module")
def every_flawed(form: Form, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Copies of every flawed sample: full-width digits, totals typed over, a renamed sheet…"""
    result = verify(sorted((SAMPLES / "flawed").glob("*.xlsx")), form)
    return annotate_copies(result, tmp_path_factory.mktemp("flawed"), form=form)


def test_libreoffice_opens_and_agrees(soffice: str, copies: dict[Path, Path], tmp_path: Path) -> None:
    """Real LibreOffice opens each copy (a damaged part would fail the conversion) and, recalculating
    every formula, gets the values the copy carries."""
    for source, copy in copies.items():
        (theirs,) = recalculate([copy], tmp_path / source.stem)
        assert _disagreeing(copy, theirs) == {}, source.name


def test_values_follow_the_cells_as_they_are(soffice: str, every_flawed: list[Path], tmp_path: Path) -> None:
    """Text in a number cell and a total typed over its sum count as Excel counts them, so each
    check cell says what LibreOffice says; a copy whose locked cells were changed (a sheet renamed)
    gets no value xltool cannot vouch for, never a wrong one."""
    assert len(every_flawed) > 10
    for copy, theirs in zip(every_flawed, convert_many(every_flawed, XLSX_FILTER, tmp_path), strict=True):
        assert _disagreeing(copy, theirs) == {}, copy.name
        if "工作表被改名" not in copy.name:
            assert None not in _formula_values(copy).values(), copy.name


def _disagreeing(ours_path: Path, theirs_path: Path) -> dict[tuple[str, str], tuple[Any, Any]]:
    """Cells whose cached value LibreOffice's recalculation does not reproduce (blanks aside)."""
    ours, theirs = _formula_values(ours_path), _formula_values(theirs_path)
    return {
        k: (v, theirs.get(k))
        for k, v in ours.items()
        if v is not None and not (theirs.get(k) == v or (is_number(v) and theirs.get(k) == pytest.approx(v)))
    }
