"""Readable fixtures for verification tests: filled returns built from the real template.

``make_return(tmp_path, {"t3.new.natural": 19})`` writes the market_2025 sample return (a complete,
valid 2025 return of 桐柏县市场监督管理局) with one change, through the same code path that makes
templates, so each test shows only what it breaks. ``edit_cells`` edits a COPY with openpyxl for what
a unit does by hand in an office suite (overwrite a formula, rename a sheet, edit a label);
``edit_xml`` makes the same edits in the sheet XML, keeping every other cached result, as Excel or
WPS saves a hand edit; ``saved_by_libreoffice`` returns a file that real LibreOffice opened,
recalculated and saved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import openpyxl

from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.office import recalculate
from xltool.workbook.filldata import load_values
from xltool.workbook.write import UnitInfo, write_template

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MARKET = SAMPLES / "data" / "market_2025.toml"
ROSTER = SAMPLES / "roster.xlsx"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, WPS .et, encrypted .xlsx, old .doc
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
T3_COLUMNS = ("natural", "commercial", "research", "nonprofit", "legal", "other")
# A fixed creation time keeps generated returns byte-stable (samples/flawed is committed).
TOWN = "安棚镇人民政府"  # as samples/roster.xlsx names it
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@cache
def default_form() -> Form:
    return load_form()


def valid_values(form: Form) -> dict[str, Any]:
    """Every editable field of the market_2025 sample: a complete return with no problem at all."""
    return dict(load_values(MARKET, form)[1])


def market_unit(form: Form) -> UnitInfo:
    return load_values(MARKET, form)[0]


def make_return(
    tmp_path: Path,
    changes: Mapping[str, Any] | None = None,
    *,
    unit: str | None = None,
    unit_type: str | None = None,
    year: int | None = None,
    remove: Sequence[str] = (),
    name: str = "r.xlsx",
    base: Mapping[str, Any] | None = None,
    the_form: Form | None = None,
) -> Path:
    """A filled return: ``base`` (default: market_2025) with ``changes`` applied, ``remove`` left blank.

    ``unit``, ``unit_type`` and ``year`` are the template's (its hidden metadata and prefilled cells);
    a change of "info.unit_name" or "info.year" is what the unit typed over the prefilled value.
    """
    f = the_form or default_form()
    default = market_unit(default_form())  # the unit, year and type do not depend on the form
    info = UnitInfo(
        default.name if unit is None else unit,
        default.unit_type if unit_type is None else unit_type,
        default.year if year is None else year,
    )
    values = dict(valid_values(f) if base is None else base)
    values.update(changes or {})
    for key in remove:
        values[key] = None  # written as an unlocked blank cell, which also blanks a prefilled one
    out = Path(tmp_path) / name
    write_template(f, info, out, values=values, now=NOW)
    return out


def for_year(values: Mapping[str, Any], year: int) -> dict[str, Any]:
    """``values`` moved to another report year: "2025年" in the texts and the filing date shift along."""
    delta = year - int(values.get("info.year") or 2025)
    shift = lambda m: str(int(m.group(1)) + delta)  # noqa: E731
    out: dict[str, Any] = {}
    for key, v in values.items():
        if isinstance(v, str):
            v = re.sub(r"((?:19|20)\d\d)(?=\s*年)", shift, v)
        elif isinstance(v, dt.date):
            v = v.replace(year=v.year + delta)
        out[key] = v
    out["info.year"] = year
    return out


def previous_values(form: Form, *, same_text: bool = False) -> dict[str, Any]:
    """Last year's (2024) return of the market unit that this year's sample follows on from.

    Its 结转下年度 is this year's 上年结转 (B5 holds) and its 现行有效 fits this year's 制发/废止
    (D2 holds). Its texts are blank unless ``same_text`` (then they equal this year's: F8).
    """
    values = for_year(valid_values(form), 2024)
    for col, n in zip(T3_COLUMNS, (2, 1, 0, 0, 0, 0), strict=True):
        values[f"t3.carried_out.{col}"] = n
    values["t2.normative.in_force"] = 8
    if not same_text:
        for f in form.inputs:
            if f.type == "longtext":
                values[f.key] = None
    return values


def make_previous(tmp_path: Path, changes: Mapping[str, Any] | None = None, *, same_text: bool = False) -> Path:
    """Last year's return (2024, same unit) in ``tmp_path/previous/``; see ``previous_values``."""
    values = previous_values(default_form(), same_text=same_text)
    values.update(changes or {})
    return make_return(Path(tmp_path) / "previous", base=values, year=2024, name="2024.xlsx")


def town_values(form: Form) -> dict[str, Any]:
    """The market_2025 data as a town would report it (no fees, no normative documents issued)."""
    values = valid_values(form)
    values.update({"t2.fees.amount": 0, "t2.normative.issued": 0, "t2.normative.in_force": 8})
    # a town calls itself 我镇, not 我局 (F8), and its text tells its own table (E2)
    texts = (
        ("我局", "我镇"),
        ("对新出台的2件行政规范性文件", "对上级新出台的政策文件"),
        ("现行有效的9件", "现行有效的8件"),
    )
    for old, new in texts:
        values.update({k: v.replace(old, new) for k, v in values.items() if isinstance(v, str)})
    return values


def make_town_return(tmp_path: Path, changes: Mapping[str, Any] | None = None, **kwargs: Any) -> Path:
    """Like make_return for the town 安棚镇人民政府 (the roster's name), built on the market numbers."""
    f = kwargs.pop("the_form", None) or default_form()
    values = town_values(f)
    values["info.unit_name"] = "桐柏县" + TOWN  # the full name typed over the roster's
    values.update(changes or {})
    kwargs.setdefault("unit", TOWN)
    kwargs.setdefault("unit_type", "乡镇")
    return make_return(tmp_path, base=values, the_form=f, **kwargs)


def load_copy(path: Path) -> openpyxl.Workbook:
    """openpyxl workbook of ``path`` (its warnings about dropped extensions silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))


def edit_cells(
    path: Path,
    edits: Mapping[tuple[str, str], Any],
    out: Path,
    *,
    rename: Mapping[str, str] | None = None,
    unprotect: Sequence[str] = (),
) -> Path:
    """Write a copy of ``path`` to ``out`` with cells {(sheet, "D12"): value} set by openpyxl.

    A value starting with "=" becomes a formula. ``rename`` renames sheets {old: new}; ``unprotect``
    removes sheet protection. The copy is saved by openpyxl, so it carries no cached formula results
    (every return edited this way also gets an H8 warning). The original file is never touched.
    """
    out = Path(out)
    if out.resolve() == Path(path).resolve():
        raise ValueError("edit_cells writes a copy; out must differ from path")
    wb = load_copy(path)
    for (sheet, cell), value in edits.items():
        wb[sheet][cell].value = value
    for sheet in unprotect:
        wb[sheet].protection.sheet = False
    for old, new in (rename or {}).items():
        wb[old].title = new
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def saved_by_libreoffice(path: Path, outdir: Path) -> Path:
    """``path`` opened, recalculated and saved as .xlsx by real LibreOffice (into ``outdir``)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if Path(path).resolve().parent == outdir.resolve():  # office.recalculate refuses to overwrite
        staged = outdir / "_in"
        staged.mkdir(exist_ok=True)
        path = Path(shutil.copy2(path, staged / Path(path).name))
    return recalculate([Path(path)], outdir)[0]


def edit_xml(
    path: Path,
    out: Path,
    *,
    cells: Mapping[tuple[str, str], int | float | str] | None = None,
    rename: Mapping[str, str] | None = None,
    unprotect: Sequence[str] = (),
) -> Path:
    """A copy of ``path`` edited in its XML the way Excel/WPS save a hand edit.

    ``cells`` {(sheet, "J6"): 27} replaces a cell (a formula too) with a constant while every other
    cell keeps its cached result; ``rename`` renames sheets (references in formulas and defined names
    follow, as in Excel); ``unprotect`` removes sheet protection. Zip timestamps are kept, so the
    copy is as byte-stable as the original.
    """
    with zipfile.ZipFile(path) as zin:
        members = {info.filename: (info, zin.read(info)) for info in zin.infolist()}
    members_xml = {
        name: data.decode("utf-8") for name, (_, data) in members.items() if name.endswith((".xml", ".rels"))
    }
    sheets = _sheet_members(members_xml)
    for (sheet, ref), value in (cells or {}).items():
        member = sheets[sheet]
        members_xml[member] = _set_cell(members_xml[member], ref, value)
    for sheet in unprotect:
        member = sheets[sheet]
        members_xml[member] = re.sub(r"<sheetProtection\b[^>]*/>", "", members_xml[member])
    for old, new in (rename or {}).items():
        for name, xml in members_xml.items():
            if name == "xl/workbook.xml" or name.startswith("xl/worksheets/"):
                xml = xml.replace(f"'{escape(old)}'!", f"'{escape(new)}'!")
                if name == "xl/workbook.xml":
                    xml = xml.replace(f'name="{escape(old)}"', f'name="{escape(new)}"')
                members_xml[name] = xml
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, (info, data) in members.items():
            zout.writestr(info, members_xml[name].encode("utf-8") if name in members_xml else data)
    return out


def _sheet_members(xml: Mapping[str, str]) -> dict[str, str]:
    """Sheet name -> its zip member, from xl/workbook.xml and its relationships."""
    rels = ET.fromstring(xml["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in ET.fromstring(xml["xl/workbook.xml"]).iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(f"{_REL}id")]
        out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def _set_cell(xml: str, ref: str, value: int | float | str) -> str:
    cell = re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', re.S)
    m = cell.search(xml)
    if m is None:
        raise KeyError(f"cell {ref} is not in the sheet XML")
    style = re.search(r'\ss="\d+"', m.group("attrs"))
    s = style.group(0) if style else ""
    if isinstance(value, str):
        new = f'<c r="{ref}"{s} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    else:
        new = f'<c r="{ref}"{s}><v>{value}</v></c>'
    return xml[: m.start()] + new + xml[m.end() :]


def with_macro(path: Path, out: Path) -> Path:
    """A copy of ``path`` carrying a VBA project (what "save as .xlsm" adds), e.g. ``x.xlsm``."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        info = zipfile.ZipInfo("xl/vbaProject.bin", date_time=NOW.timetuple()[:6])
        zout.writestr(info, OLE_MAGIC + bytes(504))
    return Path(out)


def restamp(path: Path, when: dt.datetime = NOW) -> Path:
    """Rewrite the zip ``path`` in place with fixed member times and document dates (byte-stable)."""
    with zipfile.ZipFile(path) as zin:
        members = [(info.filename, info.compress_type, zin.read(info)) for info in zin.infolist()]
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w") as zout:
        for name, compress, data in members:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            zout.writestr(zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), data, compress_type=compress)
    return Path(path)
