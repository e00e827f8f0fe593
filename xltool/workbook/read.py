"""A returned workbook -> a Return: every field's value with its place, plus integrity facts.

The file is read from bytes and never written. What the file *is* is decided before any parser
sees it (empty, .xls, WPS .et, encrypted, a Word file renamed, a truncated zip, macros), so each of
those becomes one clear problem of that file instead of a crash. Each field is found through the
field map the return carries in ``_meta`` (protected by the fingerprint), so a return of an older
version of the form is read correctly; a return for the current campaign must still have the
current layout (H3). Formulas are read as formulas and their cached results from the sheet XML in
one pass over the zip; totals are recomputed from the inputs by the return's own sums, cached
values only compared (H8). Parsing is in ``xlsx.py``; ``_meta`` in ``meta.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltool.form.calc import compute, same_number
from xltool.form.cells import CONSTANT
from xltool.form.expr import parse
from xltool.form.model import Form, cell_unit
from xltool.form.period import Period, PeriodError, parse_period
from xltool.form.problems import Problem, make_problem
from xltool.form.registry import shipped_forms
from xltool.wording import describe_error, internal_error
from xltool.workbook.fingerprint import fingerprint
from xltool.workbook.limits import DATE_SERIALS, Refused, form_caps, name_flaw, read_limited, shown_name
from xltool.workbook.meta import (
    MAGIC,
    META_SHEET,
    MapFacts,
    MapField,
    as_text,
    digest,
    form_layout,
    identity_row,
    map_facts,
    read_meta,
    recorded_sheets,
    unpack_locked,
    unpack_merges,
)
from xltool.workbook.normalise import normalise
from xltool.workbook.sniff import sniff
from xltool.workbook.xlsx import Book, Cell, excel_date, read_xlsx


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
    fields: dict[str, MapField] = field(default_factory=dict)  # the return's own field map, by key
    layout_current: bool = False  # its layout is the current form version's
    facts: MapFacts | None = field(default=None, repr=False, compare=False)  # derived from ``fields``
    sums_memo: dict[str, tuple[float | None, bool]] | None = field(default=None, repr=False, compare=False)

    @property
    def intact(self) -> bool:
        """Locked content exactly as the template made it."""
        return bool(self.fingerprint) and self.fingerprint == self.meta.get("fingerprint")

    @property
    def unit(self) -> str:
        """The unit's name as typed, else the template's; never one with a line break or a control
        character or too long (A2 and H2 say so): this name goes into titles, signatures and lists."""
        typed = self.values.get(self.unit_field)
        for name in (str(typed.value) if typed and typed.value else "", self.meta.get("unit", "")):
            if name and not name_flaw(name):
                return name
        return ""

    @property
    def year(self) -> int | None:
        try:
            return int(self.meta["year"])
        except (KeyError, ValueError):
            return None

    @property
    def period(self) -> Period | None:
        """The template's period: the one _meta records (a quarter…), else its year; None without either."""
        try:
            return parse_period(self.meta["period"]) if self.meta.get("period") else Period(int(self.meta["year"]))
        except (KeyError, ValueError, PeriodError):
            return None

    def inputs(self) -> dict[str, Any]:
        """Normalised values of the fields the unit fills in (what totals are recomputed from)."""
        return {k: v.value for k, v in self.values.items() if v.formula is None}

    def totals(self, values: Mapping[str, Any] | None = None) -> dict[str, float | None]:
        """Every computed cell recomputed by this return's own sums and formulas (a blank or text
        counts as 0 in a sum, as in SUM; a formula is None where it is empty)."""
        sums = self._own_sums() if values is None else self._sums(values)
        return {k: v for k, (v, _) in sums.items()}

    def complete_totals(self) -> dict[str, float | None]:
        """Totals for checks and reports: None where an input behind the total is not a number."""
        return {k: v if complete else None for k, (v, complete) in self._own_sums().items()}

    def _own_sums(self) -> dict[str, tuple[float | None, bool]]:
        """The sums of the values as read, worked out once (a return is read once, then only read)."""
        if self.sums_memo is None:
            self.sums_memo = self._sums(self.inputs())
        return self.sums_memo

    def _sums(self, values: Mapping[str, Any]) -> dict[str, tuple[float | None, bool]]:
        """computed cell -> (its value, whether every input behind it is a number), each worked out
        once from the return's own field map (a total of totals reuses them)."""
        if self.facts:
            return compute(self.facts.parts, self.facts.formulas, values)
        parts = {k: f.parts for k, f in self.fields.items() if f.parts}
        return compute(parts, {k: parse(f.formula) for k, f in self.fields.items() if f.formula}, values)


