"""A returned workbook -> a Return: every field's value with its place, plus integrity facts.

The file is read from bytes and never written. What the file *is* is decided before any parser
sees it (empty, .xls, WPS .et, encrypted, a Word file renamed, a truncated zip, macros), so each of
those becomes one clear problem of that file instead of a crash. Formulas are read as formulas
and their cached results from the sheet XML in one pass over the zip; totals are
recomputed later, cached values only compared (H8). Parsing is in ``xlsx.py``.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltool.checks.problems import Problem, make_problem
from xltool.form.calc import totals
from xltool.form.model import Form
from xltool.workbook.fingerprint import canonical, fingerprint
from xltool.workbook.normalise import normalise
from xltool.workbook.write import META_SHEET, UnitInfo, expected_formula, expected_locked
from xltool.workbook.xlsx import Book, Cell, excel_date, read_xlsx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Value:
    key: str
    raw: Any  # as stored: a constant, or the cached result of a formula
    value: Any  # normalised (numbers as int/float; unreadable numeric text stays str; blank None)
    formula: str | None = None
    invalid: bool = False
    note: str = ""


@dataclass
class Return:
    path: Path
    sha256: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = False  # False when the file is not a return of this form at all
    missing_sheets: tuple[str, ...] = ()
    # integrity facts: the locked content's fingerprint as found, sheets left unprotected, and
    # whether the workbook structure is still locked (LibreOffice reduces that lock on save)
    fingerprint: str = ""
    unprotected_sheets: tuple[str, ...] = ()
    structure_locked: bool = False
    unit_field: str = ""  # the field holding the unit's full name (the form's "unit_name" role)

    @property
    def intact(self) -> bool:
        """Locked content exactly as the template made it."""
        return bool(self.fingerprint) and self.fingerprint == self.meta.get("fingerprint")

    @property
    def unit(self) -> str:
        unit = self.values.get(self.unit_field)
        return str(unit.value) if unit and unit.value else self.meta.get("unit", "")

    @property
    def year(self) -> int | None:
        try:
            return int(self.meta["year"])
        except (KeyError, ValueError):
            return None

    def inputs(self) -> dict[str, Any]:
        """Normalised values of the fields the unit fills in (what totals are recomputed from)."""
        return {k: v.value for k, v in self.values.items() if v.formula is None}


def read_return(path: Path, form: Form) -> Return:
    ret = Return(Path(path), unit_field=form.role("unit_name"))
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        ret.problems.append(make_problem(form, "H1-unknown", detail=f"无法读取：{err.strerror or err}"))
        return ret
    ret.sha256 = hashlib.sha256(data).hexdigest()
    verdict = _sniff(data, Path(path).suffix.lower())
    if verdict:
        ret.problems.append(make_problem(form, verdict[0], detail=verdict[1]))
        return ret
    try:
        book = read_xlsx(data)
    except Exception as err:  # noqa: BLE001 - any parser failure means an unreadable file
        ret.problems.append(make_problem(form, "H1-corrupt", detail=f"{type(err).__name__}"))
        return ret
    _read_workbook(ret, book, form)
    return ret


def _sniff(data: bytes, suffix: str) -> tuple[str, str] | None:
    """(rule id, detail) when the bytes are not an .xlsx workbook we may open."""
    if not data:
        return "H1-empty", ""
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return "H1-encrypted", ""
        if suffix == ".et":
            return "H1-et", ""
        if "WordDocument".encode("utf-16-le") in data:
            return "H1-word", ""
        return "H1-xls", ""
    if not data.startswith(b"PK"):
        head = data[:200].lstrip().lower()
        kind = "网页（HTML）" if head.startswith((b"<!doctype html", b"<html")) else "文本或其他格式"
        if data.startswith(b"%PDF"):
            kind = "PDF 文件"
        return "H1-unknown", kind
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        return "H1-corrupt", f"压缩包结构不完整：{err}"
    if bad:
        return "H1-corrupt", f"压缩包中的 {bad} 校验失败"
    if "word/document.xml" in names:
        return "H1-word", ""
    content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        return "H6", ""
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            return "H1-unknown", "OpenDocument 表格（.ods），请另存为 .xlsx"
        return "H1-unknown", "压缩包中没有 Excel 工作簿"
    return None


def _read_workbook(ret: Return, book: Book, form: Form) -> None:
    meta = _meta(book)
    ret.meta = meta
    if meta.get("magic") != "xltool-meta":
        ret.problems.append(make_problem(form, "H2", detail="缺少模板的隐藏信息，可能是新建的表格或复制粘贴的内容"))
        return
    if meta.get("form_id") != form.id:
        ret.problems.append(make_problem(form, "H2", detail=f"这是另一种表格（{meta.get('form_id')}）的模板"))
        return
    year = ret.year
    if year is None or not 2000 <= year <= 2100 or not meta.get("unit"):
        shown = meta.get("year") or "空白"
        ret.problems.append(
            make_problem(form, "H2", detail=f"模板的隐藏信息被改动（年度“{shown}”、单位“{meta.get('unit', '')}”）")
        )
        return
    ret.readable = True
    names = [s.name for s in form.sheets]
    ret.missing_sheets = tuple(n for n in names if n not in book.sheets)
    for name in ret.missing_sheets:
        ret.problems.append(make_problem(form, "H4-sheet", detail=name))
    for f in form.fields.values():
        sheet = form.sheet(f.sheet).name
        if sheet in ret.missing_sheets:
            continue
        cell = book.sheets[sheet].cells.get(f.cell, Cell())
        if f.parts:
            ret.values[f.key] = _formula_value(ret, form, f.key, cell)
        else:
            raw = cell.value
            if f.type == "date" and isinstance(raw, int | float):
                raw = excel_date(raw)
            typed = normalise(raw, f.type, form.types[f.type].unit)
            ret.values[f.key] = Value(f.key, raw, typed.value, None, typed.invalid, typed.note)
            if typed.note and (f.numeric or f.type == "year"):  # unreadable ones: reported by the checks
                ret.problems.append(
                    make_problem(form, "A2-normalised", f.key, raw, number=typed.value, detail=typed.note)
                )
    _check_integrity(ret, book, form)
    _check_cached(ret, form)


def _meta(book: Book) -> dict[str, str]:
    sheet = book.sheets.get(META_SHEET)
    if sheet is None:
        return {}
    out: dict[str, str] = {}
    for row in range(1, 100):
        key, value = sheet.cells.get(f"A{row}"), sheet.cells.get(f"B{row}")
        if key is None or key.value in (None, "[fields]"):
            break
        out[str(key.value)] = "" if value is None or value.value is None else _as_text(value.value)
    return out


def _formula_value(ret: Return, form: Form, key: str, cell: Cell) -> Value:
    f = form.fields[key]
    raw, cached = (cell.formula, cell.value) if cell.formula else (cell.value, None)
    if cell.formula and raw is not None:
        if canonical(raw) != canonical(expected_formula(form, f)):
            ret.problems.append(make_problem(form, "H5", key, raw, detail=f"另一个公式 {raw}"))
            return Value(key, cached, cached if isinstance(cached, int | float) else None, raw, note="edited")
        return Value(key, cached, None, raw)  # value is recomputed from the inputs by the checks
    typed = normalise(raw, f.type, form.types[f.type].unit)
    shown = "空白" if raw is None else f"手工填写的 {raw}"
    ret.problems.append(make_problem(form, "H5", key, raw, detail=shown))
    return Value(key, raw, typed.value, None, typed.invalid, "overwritten")


def _check_integrity(ret: Return, book: Book, form: Form) -> None:
    editable = {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.editable}
    cells, merges = [], []
    for s in form.sheets:
        sheet = book.sheets.get(s.name)
        if sheet is None:
            continue
        for ref, c in sheet.cells.items():
            content = c.formula or c.value
            if content is not None and content != "" and (s.name, ref) not in editable:
                cells.append((s.name, ref, _as_text(content)))
        merges += [(s.name, m) for m in sheet.merges]
    order = [n for n in book.sheets if n != META_SHEET and n in {s.name for s in form.sheets}]
    actual = ret.fingerprint = fingerprint(order, cells, merges)
    ret.structure_locked = book.structure_locked
    ret.unprotected_sheets = tuple(
        s.name for s in form.sheets if s.name in book.sheets and not book.sheets[s.name].protected
    )
    if actual != ret.meta.get("fingerprint") and not ret.missing_sheets:
        version_differs = ret.meta.get("form_version") != form.version
        if version_differs:
            ret.problems.append(
                make_problem(form, "H3-layout", found=ret.meta.get("form_version"), expected=form.version)
            )
        else:
            detail = _diff(ret, form, cells, merges, order)
            if detail:  # "" when only totals were typed over: H5 already names those cells
                ret.problems.append(make_problem(form, "H4", detail=detail))
        return
    if ret.meta.get("form_version") != form.version:
        ret.problems.append(make_problem(form, "H3-version", found=ret.meta.get("form_version"), expected=form.version))
    if ret.unprotected_sheets:
        ret.problems.append(make_problem(form, "H4-protection", detail="”“".join(ret.unprotected_sheets)))


def _as_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _diff(
    ret: Return,
    form: Form,
    cells: list[tuple[str, str, str]],
    merges: list[tuple[str, str]],
    order: list[str],
) -> str:
    """Say which locked cells differ from a fresh template for the same unit and year ("" when the
    only differences are total cells, which H5 reports one by one)."""
    expected_order = [s.name for s in form.sheets]
    if order != expected_order:
        return "工作表的顺序被调整"
    unit = UnitInfo(ret.meta.get("unit", ""), ret.meta.get("unit_type", ""), ret.year or 2000)
    exp_cells, exp_merges = expected_locked(form, unit)
    want = {(s, c): canonical(v) for s, c, v in exp_cells}
    have = {(s, c): canonical(v) for s, c, v in cells}
    totals_cells = {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.parts}
    changed = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k) and k not in totals_cells)
    if not changed and set(exp_merges) == set(merges):
        return ""
    spots = [
        f"“{s}” {c}" + (f"（原为“{want[(s, c)][:20]}”）" if (s, c) in want else "（多出了内容）")
        for s, c in changed[:5]
    ]
    if set(exp_merges) != set(merges):
        spots.append("合并单元格被拆分或改动")
    more = f" 等 {len(changed)} 处" if len(changed) > 5 else ""
    return "、".join(spots) + more if spots else "锁定内容与模板不一致"


def _check_cached(ret: Return, form: Form) -> None:
    """H8: cached totals that disagree with what the office suite would have computed from the
    cells as they are (one problem per file). Excel's SUM skips a number typed as text, so the
    comparison uses the raw cells, not the normalised values the checks use."""
    recomputed = totals(form, {k: v.raw for k, v in ret.values.items() if v.formula is None})
    wrong = [
        (k, v.raw, recomputed[k])
        for k, v in ret.values.items()
        if v.formula is not None and v.note != "edited" and k in recomputed and v.raw != recomputed[k]
    ]
    if wrong:
        key, found, expected = wrong[0]
        found_text = "空白" if found is None else found
        p = make_problem(form, "H8", key, None, found=found_text, expected=expected)
        if len(wrong) > 1:
            p = replace(p, message=p.message.rstrip("。") + f"；共 {len(wrong)} 个公式单元格如此。")
        ret.problems.append(p)
