"""A grid block of form.toml built and checked: its rows and columns (sums, 其中 items, types, formulas)
and the cells they make (field key "<grid>.<row>.<column>", each an input, a total or a computed cell).

Split from the loader, which places blocks on sheets and checks the definition as a whole.
"""

from __future__ import annotations

from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.cells import check_part_of, item_extras
from xltool.form.computed import relative
from xltool.form.gridtypes import cell_typing, check_cell_types, check_summed, numeric_items, typing_of
from xltool.form.model import NUMERIC_TYPES, TEXT_TYPES, Column, Field, Grid, Row


def unique(items: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise FormDefinitionError(f"表单定义错误：{what}重复：{item}")
        seen.add(item)


def _expand(spec: Any, keys: list[str]) -> tuple[str, ...]:
    """A sum spec is a list of keys or a range "first..last" in definition order."""
    if isinstance(spec, str):
        first, _, last = spec.partition("..")
        if first not in keys or last not in keys:
            raise FormDefinitionError(f"表单定义错误：求和范围“{spec}”引用了不存在的行或列")
        return tuple(keys[keys.index(first) : keys.index(last) + 1])
    for k in spec:
        if k not in keys:
            raise FormDefinitionError(f"表单定义错误：求和引用了不存在的行或列“{k}”")
    return tuple(spec)


GROUP = "group"  # sum = "group": every row (column) under the same parent label, so a new one is in it


def _sums(items: list[dict[str, Any]], grid: str, what: str) -> list[tuple[str, ...]]:
    """The parts of each row's (column's) sum; a sum must take every item it should.

    The group of a total is the items whose label path starts with the total's parent path
    ("三、本年度办理结果" for "三、本年度办理结果/（七）总计"); ``sum = "group"`` takes them all. An
    explicit sum must cover its whole group and every item between its first part and itself (a
    subtotal covers its own parts): a row added there but not to the sum would silently make every
    unit that uses it fail the balance, so it is a load error.
    """
    keys = [i["key"] for i in items]
    paths = [tuple(i["path"]) for i in items]
    is_sum = [bool(i.get("sum")) for i in items]
    of_which = check_part_of(items, grid, what)  # 其中 items: in no sum, wherever they stand
    out: list[tuple[str, ...]] = []
    groups: list[list[str]] = []
    for item, path in zip(items, paths, strict=True):
        group = [
            k for k, p, s in zip(keys, paths, is_sum, strict=True)
            if path[:-1] and p[: len(path) - 1] == path[:-1] and not s and k != item["key"] and k not in of_which
        ]  # fmt: skip
        spec = item.get("sum", ())
        if spec == GROUP and not group:
            raise FormDefinitionError(
                f"表单定义错误：表格 {grid} 的{what}“{item['key']}”按组求和，但同组没有其他{what}"
            )
        out.append(tuple(group) if spec == GROUP else tuple(k for k in _expand(spec, keys) if k not in of_which))
        groups.append(group if spec != GROUP else [])
    sums = {k: parts for k, parts in zip(keys, out, strict=True) if parts}
    for k in sums:
        if k in _within(sums, sums[k]):  # a total among its own parts could never be computed
            raise FormDefinitionError(f"表单定义错误：表格 {grid} 的{what}“{k}”的求和包含它自己")

    def covered(parts: tuple[str, ...]) -> set[str]:
        return _within(sums, parts)

    for n, parts in enumerate(out):
        if not parts or not groups[n] and items[n].get("sum") == GROUP:
            continue
        first = min(keys.index(p) for p in parts)
        between = [keys[i] for i in range(first, n) if not is_sum[i] and keys[i] not in of_which]
        left_out = [k for k in dict.fromkeys(groups[n] + between) if k not in covered(parts)]
        if left_out:
            where = (
                f"与总计“{keys[n]}”同属“{'/'.join(paths[n][:-1])}”"
                if left_out[0] in groups[n]
                else f"位于总计“{keys[n]}”的各项之间"
            )
            raise FormDefinitionError(
                f"表单定义错误：表格 {grid} 的{what}“{left_out[0]}”{where}，却不在它的求和中；"
                f'请把它加入 sum，或写 sum = "group"；若它是其中项，请写 part_of = "它所属{what}的键"'
            )
    return out


def _within(sums: dict[str, tuple[str, ...]], parts: tuple[str, ...]) -> set[str]:
    """Every item a sum of ``parts`` takes, through the subtotals among them."""
    seen: set[str] = set()
    todo = list(parts)
    while todo:
        if (k := todo.pop()) not in seen:
            seen.add(k)
            todo += sums.get(k, ())
    return seen


def grid_block(block: dict[str, Any], row0: int, col0: int) -> Grid:
    cols = [c["key"] for c in block["columns"]]
    rows = [r["key"] for r in block["rows"]]
    unique(cols, f"表格 {block['key']} 的列键")
    unique(rows, f"表格 {block['key']} 的行键")
    check_cell_types(block)
    col_sums = _sum_map(numeric_items(block, "columns"), block["key"], "列")
    row_sums = _sum_map(numeric_items(block, "rows"), block["key"], "行")
    columns = tuple(
        Column(c["key"], tuple(c["path"]), int(c.get("span", 1)), col_sums.get(c["key"], ()), c.get("rule"),
               aggregate=c.get("aggregate", ""), formula=c.get("formula", ""),
               **item_extras(c, f"表格 {block['key']} 的列“{c['key']}”", conditional=False),
               **typing_of(c, block["key"], "列"))
        for c in block["columns"]
    )  # fmt: skip
    grid_rows = tuple(
        Row(r["key"], tuple(r["path"]), row_sums.get(r["key"], ()), r.get("rule"), aggregate=r.get("aggregate", ""),
            formula=r.get("formula", ""), **item_extras(r, f"表格 {block['key']} 的行“{r['key']}”"),
            **typing_of(r, block["key"], "行"))
        for r in block["rows"]
    )  # fmt: skip
    return Grid(
        key=block["key"], sheet=block["sheet"], row0=row0, col0=col0, table=block.get("table", block["key"]),
        type=block["type"], columns=columns, rows=grid_rows, label_depth=int(block["label_depth"]),
        header_depth=int(block["header_depth"]), caption=block.get("caption", ""), corner=block.get("corner", ""),
        checks_below=tuple(block.get("checks_below", ())), checks_right=tuple(block.get("checks_right", ())),
    )  # fmt: skip


def _sum_map(items: list[dict[str, Any]], grid: str, what: str) -> dict[str, tuple[str, ...]]:
    return dict(zip([i["key"] for i in items], _sums(items, grid, what), strict=True))


def grid_fields(grid: Grid) -> list[Field]:
    out = []
    # A top header over every column ("申请人情况") says nothing about a single cell.
    common_top = len(grid.columns) > 1 and len({c.path[0] for c in grid.columns if c.path}) == 1
    for i, row in enumerate(grid.rows):
        for j, col in enumerate(grid.columns):
            key = grid.field_key(row, col)
            formula = _cell_formula(grid, i, j)
            ftype, choices, unit = cell_typing(grid, row, col)
            parts: tuple[str, ...] = ()
            rule: str | None = None
            if ftype not in NUMERIC_TYPES or formula is not None:
                # words are never summed (a text cell in a total row is an input), and a formula cell is a
                # rate of the totals, never a sum of rates: no parts
                parts, rule = (), None
            elif col.sum:  # column totals take precedence where a row total crosses them
                parts, rule = (
                    tuple(grid.field_key(row, grid.columns[[c.key for c in grid.columns].index(k)]) for k in col.sum),
                    col.rule,
                )
            elif row.sum:
                parts, rule = (
                    tuple(grid.field_key(grid.rows[[r.key for r in grid.rows].index(k)], col) for k in row.sum),
                    row.rule,
                )
            row_label = "/".join(row.path)
            col_label = "/".join(col.path[1:] if common_top and len(col.path) > 1 else col.path)
            label = "/".join(p for p in (row_label, col_label) if p)
            kind = "formula" if parts or formula else "text" if ftype in TEXT_TYPES else "input"
            out.append(
                Field(key, label, ftype, kind, grid.sheet, grid.data_top + i, grid.col_pos(j), col.span,
                      choices=choices, grid=grid.key, row_label=row_label, col_label=col_label, parts=parts,
                      rule=rule, unit=unit, formula=formula)
            )  # fmt: skip
    check_summed(grid, out)
    return out


def _cell_formula(grid: Grid, i: int, j: int) -> ex.Expr | None:
    """The computed cell at row i, column j of a grid: a row formula names row keys (the same column),
    a column formula column keys (the same row)."""
    row, col = grid.rows[i], grid.columns[j]
    where = f"表格 {grid.key} "
    if row.formula and col.formula:
        raise FormDefinitionError(
            f"表单定义错误：{where}的行“{row.key}”与列“{col.key}”都有公式，交叉的单元格只能有一个公式"
        )
    if row.formula:
        keys = [r.key for r in grid.rows]
        cells = {r.key: grid.field_key(r, col) for r in grid.rows}
        return relative(row.formula, keys, cells, f"{where}行“{row.key}”")
    if col.formula:
        keys = [c.key for c in grid.columns]
        cells = {c.key: grid.field_key(row, c) for c in grid.columns}
        return relative(col.formula, keys, cells, f"{where}列“{col.key}”")
    return None
