"""A section pasted from Word can never land in another field of the template.

Word puts a multi-paragraph selection on the clipboard; pasted into a *selected* cell, Excel, WPS and
LibreOffice spread it over that cell and the rows below, one paragraph a row. Under every narrative
input the template has a locked, empty row, so on the protected sheet such a paste hits a locked
cell and is refused as a whole: the next section's text is never overwritten.

The paste is done by the real LibreOffice, headless, through a Basic macro in a private profile
(no Python-UNO bridge needed): a Writer document with the paragraphs is selected and its transferable
(what Word's clipboard would hold: rich text, one paragraph a row) is inserted at a narrative cell
with ``XTransferableSupplier.insertTransferable`` -- the path of Edit > Paste. Controls prove the
simulation is faithful: with the protection removed the same paste spreads over three rows and
overwrites the next section, and a one-paragraph paste on the protected sheet goes in.

Pasting into the cell being edited (double-click, F2 or the edit bar, as the guide and the input
prompt say) cannot be driven here: entering edit mode needs keyboard focus, which headless
LibreOffice has no window for (the UI-test service hangs). What it produces -- the whole text, its
paragraph breaks included, in the one cell -- is set through the cell's own text API instead and
checked after LibreOffice saves it.
"""

from __future__ import annotations

import html
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.returns import default_form
from xltool.form.layout import a1
from xltool.form.model import Field
from xltool.workbook.write import UnitInfo, write_template
from xltool.workbook.writer import LONGTEXT_POINTS

FORM = default_form()
NARRATIVE = [f for f in FORM.inputs if f.type == "longtext"]
PARAGRAPHS = ["第一段：本年度主动公开政府信息128条。", "第二段：政策解读15篇。", "第三段：下一步工作打算。"]

# Commands, one a line, tab-separated: open URL | unprotect SHEET | paste SHEET CELL N | type SHEET
# CELL TEXT (paragraphs joined by "\n") | save URL. Each line logs "ok" or the Basic error.
MACRO = """
Function Prop(n As String, v) As com.sun.star.beans.PropertyValue
    Dim p As New com.sun.star.beans.PropertyValue
    p.Name = n
    p.Value = v
    Prop = p
End Function

Function Paragraphs(n As Integer)
    Dim oW, oText, oCur, i As Integer
    oW = StarDesktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, Array())
    oText = oW.getText()
    oCur = oText.createTextCursor()
    For i = 1 To n
        oText.insertString(oCur, Environ("PASTE_P" & i), False)
        If i < n Then oText.insertControlCharacter(oCur, com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK, False)
    Next i
    oCur.gotoStart(False)
    oCur.gotoEnd(True)
    oW.getCurrentController().select(oCur)
    Paragraphs = oW.getCurrentController().getTransferable()
End Function

Sub Main
    Dim f As Integer, g As Integer, sLine As String, a, oDoc, oSheet, oCtl
    f = FreeFile
    Open Environ("PASTE_LOG") For Output As #f
    g = FreeFile
    Open Environ("PASTE_COMMANDS") For Input As #g
    On Error Goto Failed
    Do While Not EOF(g)
        Line Input #g, sLine
        a = Split(sLine, Chr(9))
        Select Case a(0)
        Case "open"
            oDoc = StarDesktop.loadComponentFromURL(a(1), "_blank", 0, Array())
        Case "unprotect"
            oDoc.Sheets.getByName(a(1)).unprotect("")
        Case "paste"
            oSheet = oDoc.Sheets.getByName(a(1))
            oCtl = oDoc.getCurrentController()
            oCtl.setActiveSheet(oSheet)
            oCtl.select(oSheet.getCellRangeByName(a(2)))
            oCtl.insertTransferable(Paragraphs(CInt(a(3))))
        Case "type"
            oDoc.Sheets.getByName(a(1)).getCellRangeByName(a(2)).setString(Join(Split(a(3), "\\n"), Chr(10)))
        Case "save"
            oDoc.storeToURL(a(1), Array(Prop("FilterName", "Calc MS Excel 2007 XML")))
            oDoc.close(True)
        End Select
        Print #f, "ok " & a(0)
    Loop
    Close #g
    Close #f
    StarDesktop.terminate()
    Exit Sub
Failed:
    Print #f, "error " & Err & " " & Error$ & " at " & sLine
    Close #f
    StarDesktop.terminate()
End Sub
"""


def _soffice_run(soffice: str, profile: Path, args: list[str], env: dict[str, str], timeout: float = 180) -> None:
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", *args]  # fmt: skip
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    try:
        proc.wait(timeout=timeout)  # its exit code is no verdict: 7.4 may abort while terminating
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"LibreOffice did not finish the paste macro in {timeout:g} s")


def run_macro(soffice: str, tmp: Path, commands: list[list[str]]) -> list[str]:
    """Run MACRO over ``commands`` in a fresh private profile; returns its log lines."""
    profile = tmp / "profile"
    _soffice_run(soffice, profile, ["--terminate_after_init"], {})  # the profile, with its Standard library
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert module.is_file(), "LibreOffice made no Basic library in the new profile"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD '
        'OfficeDocument 1.0//EN" "module.dtd">\n<script:module xmlns:script="http://openoffice.org/2000/script" '
        'script:name="Module1" script:language="StarBasic">' + html.escape(MACRO) + "</script:module>\n",
        encoding="utf-8",
    )
    (tmp / "commands.txt").write_text("\n".join("\t".join(c) for c in commands) + "\n", encoding="utf-8")
    env = {f"PASTE_P{i}": p for i, p in enumerate(PARAGRAPHS, start=1)}
    env |= {"PASTE_COMMANDS": str(tmp / "commands.txt"), "PASTE_LOG": str(tmp / "log.txt")}
    _soffice_run(soffice, profile, ["macro:///Standard.Module1.Main"], env)
    log = (tmp / "log.txt").read_text(encoding="utf-8").split("\n") if (tmp / "log.txt").exists() else []
    assert [line for line in log if line] == [f"ok {c[0]}" for c in commands], log
    return log


