"""Cached results put back into the formulas of a return that another library saved.

openpyxl (which makes the annotated copies) writes every formula without its cached result, so a
mail preview, Protected View or a Python reader shows blanks. The results put back are xltool's
own, never the unit's: the template writer's for the return's values (the same computation as
when the template was made) and the return's totals recomputed from its inputs. A cell whose
formula is not the one xltool expects there keeps no cached result (a recalculating office suite
fills it; a stale number would be worse than a blank).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from posixpath import join, normpath
from typing import Any

from lxml import etree

from xltool.form.calc import is_number
from xltool.form.model import Form
from xltool.workbook.fingerprint import canonical
from xltool.workbook.limits import check_zip
from xltool.workbook.read import Return
from xltool.workbook.write import UnitInfo, formula_values

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_C, _F, _V = (f"{{{_MAIN}}}{tag}" for tag in ("c", "f", "v"))
# No entities, no network, lxml's own depth and size limits: the parts are openpyxl's, still read warily.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)

Expected = Mapping[tuple[str, str], tuple[str | None, Any]]  # (sheet name, cell) -> formula (None: any), value


def return_values(ret: Return, form: Form) -> dict[tuple[str, str], tuple[str | None, Any]]:
    """What each formula cell of ``ret`` shows, as xltool computes it with Excel's semantics over
    the cells as they are (text in a number cell counts as text, a total typed over its sum as
    typed): every formula of the template written with the return's values, when the return has
    the current layout, else each total of its own field map. Nothing when its locked content was
    changed otherwise (H4: a sheet renamed, a locked cell changed; H5: a formula edited): what
    such formulas show is not xltool's to say, and a recalculating office suite fills them in."""
    out: dict[tuple[str, str], tuple[str | None, Any]] = {}
    if not ret.readable or ret.missing_sheets or any(p.rule == "H4" for p in ret.problems):
        return out  # a sheet renamed or removed, a locked cell changed
    if any(v.note == "edited" for v in ret.values.values()):
        return out
    inputs = {k: v.raw for k, v in ret.values.items() if v.formula is None}
    values = {k: v for k, v in inputs.items() if k in form.fields and form.fields[k].editable}
    typed = {k: v if is_number(v) else 0 for k, v in inputs.items() if k in form.fields and not form.fields[k].editable}
    if ret.layout_current and ret.year:
        unit = UnitInfo(ret.meta.get("unit", "") or ret.unit, ret.meta.get("unit_type", ""), ret.year)
        out.update(formula_values(form, unit, values, typed))
    totals = ret.totals(inputs)
    for key, f in ret.fields.items():
        read = ret.values.get(key)
        if not f.editable and key in totals and read is not None and read.formula:
            out.setdefault((f.sheet, f.cell), (read.formula, totals[key]))
    return out


def put_cached(content: bytes, expected: Expected) -> bytes:
    """``content`` (an .xlsx) with a cached result in every formula cell ``expected`` names whose
    formula is the one expected there; every other part is copied as it was."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        check_zip(zf)
        changed: dict[str, bytes] = {}
        for name, part in _sheet_parts(zf).items():
            mine = {cell: v for (sheet, cell), v in expected.items() if sheet == name}
            if mine and part in zf.namelist():
                changed[part] = _fill(zf.read(part), mine)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as new:
            for info in zf.infolist():
                new.writestr(info, changed.get(info.filename) or zf.read(info.filename))
    return out.getvalue()


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML, from the workbook part and its relationships."""
    book = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _PARSER)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG}}}Relationship")}
    out = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL}}}id"), "")
        if target:  # absolute ("/xl/worksheets/sheet1.xml", openpyxl) or relative to xl/
            out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return out


def _fill(xml: bytes, mine: Mapping[str, tuple[str | None, Any]]) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for c in root.iter(_C):
        want = mine.get(c.get("r", ""))
        f = c.find(_F)
        if want is None or f is None or not _same(f, want[0]):
            continue
        _set_value(c, f, want[1])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _same(f: Any, formula: str | None) -> bool:
    """The cell's formula is the expected one (a shared formula's follower, without text, is taken
    as its master's: the fingerprint check has already compared every locked formula)."""
    if formula is None or not f.text:
        return f.get("t") != "array"
    return canonical("=" + f.text) == canonical(formula if formula.startswith("=") else "=" + formula)


def _set_value(c: Any, f: Any, value: Any) -> None:
    if value is None:
        return
    for old in c.findall(_V):
        c.remove(old)
    v = etree.Element(_V)
    if isinstance(value, bool):
        c.set("t", "b")
        v.text = "1" if value else "0"
    elif is_number(value):
        c.attrib.pop("t", None)  # a number: the default type
        v.text = str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    else:
        c.set("t", "str")  # a formula's text result
        v.text = str(value)
    f.addnext(v)
