"""Real LibreOffice runs: recalculation on load, crash isolation in batches, .docx -> .pdf."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xltool.errors import OfficeError
from xltool.office import ConversionError, convert, find_soffice, recalculate


def _stale_workbook(path: Path, base: int) -> None:
    """Formulas whose cached results are deliberately wrong (999)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表1")
    ws.write_number("A1", base)
    ws.write_number("A2", 5)
    ws.write_formula("A3", "=A1+A2", None, 999)
    ws.write_formula("A4", "=SUM(A1:A3)*2", None, 999)
    ws.write_string("B1", "县政府办公室")
    ws.write_formula("B2", '=IF(A1>0,"有","无")', None, "999")
    wb.close()


def _values(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        ws = wb["表1"]
        return {ref: ws[ref].value for ref in ("A1", "A3", "A4", "B1", "B2")}
    finally:
        wb.close()


def test_find_soffice(soffice: str) -> None:
    assert find_soffice() is not None
    assert Path(soffice).exists()


def test_recalculate_fixes_stale_cached_values(soffice: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    book = src / "报表.xlsx"
    _stale_workbook(book, 7)
    assert _values(book)["A3"] == 999

    (out,) = recalculate([book], tmp_path / "out")

    assert out == tmp_path / "out" / "报表.xlsx"
    assert _values(out) == {"A1": 7, "A3": 12, "A4": 48, "B1": "县政府办公室", "B2": "有"}
    assert _values(book)["A3"] == 999  # the input is untouched
    # Formulas survive the round trip.
    assert openpyxl.load_workbook(out)["表1"]["A3"].value == "=A1+A2"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["报表.xlsx"]


def test_batch_with_corrupt_file_converts_the_rest(soffice: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    good = []
    for i in range(3):
        path = src / f"unit{i}.xlsx"
        _stale_workbook(path, i)
        good.append(path)
    bad = src / "损坏.xlsx"
    bad.write_bytes(os.urandom(4096))
    outdir = tmp_path / "out"

    # The corrupt file in the middle crashes soffice; the files after it must still be converted.
    with pytest.raises(ConversionError) as info:
        recalculate([good[0], bad, good[1], good[2]], outdir)

    err = info.value
    assert isinstance(err, OfficeError)
    assert "损坏.xlsx" in str(err)
    assert "unit" not in str(err)
    assert err.failed == [bad]
    assert err.converted == [outdir / f"unit{i}.xlsx" for i in range(3)]
    for i in range(3):
        assert _values(outdir / f"unit{i}.xlsx")["A3"] == i + 5
    assert sorted(p.name for p in outdir.iterdir()) == ["unit0.xlsx", "unit1.xlsx", "unit2.xlsx"]


def test_refuses_to_overwrite_inputs(soffice: str, tmp_path: Path) -> None:
    book = tmp_path / "a.xlsx"
    _stale_workbook(book, 1)
    with pytest.raises(OfficeError, match="输出目录"):
        recalculate([book], tmp_path)
    other = tmp_path / "sub"
    other.mkdir()
    _stale_workbook(other / "a.xlsx", 2)
    with pytest.raises(OfficeError, match="同名"):
        recalculate([book, other / "a.xlsx"], tmp_path / "out")


def test_missing_input_is_reported(soffice: str, tmp_path: Path) -> None:
    with pytest.raises(OfficeError, match="不存在"):
        recalculate([tmp_path / "nope.xlsx"], tmp_path / "out")


def test_missing_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("xltool.office.find_soffice", lambda: None)
    with pytest.raises(OfficeError, match="未找到 LibreOffice"):
        recalculate([tmp_path / "a.xlsx"], tmp_path / "out")


def test_convert_docx_to_pdf(soffice: str, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("政府信息公开工作年度报告", level=1)
    document.add_paragraph("一、总体情况：本年度主动公开政府信息 123 条。")
    src = tmp_path / "报告.docx"
    document.save(str(src))

    pdf = convert(src, "pdf", tmp_path / "pdf")

    assert pdf == tmp_path / "pdf" / "报告.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_parallel_calls_use_separate_profiles(soffice: str, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    books = []
    for i in range(2):
        (tmp_path / f"in{i}").mkdir()
        books.append(tmp_path / f"in{i}" / "同名.xlsx")
        _stale_workbook(books[-1], 10 * i)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(lambda i: recalculate([books[i]], tmp_path / f"out{i}")[0], range(2)))

    assert [_values(out)["A3"] for out in outs] == [5, 15]


def test_timeout_kills_soffice_and_reports(soffice: str, tmp_path: Path) -> None:
    book = tmp_path / "in" / "慢.xlsx"
    book.parent.mkdir()
    _stale_workbook(book, 1)
    outdir = tmp_path / "out"
    with pytest.raises(ConversionError, match="超过") as info:
        recalculate([book], outdir, timeout=0.3)  # LibreOffice alone needs over a second to start
    assert info.value.failed == [book]
    assert list(outdir.iterdir()) == []