def values(path: Path) -> dict[tuple[str, str], Any]:
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for s in FORM.sheets
        for ws in [wb[s.name]]
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def below(f: Field) -> str:
    return a1(f.row + 1, f.col)


@pytest.fixture(scope="module")
def pasted(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One LibreOffice run: the template saved as is, and after each paste."""
    tmp = tmp_path_factory.mktemp("paste")
    template = write_template(FORM, UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025), tmp / "template.xlsx").path
    first = NARRATIVE[0]
    sheet = FORM.sheet(first.sheet).name
    out = {name: tmp / f"{name}.xlsx" for name in ("as_is", "three_rows", "unprotected", "one_row", "in_cell")}
    url = template.as_uri()
    commands = [
        ["open", url], ["save", out["as_is"].as_uri()],
        ["open", url],
        *(["paste", FORM.sheet(f.sheet).name, f.cell, "3"] for f in NARRATIVE),
        ["save", out["three_rows"].as_uri()],
        ["open", url], ["unprotect", sheet], ["paste", sheet, first.cell, "3"], ["save", out["unprotected"].as_uri()],
        ["open", url], ["paste", sheet, first.cell, "1"], ["save", out["one_row"].as_uri()],
        ["open", url], ["type", sheet, first.cell, "\\n".join(PARAGRAPHS)], ["save", out["in_cell"].as_uri()],
    ]  # fmt: skip
    run_macro(soffice, tmp, commands)
    return out


def test_a_pasted_section_never_reaches_another_field(pasted: dict[str, Path]) -> None:
    """Three paragraphs pasted onto every narrative cell of the protected template: each paste is
    refused whole, nothing in the workbook changed."""
    assert values(pasted["three_rows"]) == values(pasted["as_is"])


def test_without_the_protection_the_paste_spreads_over_the_rows_below(pasted: dict[str, Path]) -> None:
    """The control: the same paste really arrives as three rows, and the third is the next section's
    input -- what the locked spacer row and the protection prevent."""
    first, second = NARRATIVE[0], NARRATIVE[1]
    got = values(pasted["unprotected"])
    sheet = FORM.sheet(first.sheet).name
    assert [got.get((sheet, a1(first.row + i, first.col))) for i in range(3)] == PARAGRAPHS
    assert second.cell == a1(first.row + 2, first.col)  # the paste's third row is the next section


def test_one_paragraph_goes_into_the_cell(pasted: dict[str, Path]) -> None:
    first = NARRATIVE[0]
    sheet = FORM.sheet(first.sheet).name
    before, after = values(pasted["as_is"]), values(pasted["one_row"])
    assert after.pop((sheet, first.cell)) == PARAGRAPHS[0]
    assert after == before


def test_text_put_in_the_cell_keeps_every_paragraph_in_that_cell(pasted: dict[str, Path]) -> None:
    first = NARRATIVE[0]
    sheet = FORM.sheet(first.sheet).name
    before, after = values(pasted["as_is"]), values(pasted["in_cell"])
    assert after.pop((sheet, first.cell)).split("\n") == PARAGRAPHS
    assert after == before


# ------------------------------------------------------------------ the layout that makes it so (no office needed)
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("tpl") / "template.xlsx"
    write_template(FORM, UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025), path)
    return openpyxl.load_workbook(path)


def test_the_row_below_every_narrative_input_is_locked_and_empty(template: openpyxl.Workbook) -> None:
    assert len(NARRATIVE) >= 12
    for f in NARRATIVE:
        ws = template[FORM.sheet(f.sheet).name]
        assert ws.protection.sheet, f.key
        assert ws[f.cell].protection.locked is False, f.key
        for col in range(1, len(FORM.sheet(f.sheet).widths) + 1):
            cell = ws.cell(f.row + 2, col)  # openpyxl counts from 1: the row below the input
            assert cell.value is None and cell.protection.locked, (f.key, cell.coordinate)


def test_narrative_inputs_are_tall(template: openpyxl.Workbook) -> None:
    for f in NARRATIVE:
        ws = template[FORM.sheet(f.sheet).name]
        assert ws.row_dimensions[f.row + 1].height >= LONGTEXT_POINTS, f.key


def test_the_prompt_and_the_guide_say_how_to_paste_a_section(template: openpyxl.Workbook) -> None:
    for f in NARRATIVE:
        ws = template[FORM.sheet(f.sheet).name]
        (dv,) = [dv for dv in ws.data_validations.dataValidation if f.cell in dv.sqref]
        assert "双击" in dv.prompt and "F2" in dv.prompt, f.key
    guide = " ".join(FORM.guide)
    assert all(word in guide for word in ("双击", "F2", "编辑栏", "锁定"))
    assert "可直接粘贴" not in FORM.types["longtext"].prompt
