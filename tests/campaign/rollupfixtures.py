"""Counties rolled up and the city that collects them, for the roll-up tests (campaign, console).

``build_county`` makes a county campaign of three units (its government office, a town, a
department) collected from real mail; ``build_world`` rolls three counties up with ``aggregate
--as-return`` and collects the three roll-ups in a city campaign whose roster names the counties
(单位类型 县). Every unit's values are kept, so a test can sum them itself, independently of xltool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.campaign import mailfixtures as F
from tests.campaign.countyfixtures import unit_values
from tests.returns import default_form, make_return
from xltool.campaign.collect import collect
from xltool.campaign.settings import init_campaign, load_campaign
from xltool.cli import main
from xltool.form.model import Form

COUNTIES = ("桐柏县", "泌阳县", "唐河县")
DOMAINS = {**dict(zip(COUNTIES, ("tongbai", "biyang", "tanghe"), strict=True)), "宛城区": "wancheng"}  # mail is ASCII
CITY = "南阳市"


@dataclass
class Area:
    name: str
    root: Path
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> the values it sent


def government_values(form: Form, k: int, county: str) -> dict[str, Any]:
    """The county government office's own return: texts a county can stand behind (no numbers of
    its own, no 我局), so that the roll-up built on them verifies clean."""
    v = unit_values(form, k, f"{county}人民政府办公室", town=False)
    for key, text in v.items():
        if isinstance(text, str) and form.fields[key].type == "longtext":
            text = text.replace("我局", "我县").replace("对新出台的2件行政规范性文件", "对新出台的行政规范性文件")
            v[key] = re.sub(r"二是动态调整主动公开目录[^。]*。", "二是动态调整主动公开目录。", text)
    return v


def build_county(root: Path, county: str, base: int) -> Area:
    """A county campaign of three units (its government office, a town, a department), collected."""
    form = default_form()
    units = [(f"{county}人民政府办公室", "部门"), (f"{county}城关镇人民政府", "乡镇"), (f"{county}财政局", "部门")]
    roster = root / f"{county}名单.csv"
    lines = ["单位名称,单位类型,联系邮箱,联系人", *(f"{n},{t},u{i}@{DOMAINS[county]}.example.org,联系人" for i, (n, t) in
                                                    enumerate(units))]  # fmt: skip
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    area = Area(county, root / county)
    init_campaign(area.root, 2025, roster, county=county, from_addr=f"gkb@{DOMAINS[county]}.example.org")
    messages = []
    for i, (name, kind) in enumerate(units):
        k = base + i
        values = government_values(form, k, county) if i == 0 else unit_values(form, k, name, town=kind == "乡镇")
        path = make_return(root / "made", base=values, unit=name, unit_type=kind, name=f"{county}{i}.xlsx")
        area.values[name] = values
        messages.append(F.message([(path.name, path.read_bytes(), F.XLSX)], sender=f"u{i}@{DOMAINS[county]}.example.org",
                                  message_id=f"<{DOMAINS[county]}{i}@x>"))  # fmt: skip
    collect(load_campaign(area.root), messages, "test")
    return area


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build_world(root: Path) -> dict[str, Any]:
    """Three counties each rolled up, and the city campaign that collected the three roll-ups."""
    counties = [build_county(root, c, 10 * i + 1) for i, c in enumerate(COUNTIES)]
    rolled = {}
    for area in counties:
        out = root / f"{area.name}汇总报表.xlsx"
        done = run("aggregate", str(area.root), "--as-return", str(out), "--unit", f"{area.name}人民政府办公室")
        assert done.exit_code == 0, done.output
        rolled[area.name] = out
    roster = root / "南阳市名单.csv"
    rows = [f"{c},县,gkb@{DOMAINS[c]}.example.org,联系人" for c in COUNTIES]
    roster.write_text("单位名称,单位类型,联系邮箱,联系人\n" + "\n".join(rows) + "\n", encoding="utf-8")
    city = root / CITY
    init_campaign(city, 2025, roster, county=CITY, from_addr="gkb@nanyang.example.org")
    messages = [F.message([(p.name, p.read_bytes(), F.XLSX)], sender=f"gkb@{DOMAINS[c]}.example.org", message_id=f"<{DOMAINS[c]}@city>")
                for c, p in rolled.items()]  # fmt: skip
    collect(load_campaign(city), messages, "test")
    return {"counties": counties, "rolled": rolled, "city": city, "root": root}
