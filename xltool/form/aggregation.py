"""How each cell of a form is aggregated for the county, and the one function that does it.

``aggregate`` on a grid's row or column, or on a field, says what the county's figure of a cell is:

- ``sum``: the units' numbers added (the default of a number a unit types, but for a typed percent,
  whose default is ``mean``);
- ``recompute``: a formula cell (a total, a computed rate) worked out again from the county's
  figures of its parts by the form's own formulas (form/calc.py, as verify does), never added up:
  a rate 办结率 is Σ办结/Σ受理, not the sum of the units' rates (the default of every formula cell);
- ``mean``: the average over the units that filled it (3.6 and 3.6 days give 3.6 days), with how
  many units it counts;
- ``none``: no county figure: text, dates, years and choices (a choice cell of a table shows how
  many units gave each answer instead), and constants (``value =``: the form's own value, the same
  for every unit, is shown as it is, never added up).

A cell's setting is its column's if set, else its row's; a formula or constant cell ignores a
``sum`` or ``mean`` it inherits from its row or column (it is recomputed or kept), and so do text
and choice cells. Whether the form's rules still hold on figures aggregated so is asked at load
(form/onsums.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.calc import is_number, totals
from xltool.form.model import Field, Form, Grid

SUM, RECOMPUTE, MEAN, NONE = "sum", "recompute", "mean", "none"
AGGREGATES = (SUM, RECOMPUTE, MEAN, NONE)


def is_formula(f: Field) -> bool:
    """A computed cell: a total of parts, or a ``formula =`` cell (kind "formula")."""
    return f.kind == "formula"


def is_constant(f: Field) -> bool:
    return f.kind == "constant"


def default_aggregate(f: Field) -> str:
    if is_formula(f):
        return RECOMPUTE
    if is_constant(f) or not f.numeric:
        return NONE
    return MEAN if f.type in AVERAGED_TYPES else SUM


# A typed rate (目标办结率 98%) means nothing added up over units: its county figure is their average.
AVERAGED_TYPES = ("percent",)


def allowed(f: Field) -> tuple[str, ...]:
    """The settings that make sense for a cell."""
    if is_formula(f):
        return (RECOMPUTE, NONE)
    if is_constant(f) or not f.numeric:
        return (NONE,)
    return (SUM, MEAN, NONE)


def _check_value(value: Any, where: str) -> str:
    if value not in AGGREGATES:
        raise FormDefinitionError(f"表单定义错误：{where}的 aggregate“{value}”未知，可用的有：{'、'.join(AGGREGATES)}")
    return str(value)


def field_settings(blocks: Sequence[Any]) -> dict[str, Any]:
    """``aggregate`` as a fields block's field writes it (a grid's is on its rows and columns)."""
    return {
        item["key"]: item["aggregate"]
        for b in blocks
        if isinstance(b, dict) and b.get("kind") == "fields"
        for item in b.get("fields", ())
        if isinstance(item, dict) and "key" in item and "aggregate" in item
    }


def grid_settings(grids: Sequence[Grid]) -> dict[str, str]:
    """A grid cell's inherited setting: its column's if set, else its row's."""
    out: dict[str, str] = {}
    for g in grids:
        for row in g.rows:
            if row.aggregate:
                _check_value(row.aggregate, f"表格 {g.key} 的行“{row.key}”")
            for col in g.columns:
                if col.aggregate:
                    _check_value(col.aggregate, f"表格 {g.key} 的列“{col.key}”")
                if col.aggregate or row.aggregate:
                    out[g.field_key(row, col)] = col.aggregate or row.aggregate
    return out


def resolve(fields: Mapping[str, Field], own: Mapping[str, Any], inherited: Mapping[str, str]) -> dict[str, Field]:
    """Every field with its aggregate set: ``own`` is what a field says itself (an error when it does
    not fit the cell), ``inherited`` what its row or column says (ignored where it does not fit)."""
    out = {}
    for key, f in fields.items():
        mode = default_aggregate(f)
        if key in own:
            mode = _check_value(own[key], f"字段 {key} ")
            if mode not in allowed(f):
                raise FormDefinitionError(
                    f'表单定义错误：字段 {key} 不能写 aggregate = "{mode}"：{_why(f)}，可用的有：{"、".join(allowed(f))}'
                )
        elif key in inherited and inherited[key] in allowed(f):
            mode = inherited[key]
        out[key] = replace(f, aggregate=mode) if mode != f.aggregate else f
    return out


def _why(f: Field) -> str:
    if is_formula(f):
        return "它是公式单元格，汇总时由汇总后的各项重新计算"
    if is_constant(f):
        return "它是固定值，汇总时照原样显示"
    if not f.numeric:
        return "它不是数字，汇总时不相加"
    return "它是填写的数字，没有公式可以重算"


def tidy(value: float) -> float:
    """A figure as a person would write it: whole numbers whole, decimals without binary noise."""
    return int(round(value)) if abs(value - round(value)) < 1e-9 else round(value, 6)


@dataclass(frozen=True)
class Aggregated:
    """The county's figures of a form (see the module's docstring)."""

    values: dict[str, float]  # every number cell with a county figure, in the form's order
    counted: dict[str, int]  # a "mean" cell: how many units filled it
    answers: dict[str, dict[str, int]]  # a choice cell of a table: how many units gave each answer


def aggregate_values(form: Form, units: Sequence[Mapping[str, Any]]) -> Aggregated:
    """The county's figures from the units' values (field key -> value as read)."""
    inputs: dict[str, float] = {}
    counted: dict[str, int] = {}
    answers: dict[str, dict[str, int]] = {}
    for f in form.fields.values():
        numbers = [u[f.key] for u in units if is_number(u.get(f.key))]
        if f.aggregate == SUM:
            inputs[f.key] = tidy(math.fsum(numbers))
        elif f.aggregate == MEAN:
            counted[f.key] = len(numbers)
            if numbers:
                inputs[f.key] = tidy(math.fsum(numbers) / len(numbers))
        elif is_constant(f) and is_number(constant := getattr(f, "value", None)):
            inputs[f.key] = constant  # the same in every unit's return: shown, never added up
        elif f.choices and f.grid:
            answers[f.key] = _count([u.get(f.key) for u in units], f.choices)
    computed: Mapping[str, Any] = totals(form, inputs)  # the function verify recomputes a return's totals by
    values = {}
    for f in form.fields.values():
        if f.aggregate == RECOMPUTE and is_number(computed.get(f.key)):
            values[f.key] = tidy(computed[f.key])
        elif f.key in inputs:
            values[f.key] = inputs[f.key]
    return Aggregated(values, counted, answers)


def _count(given: Sequence[Any], choices: Sequence[str]) -> dict[str, int]:
    out = dict.fromkeys(choices, 0)
    for answer in given:
        if isinstance(answer, str) and answer in out:
            out[answer] += 1
    return out


def answers_text(counts: Mapping[str, int]) -> str:
    """How many units gave each answer, as the county's table shows it: "是 12，否 3"."""
    return "，".join(f"{answer} {n}" for answer, n in counts.items() if n) or "（无）"
