"""A published report becomes a return without writing a workbook (workbook/filled.py): the return
must be what writing a template with the imported values and reading it back gave — the same values
as read (raw, normalised, notes), the same reading problems, the same unit and year — on the real
published excerpts and on reports with the flaws a document has (text and "/" in number cells, a
number with a measure word, a blank)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xltool.form.model import Form
from xltool.importer.build import import_document
from xltool.workbook.filled import filled_return
from xltool.workbook.read import Return, read_return
from xltool.workbook.write import UnitInfo, build_template

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = sorted((DATA / "published").glob("*.txt")) + [DATA / "anpeng_2024_report.txt"]


def round_trip(form: Form, doc: Path, tmp: Path) -> tuple[Return, Return]:
    imported = import_document(doc, form)
    # An excerpt without a year (import refuses it) is compared under the year its text is about.
    year = imported.year or 2023
    unit = UnitInfo(imported.unit, imported.unit_type, year)
    copy = tmp / "copy.xlsx"
    copy.write_bytes(build_template(form, unit, values=imported.values).content)
    read = read_return(copy, form)
    built = filled_return(form, doc, imported.unit, imported.unit_type, year, imported.values)
    return read, built


def seen(ret: Return) -> dict[str, Any]:
    return {
        "values": {k: (v.raw, v.value, v.invalid, v.note, v.formula is None) for k, v in ret.values.items()},
        "problems": [p.to_dict() for p in ret.problems],
        "unit": ret.unit,
        "year": ret.year,
        "meta": {k: ret.meta.get(k) or "" for k in ("form_id", "form_version", "year", "unit", "unit_type")},
        "readable": ret.readable,
        "layout_current": ret.layout_current,
        "totals": ret.complete_totals(),
        "fields": ret.fields,
    }


@pytest.mark.parametrize("doc", REAL, ids=lambda p: p.name)
def test_a_real_report_is_the_return_a_written_template_reads_as(form: Form, doc: Path, tmp_path: Path) -> None:
    read, built = round_trip(form, doc, tmp_path)
    assert seen(built) == seen(read)


def test_a_flawed_report_is_the_return_a_written_template_reads_as(
    form: Form, published: Callable[..., Path], tmp_path: Path
) -> None:
    grid = [k for k, f in form.fields.items() if f.grid and f.editable and f.numeric]
    changes = {grid[0]: "/", grid[1]: "3项", grid[2]: "", grid[3]: "约12", grid[4]: 1.5}
    for kind in ("html", "docx"):
        read, built = round_trip(form, published(changes, kind=kind), tmp_path)
        assert seen(built) == seen(read)
        assert any(v.raw in ("/", "3项") for v in built.values.values())  # the flaws did reach the return
