"""Regenerate the filled sample returns in samples/returns/ from samples/data/*.toml.

Run: .venv/bin/python samples/make_samples.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xltool.form.loader import load_form
from xltool.form.registry import resolve_form
from xltool.workbook.filldata import load_values
from xltool.workbook.write import write_template

HERE = Path(__file__).resolve().parent
# A fixed generation time keeps the committed files byte-stable across runs.
GENERATED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# data file -> (the return, the form: None for the annual report). samples/returns holds the annual
# report's returns only (the demo verifies them all with it); another form's return has its own folder.
SAMPLES = {
    "anpeng_2024.toml": ("returns/安棚镇_2024_真实报告数据.xlsx", None),
    "market_2025.toml": ("returns/市场监管局_2025_完整正确.xlsx", None),
    "website_2025.toml": ("website/县政府门户网站_2025_网站年度报表.xlsx", "gov-website-annual-report"),
}


def main() -> None:
    for data, (name, form_id) in SAMPLES.items():
        form = load_form(resolve_form(form_id))
        unit, values = load_values(HERE / "data" / data, form)
        write_template(form, unit, HERE / name, values=values, now=GENERATED)
        print(HERE / name)


if __name__ == "__main__":
    main()
