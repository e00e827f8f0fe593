"""The mini form (tests/forms/mini/form.toml, 乡镇安全生产检查季度统计表) loaded once, and a complete
return of it with no problem at all: the second form the generic tests, the importer and the campaign
tests fill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from xltool.form.loader import load_form
from xltool.form.model import Form

MINI = Path(__file__).resolve().parent / "mini" / "form.toml"
FORM = load_form(MINI)
UNIT = "某某镇人民政府"
YEAR = 2025

# 检查情况: row -> (检查次数, 隐患_一般, 隐患_较大, 已整改); 隐患合计 and the 合计 row are formulas.
COUNTS = {"enterprise": (20, 9, 2, 11), "school": (12, 5, 1, 6), "market": (10, 3, 0, 3)}
INPUT_COLUMNS = ("visits", "hz_general", "hz_major", "fixed")
GRID = FORM.grids[0]


def valid_values(form: Form = FORM) -> dict[str, Any]:
    """Every editable field of a complete return with no problem at all."""
    values: dict[str, Any] = {
        form.role("unit_name"): "桐柏县" + UNIT,
        form.role("year"): YEAR,
        form.role("date"): dt.date(2026, 1, 10),
        "base.filler": "张三",
        "notes.summary": "2025年，本镇共开展安全生产检查42次，发现一般隐患17处、较大隐患3处，均已整改。",
        "notes.problems": "部分企业安全培训不到位。下一步将加强宣传和培训。",
    }
    for row, numbers in COUNTS.items():
        values.update({f"{GRID.key}.{row}.{col}": n for col, n in zip(INPUT_COLUMNS, numbers, strict=True)})
    return values
