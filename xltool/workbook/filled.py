"""Values in memory -> the Return a fresh template filled with them would read as, without writing
one: a published report imported (the audit, last year's reports for the cross-year checks) is
checked like any return, and reading never goes through writing a workbook and reading it back.

What the round trip did to a value is done here: a number as the cell stores it (16 significant
digits, a whole number as an int), text cut at a cell's 32,767 characters, a date as its serial; the
reading problems a fresh template can have (A2 on a mended number or a unit name, H8) are found by
read.py's own code. A test compares this with writing and reading on real documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xltool.form.calc import is_number, totals
from xltool.form.cells import constants
from xltool.form.model import Form
from xltool.workbook.formulas import sum_formula
from xltool.workbook.meta import MAGIC, form_layout, form_map, map_facts
from xltool.workbook.read import Return, Value, check_cached, check_unit_name, read_input

CELL_CHARS = 32_767  # what a cell holds (xlsxwriter cuts longer text there)
EPOCH = dt.datetime(1899, 12, 30)  # Excel's 1900 date system


def prefilled(form: Form, unit: str, unit_type: str, year: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a template starts with (the fields the form prefills from the unit), then ``values``."""
    prefill = {"unit": unit, "year": year, "unit_type": unit_type or None}
    out: dict[str, Any] = {f.key: prefill[f.prefill] for f in form.fields.values() if f.prefill}
    out.update(values)
    out.update(constants(form.fields))  # printed in every template, whatever a document says
    return out


def filled_return(form: Form, path: Path, unit: str, unit_type: str, year: int, values: Mapping[str, Any]) -> Return:
    """The return of ``unit`` for ``year`` holding ``values`` (editable fields), as read from a
    template of the current form filled with them; ``path`` is where the values came from."""
    own = form_map(form)
    meta = {"magic": MAGIC, "form_id": form.id, "form_version": form.version, "year": str(year), "unit": unit,
            "unit_type": unit_type, "layout": form_layout(form)}  # fmt: skip
    ret = Return(Path(path), meta=meta, readable=True, unit_field=form.role("unit_name"),
                 fields={f.key: f for f in own}, layout_current=True, facts=map_facts(own))  # fmt: skip
    typed = prefilled(form, unit, unit_type, year, values)
    computed = totals(form, typed)
    for f in own:
        if f.kind == "formula":  # a constant is read as typed: prefilled gives it the form's value
            field = form.fields[f.key]
            formula = "=" + sum_formula(form, field, field.sheet)
            ret.values[f.key] = Value(f.key, _cached(computed[f.key]), None, formula)
        else:
            read_input(ret, form, f, _stored(typed.get(f.key)))
    check_unit_name(ret, form)
    check_cached(ret, form)
    return ret


def _cached(v: float | None) -> int | float | str:
    """A formula's result as the reader gives it back (written in full, a whole number as an int; ""
    where it is empty)."""
    if v is None:
        return ""
    number = float(v)
    return int(number) if number.is_integer() else number


def _stored(v: Any) -> Any:
    """``v`` as a cell keeps it and the reader gives it back."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        when = v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
        return _stored((when.replace(tzinfo=None) - EPOCH).total_seconds() / 86400)
    if is_number(v):
        number = float(f"{v:.16G}")
        return int(number) if number.is_integer() else number
    text = str(v)
    return text if len(text.encode("utf-16-le")) <= 2 * CELL_CHARS else _cut(text)


def _cut(text: str) -> str:
    out, units = [], 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > CELL_CHARS:
            break
        out.append(ch)
    return "".join(out)
