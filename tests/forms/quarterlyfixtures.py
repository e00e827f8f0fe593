"""The quarterly form (tests/forms/quarterly/form.toml, 12345热线季度统计表) loaded once, and a filled
return of it for a quarter: what the quarterly campaign test and the CLI examples fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xltool.form.loader import load_form
from xltool.form.period import Period
from xltool.workbook.write import UnitInfo, write_template

QUARTERLY = Path(__file__).resolve().parent / "quarterly" / "form.toml"
FORM = load_form(QUARTERLY)
Q1, Q2 = Period(2025, "quarter", 1), Period(2025, "quarter", 2)
UNIT = "桐柏县城关镇人民政府"
# (受理量, 办结量) per row of the 工单 table (urgent: 其中：紧急投诉, part of 投诉); 合计 and 办结率 are formulas
COUNTS = {"consult": (120, 118), "complaint": (30, 27), "urgent": (4, 4), "suggest": (6, 6)}
DAYS = 3.6  # 平均办理时长 (天)


def quarter_values(
    counts: Mapping[str, tuple[int, int]] = COUNTS, *, blank_summary: bool = False, days: float = DAYS
) -> dict[str, Any]:
    """The editable fields of a return with these counts (the unit and year are the template's);
    ``blank_summary``: the text left for the report to write from the table."""
    summary = None if blank_summary else "本季度热线工单均按时办理。"
    out: dict[str, Any] = {FORM.role("date"): dt.date(2025, 4, 8), "notes.summary": summary, "base.days": days}
    for row, (accepted, done) in counts.items():
        out |= {f"hot.{row}.accepted": accepted, f"hot.{row}.done": done}
    return out


def quarterly_return(
    path: Path,
    unit: str = UNIT,
    when: Period = Q1,
    counts: Mapping[str, Any] = COUNTS,
    *,
    blank_summary: bool = False,
    days: float = DAYS,
) -> Path:
    """A filled return of ``unit`` on the template of ``when`` (a quarter of 2025), written to ``path``."""
    values = quarter_values(counts, blank_summary=blank_summary, days=days)
    return write_template(FORM, UnitInfo(unit, "", when.year, when), path, values=values).path
