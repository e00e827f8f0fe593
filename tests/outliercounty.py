"""A generated county of 40 units (25 departments, 15 towns) with an ordinary spread of values and
four planted outliers, for the peer (G1) and history (G2) checks; ``make_county`` writes the returns,
last year's return of 单位30 and a roster."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.returns import default_form, make_return, previous_values

PLANTED = {
    "单位03": {"t2.penalty.decisions": 3000},  # ×100 of its usual 30
    "单位11": {"t2.fees.amount": 3500},  # 元 typed in the 万元 row
    "单位17": {"t2.rules.in_force": 15},  # the county's own 规章 count, where departments have none
    "单位30": {"t2.penalty.decisions": 4800},  # a town with the county's figure; last year 12 (G2)
}


def unit_type(i: int) -> str:
    return "乡镇" if i >= 25 else "部门"


def _values(i: int, rnd: random.Random) -> dict[str, Any]:
    town = i >= 25
    return {
        "t2.penalty.decisions": rnd.randint(0, 12) if town else rnd.randint(10, 60),
        "t2.licensing.decisions": rnd.randint(0, 40) if town else rnd.randint(200, 1500),
        "t2.fees.amount": 0 if town else round(rnd.uniform(0, 40), 2),
        "t2.rules.in_force": 0,
    }


def make_county(root: Path) -> tuple[Path, Path, Path]:
    """(returns folder, last year's folder, roster.csv) under ``root``."""
    rnd = random.Random(24)
    lines = ["序号,单位名称,单位类型,联系人,联系邮箱"]
    for i in range(40):
        unit = f"单位{i:02d}"
        values = _values(i, rnd) | PLANTED.get(unit, {})
        make_return(root / "returns", values, unit=unit, unit_type=unit_type(i), name=f"{unit}.xlsx")
        lines.append(f"{i + 1},{unit},{unit_type(i)},张三,u{i}@example.org")
    last = previous_values(default_form()) | {"t2.penalty.decisions": 12, "t2.licensing.decisions": 30}
    make_return(root / "previous", base=last, unit="单位30", unit_type="乡镇", year=2024, name="单位30.xlsx")
    roster = root / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "returns", root / "previous", roster


def make_peer_campaign(folder: Path, units: int = 10) -> Path:
    """A campaign of ``units`` departments whose returns are all in, 单位03's with a ×100 value (G1)."""
    from xltool.app.upload import Dropped, collect_dropped
    from xltool.campaign.settings import init_campaign, load_campaign

    rnd = random.Random(24)
    files = folder.parent / f"{folder.name}-returns"
    lines = ["序号,单位名称,单位类型,联系人,联系邮箱"]
    made = []
    for i in range(units):
        unit = f"单位{i:02d}"
        values = _values(i, rnd) | PLANTED.get(unit, {}) if unit == "单位03" else _values(i, rnd)
        made.append(make_return(files, values, unit=unit, unit_type="部门", name=f"{unit}.xlsx"))
        lines.append(f"{i + 1},{unit},部门,张三,u{i}@example.org")
    roster = folder.parent / f"{folder.name}-名单.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    init_campaign(folder, 2025, roster, county="桐柏县", from_addr="gkb@tongbai.example.org")
    collect_dropped(load_campaign(folder), [Dropped(p.name, p.read_bytes()) for p in made])
    return folder


def make_county_campaign(root: Path) -> Path:
    """The generated county collected for real: a campaign whose 40 returns are dropped in (one
    message each, as ``xltool collect`` takes mail), with last year's return of 单位30 beside it."""
    from xltool.app.upload import Dropped, collect_dropped
    from xltool.campaign.settings import init_campaign, load_campaign

    returns, _, roster = make_county(root / "county")
    folder = root / "campaign"
    init_campaign(folder, 2025, roster, county="桐柏县", from_addr="gkb@tongbai.example.org")
    collect_dropped(load_campaign(folder), [Dropped(p.name, p.read_bytes()) for p in sorted(returns.glob("*.xlsx"))])
    return folder
