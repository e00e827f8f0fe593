"""The county cycle on the bundled samples, as far as it is built (``make demo``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from .form import load_form
from .roster import load_roster
from .template import write_roster_templates


def run_demo(samples: Path, out: Path) -> Iterator[str]:
    """Run each step and yield one Chinese line per result for the CLI to show."""
    form = load_form()
    roster = load_roster(samples / "roster.xlsx")
    year = dt.date.today().year - 1  # reports are made in January for the year just ended
    templates = out / "templates"
    results = write_roster_templates(form, roster, templates, year)
    yield f"【1. 生成模板】按名单 {roster.source.name} 为 {len(results)} 个单位生成了 {year} 年度模板："
    yield f"    {templates.resolve()}"
    for r in results[:3]:
        yield f"    - {r.path.name}"
    if len(results) > 3:
        yield f"    - ……共 {len(results)} 个"
