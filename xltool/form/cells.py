"""Cells that are more than an input: of-which (其中) rows and columns, constants, conditional requirements.

The loader (form/loader.py) calls these while it builds a grid or a fields block, so what each of
the three keys means is said in one place:
- ``part_of = "<row key>"`` on a grid row (``"<column key>"`` on a column, another field's key on
  a field): a 其中 item. It is never a part of a sum (it repeats what its parent already counts),
  and each of its cells must not exceed its parent's cell — a check the "part_of" rule kind
  (form/kinds/part_of.py) makes, under the rule ``part_of_rule`` names or the form's own.
- ``value = 8`` (or a text): a constant cell, printed and locked, never typed, never blank.
- ``required_if = "<expr>"``: the cell is required only when the expression holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.calc import scalar_lookup
from xltool.form.model import CONTEXT_NAMES, Field, Form, Grid

CONSTANT = "constant"  # the kind of a field holding a constant (Field.kind)


def item_extras(item: Mapping[str, Any], where: str, conditional: bool = True) -> dict[str, Any]:
    """The part_of, value, required_if and part_of_rule of a grid row or column, as Row/Column take them
    (``conditional``: whether it may have a required_if; a column may not)."""
    out: dict[str, Any] = {}
    if "required_if" in item and not conditional:
        raise FormDefinitionError(f"表单定义错误：{where} 不能写 required_if（可写在行或字段上）")
    if "part_of" in item:
        out["part_of"] = _text(item["part_of"], where, "part_of")
    if "part_of_rule" in item:
        if "part_of" not in item:
            raise FormDefinitionError(f"表单定义错误：{where} 写了 part_of_rule，却没有写 part_of")
        out["part_of_rule"] = _text(item["part_of_rule"], where, "part_of_rule")
    if "value" in item:
        out["value"] = constant_value(item["value"], where)
    if "required_if" in item:
        out["required_if"] = condition(item["required_if"], where)
    return out


def _text(v: Any, where: str, key: str) -> str:
    if not isinstance(v, str) or not v:
        raise FormDefinitionError(f"表单定义错误：{where} 的 {key} 应为非空文字")
    return v


def constant_value(v: Any, where: str) -> int | float | str:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise FormDefinitionError(f"表单定义错误：{where} 的 value 应为数字或文字")
    return v


def condition(text: Any, where: str) -> ex.Expr:
    if not isinstance(text, str) or not text.strip():
        raise FormDefinitionError(f"表单定义错误：{where} 的 required_if 应为条件表达式（文字）")
    try:
        return ex.parse(text)
    except FormDefinitionError as err:
        raise FormDefinitionError(f"{err}（{where} 的 required_if）") from None


def check_part_of(items: Sequence[Mapping[str, Any]], grid: str, what: str) -> set[str]:
    """The keys of the 其中 rows (columns) of a grid, each checked to name another row (column)
    that is not a sum's part by way of it; an explicit sum may not take a 其中 item."""
    keys = [i["key"] for i in items]
    parts_of = {
        i["key"]: _text(i["part_of"], f"表格 {grid} 的{what}“{i['key']}”", "part_of") for i in items if "part_of" in i
    }
    for key, parent in parts_of.items():
        if parent not in keys or parent == key:
            raise FormDefinitionError(
                f"表单定义错误：表格 {grid} 的{what}“{key}”的 part_of“{parent}”不是本表格中的另一{what}"
            )
        seen = {key}
        while parent in parts_of:  # 其中 of a 其中 is fine; a ring of them is no total at all
            if parent in seen:
                raise FormDefinitionError(f"表单定义错误：表格 {grid} 的{what}“{key}”的 part_of 绕回了自身")
            seen.add(parent)
            parent = parts_of[parent]
    for i in items:
        spec = i.get("sum", ())
        named = [k for k in (spec if isinstance(spec, list) else ()) if k in parts_of]
        if named:
            raise FormDefinitionError(
                f"表单定义错误：表格 {grid} 的{what}“{i['key']}”的求和含有其中项“{named[0]}”；"
                "其中项已包含在它所属的总数中，不能再加入求和"
            )
    return set(parts_of)


