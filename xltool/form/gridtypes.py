"""Types in a grid: a cell's type is its column's, else its row's, else the grid's; its choices and
unit likewise. Words (text, choice) are never summed, so a total naming a word row or column, or a total
cell whose parts are words, is a load error naming the place.

The loader (xltool/form/loader.py) calls these while it builds a grid's rows, columns and fields.
"""

from __future__ import annotations

from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.model import INPUT_TYPES, NUMERIC_TYPES, Column, Field, Grid, Row


def check_cell_types(block: dict[str, Any]) -> None:
    """A grid's type (and each row's and column's) must be one a person can fill in."""
    for where, item in [("", block), *(("行", r) for r in block["rows"]), *(("列", c) for c in block["columns"])]:
        ftype = item.get("type", block["type"])
        if ftype not in INPUT_TYPES:
            place = f"表格 {block['key']} " + (f"的{where}“{item['key']}”" if where else "")
            raise FormDefinitionError(
                f"表单定义错误：{place}的类型“{ftype}”不能用于填写，应为 {'、'.join(INPUT_TYPES)} 之一"
            )


def typing_of(item: dict[str, Any], grid: str, what: str) -> dict[str, Any]:
    """A row's or column's own type, choices and unit (each "" or () when it takes the grid's)."""
    choices = item.get("choices", ())
    if not isinstance(choices, list | tuple) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise FormDefinitionError(f"表单定义错误：表格 {grid} 的{what}“{item['key']}”的 choices 应为文字列表")
    if choices and item.get("type") != "choice":
        raise FormDefinitionError(
            f'表单定义错误：表格 {grid} 的{what}“{item["key"]}”有 choices，却不是 type = "choice"'
        )
    if item.get("type") == "choice" and not choices:
        raise FormDefinitionError(f"表单定义错误：表格 {grid} 的{what}“{item['key']}”是下拉选择，却没有 choices")
    return {"type": str(item.get("type", "")), "choices": tuple(choices), "unit": str(item.get("unit", ""))}


def numeric_items(block: dict[str, Any], side: str) -> list[dict[str, Any]]:
    """The rows (columns) that can take part in a sum: a text or choice row is never summed, and a
    sum naming one is a load error (it would add words)."""
    numeric = [i for i in block[side] if i.get("type", block["type"]) in NUMERIC_TYPES]
    keys = {i["key"] for i in numeric}
    what = "行" if side == "rows" else "列"
    for item in block[side]:
        if item["key"] not in keys and item.get("sum"):
            raise FormDefinitionError(
                f"表单定义错误：表格 {block['key']} 的{what}“{item['key']}”有 sum，但它的类型"
                f"“{item.get('type', block['type'])}”不是数字"
            )
    for item in numeric:
        spec = item.get("sum", ())
        named = [spec] if isinstance(spec, str) and spec != "group" else spec if isinstance(spec, list) else []
        for name in (k for s in named for k in str(s).split("..")):
            if name not in keys and any(i["key"] == name for i in block[side]):
                raise FormDefinitionError(
                    f"表单定义错误：表格 {block['key']} 的{what}“{item['key']}”求和引用了非数字的{what}“{name}”；"
                    "只有数字可以相加，请把它从 sum 中去掉"
                )
    return numeric


def cell_typing(grid: Grid, row: Row, col: Column) -> tuple[str, tuple[str, ...], str]:
    """A cell's type (its column's, else its row's, else the grid's), choices and own unit."""
    if col.type:
        return col.type, col.choices, col.unit or row.unit
    return row.type or grid.type, row.choices, col.unit or row.unit


def check_summed(grid: Grid, cells: list[Field]) -> None:
    """A total adds numbers only: a part that is text or choice (its column's type) is a load error."""
    by_key = {f.key: f for f in cells}
    for f in cells:
        for part in f.parts:
            if by_key[part].type not in NUMERIC_TYPES:
                raise FormDefinitionError(
                    f"表单定义错误：表格 {grid.key} 的合计“{f.label}”（{f.cell}）要加上“{by_key[part].label}”"
                    f"（{by_key[part].cell}），但它的类型是 {by_key[part].type}，不是数字；请从 sum 中去掉它"
                )
