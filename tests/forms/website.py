"""The shipped 政府网站工作年度报表 (workbook_templates/gov_website_annual_report) loaded once, its sample
return (samples/data/website_2025.toml, written to samples/website/) and a helper that writes a return
of it with some cells changed: what the website form's tests in each folder share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xltool.form.loader import load_form
from xltool.form.registry import resolve_form
from xltool.workbook.filldata import load_values
from xltool.workbook.write import UnitInfo, write_template

ROOT = Path(__file__).resolve().parents[2]
FORM_ID = "gov-website-annual-report"
FORM_PATH = resolve_form(FORM_ID)
FORM = load_form(FORM_PATH)
DATA = ROOT / "samples" / "data" / "website_2025.toml"
SAMPLE = ROOT / "samples" / "website" / "县政府门户网站_2025_网站年度报表.xlsx"
UNIT, VALUES = load_values(DATA, FORM)


def sample_values() -> dict[str, Any]:
    """Every editable cell of the sample return (a fresh copy: a test may change it)."""
    return dict(VALUES)


def website_return(tmp_path: Path, changes: dict[str, Any] | None = None, unit: UnitInfo = UNIT) -> Path:
    """A return of the website form: the sample's values with ``changes`` (None blanks a cell)."""
    values = {**sample_values(), **(changes or {})}
    out = tmp_path / f"{unit.name}_网站年度报表.xlsx"
    write_template(FORM, unit, out, values=values)
    return out