def read_return(path: Path, form: Form, *, any_version: bool = False) -> Return:
    """Read one return. ``any_version``: a return of another version of the form is read by its own
    field map (last year's returns for the cross-year checks); otherwise a layout other than the
    current one is H3 and the return is not checked further. Never raises for what is in the file:
    whatever goes wrong becomes that file's problem (H0 when it is xltool's own failure)."""
    try:
        return _read_return(path, form, any_version)
    except Exception as err:  # noqa: BLE001 - one file never sinks a batch
        return failed(path, form, err)


def failed(path: Path, form: Form, err: BaseException) -> Return:
    """A return that xltool could not process: one H0 problem naming what failed."""
    ret = Return(Path(path), unit_field=form.role("unit_name"))
    ret.problems.append(make_problem(form, "H0", detail=internal_error(err)))
    return ret


def _read_return(path: Path, form: Form, any_version: bool) -> Return:
    ret = Return(Path(path), unit_field=form.role("unit_name"))
    try:
        data = read_limited(Path(path))
    except Refused as refused:
        ret.problems.append(make_problem(form, SNIFFED_RULE[refused.kind], detail=refused.detail))
        return ret
    ret.sha256 = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data, Path(path).suffix)
    if not sniffed.ok:
        ret.problems.append(make_problem(form, SNIFFED_RULE[sniffed.kind], detail=sniffed.detail))
        return ret
    try:
        book = read_xlsx(sniffed.archive or data, form_caps(form))
    except Refused as refused:
        ret.problems.append(make_problem(form, SNIFFED_RULE[refused.kind], detail=refused.detail))
        return ret
    except Exception as err:  # noqa: BLE001 - any parser failure means an unreadable file
        ret.problems.append(make_problem(form, "H1-corrupt", detail=describe_error(err)))
        return ret
    _read_workbook(ret, book, form, any_version)
    return ret


# What each kind of file the sniffer finds is, as a problem of the return (None: read it).
SNIFFED_RULE = {"empty": "H1-empty", "encrypted": "H1-encrypted", "et": "H1-et", "word": "H1-word", "xls": "H1-xls",
                "unknown": "H1-unknown", "corrupt": "H1-corrupt", "too_big": "H1-big", "macro": "H6"}  # fmt: skip


def _read_workbook(ret: Return, book: Book, form: Form, any_version: bool) -> None:
    meta, own = read_meta(book)
    ret.meta = meta
    if meta.get("magic") != MAGIC:
        ret.problems.append(make_problem(form, "H2", detail="缺少模板的隐藏信息，可能是新建的表格或复制粘贴的内容"))
        return
    if meta.get("form_id") != form.id:
        other = meta.get("form_id", "")
        known = next((e.name for e in shipped_forms() if e.id == other), "")
        found = f"“{known}”，编号 {other}" if known else other
        ret.problems.append(make_problem(form, "H2-form", found=found, expected=form.name))
        return
    year = ret.year
    unit = meta.get("unit", "")
    flaw = name_flaw(unit)
    period = ret.period
    if year is None or not 2000 <= year <= 2100 or not unit or flaw or period is None or period.year != year:
        when = f"、报告期“{shown_name(meta['period'])}”" if meta.get("period") else ""
        shown = f"年度“{shown_name(meta.get('year') or '空白')}”{when}、单位“{shown_name(unit)}”" + (
            f"，单位名称{flaw}" if flaw else ""
        )
        ret.problems.append(make_problem(form, "H2", detail=f"模板的隐藏信息被改动（{shown}）"))
        return
    facts = map_facts(own) if own else None
    if facts is None or facts.problem:
        broken = facts.problem if facts else "模板的隐藏信息中没有字段表"
        ret.problems.append(make_problem(form, "H2", detail=f"模板的隐藏信息被改动：{broken}"))
        return
    ret.fields, ret.facts = {f.key: f for f in own}, facts
    ret.layout_current = facts.layout == form_layout(form)
    version = meta.get("form_version")
    if not ret.layout_current and not any_version:
        rule = "H3-layout" if version != form.version else "H3-edited"
        ret.problems.append(make_problem(form, rule, found=version, expected=form.version))
        return
    ret.readable = True
    sheets = recorded_sheets(meta, own)
    ret.missing_sheets = tuple(n for n in sheets if n not in book.sheets)
    for name in ret.missing_sheets:
        ret.problems.append(make_problem(form, "H4-sheet", detail=name))
    locked = unpack_locked(meta)
    for f in own:
        if f.sheet in ret.missing_sheets:
            continue
        cell = book.sheets[f.sheet].cells.get(f.cell, Cell())
        if f.kind == CONSTANT:  # the form's value, whatever the file holds (H4 reports an edit)
            own_field = form.fields.get(f.key)
            ret.values[f.key] = Value(f.key, cell.value, own_field.value if own_field else cell.value)
        elif not f.editable:
            ret.values[f.key] = _formula_value(ret, form, f, cell, locked)
        else:
            read_input(ret, form, f, cell.value)
    check_unit_name(ret, form)
    _check_integrity(ret, book, form, sheets, locked)
    check_cached(ret, form)