def grid_extras(grid: Grid, cells: list[Field]) -> list[Field]:
    """The grid's cells (row by row, as the loader makes them) with their 其中 parent, constant and
    condition set from their row and column."""
    rows = {r.key: r for r in grid.rows}
    cols = {c.key: c for c in grid.columns}
    places = [(row, col) for row in grid.rows for col in grid.columns]
    out = []
    for f, (row, col) in zip(cells, places, strict=True):
        changes: dict[str, Any] = {}
        value = col.value if col.value is not None else row.value
        if value is not None and not f.parts:  # a total crossing a constant row still sums
            changes.update(kind=CONSTANT, value=value, required=False)
        elif f.formula is not None or not f.numeric:
            pass  # a rate of the part may well be above the whole's rate; words are never compared
        elif row.part_of:  # a constant is never above anything: it is printed, not typed
            changes.update(part_of=grid.field_key(rows[row.part_of], col), part_of_rule=row.part_of_rule)
        elif col.part_of:
            changes.update(part_of=grid.field_key(row, cols[col.part_of]), part_of_rule=col.part_of_rule)
        if row.required_if is not None and not f.parts:
            changes.update(required_if=row.required_if)
        out.append(replace(f, **changes) if changes else f)
    return out


def field_extras(item: Mapping[str, Any], f: Field) -> Field:
    """A fields block's field with its part_of, constant and condition (checked once all fields are known)."""
    extras = item_extras(item, f"字段 {f.key}")
    if "value" in extras:
        extras.update(kind=CONSTANT, required=False)
    return replace(f, **extras) if extras else f


def check_fields(fields: Mapping[str, Field]) -> None:
    """What the extras name exists and fits: a 其中 cell and its parent are numbers, a constant's
    value is of its type, a condition names known fields."""
    for f in fields.values():
        if f.part_of:
            parent = fields.get(f.part_of)
            if parent is None or parent.key == f.key:
                raise FormDefinitionError(f"表单定义错误：字段 {f.key} 的 part_of 引用了不存在的字段“{f.part_of}”")
            _no_ring(f, fields)
            if not (f.numeric and parent.numeric):
                raise FormDefinitionError(
                    f"表单定义错误：字段 {f.key} 是其中项（part_of），它和“{parent.key}”都应为数字字段"
                )
        if f.kind == CONSTANT and f.numeric and (isinstance(f.value, str) or f.value is None):
            raise FormDefinitionError(f"表单定义错误：字段 {f.key} 是数字字段，它的 value 应为数字")
        if f.kind == CONSTANT and f.type == "int" and not float(f.value or 0).is_integer():
            raise FormDefinitionError(f"表单定义错误：字段 {f.key} 是整数字段，它的 value 应为整数")
        if f.required_if is not None:
            unknown = [k for k in f.required_if.fields if k not in fields]
            if unknown:
                raise FormDefinitionError(f"表单定义错误：字段 {f.key} 的 required_if 引用了不存在的字段“{unknown[0]}”")
            strange = [n for n in f.required_if.names if n not in CONTEXT_NAMES]
            if strange:
                raise FormDefinitionError(f"表单定义错误：字段 {f.key} 的 required_if 引用了未知名称“{strange[0]}”")


def _no_ring(f: Field, fields: Mapping[str, Field]) -> None:
    seen, parent = {f.key}, f.part_of
    while parent in fields and fields[parent].part_of:
        if parent in seen:
            raise FormDefinitionError(f"表单定义错误：字段 {f.key} 的 part_of 绕回了自身")
        seen.add(parent)
        parent = fields[parent].part_of


def constants(fields: Mapping[str, Field]) -> dict[str, Any]:
    """Each constant field's value (what the template prints and every reader takes)."""
    return {f.key: f.value for f in fields.values() if f.kind == CONSTANT}


def required_here(
    form: Form, f: Field, values: Mapping[str, Any], computed: Mapping[str, float | None], context: Mapping[str, Any]
) -> bool:
    """Whether ``f`` must be filled in a return with these values: when it is required, unless its
    ``required_if`` does not hold (a blank number counts as 0 and a blank text as "", as in Excel)."""
    if not f.required:
        return False
    if f.required_if is None:
        return True
    return bool(ex.evaluate(f.required_if, scalar_lookup(form, values, computed), context))
