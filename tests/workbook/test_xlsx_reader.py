"""The one-pass .xlsx parser on what real office suites write (WPS, LibreOffice, openpyxl)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from xltool.form.loader import load_form
from xltool.workbook.read import read_return
from xltool.workbook.xlsx import read_xlsx

ROOT = Path(__file__).resolve().parents[2]
MARKET = ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx"
LEGACY_MAP_IN_ROWS = ROOT / "tests" / "data" / "market_2025_form_2021.1_map_in_rows.xlsx"  # never regenerated


def rewrite(src: bytes, member: str, edit: object) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = edit(data.decode()).encode()  # type: ignore[operator]
            zout.writestr(info, data)
    return out.getvalue()


def minimal(sheet_data: str, shared: str = "") -> bytes:
    """A tiny workbook written by hand, as some tools do."""
    out = io.BytesIO()
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} {rel}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet {ns}><dimension ref="A1"/><sheetData>{sheet_data}</sheetData></worksheet>',
        )
        if shared:
            z.writestr("xl/sharedStrings.xml", f"<sst {ns}>{shared}</sst>")
    return out.getvalue()


def test_wps_wrong_dimension_does_not_hide_cells() -> None:
    data = rewrite(
        MARKET.read_bytes(),
        "xl/worksheets/sheet4.xml",
        lambda x: re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:A1"/>', x),
    )
    book = read_xlsx(data)
    assert book.sheets["表三 依申请公开"].cells[load_form().fields["t3.new.natural"].cell].value == 18


def test_cells_without_positions_are_counted_along_the_row() -> None:
    book = read_xlsx(
        minimal('<row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>三</t></is></c></row>')
    )
    cells = book.sheets["S"].cells
    assert (cells["B2"].value, cells["C2"].value, cells["D2"].value) == (1, 2, "三")


def test_shared_formulas_are_translated_for_followers() -> None:
    xml = '<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1+C1</f><v>3</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/><v>7</v></c></row>'
    cells = read_xlsx(minimal(xml)).sheets["S"].cells
    assert cells["A1"].formula == "=B1+C1" and cells["A2"].formula == "=B2+C2" and cells["A2"].value == 7


def test_rich_text_skips_phonetic_runs_and_empty_cached_values_are_blank() -> None:
    shared = '<si><r><t>规</t></r><r><t>章</t></r><rPh sb="0" eb="1"><t>ぎ</t></rPh></si>'
    xml = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>SUM(C1:D1)</f><v></v></c></row>'
    cells = read_xlsx(minimal(xml, shared)).sheets["S"].cells
    assert cells["A1"].value == "规章" and cells["B1"].value is None and cells["B1"].formula == "=SUM(C1:D1)"


def test_macros_are_refused_even_without_content_types(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\x00" * 10)
    assert [p.code for p in read_return(path, load_form()).problems] == ["H6"]


def test_reading_never_changes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(MARKET.read_bytes())
    before = path.stat().st_mtime_ns, path.read_bytes()
    read_return(path, load_form())
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_integrity_facts_of_a_clean_and_a_tampered_return(tmp_path: Path) -> None:
    form = load_form()
    clean = read_return(MARKET, form)
    assert clean.intact and clean.structure_locked and clean.unprotected_sheets == ()
    assert all(clean.values[f.key].formula for f in form.fields.values() if f.parts)
    tampered = tmp_path / "t.xlsx"
    tampered.write_bytes(
        rewrite(MARKET.read_bytes(), "xl/worksheets/sheet4.xml", lambda x: re.sub(r"<sheetProtection[^>]*/>", "", x))
    )
    ret = read_return(tampered, form)
    assert ret.intact and ret.unprotected_sheets == ("表三 依申请公开",)
    assert [p.code for p in ret.problems] == ["H4"] and ret.problems[0].severity == "warning"


def test_field_maps_of_both_storages_read_the_same(tmp_path: Path) -> None:
    """Templates now pack the field map as JSON in a few ``_meta`` cells; returns made from older
    templates (one row per field after "[fields]", like the kept copy of the market sample as form
    version 2021.1 made it) are read the same: each map is exactly the layout recorded for its version."""
    import tomllib

    from xltool.workbook.meta import form_map, layout_hash, read_meta
    from xltool.workbook.write import UnitInfo, write_template

    form = load_form()
    new = tmp_path / "new.xlsx"
    write_template(form, UnitInfo("市场监管局", "部门", 2025), new)
    old_pairs, old_map = read_meta(read_xlsx(LEGACY_MAP_IN_ROWS.read_bytes()))
    new_pairs, new_map = read_meta(read_xlsx(new.read_bytes()))
    assert "fields:0" not in old_pairs and "fields:0" in new_pairs
    recorded = tomllib.loads((ROOT / "tests" / "data" / "layouts.toml").read_text(encoding="utf-8"))[form.id]
    assert old_pairs["form_version"] == "2021.1" and layout_hash(old_map) == recorded["2021.1"]
    assert new_map == form_map(form)


def test_an_edited_packed_field_map_is_tampering(tmp_path: Path) -> None:
    from dataclasses import replace

    from xltool.workbook.meta import pack_fields, read_meta
    from xltool.workbook.write import UnitInfo, write_template

    form = load_form()
    good = tmp_path / "good.xlsx"
    write_template(form, UnitInfo("市场监管局", "部门", 2025), good)
    pairs, fields = read_meta(read_xlsx(good.read_bytes()))
    # move one input to another cell in the map: the reader would read the wrong cell
    moved = [replace(f, cell="D9") if f.cell == "D8" else f for f in fields]
    old, new = pairs["fields:0"], pack_fields(moved)["fields:0"]
    edited = rewrite(good.read_bytes(), "xl/sharedStrings.xml", lambda x: x.replace(old, new, 1))
    assert edited != good.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited)
    rules = {p.rule for p in read_return(bad, form).problems}
    assert rules == {"H3-edited"}, rules  # the layout no longer matches the form: not read at all


def test_a_packed_field_map_that_inflates_without_end_is_refused(tmp_path: Path) -> None:
    import base64
    import zlib

    from xltool.workbook.meta import MAX_MAP_BYTES, read_meta
    from xltool.workbook.write import UnitInfo, write_template

    form = load_form()
    good = tmp_path / "good.xlsx"
    write_template(form, UnitInfo("市场监管局", "部门", 2025), good)
    pairs, _ = read_meta(read_xlsx(good.read_bytes()))
    bomb = "z:" + base64.b64encode(zlib.compress(b"[" + b" " * (MAX_MAP_BYTES + 10) + b"]", 9)).decode()
    assert len(bomb) < 30_000
    edited = rewrite(good.read_bytes(), "xl/sharedStrings.xml", lambda x: x.replace(pairs["fields:0"], bomb, 1))
    bad = tmp_path / "bomb.xlsx"
    bad.write_bytes(edited)
    assert {p.rule for p in read_return(bad, form).problems} == {"H2"}


def test_the_workbook_part_is_read_whole_when_the_sheet_list_cannot_be_cut_out(tmp_path: Path) -> None:
    """The reader parses xl/workbook.xml only up to </sheets>; a prefixed root or a comment holding
    the closing tag makes that cut invalid XML, and the whole part is parsed instead."""
    src = MARKET.read_bytes()
    form = load_form()
    plain = read_return(MARKET, form)

    def commented(xml: str) -> str:
        return xml.replace("<sheets>", "<!-- </sheets> --><sheets>", 1)

    def prefixed(xml: str) -> str:
        xml = re.sub(r"<(/?)(?!\?)(?!x:)([A-Za-z])", r"<\1x:\2", xml)
        return xml.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)

    for edit in (commented, prefixed):
        path = tmp_path / f"{edit.__name__}.xlsx"
        path.write_bytes(rewrite(src, "xl/workbook.xml", edit))
        book = read_xlsx(path.read_bytes())
        assert list(book.sheets) == list(read_xlsx(src).sheets), edit.__name__
        assert {k: v.value for k, v in read_return(path, form).values.items()} == {
            k: v.value for k, v in plain.values.items()
        }