def read_input(ret: Return, form: Form, f: MapField, raw: Any) -> None:
    """An input cell's content as found -> its Value (normalised), and A2 when a number needed mending."""
    if f.type == "date" and isinstance(raw, int | float) and DATE_SERIALS[0] <= raw <= DATE_SERIALS[1]:
        raw = excel_date(raw)  # a serial outside the range stays a number: A2 says it is no date
    unit = cell_unit(form, f.key, f.type)
    typed = normalise(raw, f.type, unit)
    ret.values[f.key] = Value(f.key, raw, typed.value, None, typed.invalid, typed.note)
    if typed.note and f.type in NUMBER_LIKE:  # unreadable ones: reported by the checks
        ret.problems.append(make_problem(form, "A2-normalised", f.key, raw, number=typed.value, detail=typed.note))


NUMBER_LIKE = ("int", "decimal", "money_yuan", "percent", "year")


def check_unit_name(ret: Return, form: Form) -> None:
    """A2: a typed unit name that cannot be a title (a line break, a control character, too long)."""
    typed = ret.values.get(ret.unit_field)
    if typed is not None and isinstance(typed.value, str) and (flaw := name_flaw(typed.value)):
        ret.problems.append(make_problem(form, "A2-unit", ret.unit_field, shown_name(typed.value), detail=flaw))


def _formula_value(
    ret: Return, form: Form, f: MapField, cell: Cell, locked: Mapping[tuple[str, str], tuple[str, str]]
) -> Value:
    key = f.key
    raw, cached = (cell.formula, cell.value) if cell.formula else (cell.value, None)
    if cell.formula and raw is not None:
        recorded = locked.get((f.sheet, f.cell))
        if recorded is not None and digest(raw) != recorded[0]:
            ret.problems.append(make_problem(form, "H5", key, raw, detail=f"另一个公式 {raw}"))
            return Value(key, cached, cached if isinstance(cached, int | float) else None, raw, note="edited")
        return Value(key, cached, None, raw)  # value is recomputed from the inputs by the checks
    unit = cell_unit(form, f.key, f.type)
    typed = normalise(raw, f.type, unit)
    shown = "空白" if raw is None else f"手工填写的 {raw}"
    ret.problems.append(make_problem(form, "H5", key, raw, detail=shown))
    return Value(key, raw, typed.value, None, typed.invalid, "overwritten")


