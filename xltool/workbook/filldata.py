"""Return data written as a readable TOML file -> field values (samples, tests, scripts).

[unit]            name, unit_type, year (or period = "2025Q1" for a quarterly form)
[values]          "field.key" = value            (any editable field)
[tables.t3]       new = [18, 4, 0, 1, 2, 1]      (a row's input cells, left to right)
[tables.t2]       normative = { issued = 2, repealed = 1, in_force = 9 }
[fill]            all_numeric_inputs = 0         (default for every numeric input not given)
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.form.period import parse_period
from xltool.workbook.write import UnitInfo


def load_values(path: Path, form: Form) -> tuple[UnitInfo, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise XltoolError(f"无法读取数据文件 {path}：{err}") from None
    unit = data.get("unit", {})
    when = parse_period(str(unit["period"])) if unit.get("period") else None  # a quarterly form's "2025Q1"
    year = when.year if when else int(unit.get("year", 0))
    info = UnitInfo(unit.get("name", ""), unit.get("unit_type", ""), year, when)
    values: dict[str, Any] = {}
    default = data.get("fill", {}).get("all_numeric_inputs")
    if default is not None:
        values.update({f.key: default for f in form.numeric_inputs})
    values.update(data.get("values", {}))
    for grid_key, rows in data.get("tables", {}).items():
        for row_key, cells in rows.items():
            values.update(_row_values(form, grid_key, row_key, cells))
    return info, values


def _row_values(form: Form, grid_key: str, row_key: str, cells: Any) -> dict[str, Any]:
    if isinstance(cells, dict):  # {column: value} names the fields directly
        keys = {f"{grid_key}.{row_key}.{col}": v for col, v in cells.items()}
        unknown = [k for k in keys if k not in form.fields or not form.fields[k].editable]
        if unknown:
            raise XltoolError(f"数据文件中的字段不存在或不可填写：{'、'.join(unknown)}")
        return keys
    grid = next((g for g in form.grids if g.key == grid_key and any(r.key == row_key for r in g.rows)), None)
    if grid is None:
        raise XltoolError(f"数据文件中的表格行 {grid_key}.{row_key} 不存在")
    row = next(r for r in grid.rows if r.key == row_key)
    inputs = [c for c in grid.columns if not form.fields[grid.field_key(row, c)].parts]
    if len(cells) != len(inputs):
        raise XltoolError(f"数据文件中 {grid_key}.{row_key} 应有 {len(inputs)} 个数，实际 {len(cells)} 个")
    return {grid.field_key(row, c): v for c, v in zip(inputs, cells, strict=True)}
