"""Form definition -> the locked Excel template a unit fills in (xlsxwriter).

Only input cells are unlocked (blank ones too: xlsxwriter leaves unwritten cells locked); every total
is a formula written with its correct cached value; live check cells show each rule; a very hidden
``_meta`` sheet carries the form id, year, unit, a fingerprint of all locked content and the field
map. ``values`` lets samples and tests produce a filled return from the same code path.

This is the entry point (checks of the unit and password, the file written atomically); the
workbook's cells are written by writer.py (cells, label/value blocks, ``_meta``) and sheets.py
(grids, check cells, the check summary).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from xltool.errors import XltoolError
from xltool.form.levels import is_area
from xltool.form.model import (
    Form,
)
from xltool.form.period import Period
from xltool.outputs import write_output
from xltool.workbook.filenames import template_filename
from xltool.workbook.limits import name_flaw, shown_name
from xltool.workbook.lock import lock_structure
from xltool.workbook.sheets import write_sheets
from xltool.workbook.writer import UnitInfo, Writer


class NamedUnit(Protocol):
    """What a template needs of a roster's unit (the roster sits above the workbook: not imported)."""

    @property
    def name(self) -> str: ...

    @property
    def unit_type(self) -> str: ...


@dataclass(frozen=True)
class TemplateResult:
    path: Path
    unit: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.path), "unit": self.unit, "fingerprint": self.fingerprint}


def write_template(
    form: Form,
    unit: UnitInfo,
    out: Path,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    meta: Mapping[str, str] | None = None,
) -> TemplateResult:
    """Write one unit's template (or, with ``values``, a filled return) to ``out`` atomically;
    ``notes`` are comments on input cells (e.g. what last year's return said); ``meta`` more
    ``_meta`` pairs (a roll-up's level and sources)."""
    data = build_template(form, unit, password=password, values=values, notes=notes, now=now, meta=meta)
    write_output(out, lambda tmp: tmp.write_bytes(data.content), replace=True)  # the CLI asks before replacing
    return TemplateResult(out, unit.name, data.fingerprint)


def write_roster_templates(
    form: Form,
    roster: Iterable[NamedUnit],
    outdir: Path,
    year: int,
    *,
    password: str = "",
    progress: Callable[[str], None] | None = None,
    period: Period | None = None,
) -> list[TemplateResult]:
    """One template per roster unit, named by unit, all inside ``outdir``."""
    results = []
    for u in roster:
        results.append(
            write_template(
                form,
                UnitInfo(u.name, u.unit_type, year, period),
                outdir / template_filename(form, u.name, period or year),
                password=password,
            )
        )
        if progress:
            progress(u.name)
    return results


@dataclass(frozen=True)
class Built:
    content: bytes
    fingerprint: str


PASSWORD_MAX = 255  # characters Excel accepts for a sheet password


def password_flaw(password: str) -> str:
    """Why a sheet password cannot be used ("" when it can). Only ASCII letters, digits and signs:
    LibreOffice cannot enter a Chinese password against the legacy sheet hash, so a unit could
    never unprotect its own sheet there."""
    if any(not (32 < ord(ch) < 127) for ch in password):
        return "工作表保护密码只能用英文字母、数字和英文符号（不能有汉字、全角字符或空格），如 2025gk"
    if len(password) > PASSWORD_MAX:
        return f"工作表保护密码太长（最多 {PASSWORD_MAX} 个字符）"
    return ""


def build_template(
    form: Form,
    unit: UnitInfo,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    meta: Mapping[str, str] | None = None,
) -> Built:
    if is_area(unit.unit_type):  # a county on a city's roster: no unit type, no rule for one kind of unit
        unit = replace(unit, unit_type="")
    if unit.unit_type and form.units.names and unit.unit_type not in form.units.names:
        raise XltoolError(f"单位类型“{unit.unit_type}”无效，应为：{'、'.join(form.units.names)}")
    if not unit.name.strip():
        raise XltoolError("单位名称不能为空")
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff" for ch in unit.name):
        raise XltoolError(f"单位名称“{shown_name(unit.name)}”中含有不可见的控制字符，请在名单中重新输入该单位名称")
    if flaw := name_flaw(unit.name):  # a line separator, a direction override, too long: H2 when read
        raise XltoolError(f"单位名称“{shown_name(unit.name)}”{flaw}，不能用于模板。请只填写单位全称。")
    if not 2000 <= unit.year <= 2100:
        raise XltoolError(f"年度 {unit.year} 无效，应为四位年份，如 2025")
    if unit.period and unit.period.year != unit.year:
        raise XltoolError(f"报告期 {unit.period.label_zh} 不在年度 {unit.year} 内")
    if flaw := password_flaw(password):
        raise XltoolError(flaw)
    buf = io.BytesIO()
    now = now or dt.datetime.now().astimezone()
    writer = Writer(form, unit, buf, values or {})
    writer.notes = dict(notes or {})
    writer.extra = dict(meta or {})
    writer.wb.set_properties({**writer.properties, "created": now})  # also the zip timestamps
    write_sheets(writer, password)
    fp = writer.fingerprint()
    writer.write_meta(fp, now)
    writer.wb.close()
    return Built(lock_structure(buf.getvalue(), password), fp)


def formula_values(
    form: Form, unit: UnitInfo, values: Mapping[str, Any], typed: Mapping[str, Any] | None = None
) -> dict[tuple[str, str], tuple[str, Any]]:
    """Every formula the template of these values holds, by (sheet name, cell): its text and the
    value written as its cached result (the same computation as the template's; nothing is saved).
    ``typed`` are totals a unit typed over their sums: the checks then read them, as Excel does."""
    writer = Writer(form, unit, io.BytesIO(), values)
    writer.computed.update(typed or {})
    write_sheets(writer, "")
    return writer.cached
