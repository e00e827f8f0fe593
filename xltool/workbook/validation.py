"""Data validation of the template's input cells: whole numbers ≥ 0 for counts, decimals ≥ 0 for
万元/元, years, dates and drop-down choices, each with a Chinese input prompt and error message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from xlsxwriter.worksheet import Worksheet

from xltool.errors import XltoolError
from xltool.form.model import Field, Form
from xltool.wording import clip
from xltool.workbook.formulas import ranges

_VALIDATION: dict[str, dict[str, Any]] = {
    "int": {"validate": "integer", "criteria": ">=", "value": 0},
    "decimal": {"validate": "decimal", "criteria": ">=", "value": 0},
    "money_yuan": {"validate": "decimal", "criteria": ">=", "value": 0},
    "year": {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100},
    "date": {
        "validate": "date",
        "criteria": "between",
        "minimum": dt.date(2000, 1, 1),
        "maximum": dt.date(2100, 12, 31),
    },
}


def add_validations(form: Form, sheets: Mapping[str, Worksheet]) -> None:
    """Data validation with a Chinese prompt and error on every input (grouped by sheet and type)."""
    by_sheet_type: dict[tuple[str, str, str], list[Field]] = {}
    for f in form.inputs:
        by_sheet_type.setdefault((f.sheet, f.type, form.unit_of(f.key)), []).append(f)
    for (sheet, ftype, unit), fields in by_sheet_type.items():
        t = form.types[ftype]
        prompt, error = with_unit(t.prompt, unit, t.unit), with_unit(t.error, unit, t.unit)
        if ftype == "choice":
            for f in fields:
                opts = {"validate": "list", "source": _choice_source(f)}
                _validate(form, sheets, sheet, [f], opts, prompt, error, f.hint)
            continue
        opts = _VALIDATION.get(ftype, {"validate": "any"})
        if opts["validate"] == "any":
            for f in fields:
                _validate(form, sheets, sheet, [f], opts, prompt, "", f.hint)  # what to write, then how
        else:
            _validate(form, sheets, sheet, fields, opts, prompt, error, "")


def with_unit(text: str, unit: str, type_unit: str) -> str:
    """A type's prompt or error for one cell: ``{unit}`` is the cell's unit; a cell whose unit is not
    its type's gets it said after a text that does not name it (so a 个 row never reads 件)."""
    if "{unit}" in text:
        return text.replace("{unit}", unit)
    if text and unit and unit != type_unit:
        if type_unit and type_unit in text:
            return text.replace(type_unit, unit)
        return f"{text}（单位：{unit}）"
    return text


def _validate(
    form: Form,
    sheets: Mapping[str, Worksheet],
    sheet: str,
    fields: list[Field],
    opts: dict[str, Any],
    prompt: str,
    error: str,
    hint: str,
) -> None:
    rngs = ranges(form, [f.key for f in fields], sheet)
    first = fields[0]
    options = dict(opts)
    message = (hint + "\n" + prompt).strip() if hint and hint != prompt else prompt
    options.update({"input_title": "填写提示", "input_message": clip(message, 255)})
    if error:
        options.update({"error_title": "输入有误", "error_message": clip(error, 255), "error_type": "stop"})
    if len(rngs) > 1 or ":" in rngs[0]:
        options["multi_range"] = " ".join(rngs)
    sheets[sheet].data_validation(first.row, first.col, first.row, first.col, options)


def _choice_source(f: Field) -> str | list[str]:
    if len(",".join(f.choices)) < 200:
        return list(f.choices)
    raise XltoolError(f"字段 {f.key} 的选项过长")  # pragma: no cover - no such field yet
