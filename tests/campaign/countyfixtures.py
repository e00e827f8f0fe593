"""A county on the last days of the collection, for the status and aggregate tests.

``build_campaign`` makes a campaign folder whose roster holds a unit in every state a clerk meets —
passed, with warnings, failing, corrected, late, missing, sent twice at once, plus a return of a unit
not on the roster — collected from real mail, with replies drafted (one marked sent). ``build_folder``
makes the same kind of county as a plain folder of returns and a roster (counties that collect by
other means). Every return's numbers differ (``unit_values``) and are kept, so a test can sum them
itself, independently of xltool.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.campaign import mailfixtures as F
from tests.returns import default_form, for_year, make_return, town_values, valid_values
from xltool.campaign.settings import init_campaign
from xltool.form.model import Form

CST = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.date(2026, 1, 20)
TODAY = dt.date(2026, 1, 23)  # three days after the deadline

MARKET = "桐柏县市场监督管理局"  # passed, on time; its reply was sent
TOWN = "安棚镇人民政府"  # has warnings
CHENGGUAN = "城关镇人民政府"  # failing
EDUCATION = "桐柏县教育局"  # failing first, corrected later; no email address anywhere: replies by hand
FINANCE = "桐柏县财政局"  # passed, but sent after the deadline
CIVIL = "桐柏县民政局"  # missing
YUEHE = "月河镇人民政府"  # two different returns in one message: which counts is undecided
POLICE = "桐柏县公安局"  # missing, no email address; its contact looks like a formula
GUXIAN = "固县镇人民政府"  # not on the roster
PINGSHI = "平氏镇人民政府"
ROSTER = f"""单位名称,单位类型,联系邮箱,联系人
{MARKET},部门,tbscjgj@example.org,<b>张伟</b>
{TOWN},乡镇,anpeng@example.org,李娜
{CHENGGUAN},乡镇,chengguan@example.org,王磊
{EDUCATION},部门,,赵六
{FINANCE},部门,czj@example.org,钱七
{CIVIL},部门,mzj@example.org,孙八
{YUEHE},乡镇,yuehe@example.org,周九
{POLICE},部门,,=1+2
"""
TOWNS = frozenset({TOWN, CHENGGUAN, YUEHE, GUXIAN, PINGSHI})


def unit_values(form: Form, k: int, name: str, *, town: bool) -> dict[str, Any]:
    """A complete, valid return whose numbers depend on ``k``: the balances of table 三 hold
    (what a new request adds, one outcome takes), and the on-request text is left to the report so
    that it cannot disagree with the varied numbers."""
    v = town_values(form) if town else valid_values(form)
    v["info.unit_name"] = name
    v["s1.on_request"] = None
    v["t3.new.natural"] += k
    v["t3.r_open.natural"] += k
    v["t3.new.commercial"] += k % 3
    v["t3.r_unable_1.commercial"] += k % 3
    v["t2.licensing.decisions"] += 10 * k
    v["t4.review.upheld"] += k % 2
    if not town:
        v["t2.fees.amount"] = round(v["t2.fees.amount"] + 0.15 * k, 2)
    return v


def failing(values: dict[str, Any]) -> dict[str, Any]:
    """The same return with table 三 out of balance (B1, an error)."""
    return {**values, "t3.new.natural": values["t3.new.natural"] + 5}


@dataclass
class County:
    root: Path  # the campaign folder, or the folder of returns
    roster: Path
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> its current return's values
    files: dict[str, Path] = field(default_factory=dict)  # unit -> its current return as written


def _return(folder: Path, form: Form, k: int, unit: str, **changes: Any) -> tuple[Path, dict[str, Any]]:
    values = {**unit_values(form, k, unit, town=unit in TOWNS), **changes}
    unit_type = "乡镇" if unit in TOWNS else "部门"
    path = make_return(folder, base=values, unit=unit, unit_type=unit_type, name=f"{k:02d}.xlsx", the_form=form)
    return path, values


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, 30, tzinfo=CST)


def build_campaign(root: Path) -> County:
    """The campaign folder ``root/2025年报`` after collecting and drafting replies."""
    from xltool.campaign.collect import collect
    from xltool.campaign.register import Register
    from xltool.campaign.reply import draft_replies, write_drafts
    from xltool.campaign.settings import load_campaign

    form = default_form()
    made = root / "returns"
    roster = root / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    camp = root / "2025年报"
    init_campaign(camp, 2025, roster, county="桐柏县", deadline=DEADLINE, from_addr="gkb@tongbai.example.org")
    county = County(camp, roster)
    r = {
        "market": _return(made, form, 1, MARKET),
        "town": _return(made, form, 2, TOWN, **{"t2.fees.amount": 3500}),  # A3: warning
        "chengguan": _return(made, form, 3, CHENGGUAN),
        "education1": _return(made, form, 4, EDUCATION),
        "education2": _return(made, form, 5, EDUCATION),
        "finance": _return(made, form, 6, FINANCE),
        "yuehe1": _return(made, form, 7, YUEHE),
        "yuehe2": _return(made, form, 8, YUEHE),
        "guxian": _return(made, form, 9, GUXIAN),
    }
    bad = failing(r["chengguan"][1])
    r["chengguan"] = (make_return(made, base=bad, unit=CHENGGUAN, unit_type="乡镇", name="03b.xlsx"), bad)
    bad = failing(r["education1"][1])
    r["education1"] = (make_return(made, base=bad, unit=EDUCATION, unit_type="部门", name="04b.xlsx"), bad)

    def att(key: str) -> tuple[str, bytes, str]:
        return (f"{key}.xlsx", r[key][0].read_bytes(), F.XLSX)

    x = F.message
    messages = [
        x([att("market")], sender="张伟 <tbscjgj@example.org>", date=_at(16), message_id="<m@x>"),
        x([att("town")], sender="anpeng@example.org", date=_at(17), message_id="<t@x>"),
        x([att("chengguan")], sender="chengguan@example.org", date=_at(18), message_id="<c@x>"),
        x([att("education1")], sender="教育局办公室", date=_at(15), message_id="<e1@x>"),  # no address
        x([att("education2")], sender="教育局办公室", date=_at(19), message_id="<e2@x>"),
        x([att("finance")], sender="czj@example.org", date=_at(22), message_id="<f@x>"),
        x([att("yuehe1"), att("yuehe2")], sender="yuehe@example.org", date=_at(18), message_id="<y@x>"),
        x([att("guxian")], sender="guxian@example.org", date=_at(18), message_id="<g@x>"),
    ]
    campaign = load_campaign(camp)
    collect(campaign, messages, "test")
    with Register.for_campaign(camp) as reg:
        drafts = draft_replies(reg, camp, form, from_addr=campaign.from_addr, county_name="桐柏县")
        written = write_drafts(reg, camp, drafts)
        sent = next(d for d in written if d.unit == MARKET)
        assert sent.reply_id is not None and reg.claim_reply(sent.reply_id)
        reg.mark_sent(sent.reply_id, "250 OK")
    for unit, key in ((MARKET, "market"), (TOWN, "town"), (CHENGGUAN, "chengguan"), (EDUCATION, "education2"),
                      (FINANCE, "finance")):  # fmt: skip
        county.files[unit], county.values[unit] = r[key]
    return county


def build_folder(root: Path) -> County:
    """A plain folder of returns and a roster, nothing collected: six valid returns (one with a
    warning), one failing, one unit with two different files (and an identical copy of a third
    unit's file), one of last year, one missing unit and one return of a unit not on the roster."""
    form = default_form()
    folder = root / "收到的报表"
    roster = root / "名单.csv"
    names = [MARKET, TOWN, FINANCE, "桐柏县水利局", "桐柏县卫健委", PINGSHI, CHENGGUAN, YUEHE, EDUCATION, CIVIL]
    lines = ["单位名称,单位类型,联系邮箱,联系人"]
    lines += [f"{n},{'乡镇' if n in TOWNS else '部门'},u{i}@example.org,联系人{i}" for i, n in enumerate(names)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    county = County(folder, roster)
    for k, unit in enumerate(names[:6], start=1):
        extra = {"t2.fees.amount": 3500} if unit == TOWN else {}  # a warning (A3): still summed
        county.files[unit], county.values[unit] = _return(folder / "邮件附件", form, k, unit, **extra)
    bad = failing(unit_values(form, 7, CHENGGUAN, town=True))
    make_return(folder, base=bad, unit=CHENGGUAN, unit_type="乡镇", name="城关镇.xlsx")
    _return(folder / "第一次", form, 8, YUEHE)
    _return(folder / "第二次", form, 9, YUEHE)
    last_year = for_year(unit_values(form, 10, EDUCATION, town=False), 2024)
    make_return(folder, base=last_year, unit=EDUCATION, unit_type="部门", year=2024, name="教育局2024.xlsx")
    _return(folder / "其他", form, 11, GUXIAN)
    copy = folder / "重复转发" / "市场监管局.xlsx"
    copy.parent.mkdir()
    shutil.copy2(county.files[MARKET], copy)  # the same bytes again: no second return
    return county