def _check_integrity(
    ret: Return, book: Book, form: Form, sheets: list[str], locked: Mapping[tuple[str, str], tuple[str, str]]
) -> None:
    editable = ret.facts.editable if ret.facts else frozenset()
    cells, merges = [], []
    for name in sheets:
        sheet = book.sheets.get(name)
        if sheet is None:
            continue
        for ref, c in sheet.cells.items():
            content = c.formula or c.value
            if content is not None and content != "" and (name, ref) not in editable:
                cells.append((name, ref, as_text(content)))
        merges += [(name, m) for m in sheet.merges]
    cells += _recorded_empty(locked, cells)
    order = [n for n in book.sheets if n != META_SHEET and n in sheets]
    field_map = [*(ret.facts.rows if ret.facts else ()), identity_row(ret.meta)]
    actual = ret.fingerprint = fingerprint(order, cells, merges, field_map)
    ret.structure_locked = book.structure_locked
    ret.unprotected_sheets = tuple(n for n in sheets if n in book.sheets and not book.sheets[n].protected)
    if actual != ret.meta.get("fingerprint") and not ret.missing_sheets:
        detail = _diff(ret, cells, merges, order, sheets, locked)
        if not detail and not any(p.rule == "H5" for p in ret.problems):
            detail = "锁定内容与模板记录的不一致（模板的隐藏信息可能被改动）"
        if detail:  # "" when only totals were typed over: H5 already names those cells
            ret.problems.append(make_problem(form, "H4", detail=detail))
        return
    if ret.meta.get("form_version") != form.version and ret.layout_current:
        ret.problems.append(make_problem(form, "H3-version", found=ret.meta.get("form_version"), expected=form.version))
    if ret.unprotected_sheets:
        ret.problems.append(make_problem(form, "H4-protection", detail="”“".join(ret.unprotected_sheets)))


def _recorded_empty(
    locked: Mapping[tuple[str, str], tuple[str, str]], cells: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """Templates of xltool 0.1.0 recorded an empty label (a grid without corner, a sheet without
    title) as empty text, which no reader sees: where such a cell is still empty it is unchanged."""
    found = {(s, c) for s, c, _ in cells}
    return [(s, c, "") for (s, c), (d, _) in locked.items() if d == _EMPTY and (s, c) not in found]


_EMPTY = digest("")


def _diff(
    ret: Return,
    cells: list[tuple[str, str, str]],
    merges: list[tuple[str, str]],
    order: list[str],
    sheets: list[str],
    locked: Mapping[tuple[str, str], tuple[str, str]],
) -> str:
    """Say which locked cells differ from what the template recorded ("" when the only differences
    are total cells, which H5 reports one by one)."""
    if order != [n for n in sheets if n in order]:
        return "工作表的顺序被调整"
    have = {(s, c): digest(v) for s, c, v in cells}
    totals_cells = {(f.sheet, f.cell) for f in ret.fields.values() if not f.editable and f.kind != CONSTANT}
    changed = sorted(
        k for k in locked.keys() | have.keys() if locked.get(k, ("",))[0] != have.get(k) and k not in totals_cells
    )
    merged = {(s, m.replace("$", "").upper()) for s, m in merges} != unpack_merges(ret.meta)
    if not changed:
        return "合并单元格被拆分或改动" if merged else ""
    spots = [
        f"“{s}” {c}"
        + (f"（原为“{locked[(s, c)][1]}”）" if locked.get((s, c), ("", ""))[1] else "")
        + ("（多出了内容）" if (s, c) not in locked else "")
        for s, c in changed[:5]
    ]
    more = f" 等 {len(changed)} 处" if len(changed) > 5 else ""
    return "、".join(spots) + more + ("；合并单元格也被拆分或改动" if merged else "")


def check_cached(ret: Return, form: Form) -> None:
    """H8: cached totals that disagree with what the office suite would have computed from the
    cells as they are (one problem per file). Excel's SUM skips a number typed as text, so the
    comparison uses the raw cells, not the normalised values the checks use."""
    recomputed = ret.totals({k: v.raw for k, v in ret.values.items() if v.formula is None})
    wrong = [
        (k, v.raw, recomputed[k])
        for k, v in ret.values.items()
        if v.formula is not None
        and v.note != "edited"
        and k in recomputed
        and not same_number(v.raw, recomputed[k], ret.fields[k].type if k in ret.fields else "")
    ]  # at the type's precision: LibreOffice keeps 15 digits, Python's sum may differ in the 16th
    if wrong:
        key, found, expected = wrong[0]
        found_text = "空白" if found in (None, "") else found
        p = make_problem(form, "H8", key, None, found=found_text, expected="空白" if expected is None else expected)
        if len(wrong) > 1:
            p = replace(p, message=p.message.rstrip("。") + f"；共 {len(wrong)} 个公式单元格如此。")
        ret.problems.append(p)
