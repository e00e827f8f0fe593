"""Computed cells (formula rows, columns and fields) recalculated by real LibreOffice: the values it
computes are the ones xltool writes as cached results and the ones verify recomputes; a division by
zero is empty in both; decimal sums saved by LibreOffice get no false H8."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.forms.computed import COMPUTED, GOOD, RATES, UNIT
from tests.forms.inline import inline_form
from xltool.checks.verify import verify
from xltool.form.model import Form
from xltool.office import recalculate
from xltool.workbook.read import read_return
from xltool.workbook.write import write_template

# Returns typed into a blank template (openpyxl saves no cached values: every result is LibreOffice's).
TYPED = {
    "good": GOOD,
    "noise": {**GOOD, "h.received.q1": 0.1, "h.received.q2": 0.2, "h.done.q1": 0.1, "h.done.q2": 0.2},
    "broken": {**GOOD, "h.done.q2": 5, "h.received.q2": 2, "score.final": 85},
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> tuple[Form, dict[str, Path]]:
    """The form and each return (plus xltool's own filled template) after one LibreOffice batch."""
    base = tmp_path_factory.mktemp("computed")
    form = inline_form(RATES, base)
    blank = base / "blank.xlsx"
    write_template(form, UNIT, blank)
    sources = [write_template(form, UNIT, base / "in" / "written.xlsx", values=GOOD).path]
    for name, values in TYPED.items():
        wb = openpyxl.load_workbook(blank)
        for key, v in values.items():
            f = form.fields[key]
            wb[form.sheet(f.sheet).name][f.cell] = v
        path = base / "in" / f"{name}.xlsx"
        wb.save(path)
        sources.append(path)
    out = recalculate(sources, base / "lo")
    return form, {p.stem: p for p in out}


def shown(form: Form, path: Path, keys: Any) -> dict[str, Any]:
    """What each computed cell holds as saved (None where it shows "")."""
    ws = openpyxl.load_workbook(path, data_only=True)[form.sheet("main").name]
    return {k: ws[form.fields[k].cell].value for k in keys}


def test_libreoffice_computes_what_verify_computes(recalculated: tuple[Form, dict[str, Path]]) -> None:
    form, files = recalculated
    expected = {k: None if v == "" else v for k, v in COMPUTED.items()}
    assert shown(form, files["good"], COMPUTED) == expected  # round half up, MIN/MAX/ABS/IF, "" on /0
    ret = read_return(files["good"], form)
    assert {k: v for k, v in ret.totals().items() if k in COMPUTED} == expected
    assert verify([files["good"]], form).files[0].problems == []  # no H8, E1's noise, E3 not judged


def test_cached_values_written_by_xltool_are_libreoffices(
    recalculated: tuple[Form, dict[str, Path]], tmp_path: Path
) -> None:
    form, files = recalculated
    written = write_template(form, UNIT, tmp_path / "w.xlsx", values=GOOD).path
    assert shown(form, written, COMPUTED) == shown(form, files["written"], COMPUTED)


def test_check_cells_agree_with_verify(recalculated: tuple[Form, dict[str, Path]]) -> None:
    form, files = recalculated
    summary = [
        r for r in openpyxl.load_workbook(files["broken"], data_only=True)["校验结果"].iter_rows(values_only=True)
    ]
    results = {row[0]: row[3] for row in summary if row[0] in ("E1", "E3", "S1")}
    assert results == {
        "E1": "错误 E1：最终得分不等于总分 + 加分 - 扣分",
        "E3": "错误 E3：二季度办结率超过 100%",
        "S1": "通过",
    }
    problems = verify([files["broken"]], form).files[0].problems
    assert {(p.code, p.cell) for p in problems} == {
        ("E1", form.fields["score.final"].cell),
        ("E3", form.fields["h.done.q2"].cell),
    }


def test_decimal_sums_saved_by_libreoffice_get_no_false_h8(recalculated: tuple[Form, dict[str, Path]]) -> None:
    form, files = recalculated
    assert 0.1 + 0.2 != 0.3  # what Python's sum of the inputs is; LibreOffice saves 0.3
    assert shown(form, files["noise"], ["h.received.total"]) == {"h.received.total": 0.3}
    assert verify([files["noise"]], form).files[0].problems == []
